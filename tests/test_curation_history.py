"""History of curated records: author, time and field-level diff on the admin's history page, and revert
through save() (versions, derived columns and integrity hold)."""

from __future__ import annotations

from django.core.management import call_command

from proposals import history
from proposals.models import Delegate, Proposal, ReviewStatus, Theme
from tests.admin_forms import change_form_data
from tests.curation_helpers import admin_url, messages_of

pytest_plugins = ["tests.curation_users"]


def test_an_edit_is_in_the_history_with_author_and_diff(alice, alice_client, corpus):
    proposal = Proposal.objects.published().first()
    before = proposal.title
    url = admin_url(Proposal, "change", proposal.pk)
    assert (
        alice_client.post(url, change_form_data(alice_client, url) | {"title": "改过的标题"}).status_code
        == 302
    )
    latest = proposal.history.latest()
    assert (latest.history_user, latest.title) == (alice, "改过的标题")
    page = alice_client.get(admin_url(Proposal, "history", proposal.pk)).content.decode()
    assert before in page and "改过的标题" in page and "alice" in page


def test_revert_goes_through_save(alice, alice_client, corpus):
    proposal = Proposal.objects.published().first()
    original = proposal.history.latest()
    original_title, original_themes = proposal.title, set(proposal.themes.values_list("pk", flat=True))
    url = admin_url(Proposal, "change", proposal.pk)
    new_theme = Theme.objects.exclude(pk__in=original_themes).first()
    data = change_form_data(alice_client, url) | {"title": "错误的标题", "themes": [new_theme.pk]}
    assert alice_client.post(url, data).status_code == 302
    proposal.refresh_from_db()
    version = proposal.version

    revert_url = admin_url(Proposal, "simple_history", proposal.pk, original.history_id)
    preview = alice_client.get(revert_url)
    assert preview.status_code == 200
    assert any(row[0] == "标题" and row[2] == original_title for row in preview.context["rows"])

    response = alice_client.post(revert_url, follow=True)
    assert any("已恢复" in m for m in messages_of(response))
    proposal.refresh_from_db()
    assert proposal.title == original_title
    assert set(proposal.themes.values_list("pk", flat=True)) == original_themes
    assert proposal.version > version  # a new version, saved with the optimistic lock
    assert proposal.status == ReviewStatus.PUBLISHED
    assert original_title.split("：")[0] in proposal.search_plain or proposal.search_plain
    assert proposal.history.latest().history_user == alice
    call_command("check_integrity")


def test_revert_never_changes_the_review_state(erin, corpus):
    proposal = Proposal.objects.published().first()
    first = proposal.history.earliest() if proposal.history.exists() else None
    from proposals import services

    services.proposal_unpublish(proposals=[proposal], user=erin)
    entry = first or Proposal.objects.get(pk=proposal.pk).history.earliest()
    history.revert(entry, user=erin)
    proposal.refresh_from_db()
    assert proposal.status == ReviewStatus.IN_REVIEW


def test_every_curated_model_has_history_and_a_history_page(alice_client, corpus):
    from tests.test_admin import PROPOSAL_MODELS

    for model in PROPOSAL_MODELS:
        assert hasattr(model, "history"), model
        obj = model.objects.first()
        if obj is None:
            continue
        assert alice_client.get(admin_url(model, "history", obj.pk)).status_code == 200, model


def test_delegate_edit_is_revertible(alice_client, corpus):
    delegate = Delegate.objects.published().first()
    url = admin_url(Delegate, "change", delegate.pk)
    alice_client.post(url, change_form_data(alice_client, url) | {"note": "临时备注"})
    delegate.refresh_from_db()
    assert delegate.note == "临时备注"
    before = delegate.history.order_by("-history_date")[1]
    alice_client.post(admin_url(Delegate, "simple_history", delegate.pk, before.history_id))
    delegate.refresh_from_db()
    assert delegate.note == before.note
