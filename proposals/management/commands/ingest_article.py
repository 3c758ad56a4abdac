"""manage.py ingest_article PATH... : articles in, draft delegates and proposals out (issue 9)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from proposals.ingest.reading import ArticleInputError, read_article_file, title_from_text
from proposals.ingest.service import IngestResult, article_ingest, plan_article


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date: {value!r} is not a date (YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = (
        "Ingest news articles (plain-text files, UTF-8 or GB18030, at most 1 MB; HTML is refused): store each "
        "article and create DRAFT delegates, memberships, positions and proposals with verbatim quote "
        "passages. A directory ingests every *.txt in it. The same text or URL twice creates nothing new. "
        "--dry-run --json prints what would be created and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="article files or directories of *.txt")
        parser.add_argument("--title", default="", help="article title (default: its first headline line)")
        parser.add_argument("--outlet", default="", help="the outlet (媒体), e.g. 重庆日报")
        parser.add_argument("--date", type=_date, default=None, help="publication date, YYYY-MM-DD")
        parser.add_argument("--url", default="", help="the article's address")
        parser.add_argument("--dry-run", action="store_true", help="write nothing")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, paths, title, outlet, date, url, dry_run, json: bool, **options):
        files = self._files(paths)
        if len(files) > 1 and (title or url):
            raise CommandError("--title and --url describe one article: give a single file with them")
        results: list[dict] = []
        failures = 0
        bar = tqdm(files, unit="篇", disable=len(files) < 2, file=self.stderr._out)
        for path in bar:
            bar.set_postfix_str(path.name)
            try:
                text = read_article_file(path)
                meta = {"title": title or title_from_text(text, path.stem), "outlet": outlet}
                if dry_run:
                    extraction, existing = plan_article(text, url=url)
                    result = IngestResult(article=existing, created=False, extraction=extraction)
                    data = extraction.as_json({**meta, "date": date.isoformat() if date else None})
                    data["created"] = False
                    data["already_stored"] = existing.pk if existing else None
                else:
                    result = article_ingest(
                        text=text, published_on=date, url=url, file_name=path.name, **meta
                    )
                    data = result.as_json()
            except (ArticleInputError, ValidationError) as error:
                failures += 1
                message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.stderr.write(self.style.ERROR(f"{path}: {message} (nothing written)"))
                continue
            results.append(data)
            if not json:
                for line in self._report(path, result, dry_run):
                    if len(files) > 1:  # tqdm.write keeps the bar below the messages instead of breaking it
                        tqdm.write(line, file=self.stdout._out)
                    else:
                        self.stdout.write(line)
        if json:
            payload = results[0] if len(results) == 1 and len(files) == 1 else results
            self.stdout.write(_dumps(payload))
        if failures:
            raise CommandError(f"{failures} of {len(files)} file(s) not ingested")

    def _files(self, paths: list[Path]) -> list[Path]:
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                files.extend(sorted(p for p in path.glob("*.txt") if p.is_file()))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or directory")
        if not files:
            raise CommandError("no article files found")
        return files

    def _report(self, path: Path, result: IngestResult, dry_run: bool) -> list[str]:
        extraction = result.extraction
        proposals = sum(len(d.proposals) for d in extraction.delegates)
        known = sum(1 for d in extraction.delegates if d.existing_id)
        summary = (
            f"{len(extraction.delegates)} delegate(s) ({known} already in the database), "
            f"{proposals} proposal(s), {len(extraction.skipped_people)} skipped"
        )
        if dry_run:
            lines = [f"{path}: dry run: {summary}; nothing written"]
        elif not result.created or result.article is None:
            stored = result.article.pk if result.article is not None else "?"
            lines = [f"{path}: already stored as article #{stored}; nothing new"]
        else:
            lines = [self.style.SUCCESS(f"{path}: article #{result.article.pk}: {summary} (drafts)")]
        return lines + [f"  warning: {warning}" for warning in extraction.warnings]


def _dumps(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)
