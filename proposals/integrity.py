"""The standing check: everything the integrity rules promise, verified against the database.

``find_problems`` returns one readable line per problem; ``manage.py check_integrity`` prints them and
exits non-zero when there is any (run it from cron, and after every load).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch

from proposals.indexing import delegate_words
from proposals.models import (
    Article,
    Authorship,
    Delegate,
    DelegateAlias,
    Membership,
    Position,
    Proposal,
    Quote,
    QuotePassage,
    Region,
    ReviewStatus,
)
from proposals.models.sources import text_hash
from proposals.names import has_honorific
from proposals.normalise import normalise_article_text
from proposals.pair_signature import signature

BATCH = 2000


@dataclass(frozen=True)
class Problem:
    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where}: {self.detail}"


def _articles() -> Iterator[Problem]:
    for article in Article.objects.order_by("pk").iterator(chunk_size=100):
        where = f"article #{article.pk}"
        if normalise_article_text(article.text) != article.text:
            yield Problem("article-normal-form", where, "the text is not in its normal form")
        if article.text_hash != text_hash(article.text):
            yield Problem("article-hash", where, "text_hash does not match the text")


def _passages() -> Iterator[Problem]:
    texts: dict[int, str] = {}
    passages = QuotePassage.objects.select_related("quote").order_by("quote__article_id", "pk")
    for passage in passages.iterator(chunk_size=BATCH):
        article_id = passage.quote.article_id
        if article_id not in texts:
            texts = {article_id: Article.objects.values_list("text", flat=True).get(pk=article_id)}
        if texts[article_id][passage.start : passage.end] != passage.text:
            yield Problem(
                "passage-offsets",
                f"passage #{passage.pk} (proposal #{passage.quote.proposal_id})",
                f"its text is not the article's text at {passage.start}–{passage.end}",
            )


def _evidence() -> Iterator[Problem]:
    for model in (Membership, Position):
        facts = model.objects.exclude(evidence="").select_related("article").order_by("pk")
        for fact in facts.iterator(chunk_size=BATCH):
            if fact.article is None or fact.evidence not in fact.article.text:
                yield Problem(
                    "evidence", f"{model._meta.model_name} #{fact.pk}", "evidence not in its article"
                )


def _published_proposals() -> Iterator[Problem]:
    passages = QuotePassage.objects.filter(quote__proposal=OuterRef("pk"))
    for pk in Proposal.objects.published().filter(~Exists(passages)).values_list("pk", flat=True):
        yield Problem("published-without-quote", f"proposal #{pk}", "published without a verbatim quote")
    hidden_author = Authorship.objects.filter(proposal=OuterRef("pk")).exclude(
        delegate__in=Delegate.objects.published()
    )
    for pk in Proposal.objects.published().filter(Exists(hidden_author)).values_list("pk", flat=True):
        yield Problem("published-points-at-unpublished", f"proposal #{pk}", "an author is not published")
    proposals = Proposal.objects.published().prefetch_related(
        Prefetch("quotes", queryset=Quote.objects.select_related("article").defer("article__text")),
        "quotes__passages",
    )
    for proposal in proposals.order_by("pk").iterator(chunk_size=BATCH):
        if proposal.text != delegate_words(proposal):
            yield Problem(
                "derived-text", f"proposal #{proposal.pk}", "its words are not its quotes' passages"
            )


def _delegates() -> Iterator[Problem]:
    merged = Delegate.objects.filter(merged_into__isnull=False).select_related("merged_into")
    for delegate in merged.iterator(chunk_size=BATCH):
        survivor = delegate.survivor()
        if survivor.merged_into_id:
            yield Problem("merge-cycle", f"delegate #{delegate.pk}", "its merges go round in a circle")
        elif delegate.first_published_at and survivor.status != ReviewStatus.PUBLISHED:
            yield Problem(
                "published-points-at-unpublished",
                f"delegate #{delegate.pk}",
                f"merged into #{survivor.pk}, which is not published: its old URL leads nowhere",
            )
    for alias in DelegateAlias.objects.select_related("delegate").iterator(chunk_size=BATCH):
        if has_honorific(alias.name) or alias.name == alias.delegate.name:
            yield Problem(
                "alias", f"alias #{alias.pk} “{alias.name}”", "a form of address or the name itself"
            )


def _regions() -> Iterator[Problem]:
    paths = dict(Region.objects.values_list("pk", "path"))
    for region in Region.objects.order_by("pk"):
        expected = f"{paths.get(region.parent_id, '/') if region.parent_id else '/'}{region.slug}/"
        if region.path != expected:
            yield Problem("region-path", f"region {region.slug}", f"path {region.path} should be {expected}")


def _filter_keys() -> Iterator[Problem]:
    from proposals.filter_keys import stale_ids

    for pk in stale_ids():
        yield Problem(
            "filter-keys",
            f"proposal #{pk}",
            "its filter keys differ from its themes, authors and their seats (run rebuild_search_index)",
        )


def _signatures() -> Iterator[Problem]:
    rows = Proposal.objects.order_by("pk").values_list("pk", "search_plain", "search_signature")
    for pk, plain, stored in rows.iterator(chunk_size=BATCH):
        if stored != signature(plain):
            yield Problem(
                "search-signature",
                f"proposal #{pk}",
                "its pair signature is not that of its search text (run rebuild_search_index)",
            )


CHECKS = [
    _articles,
    _passages,
    _evidence,
    _published_proposals,
    _delegates,
    _regions,
    _filter_keys,
    _signatures,
]


def find_problems() -> list[Problem]:
    return [problem for check in CHECKS for problem in check()]
