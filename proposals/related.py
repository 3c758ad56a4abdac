"""Related proposals (shared themes and jieba keywords) and a delegate's co-signers: plain reads."""

from __future__ import annotations

from django.db.models import Count, Q

from proposals.models import Authorship, Delegate, Proposal
from proposals.search import segment

CANDIDATES = 200
KEYWORD_PROBES = 3
THEME_WEIGHT = 3

# Words every proposal of this corpus shares: they say nothing about relatedness.
COMMON = {
    "发展",
    "新质",
    "生产力",
    "新质生产力",
    "推动",
    "加快",
    "建议",
    "提案",
    "加强",
    "推进",
    "建设",
    "全国",
    "代表",
    "委员",
}


def keywords(proposal: Proposal) -> set[str]:
    """The proposal's jieba words of two or more characters (title and summary), common words left out."""
    words = segment(f"{proposal.title} {proposal.summary}")
    return {w for w in words if len(w) >= 2 and w not in COMMON}


def related_proposals(proposal: Proposal, limit: int = 5) -> list[Proposal]:
    """Published proposals on the same themes or with the same keywords, the closest first; each with
    ``shared_themes`` and ``shared_words`` (why it is related)."""
    theme_ids = list(proposal.themes.values_list("pk", flat=True))
    words = keywords(proposal)
    probes = sorted(words, key=lambda w: (-len(w), w))[:KEYWORD_PROBES]
    condition = Q(themes__in=theme_ids) if theme_ids else Q(pk__in=[])
    for word in probes:
        condition |= Q(search_plain__contains=word)
    candidate_ids = list(
        Proposal.objects.published()
        .filter(condition)
        .exclude(pk=proposal.pk)
        .values_list("pk", flat=True)
        .distinct()[:CANDIDATES]
    )
    candidates = Proposal.objects.filter(pk__in=candidate_ids).prefetch_related(
        "themes", "authorships__delegate"
    )
    scored = []
    own_themes = set(theme_ids)
    for other in candidates:
        other.shared_themes = [t for t in other.themes.all() if t.pk in own_themes]
        other.shared_words = sorted(words & keywords(other))
        score = THEME_WEIGHT * len(other.shared_themes) + len(other.shared_words)
        if score:
            scored.append((score, other.date is not None, other.date, other.pk, other))
    scored.sort(key=lambda s: (-s[0], not s[1], s[2] and -s[2].toordinal(), -s[3]))
    return [s[-1] for s in scored[:limit]]


def cosigners(delegate: Delegate):
    """Published delegates who signed a published proposal with this one, with how many (``n``), most first."""
    together = Authorship.objects.filter(delegate=delegate, proposal__status="published").values(
        "proposal_id"
    )
    return (
        Delegate.objects.published()
        .exclude(pk=delegate.pk)
        .filter(authorships__proposal_id__in=together)
        .annotate(n=Count("authorships__proposal_id", distinct=True))
        .order_by("-n", "name", "id")
    )
