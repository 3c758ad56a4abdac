import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proposals.api import bulk

MAX_DEFAULT_WORKERS = 4  # about 90 MB and a database connection each; --workers for more


class Command(BaseCommand):
    _started: float = 0.0
    help = (
        "Write the bulk downloads (npp_db.json and one CSV per collection) of the published dataset, as served "
        "at /api/v1/bulk/. Run it after curation (cron) so that no request has to wait for them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=None, help="directory (default: BULK_EXPORT_DIR)")
        parser.add_argument(
            "--if-stale", action="store_true", help="do nothing when the files are up to date"
        )
        parser.add_argument(
            "--site-url",
            default=None,
            help="the site's public address, which the records' URLs start with (default: SITE_URL)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=min(len(os.sched_getaffinity(0)), MAX_DEFAULT_WORKERS),
            help=(
                f"processes encoding the proposals, each with a database connection (default: one per core "
                f"available, at most {MAX_DEFAULT_WORKERS}; PostgreSQL only; 1: this process)"
            ),
        )
        parser.add_argument("--dry-run", action="store_true", help="say what would be written, write nothing")

    def _progress(self):
        """Progress on stderr (cron mails stdout): records written per collection, with the rate."""
        started: dict[str, float] = {}

        def report(name: str, written: int, total: int | None) -> None:
            elapsed = time.monotonic() - started.setdefault(name, self._started)
            self._started = time.monotonic()
            of = f" of {total:,}" if total is not None else ""
            rate = written / max(elapsed, 1e-3)
            self.stderr.write(f"{name}: {written:,}{of} records, {elapsed:.1f} s ({rate:,.0f}/s)")

        self._started = time.monotonic()
        return report

    def handle(
        self, *args, output: Path | None, if_stale: bool, dry_run: bool, site_url=None, workers=1, **options
    ):
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        directory = output or bulk.export_dir()
        progress = self._progress() if options.get("verbosity", 1) >= 1 else None
        if dry_run:
            self.stdout.write(f"would write {', '.join(bulk.file_names())} to {directory}")
            return
        if if_stale:
            before = bulk.read_manifest(directory)
            manifest = bulk.ensure_fresh(directory, site=site_url, progress=progress, workers=workers)
            if before and before.get("generated_at") == manifest["generated_at"]:
                self.stdout.write(f"up to date: {directory}")
                return
        else:
            manifest = bulk.export(directory, site=site_url, progress=progress, workers=workers)
        counts = ", ".join(f"{name} {n}" for name, n in manifest["counts"].items())
        self.stdout.write(self.style.SUCCESS(f"wrote {directory}: {counts}"))
