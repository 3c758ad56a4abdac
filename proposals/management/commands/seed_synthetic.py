"""Synthetic proposals for benchmarks (see proposals.synthetic): realistic, skewed, fast to load.

Never run against a production database: every record it writes is *published* and marked as synthetic
(proposals' session "合成数据"), so that ``--delete`` removes what it made.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import os
import time
from multiprocessing.pool import Pool

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from proposals import search
from proposals.synthetic import batches
from proposals.synthetic.load import PROPOSAL_TABLES, Writer, delete_synthetic, indexes_dropped
from proposals.synthetic.world import build_world

_WORLD: batches.World | None = None  # set in the parent before the pool forks: the workers inherit it


def _make(task: tuple[int, int]) -> batches.Batch:
    assert _WORLD is not None
    return batches.make_batch(_WORLD, *task)


def _batches(world: batches.World, tasks: list[tuple[int, int]], pool: Pool | None, workers: int):
    """The batches in order, made in the pool when there is one: at most two a worker are waiting to be
    written, so the workers keep both cores busy while the parent streams one batch to PostgreSQL."""
    if pool is None:
        for task in tasks:
            yield batches.make_batch(world, *task)
        return
    pending: collections.deque = collections.deque()
    queue = iter(tasks)
    for task in queue:
        pending.append(pool.apply_async(_make, (task,)))
        if len(pending) >= 2 * workers:
            break
    while pending:
        batch = pending.popleft().get()
        following = next(queue, None)
        if following is not None:
            pending.append(pool.apply_async(_make, (following,)))
        yield batch


@contextlib.contextmanager
def _pool(world: batches.World, workers: int):
    """A pool of forked workers that inherit the world (and jieba's loaded dictionary), or None for one.
    Forked before the parent opens its loading connection, so that no worker holds its socket."""
    if workers <= 1:
        yield None
        return
    global _WORLD
    _WORLD = world
    search.warm_up()  # jieba's dictionary loaded once, before the workers fork (they share its pages)
    if not connection.in_atomic_block:
        connection.close()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield pool


class Command(BaseCommand):
    help = (
        "Generate N synthetic published proposals for benchmarks (segmentation in a process pool, rows "
        "written with COPY on PostgreSQL). Needs the corpus loaded first. --delete removes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--proposals", type=int, default=10000)
        parser.add_argument("--delegates", type=int, help="default: one per 30 proposals, at least 50")
        parser.add_argument("--articles", type=int, help="default: one per 400 proposals, 10 to 2,500")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="segmentation processes")
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument(
            "--drop-indexes",
            choices=["auto", "yes", "no"],
            default="auto",
            help="PostgreSQL: drop the proposal tables' secondary indexes for the load (auto: from 50,000)",
        )
        parser.add_argument(
            "--search-index",
            choices=["keep", "rebuild"],
            default="rebuild",
            help="with --drop-indexes: drop the GIN indexes (search, filter keys) and build them after the "
            "load (compact; at a million rows far cheaper than maintaining them) or keep them during it",
        )
        parser.add_argument("--delete", action="store_true", help="delete the synthetic records instead")
        parser.add_argument("--dry-run", action="store_true")

    def handle(
        self,
        *args,
        proposals: int,
        delegates,
        articles,
        batch_size: int,
        workers: int,
        seed: int,
        drop_indexes: str,
        search_index: str,
        delete: bool,
        dry_run: bool,
        verbosity: int,
        **options,
    ):
        if delete:
            with transaction.atomic():
                counts = delete_synthetic()
            cache.clear()
            self.stdout.write(
                f"deleted {counts['proposal']} synthetic proposals ({sum(counts.values())} rows)"
            )
            return
        delegates = delegates or max(50, proposals // 30)
        articles = articles or min(2500, max(10, proposals // 400))
        if dry_run:
            self.stdout.write(
                f"would create {proposals} proposals, {delegates} delegates, {articles} articles"
            )
            return
        started = time.monotonic()
        writer = Writer()
        try:
            with transaction.atomic():
                world = build_world(
                    proposals=proposals,
                    delegates=delegates,
                    articles=articles,
                    seed=seed,
                    batch_size=batch_size,
                    writer=writer,
                )
        except ValueError as error:
            raise CommandError(str(error)) from None
        tasks = [(n, min(batch_size, proposals - n * batch_size)) for n in range(-(-proposals // batch_size))]
        drop = drop_indexes == "yes" or (drop_indexes == "auto" and proposals >= 50_000)
        progress = tqdm(
            total=proposals,
            unit=" proposals",
            disable=verbosity == 0,
            mininterval=1 if os.isatty(2) else 15,
            desc="seed_synthetic",
        )
        made = 0
        with (
            _pool(world, workers) as pool,
            indexes_dropped(drop, keep_search_index=search_index == "keep") as dropped,
        ):
            for batch in _batches(world, tasks, pool, workers):
                with transaction.atomic():
                    for key in PROPOSAL_TABLES:
                        writer.write(key, batch.rows[key])
                made += batch.proposals
                progress.update(batch.proposals)
            progress.close()
            loaded = time.monotonic() - started
            if dropped and verbosity:
                self.stdout.write(f"building {len(dropped)} indexes …")
        writer.finish()
        cache.clear()  # cached counts and facets describe the data before the load
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"created {made} synthetic proposals in {elapsed:.0f}s ({made / elapsed:.0f}/s; "
                f"rows {loaded:.0f}s, indexes {elapsed - loaded:.0f}s; {workers} workers)"
            )
        )
