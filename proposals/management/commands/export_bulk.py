from pathlib import Path

from django.core.management.base import BaseCommand

from proposals.api import bulk


class Command(BaseCommand):
    help = (
        "Write the bulk downloads (npp_db.json and one CSV per collection) of the published dataset, as served "
        "at /api/v1/bulk/. Run it after curation (cron) so that no request has to wait for them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=None, help="directory (default: BULK_EXPORT_DIR)")
        parser.add_argument(
            "--if-stale", action="store_true", help="do nothing when the files are up to date"
        )
        parser.add_argument("--dry-run", action="store_true", help="say what would be written, write nothing")

    def handle(self, *args, output: Path | None, if_stale: bool, dry_run: bool, **options):
        directory = output or bulk.export_dir()
        if dry_run:
            self.stdout.write(f"would write {', '.join(bulk.file_names())} to {directory}")
            return
        if if_stale:
            before = bulk.read_manifest(directory)
            manifest = bulk.ensure_fresh(directory)
            if before and before.get("generated_at") == manifest["generated_at"]:
                self.stdout.write(f"up to date: {directory}")
                return
        else:
            manifest = bulk.export(directory)
        counts = ", ".join(f"{name} {n}" for name, n in manifest["counts"].items())
        self.stdout.write(self.style.SUCCESS(f"wrote {directory}: {counts}"))
