"""Writing the bulk files (proposals.api.bulk): one pass over each collection, every record written to the
JSON file and to its CSV file as it comes, nothing kept in memory but a chunk.

The proposals (most of the data) are built as plain dicts by ``proposals.api.bulk_records`` and encoded a
chunk at a time by ``proposals.api.bulk_chunks``, in several processes when asked (``workers``); the smaller
collections go through their API serializers a chunk at a time. The chunks are written in id order, so the
files are the same bytes whatever the number of processes. Every file is written under a temporary
name beside its final place, and all are renamed over the previous ones at the end, the manifest last: a
failure leaves the previous files as they were, and a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from proposals import licence
from proposals.api.bulk import DATASET_FILE, MANIFEST_FILE, base_url, file_names
from proposals.api.bulk_chunks import Encoded, encode_records, proposal_chunks

CHUNK_SIZE = 500  # records per serializer call (the smaller collections)
PROGRESS_EVERY = 50_000
WRITE_BUFFER = 1 << 20

Progress = Callable[[str, int, int | None], None]


class _BaseUrl:
    """What the serializers need of a request to write absolute URLs: the site's address."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")

    def build_absolute_uri(self, path: str) -> str:
        return f"{self.base_url}{path}"


def sources(*, counted: bool = True) -> dict[str, tuple[Any, type]]:
    """Each collection's records (the API's querysets) and serializer; ``counted=False``: without the
    per-row ``proposal_count`` subqueries, which ``selectors.whole_counts`` replaces."""
    from proposals import selectors
    from proposals.api.serializers import (
        ArticleSerializer,
        DelegateSerializer,
        OrganisationSerializer,
        ProposalSerializer,
        RegionSerializer,
        ThemeSerializer,
    )

    return {
        "proposals": (selectors.published_proposals().order_by("id"), ProposalSerializer),
        "delegates": (selectors.delegates_with_counts(counted=counted).order_by("id"), DelegateSerializer),
        "themes": (selectors.themes_with_counts(counted=counted), ThemeSerializer),
        "regions": (selectors.regions_with_counts(counted=counted), RegionSerializer),
        "organisations": (selectors.organisations_with_counts(counted=counted), OrganisationSerializer),
        "articles": (selectors.articles_with_counts(counted=counted), ArticleSerializer),
    }


def serialised(qs, serializer_class, site: str = "", counts: dict[int, int] | None = None) -> Iterator[dict]:
    """Records serialised a chunk at a time (the prefetches run once per chunk), URLs absolute when the
    site's address is known: what the API writes. ``counts``: each record's ``proposal_count``, when the
    queryset does not count."""
    context = {"request": _BaseUrl(site) if site else None}
    for chunk in _chunks(qs):
        if counts is not None:
            for obj in chunk:
                obj.proposal_count = counts.get(obj.pk, 0)
        yield from serializer_class(chunk, many=True, context=context).data


def _chunks(qs) -> Iterator[list]:
    chunk: list = []
    for obj in qs.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(obj)
        if len(chunk) >= CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def records(name: str, qs, serializer_class, site: str) -> Iterator[dict]:
    """A collection's records as the API writes them: the proposals built by bulk_records, the others
    through their serializers with their counts from one grouped query."""
    from proposals.api.bulk_records import proposal_records
    from proposals.selectors import whole_counts

    if name == "proposals":
        return proposal_records(site)
    return serialised(qs, serializer_class, site, counts=whole_counts(name))


