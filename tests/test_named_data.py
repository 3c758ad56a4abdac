"""Tests moved off the curated corpus onto small named records (tests/factories.py on ``blank_db``): they failed
when fixtures/curation.yaml changed although they are about the site's behaviour, not the corpus
(``python tests/corpus_mutation.py`` found them). Each builds the few records it asserts on."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from proposals.models import Article, Body, Proposal, ProposalKind, QuotePassage
from tests.factories import (
    DelegateFactory,
    MembershipFactory,
    ProposalFactory,
    RegionFactory,
    ThemeFactory,
)

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "corpus.json"


def run(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def ai_and_cars(blank_db):
    """Two themes, four members in two bodies and three regions, one proposal each."""
    hubei = RegionFactory(name="湖北省", slug="hubei")
    wuhan = RegionFactory(name="武汉市", slug="hubei-wuhan", parent=hubei)
    chongqing = RegionFactory(name="重庆市", slug="chongqing")
    RegionFactory(name="贵州省", slug="guizhou")
    ai = ThemeFactory(name="人工智能", slug="artificial-intelligence")
    cars = ThemeFactory(name="新能源汽车", slug="new-energy-vehicles")
    members = {
        "雷军": MembershipFactory(delegate__name="雷军", body=Body.NPC, region=chongqing),
        "景亚萍": MembershipFactory(delegate__name="景亚萍", body=Body.CPPCC),
        "华鹏": MembershipFactory(delegate__name="华鹏", body=Body.CPPCC, region=chongqing),
        "马旭明": MembershipFactory(delegate__name="马旭明", body=Body.NPC, region=wuhan),
    }
    words = {
        "雷军": "建议加快人工智能在制造业的应用。",
        "景亚萍": "建议推动人工智能与教育融合。",
        "华鹏": "建议夯实新能源汽车产业基础。",
        "马旭明": "建议完善新能源汽车充电设施。",
    }
    themes = {"雷军": ai, "景亚萍": ai, "华鹏": cars, "马旭明": cars}
    return {
        name: ProposalFactory(
            authors=[membership], themes=[themes[name]], quote=words[name], kind=ProposalKind.SUGGESTION
        )
        for name, membership in members.items()
    }


def test_facets_count_in_sql_and_stay_disjunctive(client, ai_and_cars):
    response = client.get("/?theme=artificial-intelligence")
    assert {p.pk for p in response.context["proposals"]} == {ai_and_cars["雷军"].pk, ai_and_cars["景亚萍"].pk}
    facets = {f.name: f for f in response.context["facets"]}
    themes = {o.value: o for o in facets["theme"].options}
    assert themes["artificial-intelligence"].selected
    assert themes["artificial-intelligence"].count == 2
    # the theme facet counts over the other filters only: ticking a second theme adds what it promises
    assert themes["new-energy-vehicles"].count == 2
    bodies = {o.value: o.count for o in facets["body"].options}
    assert bodies["npc"] == 1  # 雷军's; 马旭明's proposal is on the other theme
    regions = {o.value: o.count for o in facets["region"].options}
    assert "hubei" not in regions  # no AI proposal by a Hubei member
    assert regions["chongqing"] == 1
    delegates = {o.label: o.count for o in facets["delegate"].options}
    assert delegates == {"雷军": 1, "景亚萍": 1}


def test_an_empty_result_suggests_names_and_the_query_without_filters(client, ai_and_cars):
    response = client.get("/", {"q": "人工智能", "region": "guizhou", "kind": "speech"})
    assert response.context["paged"].page.paginator.count == 0
    html = response.content.decode()
    alone = client.get("/", {"q": "人工智能", "page_size": 100}).context["proposals"]
    assert {p.pk for p in alone} == {ai_and_cars["雷军"].pk, ai_and_cars["景亚萍"].pk}
    assert '有 <a href="?q=%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD">2 条结果</a>' in html
    assert '主题 <a href="/themes/artificial-intelligence/">人工智能</a>' in html
    names = client.get("/", {"q": "景亚萍 区块链"}).content.decode()
    assert re.search(r'代表委员 <a href="/delegates/\d+/">景亚萍</a>', names)


def test_rebuild_search_index_rewrites_every_proposal(blank_db):
    shi = DelegateFactory(name="史浩飞")
    ProposalFactory.create_batch(2, authors=[shi])
    ProposalFactory(authors=[DelegateFactory(name="雷军")])
    Proposal.objects.update(search_tokens="", search_title="", search_plain="")  # a stale index
    assert not Proposal.objects.search("史浩飞").exists()
    assert "would reindex 3" in run("rebuild_search_index", dry_run=True)
    assert not Proposal.objects.search("史浩飞").exists(), "a dry run writes nothing"
    assert "reindexed 3" in run("rebuild_search_index")
    assert Proposal.objects.search("史浩飞").count() == 2


@pytest.mark.django_db
def test_load_corpus_if_empty_and_dry_run(corpus):
    """The command indexes every proposal of the fixture it loads, however many the curators wrote."""
    in_fixture = sum(
        o["model"] == "proposals.proposal" for o in json.loads(FIXTURE.read_text(encoding="utf-8"))
    )
    counts = (Article.objects.count(), Proposal.objects.count(), QuotePassage.objects.count())
    assert "nothing to do" in run("load_corpus", if_empty=True)
    assert "nothing written" in run("load_corpus", dry_run=True)
    assert f"indexed {in_fixture} proposals" in run("load_corpus")
    assert (Article.objects.count(), Proposal.objects.count(), QuotePassage.objects.count()) == counts
