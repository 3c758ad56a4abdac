"""The seed fixture regenerated from the pipeline plus the curator corrections equals the curated one.

``fixtures/corrections.yaml`` says only what the curators changed in the pipeline's drafts of the five
articles; with ``fixtures/reference.yaml`` (articles, regions, organisations, themes) it must give the
same fixture objects as ``fixtures/curation.yaml``. Run with ``-s`` to see the sizes.
"""

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from proposals.curation import build
from proposals.ingest import regenerate as regen

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REFERENCE = FIXTURES / "reference.yaml"
CORRECTIONS = FIXTURES / "corrections.yaml"
CURATION = FIXTURES / "curation.yaml"
ARTICLES = FIXTURES / "articles"


@pytest.fixture(scope="module")
def drafts():
    return regen.drafts(regen.read_yaml(REFERENCE), ARTICLES)


def _by_key(objects):
    return {(o["model"], o["pk"]): o["fields"] for o in objects}


def _differences(got, want, limit=10):
    lines = []
    for key in sorted(set(got) | set(want)):
        if key not in got:
            lines.append(f"missing {key}")
        elif key not in want:
            lines.append(f"extra {key}")
        else:
            for field in sorted(set(got[key]) | set(want[key])):
                if got[key].get(field) != want[key].get(field):
                    lines.append(f"{key} {field}: {got[key].get(field)!r} != {want[key].get(field)!r}")
    return lines[:limit]


def test_regenerated_fixture_equals_the_curated_one(drafts):
    reference = regen.read_yaml(REFERENCE)
    texts = regen.article_texts(reference, ARTICLES)
    records = regen.apply(drafts, regen.read_yaml(CORRECTIONS))
    from proposals.curation import build_data

    got = _by_key(build_data(regen.as_curation(reference, records, texts), ARTICLES).objects)
    want = _by_key(build(CURATION, ARTICLES).objects)
    differences = _differences(got, want)
    assert not differences, "first differences:\n" + "\n".join(differences)
    assert len(got) == len(want) > 300


def test_the_command_writes_the_same_corpus_json(tmp_path):
    out = StringIO()
    call_command("regenerate_fixture", output=tmp_path / "corpus.json", stdout=out)
    assert "wrote" in out.getvalue()
    written = (tmp_path / "corpus.json").read_text(encoding="utf-8")
    assert written == (FIXTURES / "corpus.json").read_text(encoding="utf-8")


def test_the_corrections_file_is_what_derive_writes(drafts):
    """Hand edits to corrections.yaml are fine, but then curation.yaml must say the same (test above);
    this keeps the committed file in the form ``regenerate_fixture --derive`` writes."""
    reference = regen.read_yaml(REFERENCE)
    curated = regen.spelled_out(regen.read_yaml(CURATION), regen.article_texts(reference, ARTICLES))
    assert regen.dumps(regen.derive(drafts, curated)) == CORRECTIONS.read_text(encoding="utf-8")


def test_reference_file_holds_the_curated_reference_sections():
    reference = regen.read_yaml(REFERENCE)
    curation = regen.read_yaml(CURATION)
    for section in ("articles", "regions", "organisations", "themes"):
        assert reference[section] == curation[section], section


def test_sizes_of_the_corrections_against_the_curated_file():
    sizes = {}
    for path in (CORRECTIONS, REFERENCE, CURATION):
        text = path.read_text(encoding="utf-8")
        sizes[path.name] = (len(text.splitlines()), len(text.encode("utf-8")))
    print()
    for name, (lines, size) in sizes.items():
        print(f"{name}: {lines} lines, {size} bytes")
    lines_ratio = sizes["corrections.yaml"][0] / sizes["curation.yaml"][0]
    bytes_ratio = sizes["corrections.yaml"][1] / sizes["curation.yaml"][1]
    print(f"corrections / curation: {lines_ratio:.2f} of the lines, {bytes_ratio:.2f} of the bytes")
    both = (sizes["corrections.yaml"][1] + sizes["reference.yaml"][1]) / sizes["curation.yaml"][1]
    print(f"corrections + reference / curation: {both:.2f} of the bytes")
    assert bytes_ratio < 0.5 and lines_ratio < 0.75


