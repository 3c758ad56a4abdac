"""Small, named test data: factories for every curated model, written through the models' own save().

Tests that are not about the curated corpus build the few records they need here, on a database without
the corpus (the ``blank_db`` fixture), so that editing ``fixtures/curation.yaml`` cannot break them.

``ProposalFactory(words=…)`` quotes the words from an article (made for it unless ``article`` is given),
locating the passage as the admin does, and rewrites the proposal's derived columns (``text`` and the
search columns) as the on-commit hook would: tests run inside a transaction that never commits.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import factory
from factory.django import DjangoModelFactory

from proposals.indexing import reindex_proposals
from proposals.models import (
    Article,
    AuthorRole,
    Authorship,
    Body,
    Delegate,
    DelegateAlias,
    Membership,
    Organisation,
    OrganisationKind,
    Position,
    Proposal,
    ProposalKind,
    Quote,
    QuotePassage,
    Region,
    RegionLevel,
    ReviewStatus,
    Theme,
)


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"地区{n}")
    slug = factory.Sequence(lambda n: f"region-{n}")
    level = factory.LazyAttribute(lambda r: RegionLevel.CITY if r.parent else RegionLevel.PROVINCE)
    parent = None


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"机构{n}")
    kind = OrganisationKind.COMPANY


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"主题{n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")
    order = factory.Sequence(lambda n: n)


class DelegateFactory(DjangoModelFactory):
    class Meta:
        model = Delegate

    name = factory.Sequence(lambda n: f"代表{n}号")
    status = ReviewStatus.PUBLISHED


class AliasFactory(DjangoModelFactory):
    class Meta:
        model = DelegateAlias

    delegate = factory.SubFactory(DelegateFactory)
    name = factory.Sequence(lambda n: f"别名{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    delegate = factory.SubFactory(DelegateFactory)
    body = Body.NPC
    region = None


class PositionFactory(DjangoModelFactory):
    class Meta:
        model = Position

    delegate = factory.SubFactory(DelegateFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = "董事长"


class ArticleFactory(DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"文章{n}")
    outlet = "新华社"
    published_on = datetime.date(2024, 3, 5)
    file_name = factory.Sequence(lambda n: f"article-{n}.txt")
    text = "全国两会期间，代表委员提出建议。\n他们关注发展。"


DEFAULT_WORDS = "建议加快发展新质生产力。"


class ProposalFactory(DjangoModelFactory):
    """A proposal with its authors, themes and one quote. ``authors``: delegates or memberships, the first
    the lead; ``themes``: Theme records; ``quote``: the words the delegate said (quoted verbatim from
    ``quote__article``, or from an article made to contain them; ``quote=""`` for none)."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"建言{n}")
    summary = ""
    kind = ProposalKind.SUGGESTION
    year = factory.LazyAttribute(lambda p: p.date.year if p.date else 2024)
    date = datetime.date(2024, 3, 5)
    status = ReviewStatus.PUBLISHED

    @factory.post_generation
    def authors(self, create: bool, extracted: Iterable[Delegate | Membership] | None, **kwargs: Any) -> None:
        for order, author in enumerate(extracted or (), start=1):
            membership = author if isinstance(author, Membership) else None
            Authorship.objects.create(
                proposal=self,
                delegate=membership.delegate if membership else author,
                membership=membership,
                role=AuthorRole.LEAD if order == 1 else AuthorRole.COSIGNER,
                order=order,
            )

    @factory.post_generation
    def themes(self, create: bool, extracted: Iterable[Theme] | None, **kwargs: Any) -> None:
        if extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def quote(
        self, create: bool, extracted: str | None, article: Article | None = None, **kwargs: Any
    ) -> None:
        words = DEFAULT_WORDS if extracted is None else extracted
        if words:
            quote_words(self, words, article)
        reindex_proposals([self.pk])
        self.refresh_from_db()


def quote_words(proposal: Proposal, words: str, article: Article | None = None) -> Quote:
    """Quote these words for the proposal from the article (one made for them if none is given)."""
    if article is None:
        article = ArticleFactory(text=f"记者报道。\n{words}\n会议继续进行。")
    quote = Quote.objects.create(proposal=proposal, article=article)
    QuotePassage.objects.create(quote=quote, order=1, text=words)  # offsets located on save
    return quote


def reindexed(proposal: Proposal) -> Proposal:
    """The proposal with its derived columns rewritten (after its authors, aliases or quotes changed)."""
    reindex_proposals([proposal.pk])
    proposal.refresh_from_db()
    return proposal
