"""The bulk files' proposals as plain dicts, a keyset chunk at a time, without DRF's per-field machinery.

``ProposalSerializer`` costs about a millisecond a record (a field object per value, nested serializers per
author, theme, source and passage): 17 minutes for a million proposals. Here each chunk of ``CHUNK_SIZE``
published proposals (``id > last ORDER BY id``) costs four ``values_list`` queries over the chunk's id range
(authorships with their delegates, themes, quotes, passages) and the articles quoted for the first time,
and each record is built as the dict the serializer writes: the same keys in the same order, the same
values (times in the current time zone as DRF writes them, URLs as ``SiteUrlField`` writes them). The
comparison with the serializer, record by record, is ``tests/test_bulk_fast.py``; a field added to
``ProposalSerializer`` fails it until it is added here.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Iterator
from datetime import date, datetime, tzinfo
from typing import Any

from django.utils import timezone

from proposals.api.serializers import site_url
from proposals.models import (
    Article,
    Authorship,
    Proposal,
    Quote,
    QuotePassage,
    ReviewStatus,
    Theme,
)
from proposals.models.sources import joined_passages

CHUNK_SIZE = 2000
_Passage = namedtuple("_Passage", "order start end text")  # what joined_passages reads of a QuotePassage
_SENTINEL = 9_876_543_210_123


def _datetime(value: datetime | None, zone: tzinfo) -> str | None:
    """As rest_framework's DateTimeField writes it (ISO 8601, in the current time zone, UTC as Z)."""
    if not value:
        return None
    if timezone.is_naive(value):  # SQLite without time zone support in the connection: stored as UTC
        value = timezone.make_aware(value, zone)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


class _Urls:
    """``SiteUrlField``'s URL of a record, from one reverse() instead of one per record."""

    def __init__(self, site: str, view_name: str, pattern: str):
        class _Request:
            @staticmethod
            def build_absolute_uri(path: str) -> str:
                return f"{site}{path}"

        template = site_url(_Request() if site else None, view_name, _SENTINEL, pattern.format(_SENTINEL))
        self.prefix, _, self.suffix = template.partition(str(_SENTINEL))

    def __call__(self, value: Any) -> str:
        return f"{self.prefix}{value}{self.suffix}"


_COLUMNS = ("id", "title", "summary", "text", "kind", "year", "date", "session", "updated_at")


def _id_ranges() -> Iterator[list[tuple]]:
    """The published proposals' own columns, CHUNK_SIZE rows at a time in id order (keyset, no OFFSET)."""
    last = 0
    while True:
        rows = list(
            Proposal.objects.published()
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list(*_COLUMNS)[:CHUNK_SIZE]
        )
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def rows_between(low: int, high: int) -> list[tuple]:
    """The published proposals' own columns with ids from ``low`` to ``high`` (both included), in id order."""
    return list(
        Proposal.objects.published().filter(pk__gte=low, pk__lte=high).order_by("pk").values_list(*_COLUMNS)
    )


def proposal_records(site: str = "") -> Iterator[dict[str, Any]]:
    """Every published proposal, in id order, as ``ProposalSerializer`` represents it."""
    builder = ProposalRecords(site)
    for rows in _id_ranges():
        yield from builder.chunk(rows)


class ProposalRecords:
    """Builds the records of a chunk of proposals' rows; keeps what chunks share (themes, articles seen)."""

    def __init__(self, site: str = ""):
        self.zone = timezone.get_current_timezone()
        self.url = _Urls(site, "proposal-detail", "/proposals/{}/")
        self.themes = {t[0]: t for t in Theme.objects.order_by().values_list("id", "slug", "name", "order")}
        self.articles: dict[int, dict[str, Any]] = {}

    def chunk(self, rows: list[tuple]) -> Iterator[dict[str, Any]]:
        """The records of ``rows`` (``_COLUMNS`` of published proposals, in id order)."""
        if not rows:
            return
        zone, url, themes, articles = self.zone, self.url, self.themes, self.articles
        published = ReviewStatus.PUBLISHED.value
        low, high = rows[0][0], rows[-1][0]
        in_chunk = {"proposal_id__gte": low, "proposal_id__lte": high}

        authors: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for proposal_id, delegate_id, name, role in (
            Authorship.objects.filter(
                **in_chunk, delegate__status=published, delegate__merged_into__isnull=True
            )
            .order_by("proposal_id", "order", "id")
            .values_list("proposal_id", "delegate_id", "delegate__name", "role")
        ):
            authors[proposal_id].append({"id": delegate_id, "name": name, "role": role})

        tagged: dict[int, list[int]] = defaultdict(list)
        for proposal_id, theme_id in Proposal.themes.through.objects.filter(**in_chunk).values_list(
            "proposal_id", "theme_id"
        ):
            tagged[proposal_id].append(theme_id)

        quotes: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for quote_id, proposal_id, article_id in (
            Quote.objects.filter(**in_chunk)
            .order_by("proposal_id", "id")
            .values_list("id", "proposal_id", "article_id")
        ):
            quotes[proposal_id].append((quote_id, article_id))
        missing = {a for qs in quotes.values() for _, a in qs} - articles.keys()
        if missing:
            for article_id, title, outlet, published_on in Article.objects.filter(pk__in=missing).values_list(
                "id", "title", "outlet", "published_on"
            ):
                articles[article_id] = {
                    "id": article_id,
                    "title": title,
                    "outlet": outlet,
                    "date": _date(published_on),
                }

        passages: dict[int, list[_Passage]] = defaultdict(list)
        for quote_id, *passage in (
            QuotePassage.objects.filter(quote__proposal_id__gte=low, quote__proposal_id__lte=high)
            .order_by("quote_id", "order", "start", "id")
            .values_list("quote_id", "order", "start", "end", "text")
        ):
            passages[quote_id].append(_Passage(*passage))

        for pk, title, summary, text, kind, year, day, session, updated_at in rows:
            sources = []
            for quote_id, article_id in quotes.get(pk, ()):
                parts = passages.get(quote_id, [])
                sources.append(
                    {
                        "article": articles[article_id],
                        "passages": [{"text": p.text, "start": p.start, "end": p.end} for p in parts],
                        "quote": joined_passages(parts),  # type: ignore[arg-type]  # duck-typed passages
                    }
                )
            on = sorted((themes[t] for t in tagged.get(pk, ())), key=lambda t: (t[3], t[0]))
            yield {
                "id": pk,
                "title": title,
                "summary": summary,
                "text": text,
                "kind": kind,
                "year": year,
                "date": _date(day),
                "session": session,
                "status": published,
                "updated_at": _datetime(updated_at, zone),
                "delegates": authors.get(pk, []),
                "themes": [{"slug": t[1], "name": t[2]} for t in on],
                "sources": sources,
                "url": url(pk),
            }
