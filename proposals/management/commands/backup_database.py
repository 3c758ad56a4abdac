from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proposals.backup import backup


class Command(BaseCommand):
    help = (
        "Write the whole database (every record, its history, users, groups and the admin log) to a JSON file "
        "(gzip when the name ends in .gz) that restore_database loads on SQLite or PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            size = backup(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"wrote {path} ({size} bytes)"))
