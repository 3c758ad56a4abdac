"""Chinese search through the site: segmentation, bigrams, phrases, traditional characters, ranking,
highlighting and the limits. Runs on SQLite and PostgreSQL (the match differs per backend)."""

import pytest
from django.db.models import TextField, Value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proposals.indexing import reindex_proposals
from proposals.models import (
    Article,
    Authorship,
    Delegate,
    Proposal,
    ProposalKind,
    Quote,
    QuotePassage,
    ReviewStatus,
)
from proposals.search import _occurrences, apply_search, highlight, parse_query, snippet
from tests.factories import DelegateFactory, PositionFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def found(client, q: str, extra: str = "") -> list[int]:
    response = client.get(
        "/", {"q": q, "page_size": 100, **dict(p.split("=") for p in extra.split("&") if p)}
    )
    assert response.status_code == 200
    return [p.pk for p in response.context["proposals"]]


def containing(*words: str) -> set[int]:
    qs = Proposal.objects.published()
    for word in words:
        qs = qs.filter(search_plain__contains=word)
    return set(qs.values_list("pk", flat=True))


def proposals_of(name: str) -> set[int]:
    return set(Proposal.objects.published().filter(delegates__name=name).values_list("pk", flat=True))


def make(title: str, text: str, *, delegate: str = "雷军") -> Proposal:
    """A published proposal whose words (text) are quoted from a test article, as every proposal's are."""
    proposal = Proposal.objects.create(
        title=title, kind=ProposalKind.SUGGESTION, year=2024, status=ReviewStatus.PUBLISHED
    )
    author = Delegate.objects.filter(name=delegate).first() or DelegateFactory(name=delegate)
    Authorship.objects.create(proposal=proposal, delegate=author)
    article = Article.objects.create(
        title=f"测试报道：{title}", file_name=f"test-{proposal.pk}.txt", text=text
    )
    QuotePassage.objects.create(quote=Quote.objects.create(proposal=proposal, article=article), text=text)
    reindex_proposals([proposal.pk])
    proposal.refresh_from_db()
    return proposal


# --- segmentation ------------------------------------------------------------------------------------------


def test_query_is_segmented_into_words():
    query = parse_query("人工智能发展")
    assert [t.word for t in query.terms] == ["人工智能", "发展"]
    assert query.phrases == []


def test_words_need_not_be_adjacent(client, corpus):
    result = set(found(client, "人工智能发展"))
    assert result == containing("人工智能", "发展")
    assert len(result) > len(containing("人工智能发展"))  # most do not say it in one breath


def test_a_word_inside_a_longer_word_is_found(client, corpus):
    assert set(found(client, "网联")) == containing("智能网联") == containing("网联")
    assert proposals_of("华鹏") <= containing("网联")


def test_searching_covers_delegate_and_organisation_names(client, blank_db):
    lei = PositionFactory(delegate__name="雷军", organisation__name="小米集团").delegate
    ProposalFactory(authors=[lei], quote="建议加快发展新能源汽车。")
    ProposalFactory(authors=[DelegateFactory(name="景亚萍")], quote="建议推动大数据发展。")
    assert set(found(client, "雷军")) == proposals_of("雷军")
    assert set(found(client, "小米集团")) == proposals_of("雷军")


def test_single_character(client, corpus):
    assert set(found(client, "芯")) == containing("芯")


def test_english_and_digits(client, corpus):
    assert set(found(client, "AI")) == containing("ai")


# --- phrases -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quoted", ['"人工智能发展"', "“人工智能发展”", "「人工智能发展」"])
def test_a_phrase_in_quotation_marks_matches_only_the_exact_string(client, corpus, quoted):
    assert set(found(client, quoted)) == containing("人工智能发展")
    assert parse_query(quoted).phrases == ["人工智能发展"]


def test_patient_capital_phrase(client, blank_db):
    exact = make("发展耐心资本", "引导保险资金成为耐心资本，支持科技创新。")
    apart = make("资本市场", "要有耐心，引导资本投向实体经济。")
    assert set(found(client, '"耐心资本"')) == {exact.pk}
    assert {exact.pk, apart.pk} <= set(found(client, "耐心 资本"))


def test_phrase_and_words_combine(client, corpus):
    assert set(found(client, '"智能网联" 重庆')) == containing("智能网联", "重庆")


# --- traditional characters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traditional", "simplified"), [("發展", "发展"), ("網聯", "网联"), ("人工智慧", "人工智慧")]
)
def test_traditional_characters_find_the_same_as_simplified(client, corpus, traditional, simplified):
    assert found(client, traditional) == found(client, simplified)


