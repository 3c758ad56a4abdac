"""Names as written in the press: forms of address are not part of a name."""

from __future__ import annotations

# 代表 and 委员 are how a report addresses a deputy or a member ("雷军代表"), not a name.
HONORIFICS = ("代表委员", "代表", "委员")


def strip_honorific(name: str) -> str:
    """雷军代表 -> 雷军; a name that is only an honorific, or has none, is returned stripped of spaces."""
    name = name.strip()
    for suffix in HONORIFICS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)].strip()
    return name


def has_honorific(name: str) -> bool:
    return strip_honorific(name) != name.strip()
