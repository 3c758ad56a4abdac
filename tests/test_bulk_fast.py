"""The bulk files' fast path (proposals.api.bulk_records) writes exactly what the API's serializers write.

Each record built from plain ``values_list`` rows is compared, as the JSON text the bulk file holds, with
``ProposalSerializer``'s representation of the same proposal: on the curated corpus and on small named records
that reach every branch (authors hidden because unpublished or merged, themes in their order, several
sources, passages with a gap, undated proposals and articles, chunks split mid-way). The whole files are
compared byte for byte with those the serializers alone write.
"""

from __future__ import annotations

import datetime
import io
import json
import types
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from proposals import selectors
from proposals.api import bulk, bulk_chunks, bulk_records, bulk_writer, renderers
from proposals.api.serializers import ProposalSerializer
from proposals.models import Delegate, Proposal, QuotePassage, ReviewStatus
from tests.factories import (
    ArticleFactory,
    DelegateFactory,
    MembershipFactory,
    OrganisationFactory,
    PositionFactory,
    ProposalFactory,
    RegionFactory,
    ThemeFactory,
    quote_words,
    reindexed,
    replayed,
)

SITE = "https://npp.example.org"


def _as_json(records) -> list[str]:
    return [json.dumps(record, ensure_ascii=False) for record in records]


def _serializer_records(site: str) -> list[str]:
    queryset = selectors.published_proposals().order_by("id")
    return _as_json(bulk_writer.serialised(queryset, ProposalSerializer, site))


