"""A reader's path through the site in a real browser (headless Debian Chromium driven by Playwright).

Filter by a theme, search, open a proposal, follow its quote to the article and see the passage marked.
Screenshots go to test-artifacts/ (git-ignored).
"""

import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def loaded(transactional_corpus):
    """The live server's database is flushed between transactional tests: load the corpus here."""


def test_filter_search_open_proposal_and_see_the_quote_in_its_article(live_server, loaded, browser):
    from proposals.models import QuotePassage

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/")
    assert "代表委员建言" in page.title()
    page.screenshot(path=ARTIFACTS / "browser-1-list.png")

    # filter by a theme: tick it and apply (a plain GET form, no JavaScript needed)
    page.get_by_role("checkbox", name=re.compile("^人工智能")).check()
    page.get_by_role("button", name="应用筛选").click()
    page.wait_for_url(re.compile(r"theme=artificial-intelligence"))
    assert page.get_by_role("checkbox", name=re.compile("^人工智能")).is_checked()

    # search within the theme
    page.get_by_label("关键词").fill("人工智能")
    page.get_by_role("button", name="检索").click()
    page.wait_for_url(re.compile(r"q=%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD"))
    assert "theme=artificial-intelligence" in page.url
    first = page.locator(".results .proposal-item h3 a").first
    assert first.locator("mark").first.inner_text() == "人工智能"
    page.screenshot(path=ARTIFACTS / "browser-2-search.png", full_page=True)

    # open the first proposal
    first.click()
    page.wait_for_url(re.compile(r"/proposals/\d+/$"))
    proposal_id = int(re.search(r"/proposals/(\d+)/", page.url).group(1))
    assert page.locator("h1").inner_text()
    page.screenshot(path=ARTIFACTS / "browser-3-proposal.png", full_page=True)

    # follow the quote to its article: the passage is marked, visible and linked back
    page.get_by_role("link", name="在原文中查看 ›").first.click()
    page.wait_for_url(re.compile(r"/articles/\d+/#passage-\d+$"))
    passage_id = int(page.url.rsplit("passage-", 1)[1])
    passage = QuotePassage.objects.get(pk=passage_id)
    assert passage.quote.proposal_id == proposal_id
    mark = page.locator(f"mark#passage-{passage_id}")
    assert mark.is_visible()
    first_line = passage.text.split("\n")[0]
    assert mark.inner_text() == first_line
    assert mark.locator("a").get_attribute("href") == f"/proposals/{proposal_id}/"
    page.screenshot(path=ARTIFACTS / "browser-4-article.png")


def test_phone_width_list_is_usable(live_server, loaded, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(f"{live_server.url}/?q=网联")
    assert page.locator(".results .proposal-item").count() >= 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no horizontal scrolling on a phone"
    page.screenshot(path=ARTIFACTS / "browser-phone-search.png", full_page=True)
