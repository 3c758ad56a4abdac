"""Issue 13: search that finds what a reader means (themes, regional variants, the matching sentence,
suggestions for an empty result, an inverted date range)."""

import re

import pytest

from proposals.models import Proposal
from proposals.search import mainland_variants, matching_sentence, parse_query

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def found(client, q: str, **params) -> list[int]:
    response = client.get("/", {"q": q, "page_size": 100, **params})
    assert response.status_code == 200
    return [p.pk for p in response.context["proposals"]]


def on_theme(slug: str) -> set[int]:
    return set(Proposal.objects.published().filter(themes__slug=slug).values_list("pk", flat=True))


def test_a_theme_name_finds_the_proposals_on_that_theme(client, corpus):
    digital = on_theme("digital-economy")
    assert len(digital) == 4
    assert set(found(client, "数字经济")) == digital
    geng = set(Proposal.objects.published().filter(delegates__name="耿福能").values_list("pk", flat=True))
    assert geng <= set(found(client, "乡村振兴"))
    api = client.get("/api/v1/proposals/", {"q": "数字经济", "page_size": 100}, **JSON).json()
    assert {r["id"] for r in api["results"]} == digital


def test_theme_matches_rank_below_verbatim_text_matches_and_say_why(client, corpus):
    response = client.get("/", {"q": "乡村振兴", "page_size": 100})
    proposals = list(response.context["proposals"])
    text_hits = [p for p in proposals if "乡村振兴" in p.search_plain]
    theme_only = [p for p in proposals if "乡村振兴" not in p.search_plain]
    assert text_hits and theme_only
    assert proposals == text_hits + theme_only  # every text match first
    html = response.content.decode()
    assert "按主题匹配：本条属于主题“<mark>乡村振兴</mark>”" in html


def test_a_quoted_phrase_names_no_theme(client, corpus):
    assert set(found(client, '"数字经济"')) == set()


@pytest.mark.parametrize(
    ("variant", "mainland"),
    [("人工智慧", "人工智能"), ("數字經濟", "数字经济"), ("新能源汽車", "新能源汽车")],
)
def test_regional_and_traditional_variants_find_what_the_mainland_words_find(
    client, corpus, variant, mainland
):
    expected = found(client, mainland)
    assert expected
    assert found(client, variant) == expected


def test_variants_are_expanded_at_query_time_only():
    assert mainland_variants("人工智慧") == ["人工智能"]
    assert mainland_variants("人工智能") == []
    query = parse_query("人工智慧")
    assert [v.raw for v in query.variants] == ["人工智能"]
    assert "人工智能" in query.highlight_words
    # the indexed text keeps mainland 智慧城市: a proposal about it is found by that word, literally
    from proposals.search import index_tokens

    assert " 智慧 " in index_tokens("建设智慧城市") or "智慧" in index_tokens("建设智慧城市")


def test_the_card_shows_the_matching_sentence_highlighted(client, corpus):
    html = client.get("/", {"q": "算力", "page_size": 100}).content.decode()
    excerpts = re.findall(r'<p class="excerpt"><span class="excerpt-label">原话</span>(.*?)</p>', html, re.S)
    assert len(excerpts) >= 2
    assert all("<mark>算力</mark>" in e for e in excerpts)


def test_matching_sentence_is_the_sentence_with_the_words():
    text = "第一句说别的。第二句讲人工智能的应用！第三句也不相干。"
    assert matching_sentence(text, parse_query("人工智能")) == "第二句讲人工智能的应用！"
    assert matching_sentence(text, parse_query("区块链")) == ""


def test_an_inverted_date_range_says_so(client, corpus):
    html = client.get("/", {"date_after": "2024-03-10", "date_before": "2024-03-01"}).content.decode()
    assert "日期范围颠倒了：起始日期 2024-03-10 晚于截止日期 2024-03-01" in html
    assert (
        "日期范围颠倒"
        not in client.get("/", {"date_after": "2024-03-01", "date_before": "2024-03-10"}).content.decode()
    )
