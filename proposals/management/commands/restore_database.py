from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from proposals.backup import restore
from proposals.models import Article, Delegate, Proposal


class Command(BaseCommand):
    help = (
        "Load a backup written by backup_database into this migrated database (SQLite or PostgreSQL), in one "
        "transaction, then check integrity. Refuses a database with records unless --replace (which deletes "
        "everything in it first). --dry-run loads and checks, then rolls back."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--replace", action="store_true", help="delete everything in this database first")
        parser.add_argument("--dry-run", action="store_true", help="load and check, then roll back")

    def handle(self, *args, path: Path, replace: bool, dry_run: bool, **options):
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        if not replace and (
            Proposal.objects.exists() or Delegate.objects.exists() or Article.objects.exists()
        ):
            raise CommandError(
                "this database already has records: restore into an empty one, or use --replace"
            )
        try:
            with transaction.atomic():
                count = restore(path, replace=replace)
                if dry_run:
                    transaction.set_rollback(True)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        verb = "checked (dry run, nothing kept)" if dry_run else "restored"
        self.stdout.write(self.style.SUCCESS(f"{verb} {count} objects from {path}"))
