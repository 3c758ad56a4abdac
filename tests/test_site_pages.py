"""The public pages: each one renders, shows only published records, and has the shared page furniture. On the
small named world of tests/factories.py, not the curated corpus."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.models import (
    Article,
    Delegate,
    Organisation,
    Proposal,
    QuotePassage,
    Region,
    ReviewStatus,
    Theme,
)
from tests.factories import _module_world, world  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]


def proposals_of(name: str) -> set[int]:
    return set(Proposal.objects.published().filter(delegates__name=name).values_list("pk", flat=True))


def listed(response) -> set[int]:
    return {p.pk for p in response.context["proposals"]}


class Controls(HTMLParser):
    """Collects form controls, the ids labels point at, and controls wrapped in a <label>."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.in_label = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.in_label += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {"hidden", "submit"}:
            self.controls.append({**attrs, "_wrapped": self.in_label > 0})

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1


def assert_page_furniture(html: str) -> None:
    assert re.search(r"<title>[^<]+</title>", html)
    assert '<meta name="viewport"' in html
    assert 'aria-label="当前位置"' in html, "breadcrumb"
    assert "<footer" in html and "数据来源" in html and reverse("article-list") in html
    assert "<script" not in html, "the site works without JavaScript"
    parser = Controls()
    parser.feed(html)
    for control in parser.controls:
        assert control["_wrapped"] or control.get("id") in parser.label_for, (
            f"control without a label: {control}"
        )


def page_urls():
    proposal = Proposal.objects.published().filter(quotes__isnull=False).first()
    return [
        reverse("proposal-list"),
        reverse("proposal-list") + "?q=人工智能&theme=artificial-intelligence",
        reverse("proposal-detail", args=[proposal.pk]),
        reverse("theme-list"),
        reverse("theme-detail", args=["artificial-intelligence"]),
        reverse("delegate-list"),
        reverse("delegate-detail", args=[Delegate.objects.get(name="雷军").pk]),
        reverse("region-list"),
        reverse("region-detail", args=["hubei"]),
        reverse("organisation-detail", args=[Organisation.objects.get(name="小米集团").pk]),
        reverse("article-list"),
        reverse("article-detail", args=[proposal.quotes.first().article_id]),
        reverse("stats"),
    ]


def test_every_page_renders_with_title_breadcrumb_footer_and_labels(client):
    for url in page_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        assert_page_furniture(response.content.decode())


def test_url_names():
    assert reverse("proposal-list") == "/"
    assert reverse("proposal-detail", args=[1]) == "/proposals/1/"
    assert reverse("theme-list") == "/themes/"
    assert reverse("delegate-detail", args=[1]) == "/delegates/1/"
    assert reverse("region-detail", args=["hubei"]) == "/regions/hubei/"
    assert reverse("organisation-detail", args=[1]) == "/organisations/1/"
    assert reverse("article-detail", args=[1]) == "/articles/1/"
    assert reverse("stats") == "/stats/"


# --- the proposal page ---------------------------------------------------------------------------------


def test_proposal_detail_shows_delegates_themes_kind_and_quotes(client):
    proposal = Proposal.objects.get(delegates__name="雷军")
    response = client.get(proposal.get_absolute_url())
    html = response.content.decode()
    assert f"<h1>{proposal.title}</h1>" in html
    authorship = proposal.authorships.select_related("membership__region").get()
    assert "雷军" in html and authorship.membership.label in html and "领衔" in html
    for theme in proposal.themes.all():
        assert reverse("theme-detail", args=[theme.slug]) in html
    assert proposal.get_kind_display() in html
    for quote in proposal.quotes.all():
        assert reverse("article-detail", args=[quote.article_id]) in html
        for passage in quote.passages.all():
            assert f'<mark id="passage-{passage.pk}">{passage.text}' in html


def test_quote_is_shown_in_its_paragraph(client):
    passage = QuotePassage.objects.filter(quote__proposal__status=ReviewStatus.PUBLISHED).select_related(
        "quote__article"
    )[0]
    text = passage.quote.article.text
    begin = text.rfind("\n", 0, passage.start) + 1
    end = text.find("\n", passage.end)
    end = len(text) if end < 0 else end
    before, after = text[begin : passage.start], text[passage.end : end]
    html = client.get(reverse("proposal-detail", args=[passage.quote.proposal_id])).content.decode()
    assert f'<p>{before}<mark id="passage-{passage.pk}">{passage.text}</mark>{after}</p>' in html


