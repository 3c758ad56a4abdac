"""The curated seed corpus (fixtures/curation.yaml -> fixtures/corpus.json) is faithful to its articles."""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from proposals.models import (
    Article,
    Authorship,
    Delegate,
    DelegateAlias,
    Membership,
    Organisation,
    Position,
    Proposal,
    Quote,
    QuotePassage,
    Region,
    Theme,
)

CORPUS = Path(settings.BASE_DIR) / "fixtures" / "corpus.json"

# (delegate name, the bodies of their memberships): every delegate of the corpus, and no one else.
EXPECTED_DELEGATES = {
    # article 000: local CPPCCs (重庆, 湖南, 上海松江, 湖北, 江西)
    ("华鹏", ("provincial-cppcc",)),
    ("许林", ("provincial-cppcc",)),
    ("张健", ("provincial-cppcc",)),
    ("毛万春", ("cppcc", "provincial-cppcc")),
    ("刘其龙", ("district-cppcc",)),
    ("马旭明", ("provincial-cppcc",)),
    ("华豫民", ("provincial-cppcc",)),
    ("曾军", ("provincial-cppcc",)),
    ("刘艺璇", ("municipal-cppcc",)),
    ("郭静", ("provincial-cppcc",)),
    ("张宏泉", ("district-cppcc",)),
    ("张华军", ("district-cppcc",)),
    ("倪忠明", ("district-cppcc",)),
    # article 001: 极目新闻
    ("马新强", ("npc",)),
    ("唐冬生", ("cppcc",)),
    ("刘汉元", ("npc",)),
    ("史浩飞", ("npc",)),
    ("屠红燕", ("npc",)),
    ("张桥", ("cppcc",)),
    ("景亚萍", ("cppcc",)),
    ("刘辉", ("npc",)),
    # article 003: 重庆日报
    ("蓝庆华", ("npc",)),
    ("许洪斌", ("npc",)),
    ("杜卫东", ("npc",)),
    ("明炬", ("cppcc",)),
    # article 004: 中国城市报
    ("徐冠巨", ("npc",)),
    ("雷军", ("npc",)),
    ("蒋颖", ("cppcc",)),
    ("马永生", ("cppcc",)),
    ("明东", ("cppcc",)),
    ("刘庆峰", ("npc",)),
    ("齐向东", ("cppcc",)),
    ("耿福能", ("npc",)),
    ("吴国平", ("npc",)),
}

# Quoted in the articles, but not deputies or CPPCC members: experts, officials, staff, reporters.
NOT_DELEGATES = [
    # article 002: experts only
    "于凤霞",
    "王鹏",
    "刘典",
    "米磊",
    "赵刚",
    "朱国平",
    "杨震",
    "齐光鹏",
    "魏谷",
    "孙晓利",
    "刘会武",
    # article 000: academician, officials
    "江凤益",
    "赵俊",
    "尹广辉",
    "黄桂弟",
    "沈晓明",
    "毛伟明",
    # article 001: company staff
    "刘亚菲",
    # reporters
    "凌云",
    "毛丽萍",
    "刘洋",
    "顾意亮",
    "张伟",
    "邢灿",
    "张亚欣",
    "郑新铨",
    "王楠",
    "叶中华",
    "胡安华",
]


@pytest.fixture
def loaded(db):
    call_command("load_corpus", verbosity=0)


def _counts() -> dict[str, int]:
    counts = {
        model._meta.label_lower: model.objects.count()
        for model in apps.get_app_config("proposals").get_models()
    }
    counts["proposals.proposal_themes"] = Proposal.themes.through.objects.count()
    return counts


def _articles_by_file() -> dict[str, int]:
    return {a.file_name[:3]: a.pk for a in Article.objects.all()}


@pytest.mark.django_db
def test_loading_twice_into_a_fresh_database_gives_the_same_counts():
    # Empty the corpus tables (inside the test's transaction, rolled back afterwards): a fresh database.
    for model in (QuotePassage, Quote, Authorship, Proposal, Position, Membership, DelegateAlias, Delegate):
        model.objects.all().delete()
    Organisation.objects.update(parent=None)
    Organisation.objects.all().delete()
    Theme.objects.all().delete()
    while Region.objects.exists():
        Region.objects.filter(children__isnull=True).delete()
    Article.objects.all().delete()

    call_command("load_corpus", verbosity=0)
    first = _counts()
    call_command("load_corpus", verbosity=0)
    assert _counts() == first

    expected = Counter(obj["model"] for obj in json.loads(CORPUS.read_text(encoding="utf-8")))
    for label, n in expected.items():
        assert first[label] == n, label
    assert first["proposals.proposal_themes"] == sum(
        len(obj["fields"]["themes"])
        for obj in json.loads(CORPUS.read_text(encoding="utf-8"))
        if obj["model"] == "proposals.proposal"
    )


@pytest.mark.django_db
def test_shi_haofei_is_one_npc_deputy_quoted_in_three_articles(loaded):
    shi = Delegate.objects.get(name="史浩飞")
    assert list(shi.memberships.values_list("body", flat=True)) == ["npc"]
    assert shi.memberships.get().region.slug == "chongqing"
    files = {q.article.file_name[:3] for q in Quote.objects.filter(proposal__authorships__delegate=shi)}
    assert files == {"001", "003", "004"}
    # His basic-research suggestion is one proposal reported by all three articles.
    basic = Proposal.objects.get(authorships__delegate=shi, title="提升科技领军企业基础研究能力")
    assert {q.article.file_name[:3] for q in basic.quotes.all()} == {"001", "003", "004"}
    assert shi.proposals.count() == 2


