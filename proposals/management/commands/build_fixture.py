from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from proposals.curation import CurationError, build


class Command(BaseCommand):
    help = "Build fixtures/corpus.json from the curated fixtures/curation.yaml and the article texts."

    def add_arguments(self, parser):
        fixtures = Path(settings.BASE_DIR) / "fixtures"
        parser.add_argument("--source", type=Path, default=fixtures / "curation.yaml")
        parser.add_argument("--articles", type=Path, default=fixtures / "articles")
        parser.add_argument("--output", type=Path, default=fixtures / "corpus.json")
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")

    def handle(self, *args, source: Path, articles: Path, output: Path, dry_run: bool, **options):
        try:
            built = build(source, articles)
        except (CurationError, OSError, KeyError, TypeError, yaml.YAMLError) as exc:
            raise CommandError(f"{source}: {exc}") from exc
        counts: dict[str, int] = {}
        for obj in built.objects:
            counts[obj["model"]] = counts.get(obj["model"], 0) + 1
        summary = ", ".join(f"{model.split('.')[1]} {n}" for model, n in sorted(counts.items()))
        if dry_run:
            self.stdout.write(f"valid: {summary}")
            return
        output.write_text(built.dumps(), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"wrote {output}: {summary}"))
