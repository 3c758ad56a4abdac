"""Themes a search query names: 数字经济 finds the proposals on the 数字经济 theme, wherever their text words it
otherwise (ranked below the proposals whose text has the words; see search.apply_search)."""

from __future__ import annotations

import re

from proposals.search import _PHRASE, ParsedQuery, to_simplified

_SPACE = re.compile(r"\s+")


def _compact(text: str) -> str:
    return _SPACE.sub("", to_simplified(text).lower())


def themes_named_in(query: ParsedQuery) -> list:
    """The themes whose name occurs in the query (as written, or in one of its mainland readings)."""
    from proposals.models import Theme

    if not query.raw:
        return []
    # a phrase in quotation marks means exactly these words: it names no theme
    texts = [_compact(_PHRASE.sub(" ", q.raw)) for q in (query, *query.variants)]
    texts = [t for t in texts if t]
    if not texts:
        return []
    return [
        t for t in Theme.objects.only("pk", "slug", "name") if any(_compact(t.name) in text for text in texts)
    ]


def matched_by_theme(proposal, query: ParsedQuery | None) -> list:
    """The named themes this proposal is on (why a theme match matched), for its card."""
    if not query or not query.themes:
        return []
    slugs = {t.slug for t in query.themes}
    return [t for t in proposal.themes.all() if t.slug in slugs]
