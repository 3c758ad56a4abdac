"""A curator's path in a real browser (headless Debian Chromium driven by Playwright): log in, edit a
proposal, open its history and see the change, with who made it. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from proposals.roles import ensure_groups
from tests.test_browser import ARTIFACTS, loaded  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_curator_edits_a_proposal_and_sees_it_in_the_history(live_server, loaded, browser):  # noqa: F811
    from proposals.models import Proposal, ReviewStatus

    ensure_groups()
    alice = get_user_model().objects.create_user("alice", password="pw-alice-browser", is_staff=True)
    alice.groups.add(Group.objects.get(name="curator"))
    proposal = Proposal.objects.published().order_by("pk").first()
    old_title = proposal.title

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "pw-alice-browser")
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"{live_server.url}/admin/proposals/proposal/{proposal.pk}/change/")
    # A curator has no publish button and no status field, only "submit for review" (the record is published).
    assert page.locator("select[name=status]").count() == 0
    assert page.get_by_role("button", name="发布").count() == 0
    page.fill("#id_title", "浏览器里改过的标题")
    page.screenshot(path=ARTIFACTS / "curation-1-edit.png", full_page=True)
    page.locator("input[name=_continue]").click()
    page.wait_for_url(re.compile(rf"/admin/proposals/proposal/{proposal.pk}/change/$"))

    page.get_by_role("link", name=re.compile("历史")).click()
    page.wait_for_url(re.compile(rf"/admin/proposals/proposal/{proposal.pk}/history/$"))
    history = page.locator("#change-history")
    text = history.inner_text()
    assert "alice" in text
    assert old_title in text and "浏览器里改过的标题" in text
    page.screenshot(path=ARTIFACTS / "curation-2-history.png", full_page=True)

    proposal.refresh_from_db()
    assert proposal.title == "浏览器里改过的标题"
    assert proposal.status == ReviewStatus.PUBLISHED