# ---- the corrections on small records (no pipeline) ----

DRAFT = {
    "delegates": [
        {
            "name": "甲",
            "note": "",
            "aliases": [],
            "memberships": [
                {
                    "body": "npc",
                    "region": None,
                    "sector": "",
                    "role": "member",
                    "term": "",
                    "article": 1,
                    "evidence": "甲代表",
                }
            ],
            "positions": [],
        },
        {"name": "乙", "note": "", "aliases": [], "memberships": [], "positions": []},
    ],
    "proposals": [
        {
            "title": "草稿",
            "summary": "",
            "kind": "view",
            "year": 2024,
            "date": None,
            "session": "",
            "themes": [],
            "authors": [{"delegate": "甲", "role": "lead", "membership": "npc@1"}],
            "quotes": [{"article": 1, "passages": [[10, 20]]}],
            "_delegate": "甲",
        },
        {
            "title": "草稿二",
            "summary": "",
            "kind": "view",
            "year": 2024,
            "date": None,
            "session": "",
            "themes": [],
            "authors": [{"delegate": "乙", "role": "lead", "membership": None}],
            "quotes": [{"article": 1, "passages": [[30, 40]]}],
            "_delegate": "乙",
        },
    ],
}


def test_apply_overrides_drops_adds_and_numbers():
    corrections = yaml.safe_load(
        """
delegates:
  甲: {note: 核对过, memberships: {npc@1: {region: hubei}, cppcc@1: {id: 7, body: cppcc, article: 1}}}
  乙: drop
  丙: {id: 5, name: 丙}
proposals:
  甲@1:10: {title: 定稿, quotes: {'1': {passages: [[8, 20]]}}}
  乙@1:30: drop
"""
    )
    result = regen.apply(DRAFT, corrections)
    assert [(d["id"], d["name"]) for d in result["delegates"]] == [(1, "甲"), (5, "丙")]
    first = result["delegates"][0]
    assert first["note"] == "核对过"
    assert [(m["id"], m["body"], m["region"], m["role"]) for m in first["memberships"]] == [
        (1, "npc", "hubei", "member"),
        (7, "cppcc", None, "member"),
    ]
    assert result["delegates"][1]["memberships"] == []
    [proposal] = result["proposals"]
    assert (proposal["id"], proposal["title"]) == (1, "定稿")
    assert proposal["quotes"] == [{"id": 1, "article": 1, "passages": [[8, 20]]}]
    assert proposal["authors"] == [{"delegate": 1, "role": "lead", "membership": 1}]
    assert "_delegate" not in proposal


def test_a_correction_for_a_draft_that_is_gone_is_refused_clearly():
    with pytest.raises(regen.CorrectionError, match=r"甲@1:99: no draft has this key.*missing id, title"):
        regen.apply(DRAFT, {"proposals": {"甲@1:99": {"summary": "摘要"}}})


def test_derive_then_apply_gives_back_the_curated_records():
    curated = regen.apply(
        DRAFT,
        {
            "delegates": {"甲": {"id": 4}, "丙": {"id": 3, "name": "丙", "note": "新增"}},
            "proposals": {"甲@1:10": {"summary": "摘要"}},
        },
    )
    assert [d["id"] for d in curated["delegates"]] == [3, 4, 5]  # 乙 follows 甲
    corrections = regen.derive(DRAFT, curated)
    assert corrections["delegates"]["甲"] == {"id": 4}
    assert "乙" not in corrections["delegates"]
    assert corrections["proposals"] == {"甲@1:10": {"summary": "摘要"}}
    assert regen.apply(DRAFT, yaml.safe_load(regen.dumps(corrections))) == curated