class _Staged:
    """Files under temporary names beside their final places, renamed over them together at the end."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.pending: dict[str, str] = {}

    def open(self, name: str) -> IO[str]:
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.", suffix=".tmp")
        self.pending[name] = tmp
        return os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=WRITE_BUFFER)

    def size(self, name: str) -> int:
        return os.stat(self.pending[name]).st_size

    def commit(self) -> None:
        for name, tmp in self.pending.items():  # in the order written: the manifest last
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.directory / name)
        self.pending = {}

    def discard(self) -> None:
        for tmp in self.pending.values():
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self.pending = {}


def encoded(
    name: str, qs, serializer_class, site: str, columns: list[str], workers: int = 1
) -> Iterator[Encoded]:
    """A collection encoded for both files a chunk at a time, in id order: the proposals by ``bulk_chunks``
    (in ``workers`` processes), the others from ``records``."""
    if name == "proposals":
        return proposal_chunks(site, columns, workers)
    return encode_records(records(name, qs, serializer_class, site), columns, CHUNK_SIZE)


def _write_collection(
    dataset: IO[str], table: IO[str], chunks: Iterator[Encoded], name: str, progress: Progress | None, total
) -> int:
    """A collection's chunks into npp_db.json (inside its brackets) and its CSV (after the header); return
    how many records."""
    dataset.flush()  # from here on, bytes straight to the files' buffers (and nothing left for a fork to copy)
    table.flush()
    dataset_bytes, table_bytes = dataset.buffer, table.buffer  # type: ignore[attr-defined]
    written = 0
    for chunk in chunks:
        if not chunk.size:
            continue
        dataset_bytes.write(b",\n" if written else b"\n")
        dataset_bytes.write(chunk.json)
        table_bytes.write(chunk.csv)
        before, written = written, written + chunk.size
        if progress is not None:  # as if called after each record: at every multiple of PROGRESS_EVERY
            for n in range((before // PROGRESS_EVERY + 1) * PROGRESS_EVERY, written + 1, PROGRESS_EVERY):
                progress(name, n, total)
    return written


def _write_dataset(
    staged: _Staged, site: str, generated_at: str, progress: Progress | None, workers: int = 1
) -> dict[str, int]:
    """npp_db.json and one CSV per collection, in one pass over each collection; return the counts."""
    from proposals.api.renderers import serializer_columns, write_csv

    counts: dict[str, int] = {}
    with staged.open(DATASET_FILE) as dataset:
        dataset.write("{\n")
        dataset.write(f'"generated_at": {json.dumps(generated_at)},\n')
        dataset.write(
            '"description": "npp_db: published proposals of NPC deputies and CPPCC members, as quoted in the press",\n'
        )
        dataset.write(f'"licence": {json.dumps(licence.as_dict(), ensure_ascii=False)},\n')
        dataset.write(f'"site": {json.dumps(site)},\n')
        for name, (qs, serializer_class) in sources(counted=False).items():
            total = qs.count() if progress is not None and name == "proposals" else None
            columns = serializer_columns(serializer_class())
            dataset.write(f'"{name}": [')
            with staged.open(f"{name}.csv") as table:
                write_csv(table, columns, [])  # the byte order mark and the header
                chunks = encoded(name, qs, serializer_class, site, columns, workers)
                counts[name] = _write_collection(dataset, table, chunks, name, progress, total)
            if progress is not None:
                progress(name, counts[name], counts[name])
            dataset.write("\n],\n")
        dataset.write(f'"counts": {json.dumps(counts)}\n}}\n')
    return counts


def write(
    directory: Path,
    *,
    current: str,
    site: str | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> dict:
    """Write every bulk file and the manifest into ``directory``; return the manifest.

    ``site`` (default ``SITE_URL``) is the address the records' URLs start with, as the API writes them.
    ``progress(collection, records written, total)`` is called every ``PROGRESS_EVERY`` records and at the
    end of each collection. ``workers`` > 1: the proposals are encoded by that many processes (PostgreSQL)."""
    site = base_url() if site is None else site.rstrip("/")
    directory.mkdir(parents=True, exist_ok=True)
    generated_at = datetime.now(UTC).isoformat()
    staged = _Staged(directory)
    try:
        counts = _write_dataset(staged, site, generated_at, progress, workers)
        manifest = {
            "generated_at": generated_at,
            "fingerprint": current,
            "site": site,
            "licence": licence.as_dict(),
            "counts": counts,
            "files": {name: staged.size(name) for name in file_names()},
        }
        with staged.open(MANIFEST_FILE) as stream:
            json.dump(manifest, stream, indent=1)
        staged.commit()
    except BaseException:
        staged.discard()
        raise
    return manifest
