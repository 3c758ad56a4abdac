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
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max

DATASET_FILE = "npp_db.json"
MANIFEST_FILE = "manifest.json"
COLLECTIONS = ("proposals", "delegates", "themes", "regions", "organisations", "articles")
MAX_AGE_SECONDS = 24 * 3600  # catches what the fingerprint cannot see (a deleted row with an older timestamp)
FINGERPRINT_CACHE_SECONDS = 60


def file_names() -> list[str]:
    return [DATASET_FILE, *(f"{name}.csv" for name in COLLECTIONS)]


def export_dir() -> Path:
    return Path(settings.BULK_EXPORT_DIR)


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


def _is_fresh(manifest: dict | None, directory: Path, current: str, site: str | None = None) -> bool:
    if not manifest or manifest.get("fingerprint") != current:
        return False
    if site is not None and manifest.get("site", "") != site:
        return False
    try:
        generated = datetime.fromisoformat(manifest["generated_at"])
    except (KeyError, ValueError):
        return False
    if (datetime.now(UTC) - generated).total_seconds() > MAX_AGE_SECONDS:
        return False
    return all((directory / name).is_file() for name in file_names())


def base_url() -> str:
    """The public address the files' URLs start with (``SITE_URL``); empty: relative URLs."""
    return (getattr(settings, "SITE_URL", "") or "").rstrip("/")


def export(
    directory: Path | None = None,
    *,
    current: str | None = None,
    site: str | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
    workers: int = 1,
) -> dict:
    """Write every bulk file and the manifest; return the manifest (proposals.api.bulk_writer). ``workers``:
    processes encoding the proposals (PostgreSQL; export_bulk uses every core, requests one process)."""
    from proposals.api.bulk_writer import write

    return write(
        directory or export_dir(),
        current=current or fingerprint(),
        site=site,
        progress=progress,
        workers=workers,
    )


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


def served(directory: Path | None = None, *, site: str | None = None) -> dict:
    """The manifest of the files to serve: fresh ones, or (generation on request off) the last ones written.

    ``site``: the address of the request, used when ``SITE_URL`` is not set (files generated on request)."""
    directory = directory or export_dir()
    if getattr(settings, "API_BULK_GENERATE_ON_REQUEST", True):
        return ensure_fresh(directory, site=base_url() or site)
    manifest = read_manifest(directory)
    if not manifest or not all((directory / name).is_file() for name in file_names()):
        raise NotGenerated("the bulk files have not been generated yet (manage.py export_bulk)")
    return manifest


def ensure_fresh(
    directory: Path | None = None,
    *,
    site: str | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
    workers: int = 1,
) -> dict:
    """The manifest of up-to-date files, regenerating them first if the data (or the site's address) changed."""
    directory = directory or export_dir()
    site = (base_url() if site is None else site).rstrip("/")
    current = cached_fingerprint()
    manifest = read_manifest(directory)
    if manifest is not None and _is_fresh(manifest, directory, current, site):
        return manifest
    with _lock(directory):
        manifest = read_manifest(directory)  # another process may have just written them
        if manifest is not None and _is_fresh(manifest, directory, current, site):
            return manifest
        return export(directory, current=current, site=site, progress=progress, workers=workers)