@pytest.mark.django_db
def test_geng_funengs_repeated_paragraph_is_one_proposal_with_one_quote(loaded):
    geng = Delegate.objects.get(name="耿福能")
    proposals = list(Proposal.objects.filter(authorships__delegate=geng))
    assert len(proposals) == 1
    quotes = list(proposals[0].quotes.all())
    assert len(quotes) == 1
    paragraph = "耿福能建议，培育新技术、新模式"
    text = quotes[0].article.text
    assert text.count(paragraph) > 1
    hits = [p for p in quotes[0].passages.all() if paragraph in p.text]
    assert len(hits) == 1
    assert hits[0].start <= text.find(paragraph) < hits[0].end  # the first occurrence


@pytest.mark.django_db
def test_no_expert_official_or_reporter_is_a_delegate(loaded):
    for name in NOT_DELEGATES:
        assert not Delegate.objects.filter(name=name).exists(), name
        assert not DelegateAlias.objects.filter(name__startswith=name).exists(), name
    articles = _articles_by_file()
    assert not Quote.objects.filter(article_id=articles["002"]).exists()
    assert not Membership.objects.filter(article_id=articles["002"]).exists()


@pytest.mark.django_db
def test_every_passage_is_its_article_text_at_its_offsets(loaded):
    passages = QuotePassage.objects.select_related("quote__article")
    assert passages.exists()
    for p in passages:
        assert p.text
        assert p.quote.article.text[p.start : p.end] == p.text, (p.quote_id, p.order)


@pytest.mark.django_db
def test_every_membership_and_position_evidence_is_in_its_article(loaded):
    for model in (Membership, Position):
        for fact in model.objects.select_related("article"):
            assert fact.article_id and fact.evidence, fact
            assert fact.evidence in fact.article.text, fact


@pytest.mark.django_db
def test_every_proposal_is_published_quoted_and_has_one_lead(loaded):
    assert Proposal.objects.count() > 0
    for proposal in Proposal.objects.all():
        assert proposal.status == "published", proposal
        assert proposal.quotes.exists(), proposal
        assert proposal.quotes.count() == proposal.quotes.values("article").distinct().count(), proposal
        assert proposal.authorships.filter(role="lead").count() == 1, proposal
        assert 1 <= proposal.themes.count() <= 4, proposal
        assert proposal.year == 2024
        assert proposal.date is None or proposal.date.year == proposal.year
        for authorship in proposal.authorships.all():
            assert (
                authorship.membership is None or authorship.membership.delegate_id == authorship.delegate_id
            )
    assert not Delegate.objects.exclude(status="published").exists()


@pytest.mark.django_db
def test_every_person_has_exactly_one_record(loaded):
    names = list(Delegate.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))
    assert not Delegate.objects.filter(merged_into__isnull=False).exists()


@pytest.mark.django_db
def test_mao_wanchun_is_a_national_and_a_provincial_cppcc_member(loaded):
    mao = Delegate.objects.get(name="毛万春")
    bodies = dict(mao.memberships.values_list("body", "role"))
    assert bodies == {"cppcc": "member", "provincial-cppcc": "chair"}
    assert mao.memberships.get(body="provincial-cppcc").region.slug == "hunan"
    national = Proposal.objects.get(authorships__delegate=mao, kind="proposal")
    assert national.authorships.get().membership.body == "cppcc"
    assert national.session == "2024年全国两会"


@pytest.mark.django_db
def test_lei_juns_split_suggestion_is_one_proposal_with_several_passages(loaded):
    lei = Delegate.objects.get(name="雷军")
    proposal = Proposal.objects.get(authorships__delegate=lei)
    quote = proposal.quotes.get()
    passages = list(quote.passages.order_by("order"))
    assert len(passages) >= 3
    joined = quote.text
    assert "探索智能制造“中国范式”" in joined
    assert "支持龙头企业承接智能制造重大专项" in joined
    # Those columns are his, not 徐冠巨's.
    xu = Proposal.objects.get(authorships__delegate__name="徐冠巨")
    assert "中国范式" not in xu.quotes.get().text


@pytest.mark.django_db
def test_split_sentences_are_quoted_in_pieces(loaded):
    du = Proposal.objects.get(authorships__delegate__name="杜卫东").quotes.get()
    # The sentence is printed in two columns: two passages, and the served quote marks the gap.
    assert "紧抓集成电路这一“立园……之本”" in du.text
    assert "".join(p.text for p in du.passages.all()).count("紧抓集成电路这一“立园之本”") == 1
    hua = Delegate.objects.get(name="华豫民")
    assert hua.memberships.get().body == "provincial-cppcc"
    assert hua.positions.get().title == "党委书记、总经理"
    guo = Proposal.objects.get(authorships__delegate__name="郭静").quotes.get()
    assert guo.text.endswith("技术应")


@pytest.mark.django_db
def test_delegates_and_bodies_match_the_expected_table(loaded):
    actual = {
        (d.name, tuple(sorted(d.memberships.values_list("body", flat=True))))
        for d in Delegate.objects.prefetch_related("memberships")
    }
    assert actual == EXPECTED_DELEGATES