def test_proposal_reported_by_several_outlets_shows_each_side_by_side(client):
    proposal = Proposal.objects.get(title="提升科技领军企业基础研究能力")
    quotes = list(proposal.quotes.select_related("article"))
    assert len(quotes) > 1
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert 'class="quotes side-by-side"' in html
    assert html.count('<figure class="quote">') == len(quotes)
    for quote in quotes:
        assert quote.article.outlet_display in html


def test_unpublished_proposal_is_hidden_everywhere(client):
    proposal = Proposal.objects.get(delegates__name="雷军")
    article_id = proposal.quotes.first().article_id
    Proposal.objects.filter(pk=proposal.pk).update(status=ReviewStatus.DRAFT)
    assert client.get(proposal.get_absolute_url()).status_code == 404
    assert proposal.pk not in listed(client.get("/?page_size=100"))
    assert proposal.pk not in listed(client.get("/?q=雷军"))
    article = client.get(reverse("article-detail", args=[article_id])).content.decode()
    assert proposal.get_absolute_url() not in article
    delegate = client.get(reverse("delegate-detail", args=[Delegate.objects.get(name="雷军").pk]))
    assert proposal.pk not in {p.pk for p in delegate.context["proposals"]}


def test_unpublished_and_merged_delegates(client):
    lei = Delegate.objects.get(name="雷军")
    other = Delegate.objects.get(name="刘庆峰")
    Delegate.objects.filter(pk=lei.pk).update(status=ReviewStatus.DRAFT)
    assert client.get(reverse("delegate-detail", args=[lei.pk])).status_code == 404
    assert lei.pk not in {d.pk for d in client.get("/delegates/?page_size=100").context["delegates"]}
    Delegate.objects.filter(pk=lei.pk).update(status=ReviewStatus.PUBLISHED, merged_into=other)
    response = client.get(reverse("delegate-detail", args=[lei.pk]))
    assert response.status_code == 301 and response["Location"] == reverse("delegate-detail", args=[other.pk])


# --- the article page ----------------------------------------------------------------------------------


def test_article_marks_every_quoted_passage_and_links_it(client):
    article = Article.objects.get(outlet="重庆日报")
    html = client.get(reverse("article-detail", args=[article.pk])).content.decode()
    passages = QuotePassage.objects.filter(quote__article=article).select_related("quote__proposal")
    assert passages
    for passage in passages:
        url = passage.quote.proposal.get_absolute_url()
        assert re.search(rf'<mark id="passage-{passage.pk}"><a href="{url}"[^>]*>', html), passage.pk
    marked = "".join(re.findall(r"<mark[^>]*><a[^>]*>([^<]*)</a></mark>", html))
    for passage in passages:
        assert passage.text.replace("\n", "") in marked.replace("\n", "")


def test_article_list_links_every_article(client):
    html = client.get(reverse("article-list")).content.decode()
    for article in Article.objects.all():
        assert reverse("article-detail", args=[article.pk]) in html


# --- themes, delegates, regions, organisations, statistics -------------------------------------------------


def test_theme_list_counts_and_chart(client):
    response = client.get(reverse("theme-list"))
    html = response.content.decode()
    assert "<svg" in html and 'role="img"' in html
    counts = {t.slug: t.proposal_count for t in response.context["themes"]}
    for theme in Theme.objects.all():
        assert counts[theme.slug] == Proposal.objects.published().filter(themes=theme).count()


def test_theme_detail_lists_its_proposals_and_top_delegates(client):
    response = client.get(reverse("theme-detail", args=["artificial-intelligence"]) + "?page_size=100")
    expected = set().union(
        *(proposals_of(n) for n in ["屠红燕", "景亚萍", "雷军", "刘庆峰", "齐向东", "吴国平"])
    )
    assert listed(response) == expected
    # every delegate of this theme has one proposal on it: no ranking of ties (issue 13)
    assert response.context["top_delegates"] == []
    assert "提出最多的代表委员" not in response.content.decode()


