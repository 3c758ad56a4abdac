"""Quoted passages inside their article text: paragraphs split into plain and marked segments.

Plain functions over strings and offsets, used by the proposal page (the paragraph around each quote), the
article page (the whole text, every quoted passage marked) and the admin (a quote in its paragraphs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    anchor: str = ""  # the id of the first segment of this span (for links to #anchor)
    href: str = ""
    title: str = ""


@dataclass
class Segment:
    text: str
    spans: list[Span] = field(default_factory=list)
    anchor: str = ""

    @property
    def marked(self) -> bool:
        return bool(self.spans)

    @property
    def span(self) -> Span | None:
        return self.spans[0] if self.spans else None


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph around [start, end): from the newline before it to the newline after it."""
    begin = text.rfind("\n", 0, start) + 1
    stop = text.find("\n", end)
    return begin, len(text) if stop < 0 else stop


def paragraph_ranges(
    text: str, spans: Iterable[tuple[int, int]]
) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """The paragraphs around these (start, end) spans, in text order, overlapping ones merged: each as
    (begin, stop, the spans inside it in order)."""
    merged: list[tuple[int, int, list[tuple[int, int]]]] = []
    for start, end in sorted(spans):
        begin, stop = paragraph_bounds(text, start, end)
        if merged and begin <= merged[-1][1]:
            first, last, inside = merged[-1]
            merged[-1] = (first, max(last, stop), [*inside, (start, end)])
        else:
            merged.append((begin, stop, [(start, end)]))
    return merged


def marked_paragraphs(
    text: str, spans: list[Span], start: int = 0, end: int | None = None
) -> list[list[Segment]]:
    """The text between start and end as paragraphs (blank lines dropped), each a list of segments.

    A segment is a run of characters covered by the same spans; overlapping spans split into several.
    """
    end = len(text) if end is None else end
    cuts = {start, end}
    for s in spans:
        cuts.update(p for p in (s.start, s.end) if start < p < end)
    for i, ch in enumerate(text[start:end], start):
        if ch == "\n":
            cuts.update((i, i + 1))
    points = sorted(cuts)
    paragraphs: list[list[Segment]] = []
    current: list[Segment] = []
    anchored: set[str] = set()
    for a, b in zip(points, points[1:], strict=False):
        chunk = text[a:b]
        if chunk == "\n":
            if current:
                paragraphs.append(current)
            current = []
            continue
        covering = [s for s in spans if s.start <= a and b <= s.end]
        anchor = ""
        for s in covering:
            if s.anchor and s.anchor not in anchored:
                anchored.add(s.anchor)
                anchor = anchor or s.anchor
        if chunk.strip() or current:
            current.append(Segment(chunk, covering, anchor))
    if current:
        paragraphs.append(current)
    return [p for p in paragraphs if "".join(seg.text for seg in p).strip()]


def quote_paragraphs(text: str, spans: list[Span]) -> list[list[Segment]]:
    """The paragraphs of an article that contain these spans, each with the spans marked."""
    out: list[list[Segment]] = []
    for begin, stop, _ in paragraph_ranges(text, ((s.start, s.end) for s in spans)):
        out.extend(marked_paragraphs(text, spans, begin, stop))
    return out


_HEADING = re.compile(r"^(#{1,6})[ \t\u3000]+")


@dataclass
class Block:
    """A paragraph as the page shows it: ``p``, or a heading where the source text marks one with ``#``."""

    tag: str
    segments: list[Segment]


def blocks(paragraphs: list[list[Segment]], top: int = 2) -> list[Block]:
    """Paragraphs as blocks: a line starting with ``#`` … ``######`` and a space (Markdown-style headings in
    the article's own text) becomes a heading ``h{top}`` … (the marks are not shown); others are ``p``.

    The page's own h1 is the article title, so the text's ``#`` becomes h2 by default."""
    out: list[Block] = []
    for paragraph in paragraphs:
        first = paragraph[0] if paragraph else None
        match = _HEADING.match(first.text) if first is not None else None
        if first is None or match is None:
            out.append(Block("p", paragraph))
            continue
        level = min(6, top + len(match.group(1)) - 1)
        stripped = Segment(first.text[match.end() :], first.spans, first.anchor)
        out.append(Block(f"h{level}", [stripped, *paragraph[1:]]))
    return out
