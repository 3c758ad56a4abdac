"""CSV downloads of what a reader sees: every matching row, streamed, labels beside the codes.

The public lists (the home list with its filters and search, a theme, a delegate, a region, an
organisation) link to ``/proposals.csv?<the same parameters>``; the API streams a whole filtered list for
``?format=csv`` without ``page_size``/``cursor``. Both stop at ``MAX_ROWS`` rows and then end with a row
that says so (and the ``X-Rows-Truncated`` header), so that nobody takes a cut file for the whole list.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

BOM = "\ufeff"
MAX_ROWS = 100_000
CHUNK = 500
SEPARATOR = "; "


class _Echo:
    def write(self, value: str) -> str:
        return value


def truncation_note(total: int) -> str:
    return (
        f"注意：共有 {total} 条符合条件，超过单个文件的上限 {MAX_ROWS} 条，这里只有前 {MAX_ROWS} 条。"
        "请缩小筛选条件，或下载整库文件 /api/v1/bulk/。"
    )


def chunks(queryset, size: int = CHUNK) -> Iterator[list]:
    """The records of a queryset a chunk at a time (its prefetches run once per chunk)."""
    chunk: list = []
    for obj in queryset.iterator(chunk_size=size):
        chunk.append(obj)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def csv_response(
    filename: str,
    header: list[str],
    queryset,
    rows_of: Callable[[list], Iterable[list[Any]]],
) -> StreamingHttpResponse:
    """A streamed CSV (UTF-8 with BOM) of at most MAX_ROWS records of the queryset."""
    total = queryset.count()
    truncated = total > MAX_ROWS
    writer = csv.writer(_Echo(), lineterminator="\r\n")

    def lines() -> Iterator[str]:
        yield BOM + writer.writerow(header)
        for chunk in chunks(queryset[:MAX_ROWS] if truncated else queryset):
            for row in rows_of(chunk):
                yield writer.writerow([cell(v) for v in row])
        if truncated:
            yield writer.writerow([truncation_note(total)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Total-Count"] = str(total)
    response["X-Rows-Cap"] = str(MAX_ROWS)
    if truncated:
        response["X-Rows-Truncated"] = "true"
    return response


# A cell starting with one of these is a formula to a spreadsheet (CSV injection): written behind a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return f"'{text}" if isinstance(value, str) and text.startswith(FORMULA_START) else text


# --- the public site's proposals, with labels ---------------------------------------------------------------

PROPOSAL_HEADER = [
    "编号",
    "标题",
    "类型代码",
    "类型",
    "日期",
    "年份",
    "会议",
    "提出者",
    "提出者编号",
    "署名",
    "身份代码",
    "身份",
    "主题代码",
    "主题",
    "编者摘要",
    "原话",
    "来源媒体",
    "来源文章",
    "来源文章编号",
    "网址",
]


def proposal_rows(proposals: list, base_url: str) -> Iterator[list[Any]]:
    for p in proposals:
        authorships = list(p.authorships.all())
        themes = list(p.themes.all())
        quotes = list(p.quotes.all())
        memberships = [a.membership for a in authorships if a.membership_id]
        yield [
            p.pk,
            p.title,
            p.kind,
            p.get_kind_display(),
            p.date.isoformat() if p.date else "",
            p.year,
            p.session,
            SEPARATOR.join(a.delegate.name for a in authorships),
            SEPARATOR.join(str(a.delegate_id) for a in authorships),
            SEPARATOR.join(a.get_role_display() for a in authorships),
            SEPARATOR.join(m.body for m in memberships),
            SEPARATOR.join(m.label for m in memberships),
            SEPARATOR.join(t.slug for t in themes),
            SEPARATOR.join(t.name for t in themes),
            p.summary,
            p.text,
            SEPARATOR.join(q.article.outlet or "媒体未注明" for q in quotes),
            SEPARATOR.join(q.article.title for q in quotes),
            SEPARATOR.join(str(q.article_id) for q in quotes),
            f"{base_url}{p.get_absolute_url()}",
        ]