def test_a_different_word_is_not_found_through_scattered_bigrams(client, corpus):
    # Read literally, 人工智慧 is not 人工智能: a proposal with 人工智能 and 智慧 elsewhere must not match
    # through the scattered bigrams. (Issue 13: the query is also read as mainland usage, 人工智能, by
    # OpenCC's tw2sp, so the reader finds the 人工智能 proposals: tests/test_readers_search.py.)
    from proposals.models import Proposal

    assert containing("人工智能", "智慧"), "the corpus should hold such a proposal"
    literal = parse_query("人工智慧", variants=False)
    assert list(Proposal.objects.published().search(literal)) == []


def test_traditional_text_is_found_by_simplified_query(client, blank_db):
    proposal = make("推動數字經濟發展", "加快網聯汽車產業佈局。")
    assert proposal.pk in found(client, "数字经济")
    assert proposal.pk in found(client, "网联汽车")


# --- ranking and highlighting --------------------------------------------------------------------------------


def test_title_match_ranks_above_text_only_match(client, corpus):
    results = Proposal.objects.filter(pk__in=found(client, "人工智能"))
    order = found(client, "人工智能")
    in_title = {p.pk: "人工智能" in p.title for p in results}
    flags = [in_title[pk] for pk in order]
    assert True in flags and False in flags
    assert flags == sorted(flags, reverse=True), "every title match comes before every text-only match"


def test_title_match_beats_many_mentions_in_the_text(client, blank_db):
    title = make("关于低轨卫星的建议", "建议统筹推进。")
    text_only = make(
        "关于航天的建议", "低轨卫星、低轨卫星、低轨卫星、低轨卫星、低轨卫星、低轨卫星、低轨卫星。"
    )
    assert found(client, "低轨卫星")[:2] == [title.pk, text_only.pk]


def test_newest_ordering_while_searching(client, corpus):
    response = client.get("/", {"q": "人工智能", "ordering": "-date", "page_size": 100})
    dates = [p.date for p in response.context["proposals"] if p.date]
    assert dates == sorted(dates, reverse=True)


def test_matched_terms_are_highlighted_in_the_list(client, corpus):
    html = client.get("/", {"q": "人工智能发展"}).content.decode()
    assert "<mark>人工智能</mark>" in html and "<mark>发展</mark>" in html


def test_highlight_function():
    query = parse_query("網聯 发展")
    assert highlight("智能网联汽车<发展>", query) == "智能<mark>网联</mark>汽车&lt;<mark>发展</mark>&gt;"
    assert highlight("發展", parse_query("发展")) == "<mark>發展</mark>"
    assert highlight("a<b", None) == "a&lt;b"


def test_snippet_centres_on_the_first_match():
    text = "前" * 200 + "人工智能" + "后" * 200
    cut = snippet(text, parse_query("人工智能"), width=60)
    assert "人工智能" in cut and cut.startswith("…") and cut.endswith("…")


# --- limits and empty results --------------------------------------------------------------------------------


def test_empty_results_say_so_and_suggest_removing_a_filter(client, corpus):
    html = client.get("/", {"q": "人工智能", "theme": "new-energy-vehicles"}).content.decode()
    assert "没有找到符合条件的建言" in html
    assert "去掉主题“新能源汽车”" in html
    assert "去掉关键词“人工智能”" in html


def test_long_query_is_cut_with_a_notice(client, corpus):
    response = client.get("/", {"q": "人工智能" * 60})
    assert response.status_code == 200
    assert response.context["query"].truncated
    assert len(response.context["query"].raw) == 200
    assert "检索词超过 200 字，已截断" in response.content.decode()


def test_punctuation_only_query_finds_nothing_and_does_not_fail(client, corpus):
    assert found(client, "！？。") == []


def test_apply_search_on_the_queryset_api(corpus):
    assert set(Proposal.objects.published().search("网联").values_list("pk", flat=True)) == containing("网联")
    assert apply_search(Proposal.objects.all(), "").count() == Proposal.objects.count()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    word=st.sampled_from(["制造业", "AI", "氢能", "𠀋字", "é"]),
    pieces=st.lists(st.one_of(st.text(max_size=5), st.just("制造业"), st.just("é")), max_size=12),
)
def test_occurrences_are_counted_in_whole_words_in_any_text(word, pieces):
    """The rank's count of a word (bytes removed over the word's bytes) is Python's count, for any text."""
    text = "".join(pieces).replace("\x00", "")
    proposal = ProposalFactory()
    counted = (
        Proposal.objects.filter(pk=proposal.pk)
        .annotate(t=Value(text, output_field=TextField()))
        .annotate(n=_occurrences("t", word))
        .values_list("n", flat=True)
        .get()
    )
    assert counted == text.count(word)
