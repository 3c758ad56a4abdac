"""The proposals of the bulk files encoded a chunk at a time, by worker processes when there are several.

A chunk is a range of published proposal ids (``CHUNK_SIZE`` of them). ``encode_chunk`` turns
one into its piece of npp_db.json (the records as ``json.dumps(record, ensure_ascii=False)`` joined by
",\\n") and its rows of proposals.csv, both as UTF-8 bytes. With ``workers`` > 1 (PostgreSQL, outside a
transaction) a pool of forked processes, each with its own database connection, encodes the chunks while
the parent writes them in id order: the bytes one process writes, on both cores, with at most
``IN_FLIGHT_PER_WORKER`` encoded chunks per worker waiting (bounded memory). Otherwise the same function
runs in this process, one chunk after the other.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.util import Finalize
from typing import Any, NamedTuple

from django.db import connection, connections

from proposals.api import bulk_records
from proposals.api.renderers import SEPARATOR, Flattener, cell
from proposals.exports import FORMULA_START
from proposals.models import Proposal

CHUNK_SIZE = 500  # proposals per chunk: about 5 MB encoded (a worker holds a few times that while encoding)
IN_FLIGHT_PER_WORKER = 2


class Encoded(NamedTuple):
    size: int  # how many records
    json: bytes  # the records, joined by ",\n", without a leading or trailing separator
    csv: bytes  # their CSV rows, "\r\n" after each


_worker: dict = {}  # this process's record builder and CSV flattener (set by _start)
_inherited: list = []  # a forked worker's copies of the parent's open connections, kept from closing


def _start(site: str, columns: list[str], forked: bool) -> None:
    if forked:  # a pool worker: its own connections, closed when it exits
        for alias in connections:  # one the parent still had open: never used (nor closed) here
            inherited = connections[alias]
            if inherited.connection is not None:
                _inherited.append(inherited.connection)
                inherited.connection = None
        Finalize(None, connections.close_all, exitpriority=10)
    _worker["records"] = bulk_records.RecordBuilder(site)
    _worker["cells"] = proposal_cells if columns == PROPOSAL_COLUMNS else Flattener(columns)


PROPOSAL_COLUMNS = [
    *("id", "title", "summary", "text", "kind", "year", "date", "session", "status", "updated_at"),
    *("delegates.id", "delegates.name", "delegates.role", "themes.slug", "themes.name"),
    *("sources.article.id", "sources.article.title", "sources.article.outlet", "sources.article.date"),
    *("sources.passages.text", "sources.passages.start", "sources.passages.end", "sources.quote", "url"),
]
_TOP = PROPOSAL_COLUMNS[:10]


def _cells(values: Iterable[Any]) -> str:
    """What ``Flattener`` writes for a column's leaves: each as ``cell``, ``None`` left out, joined (texts
    and integers, nearly every value, without a call each)."""
    out = []
    for value in values:
        kind = type(value)
        if kind is str:
            out.append(f"'{value}" if value.startswith(FORMULA_START) else value)
        elif kind is int:
            out.append(str(value))
        elif value is not None:
            out.append(cell(value))
    return SEPARATOR.join(out)


def proposal_cells(record: dict[str, Any]) -> list[str]:
    """The CSV cells of a record of ``bulk_records`` for ``PROPOSAL_COLUMNS``: what ``Flattener`` writes,
    without walking the record generically (the record's shape is known; ``tests/test_bulk_parallel.py``
    compares the two)."""
    cells = [_cells((record[key],)) for key in _TOP]
    delegates, themes, sources = record["delegates"], record["themes"], record["sources"]
    articles = [source["article"] for source in sources]
    passages = [passage for source in sources for passage in source["passages"]]
    cells += [_cells([d[key] for d in delegates]) for key in ("id", "name", "role")]
    cells += [_cells([t[key] for t in themes]) for key in ("slug", "name")]
    cells += [_cells([a[key] for a in articles]) for key in ("id", "title", "outlet", "date")]
    cells += [_cells([p[key] for p in passages]) for key in ("text", "start", "end")]
    cells.append(_cells([source["quote"] for source in sources]))
    cells.append(_cells((record["url"],)))
    return cells


def encode(records: Iterable[dict[str, Any]], cells: Callable[[Any], list[str]]) -> Encoded:
    """Records encoded for both files: ``json.dumps(record, ensure_ascii=False)`` each, and CSV rows."""
    as_json = json.JSONEncoder(ensure_ascii=False).encode
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\r\n")
    parts = []
    for record in records:
        parts.append(as_json(record))
        writer.writerow(cells(record))
    return Encoded(len(parts), ",\n".join(parts).encode(), table.getvalue().encode())


def encode_records(
    records: Iterable[dict[str, Any]], columns: list[str], size: int = 500
) -> Iterator[Encoded]:
    """Any collection's records encoded ``size`` at a time, in this process."""
    cells = Flattener(columns)
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, size)):
        yield encode(chunk, cells)


def encode_chunk(bounds: tuple[int, int]) -> Encoded:
    """The published proposals with ids from ``bounds[0]`` to ``bounds[1]``, encoded for both files."""
    return encode(_worker["records"].chunk(bulk_records.rows_between(*bounds)), _worker["cells"])


def id_ranges(size: int) -> Iterator[tuple[int, int]]:
    """The first and last id of each run of ``size`` published proposals, in id order (keyset, ids only)."""
    published = Proposal.objects.published().order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        ids = list(published.filter(pk__gt=last)[:size])
        if not ids:
            return
        yield ids[0], ids[-1]
        last = ids[-1]


def can_fork() -> bool:
    """Workers see what this process sees only when it has nothing uncommitted; SQLite (in-memory test
    databases) stays in one process; and only a process with one thread forks (a fork copies the locks
    another thread holds: a web worker's threads, a browser driver's, would leave children stuck or dead,
    and the parent waiting for them for ever)."""
    return (
        connection.vendor == "postgresql" and not connection.in_atomic_block and threading.active_count() == 1
    )


def proposal_chunks(site: str, columns: list[str], workers: int = 1) -> Iterator[Encoded]:
    """Every published proposal, encoded a chunk at a time, in id order."""
    ranges = id_ranges(CHUNK_SIZE)
    if workers <= 1 or not can_fork():
        _start(site, columns, forked=False)
        try:
            yield from map(encode_chunk, ranges)
        finally:
            _worker.clear()
        return
    connections.close_all()  # no connection shared with the children (each opens its own)
    pool = multiprocessing.get_context("fork").Pool(
        workers, initializer=_start, initargs=(site, columns, True)
    )
    try:
        pending: deque = deque()
        for bounds in ranges:
            pending.append(pool.apply_async(encode_chunk, (bounds,)))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
        pool.close()  # the workers finish and close their connections
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
