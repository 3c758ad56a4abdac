"""The bulk files' proposals as plain dicts, a keyset chunk at a time, without DRF's per-field machinery.

``ProposalSerializer`` costs about a millisecond a record (a field object per value, nested serializers per
author, theme, source and passage): 17 minutes for a million proposals. Here each chunk of ``CHUNK_SIZE``
published proposals (``id > last ORDER BY id``) costs four ``values_list`` queries over the chunk's id range
(authorships with their delegates, themes, quotes with their articles, passages), and each record is built as the dict the serializer writes: the same keys in the same order, the same
values (times in the current time zone as DRF writes them, URLs as ``SiteUrlField`` writes them). The
comparison with the serializer, record by record, is ``tests/test_bulk_fast.py``; a field added to
``ProposalSerializer`` fails it until it is added here. The API's list pages are built the same way
(``page_records``, tests/test_api_page_records.py).
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Iterator
from datetime import date, datetime, tzinfo
from typing import Any

from django.utils import timezone

from proposals.api.serializers import site_url
from proposals.models import (
    Authorship,
    Proposal,
    Quote,
    QuotePassage,
    ReviewStatus,
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


# A proposal's own columns in its record (the rest is read per chunk or page by RecordBuilder).
ROW_COLUMNS = ("id", "title", "summary", "text", "kind", "year", "date", "session", "updated_at")


def _id_ranges() -> Iterator[list[tuple]]:
    """The published proposals' own columns, CHUNK_SIZE rows at a time in id order (keyset, no OFFSET)."""
    last = 0
    while True:
        rows = list(
            Proposal.objects.published()
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list(*ROW_COLUMNS)[:CHUNK_SIZE]
        )
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def rows_between(low: int, high: int) -> list[tuple]:
    """The published proposals' own columns with ids from ``low`` to ``high`` (both included), in id order."""
    return list(
        Proposal.objects.published()
        .filter(pk__gte=low, pk__lte=high)
        .order_by("pk")
        .values_list(*ROW_COLUMNS)
    )


def proposal_records(site: str = "") -> Iterator[dict[str, Any]]:
    """Every published proposal, in id order, as ``ProposalSerializer`` represents it."""
    builder = RecordBuilder(site)
    for rows in _id_ranges():
        yield from builder.chunk(rows)


def page_records(proposals: list[Proposal], site: str = "") -> list[dict[str, Any]]:
    """A page of published proposals (instances with at least ``ROW_COLUMNS`` loaded), in its order, as
    ``ProposalSerializer`` represents them: the API's lists, four small queries whatever the page's size
    instead of DRF's per-field work (about 2 ms a record)."""
    rows = [tuple(getattr(p, "pk" if c == "id" else c) for c in ROW_COLUMNS) for p in proposals]
    return list(RecordBuilder(site).records(rows, {"proposal_id__in": [row[0] for row in rows]}))


class RecordBuilder:
    """Builds proposals' records from their own columns (``ROW_COLUMNS`` tuples) and their related rows,
    read for a set of proposals given as a lookup on ``proposal_id`` (an id range, a list of ids)."""

    def __init__(self, site: str = "") -> None:
        self.zone = timezone.get_current_timezone()
        self.url = _Urls(site, "proposal-detail", "/proposals/{}/")
        self.articles: dict[int, dict[str, Any]] = {}  # built once, however many chunks quote them

    def chunk(self, rows: list[tuple]) -> Iterator[dict[str, Any]]:
        """The records of ``rows`` (``ROW_COLUMNS`` of published proposals, in id order)."""
        if rows:
            yield from self.records(rows, {"proposal_id__gte": rows[0][0], "proposal_id__lte": rows[-1][0]})

    def records(self, rows: list[tuple], in_set: dict[str, Any]) -> Iterator[dict[str, Any]]:
        published = ReviewStatus.PUBLISHED.value
        articles, zone, url = self.articles, self.zone, self.url
        authors: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for proposal_id, delegate_id, name, role in (
            Authorship.objects.filter(
                **in_set, delegate__status=published, delegate__merged_into__isnull=True
            )
            .order_by("proposal_id", "order", "id")
            .values_list("proposal_id", "delegate_id", "delegate__name", "role")
        ):
            authors[proposal_id].append({"id": delegate_id, "name": name, "role": role})

        tagged: dict[int, list[tuple]] = defaultdict(list)  # (order, id, slug, name) of each theme
        for proposal_id, *theme in Proposal.themes.through.objects.filter(**in_set).values_list(
            "proposal_id", "theme__order", "theme_id", "theme__slug", "theme__name"
        ):
            tagged[proposal_id].append(tuple(theme))

        quotes: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for quote_id, proposal_id, article_id, title, outlet, published_on in (
            Quote.objects.filter(**in_set)
            .order_by("proposal_id", "id")
            .values_list(
                "id",
                "proposal_id",
                "article_id",
                "article__title",
                "article__outlet",
                "article__published_on",
            )
        ):
            quotes[proposal_id].append((quote_id, article_id))
            if article_id not in articles:
                articles[article_id] = {
                    "id": article_id,
                    "title": title,
                    "outlet": outlet,
                    "date": _date(published_on),
                }

        passages: dict[int, list[_Passage]] = defaultdict(list)
        for quote_id, *passage in (
            QuotePassage.objects.filter(**{f"quote__{lookup}": value for lookup, value in in_set.items()})
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
            on = sorted(tagged.get(pk, ()))  # in the themes' order, then by id
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
                "themes": [{"slug": t[2], "name": t[3]} for t in on],
                "sources": sources,
                "url": url(pk),
            }
