"""Re-anchoring quoted passages when an article's text changes. Plain functions over strings and offsets.

A passage is kept where it is when its words are still at its offsets; otherwise it moves to the one place
in the new text where the same words occur. When they occur several times, the place the surrounding text
moved to decides (a character diff of the old and the new text); when that does not single one out, or
the words are gone, the passage is broken and the change must be refused.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Moved:
    old: Anchor
    start: int | None  # None: broken (the words are gone, or their new place is ambiguous)
    reason: str = ""

    @property
    def broken(self) -> bool:
        return self.start is None

    @property
    def end(self) -> int | None:
        return None if self.start is None else self.start + len(self.old.text)


def occurrences(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at >= 0 and needle:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _position_map(old: str, new: str):
    """A function old offset -> new offset (None where the character was replaced or deleted)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    blocks = matcher.get_matching_blocks()

    def where(offset: int) -> int | None:
        for a, b, size in blocks:
            if a <= offset < a + size:
                return b + (offset - a)
        return None

    return where


def reanchor(old_text: str, new_text: str, anchors: list[Anchor]) -> list[Moved]:
    """Where each passage of old_text goes in new_text (see the module docstring)."""
    results: list[Moved] = []
    where = None
    for anchor in anchors:
        if new_text[anchor.start : anchor.end] == anchor.text:
            results.append(Moved(anchor, anchor.start))
            continue
        places = occurrences(new_text, anchor.text)
        if len(places) == 1:
            results.append(Moved(anchor, places[0]))
            continue
        if not places:
            results.append(Moved(anchor, None, "原文中已找不到这段文字"))
            continue
        if where is None:
            where = _position_map(old_text, new_text)
        mapped = where(anchor.start)
        if mapped in places:
            results.append(Moved(anchor, mapped))
        else:
            results.append(Moved(anchor, None, f"这段文字在新原文中出现 {len(places)} 次，无法确定是哪一处"))
    return results
