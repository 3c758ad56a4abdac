"""Create the local superuser `admin` with a random password, printed once. Used by `make run`."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create a superuser for local development with a random password and print the password once. "
        "If the user already exists, say so and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin", help="user name (default: admin)")
        parser.add_argument("--dry-run", action="store_true", help="say what would be done, write nothing")

    def handle(self, *args, username: str, dry_run: bool, **options):
        users = get_user_model()
        if users._default_manager.filter(**{users.USERNAME_FIELD: username}).exists():
            self.stdout.write(f"user {username!r} already exists; nothing changed")
            return
        if dry_run:
            self.stdout.write(f"dry run: would create superuser {username!r} with a random password")
            return
        password = secrets.token_urlsafe(12)
        users._default_manager.create_superuser(
            **{users.USERNAME_FIELD: username}, email="", password=password
        )
        self.stdout.write(
            self.style.SUCCESS(f"created superuser {username!r}; password (shown once): {password}")
        )
