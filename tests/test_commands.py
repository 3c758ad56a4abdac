"""Management commands, through call_command."""

from io import StringIO

import pytest
from django.core.management import call_command

from proposals.models import Article, Proposal, QuotePassage


def run(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db
def test_rebuild_search_index_rewrites_every_proposal(corpus):
    Proposal.objects.update(search_tokens="", search_title="", search_plain="")
    assert not Proposal.objects.search("史浩飞").exists()
    assert "would reindex 33" in run("rebuild_search_index", dry_run=True)
    assert not Proposal.objects.search("史浩飞").exists(), "a dry run writes nothing"
    assert "reindexed 33" in run("rebuild_search_index")
    assert Proposal.objects.search("史浩飞").count() == 2


@pytest.mark.django_db
def test_load_corpus_if_empty_and_dry_run(corpus):
    counts = (Article.objects.count(), Proposal.objects.count(), QuotePassage.objects.count())
    assert "nothing to do" in run("load_corpus", if_empty=True)
    assert "nothing written" in run("load_corpus", dry_run=True)
    assert "indexed 33" in run("load_corpus")
    assert (Article.objects.count(), Proposal.objects.count(), QuotePassage.objects.count()) == counts


@pytest.mark.django_db
def test_seed_synthetic_creates_searchable_published_proposals_and_deletes_them(corpus):
    before = Proposal.objects.published().count()
    assert "created 40 synthetic proposals" in run("seed_synthetic", proposals=40, delegates=5, batch_size=15)
    assert Proposal.objects.published().count() == before + 40
    synthetic = Proposal.objects.filter(session="合成数据")
    assert all(p.search_tokens.strip() for p in synthetic)
    assert synthetic.filter(authorships__isnull=False).distinct().count() == 40
    run("seed_synthetic", delete=True)
    assert Proposal.objects.published().count() == before
