from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from proposals.curation import CurationError
from proposals.ingest.regenerate import CorrectionError, derive_from_curation, dumps, regenerate


class Command(BaseCommand):
    help = (
        "Build fixtures/corpus.json from the ingestion pipeline's drafts of the seed articles plus the "
        "curator corrections (fixtures/corrections.yaml) and the reference data (fixtures/reference.yaml); "
        "--derive rewrites the corrections from fixtures/curation.yaml."
    )

    def add_arguments(self, parser):
        fixtures = Path(settings.BASE_DIR) / "fixtures"
        parser.add_argument("--reference", type=Path, default=fixtures / "reference.yaml")
        parser.add_argument("--corrections", type=Path, default=fixtures / "corrections.yaml")
        parser.add_argument("--articles", type=Path, default=fixtures / "articles")
        parser.add_argument("--output", type=Path, default=fixtures / "corpus.json")
        parser.add_argument(
            "--derive",
            type=Path,
            metavar="CURATION_YAML",
            help="write the corrections that turn the drafts into this curated file, then stop",
        )
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")

    def handle(self, *args, reference, corrections, articles, output, derive, dry_run, **options):
        try:
            if derive is not None:
                text = dumps(derive_from_curation(reference, derive, articles))
                if not dry_run:
                    corrections.write_text(text, encoding="utf-8")
                self.stdout.write(f"corrections: {len(text.splitlines())} lines, {len(text.encode())} bytes")
                return
            built = regenerate(reference, corrections, articles)
        except (CurationError, CorrectionError, OSError, KeyError, TypeError, yaml.YAMLError) as exc:
            raise CommandError(f"{corrections}: {exc}") from exc
        counts: dict[str, int] = {}
        for obj in built.objects:
            counts[obj["model"]] = counts.get(obj["model"], 0) + 1
        summary = ", ".join(f"{model.split('.')[1]} {n}" for model, n in sorted(counts.items()))
        if dry_run:
            self.stdout.write(f"valid: {summary}")
            return
        output.write_text(built.dumps(), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"wrote {output}: {summary}"))
