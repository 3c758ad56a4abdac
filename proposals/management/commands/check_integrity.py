from django.core.management.base import BaseCommand, CommandError

from proposals.integrity import find_problems


class Command(BaseCommand):
    help = (
        "Check every integrity rule: passages verbatim at their offsets, published proposals with a verbatim "
        "quote, no published record pointing at an unpublished one, region paths, aliases, articles in "
        "normal form. Prints each problem; exits non-zero when there is any. Run it from cron."
    )

    def handle(self, *args, **options):
        problems = find_problems()
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} integrity problem(s) found")
        self.stdout.write(self.style.SUCCESS("integrity: no problems found"))
