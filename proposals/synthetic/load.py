"""Writing synthetic rows fast: PostgreSQL ``COPY`` (psycopg 3), SQLite ``bulk_create``; indexes dropped
for the load and built after it; ids reserved by the loader; removal of everything synthetic.

Bulk synthetic data is the one place rows are written without ``save()``: no signal runs, the search
columns are computed by the generator itself.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import threading
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

from proposals.models import (
    Article,
    Authorship,
    Delegate,
    Membership,
    Position,
    Proposal,
    Quote,
    QuotePassage,
    Region,
)
from proposals.synthetic import ARTICLE_PREFIX, REGION_PREFIX, SESSION
from proposals.synthetic.batches import Columns, copy_text

# The tables a load writes, in the order their rows must be written (a row's parents first).
MODELS: dict[str, type[models.Model]] = {
    "delegate": Delegate,
    "membership": Membership,
    "position": Position,
    "proposal": Proposal,
    "authorship": Authorship,
    "theme": Proposal.themes.through,
    "quote": Quote,
    "passage": QuotePassage,
}
GENERATED_IDS = {"position", "authorship", "theme", "passage"}  # the database numbers these rows
PROPOSAL_TABLES = ["proposal", "authorship", "theme", "quote", "passage"]
# Per index build; two run at a time. The search's GIN index over a million rows: 249 s with 512MB, 221 s
# with 2GB (fewer passes over its accumulated entries).
MAINTENANCE_WORK_MEM = "2GB"
GIN_PENDING_LIST_LIMIT = "64MB"  # the loading session's (default 4MB)


def columns_for(key: str) -> Columns:
    model = MODELS[key]
    names, defaults = [], {}
    for f in model._meta.concrete_fields:
        if f.primary_key and key in GENERATED_IDS:
            continue
        names.append(f.attname)
        defaults[f.attname] = None if getattr(f, "auto_now", False) or f.primary_key else f.get_default()
    return Columns(model._meta.db_table, names, defaults)


def next_id(model: type[models.Model]) -> int:
    """The first id after every existing row: the loader numbers its rows from here (one loader at a time)."""
    return (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


class Writer:
    """Writes rows of one table: COPY text on PostgreSQL, model instances in bulk on SQLite."""

    def __init__(self) -> None:
        self.copy = connection.vendor == "postgresql"
        self.columns = {key: columns_for(key) for key in MODELS}
        qn = connection.ops.quote_name
        self.copy_sql = {
            key: f"COPY {qn(c.table)} ({', '.join(qn(n) for n in c.names)}) FROM STDIN"
            for key, c in self.columns.items()
        }

    def write(self, key: str, rows: list[dict[str, Any]] | bytes) -> None:
        if self.copy:
            data = rows if isinstance(rows, bytes) else copy_text(self.columns[key], rows).encode()
            if not data:
                return
            with connection.cursor() as cursor, cursor.copy(self.copy_sql[key]) as copy:
                copy.write(data)
            return
        assert not isinstance(rows, bytes)
        model, names = MODELS[key], set(self.columns[key].names)
        model._default_manager.bulk_create(
            [model(**{k: v for k, v in row.items() if k in names}) for row in rows], batch_size=500
        )

    def finish(self) -> None:
        """Move the id sequences past the ids the loader chose."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(MODELS.values()))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