def test_delegate_detail_memberships_positions_and_proposals(client):
    delegate = Delegate.objects.get(name="史浩飞")
    response = client.get(reverse("delegate-detail", args=[delegate.pk]))
    html = response.content.decode()
    for membership in delegate.memberships.all():
        assert membership.label in html
    for position in delegate.positions.select_related("organisation"):
        assert position.organisation.name in html
        assert reverse("organisation-detail", args=[position.organisation_id]) in html
    assert {p.pk for p in response.context["proposals"]} == proposals_of("史浩飞")
    assert len(proposals_of("史浩飞")) == 2


def test_delegate_list_filters_by_body_and_region(client):
    def names(url):
        return {d.name for d in client.get(url).context["delegates"]}

    npc = names("/delegates/?body=npc&page_size=100")
    assert "雷军" in npc and "景亚萍" not in npc
    hubei = names("/delegates/?region=hubei&page_size=100")
    assert "刘艺璇" in hubei  # a Wuhan municipal member: Hubei includes Wuhan
    assert names("/delegates/?region=hubei-wuhan&page_size=100") < hubei
    assert "雷军" not in hubei
    assert names("/delegates/?q=雷") == {"雷军"}


def test_region_includes_the_regions_inside_it(client):
    wuhan = listed(client.get(reverse("region-detail", args=["hubei-wuhan"]) + "?page_size=100"))
    hubei = listed(client.get(reverse("region-detail", args=["hubei"]) + "?page_size=100"))
    assert proposals_of("刘艺璇") <= wuhan
    assert wuhan < hubei
    assert proposals_of("华豫民") <= hubei


def test_organisation_page_lists_what_its_delegates_proposed(client):
    organisation = Organisation.objects.get(name="小米集团")
    response = client.get(reverse("organisation-detail", args=[organisation.pk]))
    assert listed(response) == proposals_of("雷军")
    assert "雷军" in response.content.decode()


def test_stats_page_draws_theme_by_body_and_region_charts(client):
    response = client.get(reverse("stats"))
    html = response.content.decode()
    assert html.count("<svg") == 3  # themes × bodies, regions, years (issue 13)
    rows = {
        r["theme"].slug: dict(zip([b.value for b in response.context["bodies"]], r["parts"], strict=True))
        for r in response.context["rows"]
    }
    ai_npc = (
        Proposal.objects.published()
        .filter(themes__slug="artificial-intelligence", authorships__membership__body="npc")
        .distinct()
        .count()
    )
    assert rows["artificial-intelligence"]["npc"] == ai_npc
    regions = {r.slug: r.n for r in response.context["regions"]}
    assert (
        regions["hubei"]
        == Proposal.objects.published().in_regions([Region.objects.get(slug="hubei")]).count()
    )


# --- bad addresses ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/proposals/999999/",
        "/themes/no-such-theme/",
        "/delegates/999999/",
        "/regions/no-such-region/",
        "/organisations/999999/",
        "/articles/999999/",
        "/no/such/page/",
        "/proposals/abc/",
    ],
)
def test_unknown_records_give_the_chinese_404_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "返回首页" in html


# --- database queries ------------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "params", ["", "q=人工智能&", "theme=artificial-intelligence&body=npc&region=hubei&"]
)
def test_list_page_runs_a_fixed_number_of_queries_whatever_the_page_size(client, params):
    client.get(f"/?{params}")  # a first search reads the spread of dates once (proposals.recency)
    small = count_queries(client, f"/?{params}page_size=1")
    large = count_queries(client, f"/?{params}page_size=100")
    assert small == large
    assert large <= 16


def test_list_page_query_bound(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        client.get("/?page_size=100")


@pytest.mark.parametrize("name", ["theme-list", "delegate-list", "region-list", "article-list", "stats"])
def test_other_lists_run_a_fixed_number_of_queries(client, name):
    assert count_queries(client, reverse(name) + "?page_size=1") == count_queries(
        client, reverse(name) + "?page_size=100"
    )
