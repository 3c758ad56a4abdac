"""The API docs in a real browser (headless Chromium): they render, and every request stays on this host."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


def test_swagger_ui_renders_without_leaving_the_host(live_server, page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert "/api/v1/proposals/" in page.content()
    host = urlsplit(live_server.url).netloc
    foreign = [u for u in requested if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != host]
    assert foreign == []
    assert any(u.endswith("/api/schema/") for u in requested)
