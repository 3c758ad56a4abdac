"""Stored text with <script>, quotes and entities renders inert on every public page and in the admin, in a
real browser (headless Chromium): no script of the data runs, no dialog opens, the text reads as written."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = '<script>window.__pwned=1;alert(1)</script>"\'&amp;<img src=x onerror="window.__pwned=2">'


@pytest.fixture
def hostile(transactional_corpus, django_user_model):
    from proposals.models import Article, Delegate, Proposal, Theme

    proposal = Proposal.objects.published().first()
    proposal.title = f"标题{HOSTILE}"
    proposal.summary = f"摘要{HOSTILE}"
    proposal.save()
    delegate = Delegate.objects.published().filter(authorships__proposal=proposal).first()
    delegate.note = f"备注{HOSTILE}"
    delegate.save()
    theme = proposal.themes.first() or Theme.objects.first()
    theme.name = "主<script>alert(1)</script>"  # the name has at most 32 characters
    theme.description = f"说明{HOSTILE}"
    theme.save()
    article = Article.objects.filter(quotes__proposal=proposal).first()
    article.title = f"文章{HOSTILE}"
    article.save()
    django_user_model.objects.create_superuser("curator", "c@example.org", "pw-curator")
    return proposal, delegate, theme, article


def test_hostile_text_is_inert_everywhere(live_server, hostile, browser):
    proposal, delegate, theme, article = hostile
    public = [
        "/",
        "/?q=标题",
        f"/proposals/{proposal.pk}/",
        "/themes/",
        f"/themes/{theme.slug}/",
        "/delegates/",
        f"/delegates/{delegate.pk}/",
        "/articles/",
        f"/articles/{article.pk}/",
        "/stats/",
        "/api/v1/proposals/?format=api",
    ]
    admin = [
        "/admin/proposals/proposal/",
        f"/admin/proposals/proposal/{proposal.pk}/change/",
        "/admin/proposals/theme/",
        f"/admin/proposals/article/{article.pk}/change/",
    ]
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in public:
        page.goto(live_server.url + path)
        assert page.evaluate("window.__pwned") is None, path
    # The text reads as written: the proposal's page shows the characters, not markup.
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    assert "<script>window.__pwned=1" in page.inner_text("h1")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", "pw-curator")
    page.click("input[type=submit]")
    for path in admin:
        page.goto(live_server.url + path)
        assert page.evaluate("window.__pwned") is None, path
    assert dialogs == []
