"""export_bulk on several processes (proposals.api.bulk_chunks) writes the bytes one process writes.

The proposals are encoded a chunk of ids at a time, by forked workers with their own connections on
PostgreSQL (the files compared byte for byte with one process's, on committed data: workers cannot see a
test's transaction), and in this process on SQLite or inside a transaction. The CSV cells of the fast path
are compared with the generic ``Flattener``'s, and the parent never holds more than a bounded number of
encoded chunks.
"""

from __future__ import annotations

import io
import multiprocessing.pool
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from proposals.api import bulk, bulk_chunks, bulk_records, renderers
from proposals.api.renderers import serializer_columns
from proposals.api.serializers import ProposalSerializer

SITE = "https://npp.example.org"


def _files(directory: Path) -> dict[str, bytes]:
    """Every bulk file's bytes, npp_db.json without its generation time."""
    out = {}
    for name in bulk.file_names():
        data = (directory / name).read_bytes()
        if name == bulk.DATASET_FILE:
            data = b"\n".join(line for line in data.split(b"\n") if not line.startswith(b'"generated_at"'))
        out[name] = data
    return out


def test_the_proposal_columns_are_the_serializers():
    assert serializer_columns(ProposalSerializer()) == bulk_chunks.PROPOSAL_COLUMNS


@pytest.mark.parametrize("site", ["", SITE])
def test_the_proposal_cells_are_the_flatteners(corpus, site):
    flattener = renderers.Flattener(bulk_chunks.PROPOSAL_COLUMNS)
    records = list(bulk_records.proposal_records(site))
    assert records
    for record in records:
        assert bulk_chunks.proposal_cells(record) == flattener(record), record["id"]


def test_the_proposal_cells_of_tricky_values():
    record = {
        **dict.fromkeys(bulk_chunks.PROPOSAL_COLUMNS[:10]),
        "id": 7,
        "title": "=SUM(A1)",
        "summary": "-负数",
        "year": 2024,
        "delegates": [{"id": 1, "name": "+甲", "role": None}, {"id": 2, "name": "乙", "role": "lead"}],
        "themes": [],
        "sources": [
            {
                "article": {"id": 3, "title": "@标题", "outlet": "", "date": None},
                "passages": [
                    {"text": "一。", "start": 0, "end": 2},
                    {"text": "\t二。", "start": 5, "end": 8},
                ],
                "quote": "一。……二。",
            },
            {
                "article": {"id": 4, "title": "t", "outlet": "o", "date": "2024-03-05"},
                "passages": [],
                "quote": "",
            },
        ],
        "url": "/proposals/7/",
    }
    assert bulk_chunks.proposal_cells(record) == renderers.Flattener(bulk_chunks.PROPOSAL_COLUMNS)(record)


def test_inside_a_transaction_one_process_writes_the_same_files(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk_chunks, "CHUNK_SIZE", 4)
    one = bulk.export(tmp_path / "one", site=SITE, workers=1)
    assert not bulk_chunks.can_fork()  # the test's transaction (or SQLite): no fork
    several = bulk.export(tmp_path / "several", site=SITE, workers=2)
    assert one["counts"] == several["counts"] and one["files"] == several["files"]
    assert _files(tmp_path / "one") == _files(tmp_path / "several")


