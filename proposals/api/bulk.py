"""Bulk downloads: the whole published dataset as one JSON file and one CSV file per collection.

The files hold exactly what the API lists (same querysets, same serializers), so nobody has to crawl the
API. ``export_bulk`` writes them (run it from cron after curation, or let the first request after a change
do it); ``ensure_fresh`` regenerates them when the data changed since they were written. A file is written
beside its final place and renamed over it, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max

DATASET_FILE = "npp_db.json"
MANIFEST_FILE = "manifest.json"
COLLECTIONS = ("proposals", "delegates", "themes", "regions", "organisations", "articles")
CHUNK_SIZE = 500
MAX_AGE_SECONDS = 24 * 3600  # catches what the fingerprint cannot see (a deleted row with an older timestamp)
FINGERPRINT_CACHE_SECONDS = 60


def file_names() -> list[str]:
    return [DATASET_FILE, *(f"{name}.csv" for name in COLLECTIONS)]


def export_dir() -> Path:
    return Path(settings.BULK_EXPORT_DIR)


def _sources() -> dict[str, tuple[Any, type]]:
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
        "delegates": (selectors.delegates_with_counts().order_by("id"), DelegateSerializer),
        "themes": (selectors.themes_with_counts(), ThemeSerializer),
        "regions": (selectors.regions_with_counts(), RegionSerializer),
        "organisations": (selectors.organisations_with_counts(), OrganisationSerializer),
        "articles": (selectors.articles_with_counts(), ArticleSerializer),
    }


def fingerprint() -> str:
    """Changes whenever a record is added, edited or removed (row counts and latest timestamps)."""
    from proposals.models import (
        Article,
        Authorship,
        Delegate,
        DelegateAlias,
        Membership,
        Organisation,
        Position,
        Proposal,
        Quote,
        QuotePassage,
        Region,
        Theme,
    )

    parts = []
    for model in (
        Proposal,
        Delegate,
        DelegateAlias,
        Membership,
        Position,
        Authorship,
        Theme,
        Region,
        Organisation,
        Article,
        Quote,
    ):
        row = model.objects.aggregate(n=Count("pk"), latest=Max("updated_at"))
        parts.append(f"{model._meta.label}:{row['n']}:{row['latest'].isoformat() if row['latest'] else ''}")
    # Publishing and withdrawing change what the files hold even when done with update() (no timestamp).
    parts.append(f"published:{Proposal.objects.published().count()}:{Delegate.objects.published().count()}")
    passages = QuotePassage.objects.aggregate(n=Count("pk"), top=Max("pk"))
    parts.append(f"passages:{passages['n']}:{passages['top']}")
    parts.append(f"themes:{Proposal.themes.through.objects.count()}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def cached_fingerprint() -> str:
    """The fingerprint, recomputed at most once a minute (a dozen aggregate queries)."""
    return str(cache.get_or_set("npp_db:bulk:fingerprint", fingerprint, FINGERPRINT_CACHE_SECONDS))


def read_manifest(directory: Path | None = None) -> dict | None:
    try:
        return json.loads(((directory or export_dir()) / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _is_fresh(manifest: dict | None, directory: Path, current: str) -> bool:
    if not manifest or manifest.get("fingerprint") != current:
        return False
    try:
        generated = datetime.fromisoformat(manifest["generated_at"])
    except (KeyError, ValueError):
        return False
    if (datetime.now(UTC) - generated).total_seconds() > MAX_AGE_SECONDS:
        return False
    return all((directory / name).is_file() for name in file_names())


def _serialised(qs, serializer_class) -> Iterator[dict]:
    """Records serialised a chunk at a time (the prefetches run once per chunk)."""
    chunk: list = []
    for obj in qs.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(obj)
        if len(chunk) >= CHUNK_SIZE:
            yield from serializer_class(chunk, many=True, context={"request": None}).data
            chunk = []
    if chunk:
        yield from serializer_class(chunk, many=True, context={"request": None}).data


@contextlib.contextmanager
def _replacing(path: Path, mode: str = "w"):
    """A temporary file beside ``path``, renamed over it when the block succeeds."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, encoding="utf-8", newline="") as stream:
            yield stream
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def export(directory: Path | None = None, *, current: str | None = None) -> dict:
    """Write every bulk file and the manifest; return the manifest."""
    from proposals.api.renderers import serializer_columns, write_csv

    directory = directory or export_dir()
    directory.mkdir(parents=True, exist_ok=True)
    current = current or fingerprint()
    generated_at = datetime.now(UTC).isoformat()
    counts: dict[str, int] = {}
    with _replacing(directory / DATASET_FILE) as dataset:
        dataset.write("{\n")
        dataset.write(f'"generated_at": {json.dumps(generated_at)},\n')
        dataset.write(
            '"description": "npp_db: published proposals of NPC deputies and CPPCC members, as quoted in the press",\n'
        )
        for name, (qs, serializer_class) in _sources().items():
            columns = serializer_columns(serializer_class())
            dataset.write(f'"{name}": [')
            rows: list[dict] = []

            def records(qs=qs, serializer_class=serializer_class, rows=rows) -> Iterator[dict]:
                for record in _serialised(qs, serializer_class):
                    dataset.write(("\n" if not rows else ",\n") + json.dumps(record, ensure_ascii=False))
                    rows.append({})  # only counted: records are not kept in memory
                    yield record

            with _replacing(directory / f"{name}.csv") as table:
                counts[name] = write_csv(table, columns, records())
            dataset.write("\n],\n")
        dataset.write(f'"counts": {json.dumps(counts)}\n}}\n')

    manifest = {
        "generated_at": generated_at,
        "fingerprint": current,
        "counts": counts,
        "files": {name: (directory / name).stat().st_size for name in file_names()},
    }
    with _replacing(directory / MANIFEST_FILE) as stream:
        json.dump(manifest, stream, indent=1)
    return manifest


@contextlib.contextmanager
def _lock(directory: Path):
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class NotGenerated(LookupError):
    """The files were never written, and requests may not write them (API_BULK_GENERATE_ON_REQUEST off)."""


def served(directory: Path | None = None) -> dict:
    """The manifest of the files to serve: fresh ones, or (generation on request off) the last ones written."""
    directory = directory or export_dir()
    if getattr(settings, "API_BULK_GENERATE_ON_REQUEST", True):
        return ensure_fresh(directory)
    manifest = read_manifest(directory)
    if not manifest or not all((directory / name).is_file() for name in file_names()):
        raise NotGenerated("the bulk files have not been generated yet (manage.py export_bulk)")
    return manifest


def ensure_fresh(directory: Path | None = None) -> dict:
    """The manifest of up-to-date files, regenerating them first if the data changed."""
    directory = directory or export_dir()
    current = cached_fingerprint()
    manifest = read_manifest(directory)
    if manifest is not None and _is_fresh(manifest, directory, current):
        return manifest
    with _lock(directory):
        manifest = read_manifest(directory)  # another process may have just written them
        if manifest is not None and _is_fresh(manifest, directory, current):
            return manifest
        return export(directory, current=current)
