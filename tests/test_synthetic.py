"""seed_synthetic: realistic synthetic proposals whose quotes are verbatim, searchable, and removable."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from proposals.indexing import delegate_words
from proposals.integrity import find_problems
from proposals.models import Article, Authorship, Delegate, Proposal, QuotePassage, Region
from proposals.synthetic import ARTICLE_PREFIX, REGION_PREFIX, SESSION
from proposals.synthetic.batches import zipf_cumulative

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_synthetic", stdout=out, verbosity=0, **options)
    return out.getvalue()


def synthetic():
    return Proposal.objects.filter(session=SESSION)


def test_every_passage_is_its_articles_text_at_its_offsets(corpus):
    assert "created 300 synthetic proposals" in seed(proposals=300, workers=1, batch_size=120)
    passages = QuotePassage.objects.filter(quote__proposal__session=SESSION).select_related("quote__article")
    assert passages.count() >= 300
    for passage in passages:
        assert passage.quote.article.file_name.startswith(ARTICLE_PREFIX)
        assert passage.quote.article.text[passage.start : passage.end] == passage.text
    for proposal in synthetic().prefetch_related("quotes__article", "quotes__passages")[:50]:
        assert proposal.text == delegate_words(proposal)  # derived from the quotes like any proposal's
    assert find_problems() == []  # check_integrity passes on synthetic data


def test_synthetic_proposals_are_published_skewed_joint_and_found_by_search(corpus):
    seed(proposals=400, workers=1)
    proposals = synthetic()
    assert proposals.published().count() == 400
    lengths = [len(t) for t in proposals.values_list("text", flat=True)]
    assert 300 <= sum(lengths) / len(lengths) <= 550
    assert Authorship.objects.filter(proposal__session=SESSION, role="cosigner").exists()  # joint proposals
    leads = Counter(
        Authorship.objects.filter(proposal__session=SESSION, role="lead").values_list("delegate", flat=True)
    )
    assert leads.most_common(1)[0][1] >= 4 * (400 / len(leads))  # a few delegates dominate
    themes = Counter(
        Proposal.themes.through.objects.filter(proposal__session=SESSION).values_list("theme", flat=True)
    )
    assert themes.most_common()[0][1] > 5 * themes.most_common()[-1][1]
    assert len(set(proposals.values_list("year", flat=True))) >= 5
    found = Proposal.objects.published().search("人工智能").filter(session=SESSION)
    assert 0 < found.count() < 400
    assert all("人工智能" in p.search_plain for p in found)


def test_the_same_seed_gives_the_same_data_with_one_worker_or_two(corpus):
    seed(proposals=60, workers=2, batch_size=25, seed=9)
    with_pool = list(synthetic().order_by("id").values_list("title", "text", "search_tokens"))
    seed(delete=True)
    seed(proposals=60, workers=1, batch_size=25, seed=9)
    assert list(synthetic().order_by("id").values_list("title", "text", "search_tokens")) == with_pool


def test_delete_removes_everything_it_made_and_nothing_else(corpus):
    before = (
        Proposal.objects.count(),
        Delegate.objects.count(),
        Article.objects.count(),
        Region.objects.count(),
    )
    seed(proposals=50, workers=1)
    assert Region.objects.filter(slug__startswith=REGION_PREFIX).exists()
    assert "deleted 50 synthetic proposals" in seed(delete=True)
    after = (
        Proposal.objects.count(),
        Delegate.objects.count(),
        Article.objects.count(),
        Region.objects.count(),
    )
    assert after == before
    # The ids go on after the rows the loader numbered itself.
    assert Proposal.objects.create(title="新的", kind="view", year=2024).pk > 0


def test_zipf_weights_fall_with_rank():
    weights = zipf_cumulative(5, 1.0)
    steps = [b - a for a, b in zip([0.0, *weights], weights, strict=False)]
    assert steps == sorted(steps, reverse=True)
