"""Roles and review transitions: what a curator and an editor may do, on every path (service, bulk
action, change-form button, change form), and that only published proposals reach the public."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from proposals import services, workflow
from proposals.models import Delegate, Proposal, ReviewStatus
from tests.admin_forms import change_form_data
from tests.curation_helpers import admin_url, messages_of

pytest_plugins = ["tests.curation_users"]


def _new_proposal(**fields) -> Proposal:
    return Proposal.objects.create(title="测试建言：加强社区养老", kind="suggestion", year=2024, **fields)


def _action(client, model, action, objects):
    return client.post(
        admin_url(model),
        {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [o.pk for o in objects]},
        follow=True,
    )


def _actions(client, model) -> set[str]:
    response = client.get(admin_url(model))
    assert response.status_code == 200
    return {name for name, _ in response.context["action_form"].fields["action"].choices if name}


def test_groups_made_by_the_migration(db):
    curator = set(Group.objects.get(name="curator").permissions.values_list("codename", flat=True))
    editor = set(Group.objects.get(name="editor").permissions.values_list("codename", flat=True))
    assert {"add_proposal", "change_proposal", "change_delegate", "view_article"} <= curator
    assert not {c for c in curator if c.startswith(("delete_", "publish_", "merge_"))}
    assert {"publish_proposal", "publish_delegate", "merge_delegate", "merge_organisation"} <= editor
    assert {"delete_proposal", "delete_delegate"} <= editor
    assert curator < editor


def test_curator_sees_only_curator_actions(alice_client, corpus):
    assert _actions(alice_client, Proposal) == {"submit", "return_to_draft"}
    assert _actions(alice_client, Delegate) == {"submit", "return_to_draft"}


def test_editor_sees_publish_merge_and_delete(erin_client, corpus):
    names = _actions(erin_client, Delegate)
    assert {"publish", "unpublish", "withdraw", "restore", "merge", "delete_selected"} <= names
    assert {"publish", "delete_selected"} <= _actions(erin_client, Proposal)


def test_curator_posting_publish_anyway_is_refused(alice_client, corpus):
    proposal = _new_proposal()
    _action(alice_client, Proposal, "publish", [proposal])
    proposal.refresh_from_db()
    assert proposal.status == ReviewStatus.DRAFT
    response = alice_client.post(admin_url(Proposal, "transition", proposal.pk, "publish"), follow=True)
    assert any("没有权限" in m for m in messages_of(response))
    proposal.refresh_from_db()
    assert proposal.status == ReviewStatus.DRAFT
    assert alice_client.post(admin_url(Proposal, "delete", proposal.pk), {"post": "yes"}).status_code == 403
    assert Proposal.objects.filter(pk=proposal.pk).exists()


def test_status_is_not_a_form_field_even_when_posted(alice_client, corpus):
    proposal = _new_proposal()
    url = admin_url(Proposal, "change", proposal.pk)
    data = change_form_data(alice_client, url)
    assert "status" not in data
    data |= {"status": ReviewStatus.PUBLISHED, "title": "测试建言：加强社区养老服务"}
    response = alice_client.post(url, data)
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "测试建言：加强社区养老服务"
    assert proposal.status == ReviewStatus.DRAFT


def test_the_review_path_records_who_and_when(alice, alice_client, erin, erin_client, corpus):
    client = Client()  # an anonymous reader
    proposal = _new_proposal()
    public = reverse("proposal-detail", args=[proposal.pk])
    assert client.get(public).status_code == 404

    alice_client.post(admin_url(Proposal, "transition", proposal.pk, "submit"))
    proposal.refresh_from_db()
    assert (proposal.status, proposal.status_changed_by) == (ReviewStatus.IN_REVIEW, alice)
    assert client.get(public).status_code == 404

    response = _action(erin_client, Proposal, "publish", [proposal])
    assert "已发布 1 条建言" in " ".join(messages_of(response))
    proposal.refresh_from_db()
    assert (proposal.status, proposal.status_changed_by) == (ReviewStatus.PUBLISHED, erin)
    assert proposal.status_changed_at is not None and proposal.first_published_at is not None
    assert client.get(public).status_code == 200
    entries = list(proposal.history.order_by("history_date"))
    assert [(e.status, e.history_user) for e in entries[-2:]] == [
        (ReviewStatus.IN_REVIEW, alice),
        (ReviewStatus.PUBLISHED, erin),
    ]
    assert entries[-1].history_change_reason.startswith("发布")

    erin_client.post(admin_url(Proposal, "transition", proposal.pk, "withdraw"))
    proposal.refresh_from_db()
    assert proposal.status == ReviewStatus.WITHDRAWN
    assert client.get(public).status_code in (404, 410)
    call_command("check_integrity")


def test_services_check_the_permission(alice, erin, corpus):
    proposal = _new_proposal()
    with pytest.raises(PermissionDenied):
        services.proposal_publish(proposals=[proposal], user=alice)
    proposal.refresh_from_db()
    assert proposal.status == ReviewStatus.DRAFT
    assert services.proposal_transition(proposals=[proposal], name="submit", user=alice) == 1
    assert services.proposal_publish(proposals=[proposal], user=erin) == 1
    delegate = Delegate.objects.published().first()
    with pytest.raises(PermissionDenied):
        services.delegate_unpublish(delegates=[delegate], user=alice)
    with pytest.raises(PermissionDenied):
        services.delegates_merge(
            survivor=delegate, others=Delegate.objects.exclude(pk=delegate.pk)[:1], user=alice
        )


def test_transitions_only_from_their_states(erin, corpus):
    proposal = _new_proposal()
    assert workflow.transition(model=Proposal, pks=[proposal.pk], name="unpublish", user=erin) == 0
    assert workflow.transition(model=Proposal, pks=[proposal.pk], name="restore", user=erin) == 0
    proposal.refresh_from_db()
    assert proposal.status == ReviewStatus.DRAFT


def test_changelist_counts_and_queues(alice, alice_client, erin_client, corpus):
    mine = _new_proposal()
    url = admin_url(Proposal, "change", mine.pk)
    alice_client.post(url, change_form_data(alice_client, url) | {"title": "我的草稿"})
    _new_proposal(status=ReviewStatus.IN_REVIEW)
    drafts = Proposal.objects.filter(status=ReviewStatus.DRAFT).count()
    response = alice_client.get(admin_url(Proposal))
    assert f"草稿（{drafts}）" in response.content.decode()
    listed = set(
        alice_client.get(admin_url(Proposal), {"queue": "mine"})
        .context["cl"]
        .queryset.values_list("pk", flat=True)
    )
    assert listed == {mine.pk}
    waiting = erin_client.get(admin_url(Proposal), {"queue": "review"}).context["cl"].queryset
    assert set(waiting.values_list("pk", flat=True)) == set(
        Proposal.objects.filter(status=ReviewStatus.IN_REVIEW).values_list("pk", flat=True)
    )
