from django.core.management.base import BaseCommand

from proposals.indexing import reindex_proposals
from proposals.models import Proposal


class Command(BaseCommand):
    help = "Rewrite the jieba search columns of every proposal (run after editing the user dictionary)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be reindexed")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, dry_run: bool, batch_size: int, **options):
        if dry_run:
            self.stdout.write(f"would reindex {Proposal.objects.count()} proposals")
            return
        count = reindex_proposals(batch_size=batch_size)
        self.stdout.write(self.style.SUCCESS(f"reindexed {count} proposals"))
