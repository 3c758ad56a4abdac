"""Quoted passages inside their article text: paragraphs split into plain and marked segments.

Plain functions over strings and offsets, used by the proposal page (the paragraph around each quote) and
the article page (the whole text, every quoted passage marked).
"""

from __future__ import annotations

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
    ranges: list[tuple[int, int]] = []
    for s in sorted(spans, key=lambda s: s.start):
        begin, stop = paragraph_bounds(text, s.start, s.end)
        if ranges and begin <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(stop, ranges[-1][1]))
        else:
            ranges.append((begin, stop))
    out: list[list[Segment]] = []
    for begin, stop in ranges:
        out.extend(marked_paragraphs(text, spans, begin, stop))
    return out
