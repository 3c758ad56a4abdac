"""How good the extractor is on an article whose records are known: scores against expected records.

Expected records are plain data (no Django): ``{"delegates": [{"name", "bodies": [...]}],
"proposals": [{"delegate", "passages": [text, ...]}]}``. Both the curated corpus
(``fixtures/curation.yaml``) and the golden files of the test articles are read into that shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proposals.ingest.extract import Extraction
from proposals.ingest.text import normalise_article_text


@dataclass(frozen=True)
class Scores:
    article: str
    delegates_expected: int
    delegates_found: int
    delegates_correct: int
    bodies_correct: int
    proposals_expected: int
    proposals_recalled: int
    passages: int
    passages_exact: int
    overlap: float  # mean character Jaccard of recalled proposals' passages with the expected ones

    @property
    def precision(self) -> float:
        return self.delegates_correct / self.delegates_found if self.delegates_found else 1.0

    @property
    def recall(self) -> float:
        return self.delegates_correct / self.delegates_expected if self.delegates_expected else 1.0

    @property
    def body_accuracy(self) -> float:
        return self.bodies_correct / self.delegates_correct if self.delegates_correct else 1.0

    @property
    def proposal_recall(self) -> float:
        return self.proposals_recalled / self.proposals_expected if self.proposals_expected else 1.0

    @property
    def quote_exactness(self) -> float:
        return self.passages_exact / self.passages if self.passages else 1.0

    def row(self) -> str:
        return (
            f"| {self.article} | {self.delegates_expected} | {self.precision:.2f} | {self.recall:.2f} | "
            f"{self.body_accuracy:.2f} | {self.proposal_recall:.2f} | {self.quote_exactness:.2f} | {self.overlap:.2f} |"
        )


HEADER = (
    "| article | delegates | precision | recall | body accuracy | proposal recall | quote exactness | quote overlap |\n"
    "|---|---|---|---|---|---|---|---|"
)


def _intervals(text: str, passages: Iterable[str]) -> set[int]:
    chars: set[int] = set()
    for passage in passages:
        at = text.find(normalise_article_text(passage))
        if at >= 0:
            chars.update(range(at, at + len(passage)))
    return chars


def score(name: str, extraction: Extraction, expected: Mapping[str, Any]) -> Scores:
    text = extraction.text
    expected_bodies = {d["name"]: set(d.get("bodies", [])) for d in expected["delegates"]}
    found = {d.name: d for d in extraction.delegates}
    correct = [n for n in found if n in expected_bodies]
    bodies_correct = sum(1 for n in correct if {m.body for m in found[n].memberships} == expected_bodies[n])
    passages = [p for d in extraction.delegates for pr in d.proposals for p in pr.passages]
    exact = sum(1 for p in passages if p.text and text[p.start : p.end] == p.text)
    recalled = 0
    overlaps: list[float] = []
    for proposal in expected["proposals"]:
        wanted = _intervals(text, proposal["passages"])
        delegate = found.get(proposal["delegate"])
        if delegate is None or not wanted:
            continue
        best = 0.0
        for draft in delegate.proposals:
            got = {i for p in draft.passages for i in range(p.start, p.end)}
            if got & wanted:
                best = max(best, len(got & wanted) / len(got | wanted))
        if best:
            recalled += 1
            overlaps.append(best)
    return Scores(
        article=name,
        delegates_expected=len(expected_bodies),
        delegates_found=len(found),
        delegates_correct=len(correct),
        bodies_correct=bodies_correct,
        proposals_expected=len(expected["proposals"]),
        proposals_recalled=recalled,
        passages=len(passages),
        passages_exact=exact,
        overlap=sum(overlaps) / len(overlaps) if overlaps else 1.0,
    )


def total(scores: list[Scores]) -> Scores:
    """Micro-averaged scores over several articles."""
    weights = [s.proposals_recalled for s in scores]
    overlap = sum(s.overlap * w for s, w in zip(scores, weights, strict=True)) / (sum(weights) or 1)
    return Scores(
        article="all",
        delegates_expected=sum(s.delegates_expected for s in scores),
        delegates_found=sum(s.delegates_found for s in scores),
        delegates_correct=sum(s.delegates_correct for s in scores),
        bodies_correct=sum(s.bodies_correct for s in scores),
        proposals_expected=sum(s.proposals_expected for s in scores),
        proposals_recalled=sum(s.proposals_recalled for s in scores),
        passages=sum(s.passages for s in scores),
        passages_exact=sum(s.passages_exact for s in scores),
        overlap=overlap,
    )


def expected_from_curation(curation: Mapping[str, Any], file_name: str) -> dict[str, Any]:
    """The curated records of one article of ``fixtures/curation.yaml``, in the expected-records shape."""
    article = next(a for a in curation["articles"] if a["file"] == file_name)
    article_id = article["id"]
    people = {d["id"]: d for d in curation["delegates"]}
    proposals = []
    authors: set[int] = set()
    for proposal in curation["proposals"]:
        for quote in proposal.get("quotes", []):
            if quote["article"] != article_id:
                continue
            lead = next(a["delegate"] for a in proposal["authors"] if a.get("role", "lead") == "lead")
            authors.add(lead)
            proposals.append({"delegate": people[lead]["name"], "passages": quote["passages"]})
    delegates = []
    for person in curation["delegates"]:
        here = [m for m in person.get("memberships", []) if m.get("article") == article_id]
        if not here and person["id"] not in authors:
            continue
        bodies = {m["body"] for m in (here or person.get("memberships", []))}
        delegates.append({"name": person["name"], "bodies": sorted(bodies)})
    return {"delegates": delegates, "proposals": proposals}


def load_curation(path: Path) -> dict[str, Any]:
    import yaml

    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def expected_from_golden(golden: Mapping[str, Any]) -> dict[str, Any]:
    """A golden file of ``tests/ingest_articles`` (the ``--dry-run --json`` shape) as expected records."""
    delegates = []
    proposals = []
    for person in golden["delegates"]:
        delegates.append(
            {"name": person["name"], "bodies": sorted({m["body"] for m in person["memberships"]})}
        )
        for proposal in person.get("proposals", []):
            proposals.append(
                {"delegate": person["name"], "passages": [p["text"] for p in proposal["passages"]]}
            )
    return {"delegates": delegates, "proposals": proposals}