def test_the_workers_option_is_checked(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_bulk", "--output", str(tmp_path), "--workers", "0", stdout=io.StringIO())


def _committed_corpus():
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a database they can connect to (PostgreSQL)")
    call_command("load_corpus", verbosity=0)  # transactional tests flush the database after each


FORKING = "NPP_FORKING_TESTS"  # set in the single-threaded pytest process that runs the forking tests


@pytest.fixture
def committed(transactional_db, monkeypatch):
    """The corpus committed (the workers' connections see it), in chunks of five proposals. Forking tests run
    in their own single-threaded pytest process (``test_the_forking_tests_pass_in_a_process_of_their_own``):
    a test process that shares its life with a browser driver has threads, and a fork copies their locks."""
    if not os.environ.get(FORKING):
        pytest.skip("runs in a process of its own (test_the_forking_tests_pass_in_a_process_of_their_own)")
    _committed_corpus()
    assert bulk_chunks.can_fork()
    monkeypatch.setattr(bulk_chunks, "CHUNK_SIZE", 5)


def test_workers_write_the_bytes_one_process_writes(committed, tmp_path):
    err_one, err_several = io.StringIO(), io.StringIO()
    for name, workers, err in (("one", 1, err_one), ("several", 2, err_several)):
        call_command(
            "export_bulk",
            "--output",
            str(tmp_path / name),
            "--site-url",
            SITE,
            "--workers",
            str(workers),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert _files(tmp_path / "one") == _files(tmp_path / "several")
    assert len(_files(tmp_path / "one")[bulk.DATASET_FILE]) > 100_000
    # The same progress lines (times aside), and this process's connection usable afterwards.
    assert [line.split(",")[0] for line in err_one.getvalue().splitlines()] == [
        line.split(",")[0] for line in err_several.getvalue().splitlines()
    ]
    assert bulk.fingerprint()


def test_the_parent_holds_a_bounded_number_of_chunks(committed, monkeypatch):
    drawn = 0
    ranges = bulk_chunks.id_ranges

    def counted(size):
        nonlocal drawn
        for bounds in ranges(size):
            drawn += 1
            yield bounds

    monkeypatch.setattr(bulk_chunks, "id_ranges", counted)
    monkeypatch.setattr(bulk_chunks, "CHUNK_SIZE", 2)
    received = 0
    for chunk in bulk_chunks.proposal_chunks(SITE, bulk_chunks.PROPOSAL_COLUMNS, workers=2):
        received += 1
        assert chunk.size
        assert drawn - received < 2 * bulk_chunks.IN_FLIGHT_PER_WORKER
    assert received == drawn > 2 * bulk_chunks.IN_FLIGHT_PER_WORKER


def test_a_failing_worker_leaves_every_previous_file(committed, tmp_path, monkeypatch):
    before = bulk.export(tmp_path, site=SITE, workers=2)
    contents = {name: (tmp_path / name).read_bytes() for name in [*bulk.file_names(), bulk.MANIFEST_FILE]}
    rows_between = bulk_records.rows_between
    first = next(bulk_chunks.id_ranges(5))

    def failing(low, high):  # patched before the fork: the workers run it
        if (low, high) != first:
            raise RuntimeError("database went away")
        return rows_between(low, high)

    monkeypatch.setattr(bulk_records, "rows_between", failing)
    with pytest.raises(RuntimeError, match="database went away") as raised:
        bulk.export(tmp_path, site=SITE, workers=2)
    assert isinstance(raised.value.__cause__, multiprocessing.pool.RemoteTraceback)  # raised in a worker
    assert {name: (tmp_path / name).read_bytes() for name in contents} == contents
    assert bulk.read_manifest(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(contents)  # no temporary file left


def test_inside_an_atomic_block_the_export_stays_in_this_process(committed, tmp_path):
    with transaction.atomic():
        assert not bulk_chunks.can_fork()
        bulk.export(tmp_path, site=SITE, workers=2)
        assert connection.in_atomic_block  # the connection was not closed under the transaction


def test_the_forking_tests_pass_in_a_process_of_their_own(db):
    """The tests above that fork workers, run by a pytest of their own: one thread, its own test database."""
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a database they can connect to (PostgreSQL)")
    env = {**os.environ, FORKING: "1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "-q",
            __file__,
            "-k",
            "write_the_bytes or bounded or failing_worker or atomic_block",
            "--create-db",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout, done.stdout[-2000:]


def test_a_process_with_other_threads_does_not_fork(monkeypatch):
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert not bulk_chunks.can_fork()
