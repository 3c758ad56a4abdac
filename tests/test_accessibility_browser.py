"""WCAG 2.1 AA in a real browser: axe-core (vendored in tests/vendor/, no CDN) runs on every public page type
and the test fails on any serious or critical violation."""

from pathlib import Path

import pytest

from tests.test_browser import ARGS, ARTIFACTS, CHROMIUM  # noqa: F401  (shared browser set-up)

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def loaded(transactional_corpus):
    """The corpus, loaded again: the live server's database is flushed between transactional tests."""


def public_pages() -> list[str]:
    """One page of each type, its records found by what they are (the first of each kind with a page), not by
    name: a curator's change to the corpus does not break this test."""
    from django.db.models import Count

    from proposals.models import Article, Delegate, Organisation, Proposal, Region, Theme

    proposal = Proposal.objects.published().order_by("id").first()
    theme = Theme.objects.filter(proposals__in=[proposal]).order_by("order", "id").first()
    delegate = Delegate.objects.published().annotate(n=Count("authorships")).order_by("-n", "id").first()
    organisation = Organisation.objects.order_by("id").first()
    region = Region.objects.filter(parent__isnull=True).order_by("id").first()
    articles = Article.objects.order_by("id")
    word = proposal.title[:2]
    return [
        "/",
        f"/?q={word}&theme={theme.slug}",
        f"/?q={delegate.name} 没有这样的词组",  # an empty result with suggestions
        f"/proposals/{proposal.pk}/",
        "/themes/",
        f"/themes/{theme.slug}/",
        "/delegates/",
        f"/delegates/{delegate.pk}/",
        "/regions/",
        f"/regions/{region.slug}/",
        "/organisations/",
        f"/organisations/{organisation.pk}/",
        "/articles/",
        f"/articles/{articles.first().pk}/",
        f"/articles/{articles.last().pk}/",
        "/stats/",
        "/api/",
        "/no-such-page/",
    ]


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    # Every rule of the tags runs; only the violations are collected in full and sent back (axe's resultTypes:
    # the passes, inapplicable and incomplete rules, unread here, keep one node each and stay in the browser).
    violations = page.evaluate(
        "async (tags) => (await axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})).violations",
        TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_every_public_page_type_passes_axe(live_server, loaded, browser, width):
    # axe is the test's instrument, injected as a script tag: the site's CSP (no inline script) is bypassed
    # for it only; the pages themselves run under their real policy.
    page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    problems = {}
    for path in public_pages():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == (404 if path == "/no-such-page/" else 200), path
        found = serious_violations(page)
        if found:
            problems[path] = found
    assert problems == {}


def test_axe_would_catch_a_violation(live_server, loaded, browser):
    """The check can fail: a low-contrast badge injected into a page is reported."""
    page = browser.new_page(bypass_csp=True)
    page.goto(f"{live_server.url}/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('afterbegin',"
        " '<p style=\"color:#9fd9b0;background:#ffffff\">建议</p>')"
    )
    assert any(v.startswith("color-contrast") for v in serious_violations(page))


def test_chart_labels_are_readable_on_a_phone(live_server, loaded, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/stats/")
    sizes = page.evaluate(
        "Array.from(document.querySelectorAll('svg.chart .chart-label'))"
        ".map(t => t.getBoundingClientRect().height)"
    )
    assert sizes and min(sizes) >= 12, sizes
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