def _assert_same_records(site: str) -> None:
    fast = _as_json(bulk_records.proposal_records(site))
    assert fast, "no published proposal to compare"
    assert fast == _serializer_records(site)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of three proposals, so that every test crosses chunk boundaries."""
    monkeypatch.setattr(bulk_records, "CHUNK_SIZE", 3)
    monkeypatch.setattr(bulk_chunks, "CHUNK_SIZE", 3)


@pytest.mark.parametrize("site", ["", SITE])
def test_every_corpus_proposal_is_written_as_the_serializer_writes_it(corpus, small_chunks, site):
    _assert_same_records(site)


@pytest.fixture
def edge_cases(blank_db):
    """Small named records for every branch of the fast path: the fully loaded proposal (built the first time
    in this test process, then its rows written again: ``replayed`` in tests/factories.py)."""
    return replayed(
        "bulk edge cases", _edge_cases, lambda full: full.pk, lambda pk: Proposal.objects.get(pk=pk)
    )


def _edge_cases() -> Proposal:
    wuhan = RegionFactory(name="武汉", slug="wuhan", parent=RegionFactory(name="湖北", slug="hubei"))
    lead = MembershipFactory(delegate=DelegateFactory(name="雷军"), region=wuhan)  # counted in 湖北 too
    cosigner = DelegateFactory(name="史浩飞")
    chongqing = RegionFactory(name="重庆", slug="chongqing")  # the cosigner's, through a position
    PositionFactory(delegate=cosigner, organisation=OrganisationFactory(name="重庆大学", region=chongqing))
    draft = DelegateFactory(name="未发布", status=ReviewStatus.DRAFT)
    merged = DelegateFactory(name="重复录入")
    # A published record merged into another (only a raw write makes it): hidden like an unpublished one.
    Delegate.objects.filter(pk=merged.pk).update(merged_into=cosigner)
    late, early = ThemeFactory(name="后", order=9), ThemeFactory(name="先", order=1)

    full = ProposalFactory(
        authors=[lead, draft, cosigner, merged],
        themes=[late, early],
        quote="建议发展智能网联汽车。",
        summary="=SUM(A1) 编者摘要",
    )
    undated_article = ArticleFactory(
        published_on=None, outlet="", text="开头。第一句话。中间的话。第二句话。结尾。"
    )
    quote = quote_words(full, "第二句话。", undated_article)
    QuotePassage.objects.create(quote=quote, order=0, text="第一句话。")  # read first, a gap before the next
    reindexed(full)

    ProposalFactory(date=None, year=2023, authors=[cosigner], quote="", title="-没有引文")
    ProposalFactory(status=ReviewStatus.DRAFT, authors=[cosigner])
    ProposalFactory(status=ReviewStatus.WITHDRAWN, authors=[cosigner], first_published_at=timezone.now())
    for n in range(5):
        ProposalFactory(authors=[cosigner], themes=[early], quote=f"建议第{n}条。")
    return full


@pytest.mark.parametrize("site", ["", SITE])
def test_edge_cases_are_written_as_the_serializer_writes_them(edge_cases, small_chunks, site):
    _assert_same_records(site)
    record = next(r for r in bulk_records.proposal_records(site) if r["id"] == edge_cases.pk)
    assert [d["name"] for d in record["delegates"]] == ["雷军", "史浩飞"]
    assert [t["name"] for t in record["themes"]] == ["先", "后"]
    assert [s["quote"] for s in record["sources"]][1] == "第一句话。……第二句话。"
    assert record["sources"][1]["article"]["date"] is None


def test_only_published_proposals_in_id_order(edge_cases, small_chunks):
    ids = [r["id"] for r in bulk_records.proposal_records()]
    assert ids == list(Proposal.objects.published().order_by("id").values_list("id", flat=True))
    assert len(ids) == 7


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_times_in_the_current_time_zone_as_drf_writes_them(edge_cases, zone):
    Proposal.objects.filter(pk=edge_cases.pk).update(
        updated_at=datetime.datetime(2024, 3, 5, 1, 2, 3, tzinfo=datetime.UTC)  # no microseconds
    )
    with timezone.override(zone):
        _assert_same_records("")


def _without_generated_at(path: Path) -> bytes:
    return b"\n".join(
        line for line in path.read_bytes().split(b"\n") if not line.startswith(b'"generated_at"')
    )


@pytest.mark.parametrize("dataset", ["corpus", "edge_cases"])
def test_the_files_are_those_the_serializers_write(db, request, dataset, small_chunks, tmp_path, monkeypatch):
    request.getfixturevalue(dataset)
    fast = bulk.export(tmp_path / "fast", site=SITE)
    reference = bulk_writer.sources(counted=True)  # the API's querysets, counts per row included
    monkeypatch.setattr(  # every collection through its serializer, one process, generic CSV cells
        bulk_writer,
        "encoded",
        lambda name, qs, cls, site, columns, workers=1: bulk_chunks.encode_records(
            bulk_writer.serialised(reference[name][0], cls, site), columns
        ),
    )
    slow = bulk.export(tmp_path / "slow", site=SITE)
    assert fast["counts"] == slow["counts"] and fast["files"] == slow["files"]
    for name in bulk.file_names():
        assert _without_generated_at(tmp_path / "fast" / name) == _without_generated_at(
            tmp_path / "slow" / name
        )


def test_a_failure_leaves_every_previous_file(edge_cases, tmp_path, monkeypatch):
    before = bulk.export(tmp_path)
    contents = {name: (tmp_path / name).read_bytes() for name in [*bulk.file_names(), bulk.MANIFEST_FILE]}
    ProposalFactory(title="新的一条")
    written = bulk_writer.records

    def failing(name, qs, serializer_class, site):
        if name == "regions":  # after the proposals, delegates and themes were written
            raise RuntimeError("database went away")
        return written(name, qs, serializer_class, site)

    monkeypatch.setattr(bulk_writer, "records", failing)
    with pytest.raises(RuntimeError):
        bulk.export(tmp_path)
    assert {name: (tmp_path / name).read_bytes() for name in contents} == contents
    assert bulk.read_manifest(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(contents)  # no temporary file left


def test_export_bulk_reports_progress_per_collection(edge_cases, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk_writer, "PROGRESS_EVERY", 2)
    err = io.StringIO()
    call_command("export_bulk", "--output", str(tmp_path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert "proposals: 2 of 7 records" in lines[0]
    assert "proposals: 7 of 7 records" in lines[3]
    assert list(dict.fromkeys(line.split(":")[0] for line in lines)) == list(bulk.COLLECTIONS)
    quiet = io.StringIO()
    call_command("export_bulk", "--output", str(tmp_path), "-v", "0", stdout=io.StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""


@pytest.mark.parametrize("dataset", ["corpus", "edge_cases"])
def test_whole_counts_are_the_per_row_counts(db, request, dataset):
    request.getfixturevalue(dataset)
    for name, (qs, _) in bulk_writer.sources(counted=True).items():
        if name == "proposals":
            continue
        per_row = {obj.pk: obj.proposal_count for obj in qs}
        whole = selectors.whole_counts(name)
        assert {pk: whole.get(pk, 0) for pk in per_row} == per_row, name
        assert any(per_row.values()), f"no {name} with a published proposal to count"


def _cells_one_column_at_a_time(row, columns: list[str]) -> list[str]:
    """The CSV cells as renderers wrote them before the Flattener: _leaves per column."""
    return [
        renderers.SEPARATOR.join(renderers.cell(v) for v in renderers._leaves(row, column.split(".")))
        for column in columns
    ]


TRICKY_ROWS = [
    {"id": 1, "title": "=1+1", "flag": True, "none": None, "list": [1, None, [2, [3]]], "n": 2.5},
    {
        "id": 2,
        "title": "-负数",
        "nested": {"a": {"b": [{"c": "x"}, {"c": None}, {"d": 1}, "s", [{"c": "y"}]]}},
    },
    {"nested": [{"a": {"b": {"c": "@z"}}}, None, {"a": [{"b": {"c": 0}}, {"b": [{"c": False}]}]}]},
    {"nested": {"a": "not a mapping"}, "flag": ["+", "\t"], "list": {"k": "v"}},
    {"nested": types.MappingProxyType({"a": types.MappingProxyType({"b": {"c": "proxy"}})})},
    {},
]
TRICKY_COLUMNS = ["id", "title", "flag", "none", "list", "n", "nested.a.b.c", "nested.a", "missing.key"]


@pytest.mark.parametrize("row", TRICKY_ROWS)
def test_the_flattener_gives_the_cells_of_the_column_by_column_reading(row):
    assert renderers.Flattener(TRICKY_COLUMNS)(row) == _cells_one_column_at_a_time(row, TRICKY_COLUMNS)
    assert renderers.flatten([row, row], TRICKY_COLUMNS) == _cells_one_column_at_a_time(
        [row, row], TRICKY_COLUMNS
    )
