"""What an empty result offers instead: records whose names contain the query, and the query without filters."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from proposals.models import Delegate, Organisation, Proposal, Theme
from proposals.search import to_simplified

LIMIT = 8


@dataclass
class Suggestions:
    themes: list = field(default_factory=list)
    delegates: list = field(default_factory=list)
    organisations: list = field(default_factory=list)
    unfiltered_count: int | None = None  # the query alone, when other filters emptied the list

    def __bool__(self) -> bool:
        return bool(self.themes or self.delegates or self.organisations or self.unfiltered_count)


def _needles(q: str) -> list[str]:
    """The query's words (simplified), each at least two characters unless the query is one character."""
    words = [w for w in to_simplified(q).split() if w]
    return [w for w in words if len(w) >= 2] or words


def suggest(q: str, *, filtered: bool) -> Suggestions:
    found = Suggestions()
    needles = _needles(q or "")
    if needles:
        theme_q, delegate_q, organisation_q = Q(), Q(), Q()
        for w in needles:
            theme_q |= Q(name__contains=w)
            delegate_q |= Q(name__contains=w) | Q(aliases__name__contains=w)
            organisation_q |= Q(name__contains=w) | Q(short_name__contains=w)
        found.themes = list(Theme.objects.filter(theme_q)[:LIMIT])
        found.delegates = list(
            Delegate.objects.published().filter(delegate_q).distinct().order_by("name")[:LIMIT]
        )
        found.organisations = list(Organisation.objects.filter(organisation_q).order_by("name")[:LIMIT])
    if q and filtered:
        from proposals.filters import ProposalFilterSet

        alone = ProposalFilterSet({"q": q}, queryset=Proposal.objects.published())
        if alone.is_valid():
            found.unfiltered_count = alone.qs.count()
    return found


def date_range_notice(date_after, date_before) -> str:
    if date_after and date_before and date_after > date_before:
        return (
            f"日期范围颠倒了：起始日期 {date_after:%Y-%m-%d} 晚于截止日期 {date_before:%Y-%m-%d}，"
            "因此没有任何结果。请交换两个日期。"
        )
    return ""
