"""The proposal list's filters, one test each, their combinations, paging and bad input, on the small named
world of tests/factories.py (not the curated corpus)."""

import pytest

from proposals.models import Proposal
from tests.factories import _module_world, world  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]


def proposals_of(*names: str) -> set[int]:
    return set(Proposal.objects.published().filter(delegates__name__in=names).values_list("pk", flat=True))


def listed(client, query: str, status: int = 200) -> set[int]:
    response = client.get(f"/?page_size=100&{query}")
    assert response.status_code == status, response.content.decode()[:500]
    return {p.pk for p in response.context["proposals"]}


def everything() -> set[int]:
    return set(Proposal.objects.published().values_list("pk", flat=True))


AI = ["屠红燕", "景亚萍", "雷军", "刘庆峰", "齐向东", "吴国平"]
NEV = ["华鹏", "许林"]
HUBEI = ["马旭明", "华豫民", "曾军", "刘艺璇"]


def test_no_filter_lists_every_published_proposal(client):
    assert listed(client, "") == everything()


def test_theme(client):
    assert listed(client, "theme=artificial-intelligence") == proposals_of(*AI)


def test_two_themes_mean_either(client):
    assert listed(client, "theme=artificial-intelligence&theme=new-energy-vehicles") == proposals_of(
        *AI, *NEV
    )


def test_body(client):
    expected = set(
        Proposal.objects.published()
        .filter(authorships__membership__body="municipal-cppcc")
        .values_list("pk", flat=True)
    )
    assert listed(client, "body=municipal-cppcc") == expected == proposals_of("刘艺璇")


def test_region_includes_the_regions_inside_it(client):
    assert listed(client, "region=hubei-wuhan") == proposals_of("刘艺璇")
    assert listed(client, "region=hubei") >= proposals_of(*HUBEI)
    assert proposals_of("雷军").isdisjoint(listed(client, "region=hubei"))


def test_two_regions_mean_either(client):
    assert listed(client, "region=hubei&region=chongqing") == listed(client, "region=hubei") | listed(
        client, "region=chongqing"
    )


def test_delegate(client):
    from proposals.models import Delegate

    shi = Delegate.objects.get(name="史浩飞")
    lei = Delegate.objects.get(name="雷军")
    assert listed(client, f"delegate={shi.pk}") == proposals_of("史浩飞")
    assert listed(client, f"delegate={shi.pk}&delegate={lei.pk}") == proposals_of("史浩飞", "雷军")


def test_organisation(client):
    from proposals.models import Organisation

    xiaomi = Organisation.objects.get(name="小米集团")
    assert listed(client, f"organisation={xiaomi.pk}") == proposals_of("雷军")


def test_kind(client):
    expected = set(Proposal.objects.published().filter(kind="speech").values_list("pk", flat=True))
    assert listed(client, "kind=speech") == expected
    assert proposals_of("华鹏", "许林") <= expected
    both = set(
        Proposal.objects.published().filter(kind__in=["speech", "proposal"]).values_list("pk", flat=True)
    )
    assert listed(client, "kind=speech&kind=proposal") == both


def test_year(client):
    assert listed(client, "year=2024") == everything()
    assert listed(client, "year=2019") == set()


def test_dates(client):
    assert listed(client, "date_after=2024-05-01") == proposals_of("马旭明", "华豫民", "曾军", "刘艺璇")
    assert listed(client, "date_before=2024-01-31") == proposals_of("华鹏", "许林")


def test_different_filters_combine_with_and(client):
    assert listed(client, "theme=artificial-intelligence&body=npc") == proposals_of(
        "屠红燕", "雷军", "刘庆峰", "吴国平"
    )
    assert listed(client, "theme=computing-power&region=hubei") == proposals_of("华豫民", "曾军")
    assert listed(client, "theme=computing-power&region=hubei&kind=speech&q=算光") == proposals_of("曾军")


def test_search_combines_with_filters(client):
    assert listed(client, "q=人工智能&theme=artificial-intelligence&body=cppcc") == proposals_of(
        "景亚萍", "齐向东"
    )


