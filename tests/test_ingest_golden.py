"""The extractor on the invented test articles of tests/ingest_articles/ (golden files written by another
engineer before the rules saw them). Run with ``-s`` to see the table (docs/ingest.md has it).

Thresholds (documented in docs/ingest.md): over all articles, delegate precision and recall ≥ 0.9,
body accuracy ≥ 0.9, proposal recall ≥ 0.85, quote exactness 1.0. They sit below what is measured
today so that the test guards against regressions without pretending to a precision the rules do not
have on unseen reports (the first, untouched measurement was recall 0.70).
"""

import json
from pathlib import Path

import pytest

from proposals.ingest.extract import extract_article
from proposals.ingest.scoring import HEADER, expected_from_golden, load_curation, score, total

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "tests" / "ingest_articles"
REASONS = {
    "记者": "reporter",
    "摄影": "photographer",
    "通讯员": "reporter",
    "采编人员": "staff",
    "专家": "expert",
}
REASONS |= {"官员": "official", "企业员工": "staff", "企业负责人": "staff"}


@pytest.fixture(scope="module")
def results():
    curation = load_curation(ROOT / "fixtures" / "curation.yaml")
    themes = {t["slug"]: t["keywords"] for t in curation["themes"]}
    found = []
    for golden_path in sorted(FOLDER.glob("*.golden.json")):
        golden = json.loads(golden_path.read_text(encoding="utf-8"))
        text = golden_path.with_name(golden_path.name.replace(".golden.json", ".txt")).read_text(
            encoding="utf-8"
        )
        extraction = extract_article(text, themes=themes)
        found.append((golden_path.stem.removesuffix(".golden"), extraction, golden))
    scores = [score(name, extraction, expected_from_golden(golden)) for name, extraction, golden in found]
    print("\n" + HEADER)
    for row in [*scores, total(scores)]:
        print(row.row())
    expected_skipped = [(p["name"], p["reason"]) for _, _, g in found for p in g.get("skipped_people", [])]
    got = {(p.name, p.code) for _, e, _ in found for p in e.skipped_people}
    names = {name for name, _ in got}
    print(
        f"skipped people: {sum(n in names for n, _ in expected_skipped)}/{len(expected_skipped)} found, "
        f"{sum(item in got for item in expected_skipped)}/{len(expected_skipped)} with the expected reason"
    )
    return scores


def test_there_are_at_least_ten_test_articles(results):
    assert len(results) >= 10


def test_delegates_bodies_and_proposals(results):
    overall = total(results)
    assert overall.precision >= 0.9, overall
    assert overall.recall >= 0.9, overall
    assert overall.body_accuracy >= 0.9, overall
    assert overall.proposal_recall >= 0.85, overall


def test_every_passage_is_verbatim(results):
    assert total(results).quote_exactness == 1.0
