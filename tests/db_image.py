"""A migrated test database with the corpus loaded, built once and copied into every later test database.

Each pytest-xdist worker makes its own test database, and making one runs every migration and loads the
curated corpus: about a tenth of a worker's CPU on this suite. The result depends only on the code, the
migrations and the corpus, so on SQLite the first worker saves it as an image file (SQLite's online backup)
and every other worker, in this run or a later one, restores the image instead of migrating. The image is
keyed by a hash of everything that could change it (the project's Python files, the fixtures, the installed
Django): any edit makes a new key, and a stale image is never used. Workers starting together take a file
lock, so one builds while the others wait and then restore.

``NPP_TEST_DB_IMAGES`` names the folder (default: ``.test-cache/`` in the checkout, git-ignored); ``off``
turns images off (every worker migrates, as pytest-django does by itself).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
from pathlib import Path
from typing import IO, Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ["proposals/**/*.py", "npp_db/**/*.py", "fixtures/**/*"]


def folder() -> Path | None:
    setting = os.environ.get("NPP_TEST_DB_IMAGES", "")
    if setting == "off":
        return None
    return Path(setting) if setting else ROOT / ".test-cache"


def key() -> str:
    import django

    digest = hashlib.sha256(f"django {django.__version__}".encode())
    for pattern in INPUTS:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class Image:
    """The image for this checkout; ``restoring`` while a worker copies it instead of migrating."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        name = key()
        self.path = directory / f"sqlite-{name}.sqlite3"
        self._lock: IO[Any] | None = open(directory / f"sqlite-{name}.lock", "w")  # noqa: SIM115
        fcntl.flock(self._lock, fcntl.LOCK_EX)  # held while this worker builds it
        self.restoring = self.path.exists()
        if self.restoring:
            self.release()

    def release(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def save(self, connection: Any) -> None:
        partial = self.path.with_suffix(f".{os.getpid()}.partial")
        with sqlite3.connect(partial) as target:
            connection.connection.backup(target)
        target.close()
        partial.replace(self.path)  # atomic: a reader sees the whole image or none
        self.release()

    def start_restoring(self) -> None:
        """From here to ``stop_restoring``, ``migrate`` copies the image into the test database instead."""
        from django.core import management
        from django.db import connection

        run = management.call_command

        def call_command(name: Any, *args: Any, **options: Any) -> Any:
            if name != "migrate":
                return run(name, *args, **options)
            self.restore_into(connection)
            return None

        self._patch = mock.patch.object(management, "call_command", call_command)
        self._patch.start()

    def stop_restoring(self) -> None:
        self._patch.stop()

    def restore_into(self, connection: Any) -> None:
        """Overwrite the database of ``connection`` with the image: the migrated schema and the loaded corpus,
        as ``migrate`` then ``load_corpus`` leave it (a transactional test's flushed database, reloaded in
        milliseconds instead of seconds)."""
        connection.ensure_connection()
        with sqlite3.connect(self.path) as source:
            source.backup(connection.connection)
        source.close()


def for_this_database() -> Image | None:
    """The image to use, or None when the test database is not an in-memory SQLite one (PostgreSQL)."""
    from django.db import connection

    directory = folder()
    if directory is None or connection.vendor != "sqlite":
        return None
    if not connection.creation.is_in_memory_db(connection.creation._get_test_db_name()):
        return None
    return Image(directory)