def test_region_facet_counts_include_the_regions_inside(client):
    facets = {f.name: f for f in client.get("/").context["facets"]}
    regions = {o.value: o for o in facets["region"].options}
    assert regions["hubei"].count == len(listed(client, "region=hubei"))
    assert regions["hubei-wuhan"].count == 1 and regions["hubei-wuhan"].level == 1


def test_chosen_value_without_results_stays_visible_to_untick(client):
    facets = {f.name: f for f in client.get("/?theme=new-energy-vehicles&body=cppcc").context["facets"]}
    chosen = [o for o in facets["theme"].options if o.selected]
    assert [o.value for o in chosen] == ["new-energy-vehicles"]


def test_every_state_is_a_shareable_url(client):
    html = client.get(
        "/?theme=artificial-intelligence&body=npc&q=人工智能&ordering=-date&page_size=2"
    ).content.decode()
    assert 'name="theme" value="artificial-intelligence" checked' in html
    assert 'name="body" value="npc" checked' in html
    assert 'value="人工智能"' in html
    assert "page=2" in html  # the next page keeps every other parameter
    assert "theme=artificial-intelligence" in html.split('rel="next" href="')[1].split('"')[0]


def test_removing_a_filter_link(client):
    html = client.get("/?theme=artificial-intelligence&theme=new-energy-vehicles").content.decode()
    assert 'href="?theme=new-energy-vehicles"' in html


# --- ordering and paging ------------------------------------------------------------------------------


def test_newest_first_by_default_then_by_id(client):
    response = client.get("/?page_size=100")
    keys = [(p.date is not None, p.date, p.pk) for p in response.context["proposals"]]
    dated = [k for k in keys if k[0]]
    assert dated == sorted(dated, key=lambda k: (k[1], k[2]), reverse=True)
    assert keys[: len(dated)] == dated  # undated last


def test_oldest_first(client):
    response = client.get("/?ordering=date&page_size=100")
    dates = [p.date for p in response.context["proposals"] if p.date]
    assert dates == sorted(dates)


def test_pages_cover_every_record_once(client):
    seen: list[int] = []
    page = 1
    while True:
        response = client.get(f"/?page_size=7&page={page}")
        seen += [p.pk for p in response.context["proposals"]]
        if not response.context["paged"].page.has_next():
            break
        page += 1
    assert sorted(seen) == sorted(everything())


def test_page_size_is_capped_at_100(client):
    response = client.get("/?page_size=5000")
    assert response.status_code == 200
    assert response.context["paged"].page_size == 100
    assert "每页最多 100 条" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=abc", "页码“abc”无效"),
        ("page=0", "页码“0”无效"),
        ("page=9999", "没有第 9999 页"),
        ("page_size=abc", "每页条数“abc”无效"),
        ("page_size=-3", "每页条数“-3”无效"),
    ],
)
def test_bad_paging_shows_a_page_with_a_notice(client, query, message):
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["proposals"]


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("theme=no-such-theme", "主题"),
        ("delegate=abc", "代表委员"),
        ("delegate=99999999", "代表委员"),
        ("delegate=99999999999999999999999", "代表委员"),
        ("organisation=x", "机构"),
        ("region=atlantis", "地区"),
        ("body=senate", "身份"),
        ("kind=poem", "类型"),
        ("year=abc", "年份"),
        ("year=1800", "年份"),
        ("date_after=2024-13-45", "日期起"),
        ("date_before=yesterday", "日期止"),
        ("ordering=random", "排序"),
    ],
)
def test_invalid_filter_values_give_a_readable_400_page(client, query, label):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "部分筛选条件无效" in html and f"{label}：" in html
    assert "<title>" in html


def test_invalid_filter_is_dropped_and_the_others_still_apply(client):
    assert listed(client, "theme=artificial-intelligence&delegate=abc", status=400) == proposals_of(*AI)


def test_filters_apply_only_to_published_proposals(client):
    from proposals.models import ReviewStatus

    lei = Proposal.objects.get(delegates__name="雷军")
    Proposal.objects.filter(pk=lei.pk).update(status=ReviewStatus.IN_REVIEW)
    assert listed(client, "theme=artificial-intelligence") == proposals_of(*AI) - {lei.pk}
    facets = {f.name: f for f in client.get("/").context["facets"]}
    assert "雷军" not in {o.label for o in facets["delegate"].options}
