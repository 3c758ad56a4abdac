"""A reader in a real browser (issue 13): searches a theme name in Taiwan usage, sees why a card matched,
downloads the list as CSV, and copies a proposal's citation."""

import csv
import io
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def loaded(transactional_corpus):
    """The corpus, loaded again: the live server's database is flushed between transactional tests."""


def test_search_download_and_cite(live_server, loaded, browser):  # noqa: F811
    from proposals.models import Proposal

    page = browser.new_page(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/")
    page.get_by_label("关键词").fill("數字經濟")
    page.get_by_role("button", name="检索").click()
    page.wait_for_url(re.compile(r"q="))
    digital = set(
        Proposal.objects.published().filter(themes__slug="digital-economy").values_list("pk", flat=True)
    )
    assert page.locator(".results .proposal-item").count() == len(digital)
    assert page.locator(".match-why").first.is_visible()
    assert "按主题匹配" in page.locator(".match-why").first.inner_text()

    with page.expect_download() as info:
        page.get_by_role("link", name="下载 CSV").click()
    body = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {int(r["编号"]) for r in rows} == digital
    assert all(r["类型"] in {"建议", "提案", "发言", "观点"} for r in rows)

    page.locator(".results .proposal-item h3 a").first.click()
    page.wait_for_url(re.compile(r"/proposals/\d+/$"))
    citation = page.locator("#citation")
    assert citation.is_visible()
    assert page.url in citation.inner_text()
    assert page.locator('link[rel="alternate"][type="application/rss+xml"]').count() >= 1
