"""Every invented test article through the write path: each record passes full_clean and every quote
passage is the article's text at its offsets (test material only; rolled back after the test)."""

from pathlib import Path

import pytest

from proposals.ingest.service import article_ingest
from proposals.models import Article, Delegate, Membership, Position, Proposal, QuotePassage, ReviewStatus

FOLDER = Path(__file__).resolve().parent / "ingest_articles"


@pytest.mark.django_db
def test_every_test_article_ingests_into_valid_drafts(corpus):
    before = set(Article.objects.values_list("pk", flat=True))
    for path in sorted(FOLDER.glob("*.txt")):
        result = article_ingest(text=path.read_text(encoding="utf-8"), title=path.stem, file_name=path.name)
        assert result.created, path.name
    new = Article.objects.exclude(pk__in=before)
    assert new.count() == len(list(FOLDER.glob("*.txt")))
    passages = QuotePassage.objects.filter(quote__article__in=new).select_related("quote__article")
    assert passages.exists()
    for passage in passages:
        assert passage.quote.article.text[passage.start : passage.end] == passage.text
    for model in (Delegate, Proposal, Membership, Position):
        for record in model.objects.filter(updated_at__isnull=False).order_by("-pk")[:300]:
            record.full_clean()
    assert not Proposal.objects.filter(quotes__article__in=new).exclude(status=ReviewStatus.DRAFT).exists()
