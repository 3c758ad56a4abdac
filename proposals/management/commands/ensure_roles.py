from django.core.management.base import BaseCommand

from proposals.roles import ROLES, ensure_groups


class Command(BaseCommand):
    help = (
        "Create the curator and editor groups if missing and give them exactly their permissions "
        "(migration 0006 makes them; run this after flushing a database). Add people with the admin's user page."
    )

    def handle(self, *args, **options):
        ensure_groups()
        self.stdout.write(self.style.SUCCESS(f"groups ready: {', '.join(ROLES)}"))
