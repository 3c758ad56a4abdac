"""Merging duplicates from the admin: a confirmation page listing what moves, the survivor chosen there,
every related record moved, the other names as aliases, and the whole merge undone from the history."""

from __future__ import annotations

from django.contrib import admin
from django.core.management import call_command

from proposals.models import (
    Authorship,
    Delegate,
    DelegateAlias,
    Membership,
    Organisation,
    Position,
    Proposal,
    ReviewStatus,
)
from tests.curation_helpers import admin_url, messages_of

pytest_plugins = ["tests.curation_users"]


def _holdings(delegate: Delegate) -> dict[str, set]:
    return {
        "authorships": set(Authorship.objects.filter(delegate=delegate).values_list("pk", "proposal_id")),
        "memberships": set(Membership.objects.filter(delegate=delegate).values_list("pk", flat=True)),
        "positions": set(Position.objects.filter(delegate=delegate).values_list("pk", flat=True)),
        "aliases": set(DelegateAlias.objects.filter(delegate=delegate).values_list("name", flat=True)),
    }


def _snapshot(delegates) -> dict:
    return {
        d.pk: (_holdings(d), Delegate.objects.values("name", "status", "merged_into_id").get(pk=d.pk))
        for d in delegates
    }


def _post_merge(client, model, records, **extra):
    data = {"action": "merge", admin.helpers.ACTION_CHECKBOX_NAME: [r.pk for r in records], **extra}
    return client.post(admin_url(model), data, follow=True)


def _three_with_proposals():
    return list(Delegate.objects.filter(authorships__isnull=False).order_by("pk").distinct()[:3])


def test_confirmation_page_shows_what_moves_and_writes_nothing(erin_client, corpus):
    records = _three_with_proposals()
    before = _snapshot(records)
    response = _post_merge(erin_client, Delegate, records)
    assert response.templates[0].name == "admin/proposals/merge_confirm.html"
    page = response.content.decode()
    for record in records:
        assert f'name="survivor" value="{record.pk}"' in page
        for authorship in record.authorships.select_related("proposal"):
            assert authorship.proposal.title in page
    assert _snapshot(records) == before


def test_merge_into_the_chosen_survivor_and_undo(erin, erin_client, corpus):
    records = _three_with_proposals()
    survivor = records[-1]  # not the lowest id: the curator chooses
    others = records[:-1]
    before = _snapshot(records)
    moved_proposals = {p for d in others for _, p in before[d.pk][0]["authorships"]}

    response = _post_merge(erin_client, Delegate, records, confirm="yes", survivor=survivor.pk)
    assert any("合并到" in m for m in messages_of(response)), messages_of(response)
    for other in others:
        other.refresh_from_db()
        assert (other.merged_into_id, other.status) == (survivor.pk, ReviewStatus.WITHDRAWN)
        assert not Authorship.objects.filter(delegate=other).exists()
        assert not Membership.objects.filter(delegate=other).exists()
        assert not Position.objects.filter(delegate=other).exists()
    assert moved_proposals <= set(
        Proposal.objects.filter(authorships__delegate=survivor).values_list("pk", flat=True)
    )
    aliases = set(survivor.aliases.values_list("name", flat=True))
    assert {o.name for o in others if o.name != survivor.name} <= aliases
    assert not any(a.endswith(("代表", "委员")) for a in aliases)
    # Search finds the survivor's proposals under a merged name.
    name = next(o.name for o in others if o.name != survivor.name)
    assert Proposal.objects.search(name).filter(pk__in=moved_proposals).exists()
    call_command("check_integrity")

    # The merge is in the survivor's history, with the editor, and can be undone from there.
    entry = survivor.history.filter(history_change_reason__startswith="合并").latest()
    assert entry.history_user == erin
    history_page = erin_client.get(admin_url(Delegate, "history", survivor.pk)).content.decode()
    assert "撤销这次合并" in history_page
    batch = entry.history_change_reason.rsplit("[", 1)[1].rstrip("]")
    undo_url = admin_url(Delegate, "undo_merge", batch)
    assert erin_client.get(undo_url).status_code == 200
    response = erin_client.post(undo_url, follow=True)
    assert any("已撤销这次合并" in m for m in messages_of(response)), messages_of(response)
    assert _snapshot(records) == before
    call_command("check_integrity")


def test_curator_cannot_merge_or_undo(alice_client, erin, corpus):
    from proposals import services

    records = _three_with_proposals()[:2]
    before = _snapshot(records)
    _post_merge(alice_client, Delegate, records, confirm="yes", survivor=records[0].pk)
    assert _snapshot(records) == before
    batch = services.delegates_merge(survivor=records[0], others=records[1:], user=erin)
    assert alice_client.post(admin_url(Delegate, "undo_merge", batch.id)).status_code == 403
    records[1].refresh_from_db()
    assert records[1].merged_into_id == records[0].pk


def test_organisations_merge_and_undo(erin_client, corpus):
    organisations = list(Organisation.objects.filter(positions__isnull=False).order_by("pk").distinct()[:2])
    keep, other = organisations
    positions = set(Position.objects.filter(organisation=other).values_list("pk", flat=True))
    response = _post_merge(erin_client, Organisation, organisations)
    assert "确认合并" in response.content.decode()
    _post_merge(erin_client, Organisation, organisations, confirm="yes", survivor=keep.pk)
    assert not Organisation.objects.filter(pk=other.pk).exists()
    assert (
        positions <= set(Position.objects.filter(organisation=keep).values_list("pk", flat=True)) | positions
    )
    assert not Position.objects.filter(organisation_id=other.pk).exists()
    call_command("check_integrity")

    entry = keep.history.filter(history_change_reason__startswith="合并").latest()
    batch = entry.history_change_reason.rsplit("[", 1)[1].rstrip("]")
    erin_client.post(admin_url(Organisation, "undo_merge", batch))
    restored = Organisation.objects.get(pk=other.pk)
    assert restored.name == other.name
    assert set(Position.objects.filter(organisation=restored).values_list("pk", flat=True)) == positions
    call_command("check_integrity")
