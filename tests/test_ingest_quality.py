"""The extractor on the five real articles, scored against the curated corpus (fixtures/curation.yaml).

No known names are passed in: the rules must find every delegate on their own. Run with ``-s`` to see
the table (it is the one in docs/ingest.md).
"""

from pathlib import Path

import pytest

from proposals.ingest.extract import extract_article
from proposals.ingest.scoring import HEADER, expected_from_curation, load_curation, score, total

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def scores():
    curation = load_curation(ROOT / "fixtures" / "curation.yaml")
    themes = {t["slug"]: t["keywords"] for t in curation["themes"]}
    found = []
    for article in curation["articles"]:
        text = (ROOT / "fixtures" / "articles" / article["file"]).read_text(encoding="utf-8")
        extraction = extract_article(text, themes=themes)
        found.append(score(article["file"], extraction, expected_from_curation(curation, article["file"])))
    print("\n" + HEADER)
    for row in [*found, total(found)]:
        print(row.row())
    return found


def test_delegate_precision_and_recall_on_the_curated_articles(scores):
    overall = total(scores)
    assert overall.precision >= 0.9, overall
    assert overall.recall >= 0.9, overall
    assert all(s.precision >= 0.9 and s.recall >= 0.9 for s in scores), [s.row() for s in scores]


def test_every_passage_is_verbatim_at_its_offsets(scores):
    assert total(scores).quote_exactness == 1.0


def test_bodies_and_proposals(scores):
    overall = total(scores)
    assert overall.body_accuracy >= 0.9, overall
    assert overall.proposal_recall >= 0.9, overall


def test_article_without_delegates_is_only_experts():
    text = (ROOT / "fixtures" / "articles" / "002_b3c694c1ab31c29a.txt").read_text(encoding="utf-8")
    extraction = extract_article(text)
    assert extraction.delegates == []
    assert extraction.warnings
    assert any(p.reason == "专家" for p in extraction.skipped_people)