@contextlib.contextmanager
def indexes_dropped(enabled: bool, *, keep_search_index: bool = False):
    """PostgreSQL: drop the secondary indexes, foreign keys and unique constraints of the proposal tables
    for the load and build them after it: a bulk build (and one validating join per foreign key) costs a
    fraction of maintaining them row by row, the deferred foreign-key triggers most of all. Yields the
    names of what was dropped. Primary keys and check constraints stay; the GIN indexes (search and filter
    keys) are dropped too unless keep_search_index. Kept, a GIN index is maintained row by row through a
    pending list (made large for the load, and flushed at the end), and the cost grows with the index:
    measured with the backend's CPU time at 30,000 proposal rows, COPY costs 0.55-0.60 s of PostgreSQL CPU
    per 1,000 rows kept against 0.20 s dropped plus 0.32-0.34 s to build it after; at a million rows the
    load with the index kept fell to 627 proposals a second (26.6 minutes), while building the search
    index over the million rows takes 120 s on one core, for an index of 759 MB against 1,188 MB grown row
    by row."""
    if not enabled or connection.vendor != "postgresql":
        yield []
        return
    tables = [MODELS[k]._meta.db_table for k in PROPOSAL_TABLES]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u')
            ORDER BY c.contype, c.conname
            """,
            [tables],
        )
        constraints = cursor.fetchall()  # foreign keys first: they may need a unique index
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """,
            [tables],
        )
        indexes: list[tuple[str, str]] = []
        gin: list[tuple[str, str]] = []
        for name, definition in cursor.fetchall():
            kept = keep_search_index and " USING gin " in definition
            (gin if kept else indexes).append((name, definition))
        cursor.execute(f"SET gin_pending_list_limit = '{GIN_PENDING_LIST_LIMIT}'")
        for table, name, _, _ in constraints:
            cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")
    try:
        yield [name for name, _ in indexes] + [name for _, name, _, _ in constraints]
    finally:
        added = {
            kind: [
                f"ALTER TABLE {qn(t)} ADD CONSTRAINT {qn(n)} {d}" for t, n, d, k in constraints if k == kind
            ]
            for kind in "uf"
        }
        # The indexes and unique constraints on two connections, so that both cores build; then the
        # foreign keys, each validated by one join over the loaded rows.
        # The GIN indexes first: the search index is the longest build (two minutes at a million rows),
        # the others are built beside it on the second connection.
        definitions = sorted((definition for _, definition in indexes), key=lambda d: " USING gin " not in d)
        build_in_parallel(definitions + added["u"])
        build_in_parallel(added["f"])
        with connection.cursor() as cursor:
            cursor.execute("RESET gin_pending_list_limit")
            for name, _ in gin:
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])


def build_in_parallel(statements: list[str], connections: int = 2) -> None:
    """Run DDL statements on their own autocommitted connections, ``connections`` at a time (in order on
    the current connection inside a transaction: other connections would not see its rows)."""
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        return
    pending = list(statements)
    lock = threading.Lock()

    def work() -> None:
        db = connection.get_new_connection(connection.get_connection_params())
        try:
            db.autocommit = True
            with db.cursor() as cursor:
                cursor.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
                while True:
                    with lock:
                        if not pending:
                            return
                        statement = pending.pop(0)
                    cursor.execute(statement)
        finally:
            db.close()

    with concurrent.futures.ThreadPoolExecutor(connections) as pool:
        for future in [pool.submit(work) for _ in range(min(connections, len(statements)))]:
            future.result()


def delete_synthetic() -> dict[str, int]:
    """Remove every synthetic record (children first) with plain DELETEs: at a million rows the ORM's
    cascade would load every object to send signals. Returns rows deleted per table."""
    qn = connection.ops.quote_name
    t = {k: qn(m._meta.db_table) for k, m in MODELS.items()}
    article, region = qn(Article._meta.db_table), qn(Region._meta.db_table)
    mine = f"SELECT id FROM {t['proposal']} WHERE session = %s"
    people = f"SELECT id FROM {t['delegate']} WHERE note = %s"
    steps = [
        (
            "passage",
            f"DELETE FROM {t['passage']} WHERE quote_id IN (SELECT id FROM {t['quote']} WHERE proposal_id IN ({mine}))",
            [SESSION],
        ),
        ("quote", f"DELETE FROM {t['quote']} WHERE proposal_id IN ({mine})", [SESSION]),
        ("authorship", f"DELETE FROM {t['authorship']} WHERE proposal_id IN ({mine})", [SESSION]),
        ("theme", f"DELETE FROM {t['theme']} WHERE proposal_id IN ({mine})", [SESSION]),
        ("proposal", f"DELETE FROM {t['proposal']} WHERE session = %s", [SESSION]),
        ("position", f"DELETE FROM {t['position']} WHERE delegate_id IN ({people})", [SESSION]),
        ("membership", f"DELETE FROM {t['membership']} WHERE delegate_id IN ({people})", [SESSION]),
        ("delegate", f"DELETE FROM {t['delegate']} WHERE note = %s", [SESSION]),
        ("article", f"DELETE FROM {article} WHERE file_name LIKE %s", [f"{ARTICLE_PREFIX}%"]),
        # Cities before their provinces.
        (
            "region",
            f"DELETE FROM {region} WHERE slug LIKE %s AND parent_id IS NOT NULL",
            [f"{REGION_PREFIX}%"],
        ),
        ("region", f"DELETE FROM {region} WHERE slug LIKE %s", [f"{REGION_PREFIX}%"]),
    ]
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for key, sql, params in steps:
            cursor.execute(sql, params)
            counts[key] = counts.get(key, 0) + cursor.rowcount
    return counts
