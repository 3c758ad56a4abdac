"""Reviewing an ingested article: its draft records, confirming, rejecting and promoting skipped people.

Publishing goes through the transition services of ``proposals.services``; rejecting removes only what
the ingestion of *this* article added (a draft created for it, or this article's quote and evidence).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from proposals import workflow
from proposals.ingest.extract import SkippedPerson, extract_article
from proposals.models import (
    Article,
    Authorship,
    Delegate,
    Membership,
    Position,
    Proposal,
    Quote,
    ReviewStatus,
)


@dataclass
class ArticleDrafts:
    """The records resting on one article, in the order the article names them."""

    article: Article
    delegates: list[Delegate] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    skipped: list[SkippedPerson] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return sum(1 for r in [*self.delegates, *self.proposals] if r.status != ReviewStatus.PUBLISHED)


def article_drafts(article: Article) -> ArticleDrafts:
    """Every delegate, proposal, quote, membership and position this article supports."""
    quotes = list(
        Quote.objects.filter(article=article)
        .select_related("proposal")
        .prefetch_related("passages", "proposal__themes", "proposal__authorships__delegate")
        .order_by("pk")
    )
    memberships = list(Membership.objects.filter(article=article).select_related("region", "delegate"))
    positions = list(Position.objects.filter(article=article).select_related("organisation", "delegate"))
    proposals = list(dict.fromkeys(q.proposal for q in quotes))
    delegate_ids = [m.delegate_id for m in memberships] + [p.delegate_id for p in positions]
    delegate_ids += [a.delegate_id for p in proposals for a in p.authorships.all()]
    delegates = Delegate.objects.filter(pk__in=delegate_ids).prefetch_related(
        "memberships__region", "positions"
    )
    order = {pk: i for i, pk in reversed(list(enumerate(delegate_ids)))}
    known = {d.name for d in delegates}
    skipped = [p for p in extract_article(article.text).skipped_people if p.name not in known]
    return ArticleDrafts(
        article=article,
        delegates=sorted(delegates, key=lambda d: order[d.pk]),
        proposals=proposals,
        quotes=quotes,
        memberships=memberships,
        positions=positions,
        skipped=skipped,
    )


@transaction.atomic
def review_confirm(
    *, delegates: list[Delegate], proposals: list[Proposal], user: Any = None
) -> tuple[int, str]:
    """Confirm these drafts: an editor publishes them, a curator (who may not publish) sends them to
    review. Delegates first: a published proposal shows its people. Returns (how many moved, the state)."""
    name = "publish" if all(workflow.can(user, m, "publish") for m in (Delegate, Proposal)) else "submit"
    moved = sum(
        workflow.transition(model=model, pks=[r.pk for r in records], name=name, user=user)
        for model, records in ((Delegate, delegates), (Proposal, proposals))
        if records
    )
    return moved, ("已发布" if name == "publish" else "待审核")


@transaction.atomic
def review_reject_proposal(*, article: Article, proposal: Proposal) -> None:
    """Drop this article's quote of the proposal; a draft left with no quote at all is deleted."""
    Quote.objects.filter(article=article, proposal=proposal).delete()
    if proposal.status == ReviewStatus.DRAFT and not proposal.quotes.exists():
        proposal.delete()


@transaction.atomic
def review_reject_delegate(*, article: Article, delegate: Delegate) -> None:
    """Drop what this article says about the delegate; a draft that rests on nothing else is deleted."""
    for quote in Quote.objects.filter(article=article, proposal__authorships__delegate=delegate):
        review_reject_proposal(article=article, proposal=quote.proposal)
    Membership.objects.filter(article=article, delegate=delegate).delete()
    Position.objects.filter(article=article, delegate=delegate).delete()
    rests_elsewhere = (
        Authorship.objects.filter(delegate=delegate).exists()
        or Membership.objects.filter(delegate=delegate).exists()
        or Position.objects.filter(delegate=delegate).exists()
    )
    if delegate.status == ReviewStatus.DRAFT and not rests_elsewhere:
        delegate.delete()


@transaction.atomic
def skipped_promote(*, article: Article, name: str, reason: str) -> Delegate:
    """Make a skipped person a draft delegate (the curator adds the body and proposals on its form)."""
    existing: Delegate | None = (
        Delegate.objects.filter(Q(name=name) | Q(aliases__name=name)).distinct().first()
    )
    if existing is not None:
        return existing
    delegate = Delegate(
        name=name,
        status=ReviewStatus.DRAFT,
        note=f"从文章《{article.title[:60]}》中被跳过的人物提升（原因：{reason}），请补充身份。",
    )
    delegate.full_clean()
    delegate.save()
    return delegate
