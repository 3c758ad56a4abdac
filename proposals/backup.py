"""Backup and restore of the whole database, portable between backends (SQLite ⇄ PostgreSQL).

A backup is Django's JSON serialisation of every model (curated records, their history, users, groups,
the admin log), with natural keys for content types and permissions, which each database numbers its own
way, and without what ``migrate`` makes (content types, permissions) or what is only a cache (sessions).
A restore loads it into a migrated database in one transaction (raw rows: no signals, no new history) and
then checks the integrity rules; nothing is kept if anything fails.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.db import connection, transaction

from proposals import changes, history

# Made by migrate, or not worth keeping.
LEFT_OUT = ["contenttypes", "auth.permission", "sessions"]


def backup(path: Path) -> int:
    """Write the whole database to path (gzip when it ends in .gz), streamed by dumpdata. Returns the size."""
    check_name(path)
    call_command(
        "dumpdata",
        exclude=LEFT_OUT,
        natural_foreign=True,
        natural_primary=True,
        output=str(path),
        verbosity=0,
    )
    return path.stat().st_size


SUFFIXES = (".json", ".json.gz")


def check_name(path: Path) -> None:
    if not path.name.endswith(SUFFIXES):
        raise ValueError(f"a backup's name ends in .json or .json.gz: {path.name}")


@transaction.atomic
def restore(path: Path, *, replace: bool) -> int:
    """Load a backup into this (migrated) database; with replace, everything in it is deleted first.

    loaddata loads raw rows with the constraints checked at the end and resets the id sequences
    (PostgreSQL), in this transaction; then the integrity rules are checked. Returns how many objects.
    """
    from proposals.integrity import find_problems

    check_name(path)
    if replace:
        _flush()
    out = io.StringIO()
    with changes.suspended(), history.paused():  # the backup holds the history and timestamps as they were
        call_command("loaddata", str(path), verbosity=1, stdout=out)
    problems = find_problems()
    if problems:
        raise ValueError(f"restored data fails {len(problems)} integrity check(s): {problems[:3]}")
    return _count(out)


def _flush() -> None:
    """Delete everything (flush). On PostgreSQL, TRUNCATE refuses while deferred foreign-key checks of
    earlier writes in this transaction are pending: run them first, and defer again for loaddata."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _count(out: io.StringIO) -> int:
    # "Installed 1234 object(s) from 1 fixture(s)"
    words = out.getvalue().split()
    return int(words[words.index("Installed") + 1]) if "Installed" in words else 0


def snapshot() -> dict[str, list]:
    """Every record of every model (what a backup must keep), in a form two databases can be compared in."""
    result = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label.split(".")[0] in ("contenttypes", "sessions") or label == "auth.permission":
            continue
        data = serializers.serialize(
            "python",
            model._default_manager.order_by("pk"),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        result[label] = sorted(
            json.dumps(row, sort_keys=True, default=str, ensure_ascii=False) for row in data
        )
    return result
