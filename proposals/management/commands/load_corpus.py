from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from proposals import changes
from proposals.history import paused as history_paused
from proposals.history import record_baseline
from proposals.indexing import reindex_proposals
from proposals.models import Article, Delegate


class Command(BaseCommand):
    help = (
        "Load the curated corpus fixture and rebuild the search index. Loading is idempotent (explicit "
        "primary keys) but overwrites curators' edits of the same records: use --if-empty for `make run`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixture", type=Path, default=Path(settings.BASE_DIR) / "fixtures" / "corpus.json"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when articles are already loaded"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="load inside a transaction, then roll back"
        )

    def handle(self, *args, fixture: Path, if_empty: bool, dry_run: bool, **options):
        if if_empty and Article.objects.exists():
            self.stdout.write("corpus already loaded; nothing to do")
            return
        with transaction.atomic():
            reloading = Article.objects.exists()
            with changes.suspended(), history_paused():
                call_command("loaddata", str(fixture), verbosity=0)
            # Loading writes raw rows (no signals): derive the proposals' words and search columns, and when
            # records already existed, move what syncing clients read (the fixture's timestamps are older).
            count = reindex_proposals(touch=reloading)
            if reloading:
                changes.touch(delegates=Delegate.objects.values_list("pk", flat=True))
            record_baseline()  # a first version in the history of each loaded record (revertible edits)
            if dry_run:
                transaction.set_rollback(True)
                self.stdout.write(f"dry run: {fixture.name} is loadable ({count} proposals); nothing written")
                return
        self.stdout.write(self.style.SUCCESS(f"loaded {fixture.name}; indexed {count} proposals"))
