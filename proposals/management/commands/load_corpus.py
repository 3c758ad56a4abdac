from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from proposals.indexing import reindex_proposals


class Command(BaseCommand):
    help = "Load the curated corpus fixture (idempotent: explicit primary keys) and rebuild the search index."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixture", type=Path, default=Path(settings.BASE_DIR) / "fixtures" / "corpus.json"
        )

    def handle(self, *args, fixture: Path, **options):
        with transaction.atomic():
            call_command("loaddata", str(fixture), verbosity=0)
            count = reindex_proposals()
        self.stdout.write(self.style.SUCCESS(f"loaded {fixture.name}; indexed {count} proposals"))
