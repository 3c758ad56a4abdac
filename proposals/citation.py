"""A citation line a reader can copy: who, what, where it was reported, when, and this page's permanent URL."""

from __future__ import annotations

from datetime import date

from proposals.licence import ATTRIBUTION

NO_DATE = "报道未注明日期"


def source_text(article) -> str:
    """“outlet《title》，date” with what the report does not give said plainly."""
    outlet = article.outlet or "媒体未注明"
    when = (
        f"{article.published_on.year}年{article.published_on.month}月{article.published_on.day}日"
        if article.published_on
        else NO_DATE
    )
    return f"{outlet}《{article.title}》，{when}"


def citation_line(proposal, authorships, articles, url: str, accessed: date | None = None) -> str:
    """One line in the common Chinese reference style (GB/T 7714-like)."""
    names = "、".join(a.delegate.name for a in authorships) or "提出者未注明"
    sources = "；".join(source_text(a) for a in articles) or "来源未注明"
    accessed = accessed or date.today()
    return (
        f"{names}：《{proposal.title}》（{proposal.get_kind_display()}，{proposal.year}年）。"
        f"据{sources}。{ATTRIBUTION}，{url}（{accessed:%Y-%m-%d}访问）。"
    )
