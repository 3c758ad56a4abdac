"""Issue 13, pages a reader was missing or found wrong: /api/, /organisations/, regions, charts, headings."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from proposals import regions as region_rule
from proposals.models import Delegate, Organisation, Proposal, Region
from proposals.views.themes import ranking_without_ties
from tests.factories import fresh_world  # noqa: F401

pytestmark = pytest.mark.django_db


def proposals_of(name: str) -> set[int]:
    return set(Proposal.objects.published().filter(delegates__name=name).values_list("pk", flat=True))


def test_api_landing_page_names_endpoints_docs_schema_bulk_files_and_licence(client, corpus):
    response = client.get("/api/")
    assert response.status_code == 200
    html = response.content.decode()
    for url in [
        "/api/v1/proposals/",
        "/api/v1/themes/",
        "/api/docs/",
        "/api/schema/",
        "/api/v1/bulk/npp_db.json",
    ]:
        assert f'href="{url}"' in html
    assert "CC BY 4.0" in html and 'rel="license"' in html
    # every page's footer links to it
    assert 'href="/api/"' in client.get("/").content.decode()


@pytest.mark.usefixtures("fresh_world")
def test_organisation_list_and_the_breadcrumb_that_names_it(client):
    response = client.get("/organisations/")
    assert response.status_code == 200
    xiaomi = Organisation.objects.get(name="小米集团")
    html = response.content.decode()
    assert f'href="/organisations/{xiaomi.pk}/"' in html
    detail = client.get(f"/organisations/{xiaomi.pk}/").content.decode()
    assert '<a href="/organisations/">机构</a>' in detail


@pytest.mark.usefixtures("fresh_world")
def test_a_national_member_belongs_to_the_region_of_the_organisation_they_work_in(client):
    """景亚萍 (全国政协委员, no region in her membership) is 贵州省大数据发展管理局局长."""
    jing = proposals_of("景亚萍")
    assert jing
    guizhou = Region.objects.get(slug="guizhou")
    page = client.get("/regions/guizhou/")
    assert {p.pk for p in page.context["proposals"]} == jing
    assert "景亚萍" in page.content.decode()
    # the same rule in the list filter, its facet, the API and the region counts
    assert {p.pk for p in client.get("/?region=guizhou").context["proposals"]} == jing
    facet = next(f for f in client.get("/").context["facets"] if f.name == "region")
    assert {o.value: o.count for o in facet.options}["guizhou"] == len(jing)
    api = client.get("/api/v1/proposals/?region=guizhou", HTTP_ACCEPT="application/json").json()
    assert {r["id"] for r in api["results"]} == jing
    assert (
        client.get("/api/v1/regions/guizhou/", HTTP_ACCEPT="application/json").json()["proposal_count"] == 1
    )
    delegates = client.get("/api/v1/delegates/?region=guizhou", HTTP_ACCEPT="application/json").json()
    assert [d["name"] for d in delegates["results"]] == ["景亚萍"]
    assert set(Proposal.objects.published().in_regions([guizhou]).values_list("pk", flat=True)) == jing


def test_a_deputy_belongs_to_the_delegation_not_to_their_employers_region(corpus):
    """An NPC deputy with a region on the membership is placed by it alone (positions do not add regions)."""
    liu = Delegate.objects.get(name="刘辉")  # 江西代表团, 江铃汽车 (no region)
    assert set(
        Delegate.objects.filter(
            pk__in=region_rule.delegate_ids_in_regions([Region.objects.get(slug="jiangxi")])
        ).values_list("name", flat=True)
    ) >= {"刘辉"}
    assert liu.memberships.filter(region__isnull=False).exists()


def test_region_list_counts_proposals_without_a_region_and_indents_by_depth(client, corpus):
    response = client.get("/regions/")
    html = response.content.decode()
    unplaced = Proposal.objects.published().without_region().count()
    assert unplaced > 0
    assert f'地区未注明 <span class="count">{unplaced} 条</span>' in html
    # 南岸区 sits directly under 重庆市: one step in, like a city, not two
    assert re.search(r'<li class="depth-1"><a href="/regions/chongqing-nanan/">', html)
    assert re.search(r'<li class="depth-1"><a href="/regions/hubei-wuhan/">', html)
    facet = next(f for f in client.get("/?region=chongqing-nanan").context["facets"] if f.name == "region")
    assert {o.value: o.level for o in facet.options}["chongqing-nanan"] == 1


def test_every_published_proposal_is_in_a_region_or_counted_as_unplaced(corpus):
    published = Proposal.objects.published()
    provinces = Region.objects.filter(parent__isnull=True)
    placed = set(published.in_regions(provinces).values_list("pk", flat=True))
    unplaced = set(published.without_region().values_list("pk", flat=True))
    assert placed | unplaced == set(published.values_list("pk", flat=True))
    assert not placed & unplaced


def test_theme_page_ranks_nobody_when_everyone_ties():
    assert ranking_without_ties([{"n": 1}, {"n": 1}]) == []
    assert ranking_without_ties([{"n": 3}, {"n": 2}, {"n": 1}]) == [{"n": 3}, {"n": 2}]
    assert ranking_without_ties([]) == []


def test_stats_region_chart_has_an_unplaced_bar_sorted_bars_linked_cells_and_a_year_axis(client, corpus):
    response = client.get(reverse("stats"))
    html = response.content.decode()
    region_svg = re.findall(r"<svg.*?</svg>", html, re.S)[1]
    values = [int(v) for v in re.findall(r'class="chart-value">(\d+)<', region_svg)]
    assert values == sorted(values, reverse=True)
    assert "地区未注明" in region_svg
    assert sum(values) >= Proposal.objects.published().count()  # every proposal is in some bar
    # the theme × body table cells are links to the filtered list
    assert re.search(r'<td class="num"><a href="/\?theme=[a-z-]+&amp;body=[a-z-]+">\d+</a></td>', html)
    # a chart over years with an axis; charts hold no links (role=img must not nest interactive elements)
    assert 'class="chart-axis"' in html and "2024" in re.findall(r"<svg.*?</svg>", html, re.S)[2]
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        assert "<a " not in svg


def test_theme_list_chart_bars_are_sorted_and_not_links(client, corpus):
    html = client.get(reverse("theme-list")).content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    values = [int(v) for v in re.findall(r'class="chart-value">(\d+)<', svg)]
    assert values == sorted(values, reverse=True)
    assert "<a " not in svg


def test_article_heading_marks_are_rendered_as_headings(client, corpus):
    html = client.get("/articles/4/").content.decode()
    assert "## " not in html and "\n# " not in html
    assert '<h3 class="text-heading">核心提示</h3>' in html
    assert '<h2 class="text-heading">培育新质生产力 推动重庆经济高质量发展</h2>' in html


def test_a_nul_byte_in_the_query_gets_a_grammatical_message(client, corpus):
    response = client.get("/", {"q": "人工\x00智能"})
    html = response.content.decode()
    assert "不允许是用空字符串" not in html
    assert "关键词：不能包含空字符（U+0000）。" in html
    api = client.get("/api/v1/proposals/", {"q": "a\x00"}, HTTP_ACCEPT="application/json")
    assert api.status_code == 400
    assert api.json()["q"] == ["不能包含空字符（U+0000）。"]


def test_check_integrity_after_the_pages(client, corpus):
    client.get("/regions/")
    call_command("check_integrity", verbosity=0)
