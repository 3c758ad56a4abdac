"""HTML bits the admin shows: links between records and a quote in the context of its article.

Everything goes through format_html / format_html_join: article text is never trusted as HTML.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from proposals.models import Quote, QuotePassage
from proposals.passages import paragraph_ranges

CONTEXT_CHARS = 240  # at most this many characters of the paragraph either side of the passages


def is_changelist(request) -> bool:
    """Whether the request is for an admin changelist (where list_display's annotations are shown)."""
    match = getattr(request, "resolver_match", None)
    return match is not None and (match.url_name or "").endswith("_changelist")


def admin_url(obj: Model, action: str = "change") -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=[obj.pk])


def admin_link(obj: Model | None, text: str | None = None) -> SafeString | str:
    if obj is None:
        return "—"
    return format_html('<a href="{}">{}</a>', admin_url(obj), text if text is not None else str(obj))


def passage_span(text: str, passage: QuotePassage) -> tuple[int, int] | None:
    """The passage's offsets in the article text, found again if the stored ones are stale."""
    if passage.start is not None and text[passage.start : passage.end] == passage.text:
        return passage.start, passage.end
    found = text.find(passage.text) if passage.text else -1
    return (found, found + len(passage.text)) if found >= 0 else None


def _marked_paragraph(text: str, begin: int, stop: int, spans: list[tuple[int, int]]) -> SafeString:
    """The paragraph text[begin:stop] with each span in <mark>, long context on either side trimmed."""
    parts: list[tuple[str, str]] = []  # (kind, text) with kind "text" or "mark"
    cursor = begin
    for start, end in spans:
        if start > cursor:
            parts.append(("text", text[cursor:start]))
        parts.append(("mark", text[max(start, cursor) : end]))
        cursor = max(cursor, end)
    if stop > cursor:
        parts.append(("text", text[cursor:stop]))
    if parts and parts[0][0] == "text" and len(parts[0][1]) > CONTEXT_CHARS:
        parts[0] = ("text", f"…{parts[0][1][-CONTEXT_CHARS:]}")
    if parts and parts[-1][0] == "text" and len(parts[-1][1]) > CONTEXT_CHARS:
        parts[-1] = ("text", f"{parts[-1][1][:CONTEXT_CHARS]}…")
    return format_html_join(
        "", "{}", ((format_html("<mark>{}</mark>", s) if kind == "mark" else s,) for kind, s in parts)
    )


def quote_in_context(quote: Quote) -> SafeString:
    """One quote: its article (linked) and, for each paragraph its passages fall in, that paragraph with
    the passages marked."""
    article = quote.article
    text = article.text
    spans: list[tuple[int, int]] = []
    missing: list[str] = []
    for passage in quote.passages.all():
        span = passage_span(text, passage)
        if span is None:
            missing.append(passage.text)
        else:
            spans.append(span)
    merged = paragraph_ranges(text, spans)
    source = format_html(
        '<a href="{}">《{}》</a> · {}{}',
        admin_url(article),
        article.title,
        article.outlet_display,
        f" · {article.published_on:%Y-%m-%d}" if article.published_on else "",
    )
    blocks = format_html_join(
        "",
        '<blockquote class="provenance-paragraph">{}</blockquote>',
        ((_marked_paragraph(text, begin, stop, inside),) for begin, stop, inside in merged),
    )
    problems = format_html_join(
        "", '<p class="errornote">引文段落不在文章原文中：{}</p>', ((m,) for m in missing)
    )
    if not merged and not missing:
        blocks = mark_safe('<p class="help">这条引文还没有段落。</p>')
    return format_html(
        '<div class="provenance-quote"><p class="provenance-source">{} · <a href="{}">编辑引文</a></p>{}{}</div>',
        source,
        admin_url(quote),
        blocks,
        problems,
    )


def quotes_in_context(quotes: Iterable[Quote]) -> SafeString | str:
    rendered = [quote_in_context(quote) for quote in quotes]
    if not rendered:
        return "暂无引文：没有引文的建言不应发布。"
    return format_html(
        '<div class="provenance">{}</div>', format_html_join("", "{}", ((r,) for r in rendered))
    )
