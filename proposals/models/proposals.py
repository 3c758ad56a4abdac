"""Proposals (what a delegate proposed or said), their authors and the controlled vocabulary of themes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from simple_history.models import HistoricalRecords

from proposals.models.base import Reviewed, ReviewStatus, TimeStamped
from proposals.models.sources import Quote, QuotePassage
from proposals.pair_signature import SignatureField

if TYPE_CHECKING:
    from proposals.models.people import Delegate


class Theme(TimeStamped):
    name = models.CharField("名称", max_length=32, unique=True)
    slug = models.SlugField(
        "网址标识", max_length=64, unique=True, help_text="ASCII，如 artificial-intelligence"
    )
    description = models.TextField("说明", blank=True)
    keywords = models.TextField("关键词", blank=True, help_text="用于自动标注的 jieba 关键词，以空格分隔")
    order = models.PositiveSmallIntegerField("排序", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "主题"
        verbose_name_plural = "主题"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return self.keywords.split()

    def get_absolute_url(self) -> str:
        return reverse("theme-detail", args=[self.slug])


class ProposalKind(models.TextChoices):
    SUGGESTION = "suggestion", "建议"
    PROPOSAL = "proposal", "提案"
    SPEECH = "speech", "发言"
    VIEW = "view", "观点"


class ProposalQuerySet(models.QuerySet):
    """Reads that speak the domain. Filters test the proposal's own filter keys (proposals.filter_keys: one
    GIN index on PostgreSQL), never joins that need DISTINCT, so that they stay cheap at a million proposals
    and combine with each other and with the search in one index."""

    def published(self) -> ProposalQuerySet:
        return self.filter(status=ReviewStatus.PUBLISHED)

    def ever_published(self) -> ProposalQuerySet:
        """Published now, or once: what a syncing client may hold (a never-published draft is not news)."""
        return self.filter(
            models.Q(status=ReviewStatus.PUBLISHED) | models.Q(first_published_at__isnull=False)
        )

    def on_themes(self, themes: Iterable) -> ProposalQuerySet:
        """On any of these themes (Theme records, ids or slugs)."""
        from proposals.filter_keys import THEME, any_of, key

        themes = list(themes)
        slugs = [t for t in themes if isinstance(t, str)]
        ids = [t if isinstance(t, int) else t.pk for t in themes if not isinstance(t, str)]
        if slugs:
            ids += list(Theme.objects.filter(slug__in=slugs).values_list("pk", flat=True))
        return cast(ProposalQuerySet, any_of(self, (key(THEME, i) for i in ids)))

    def in_bodies(self, codes: Iterable[str]) -> ProposalQuerySet:
        """Made in the capacity of a membership of any of these bodies."""
        from proposals.filter_keys import BODY, any_of, key

        return cast(ProposalQuerySet, any_of(self, (key(BODY, c) for c in codes)))

    def in_regions(self, regions: Iterable) -> ProposalQuerySet:
        """By a delegate who belongs to any of these regions or a region inside them (proposals.regions)."""
        from proposals.filter_keys import REGION, any_of, key

        regions = list(regions)
        if not regions:
            return self
        return cast(ProposalQuerySet, any_of(self, (key(REGION, r.pk) for r in regions)))

    def without_region(self) -> ProposalQuerySet:
        """None of whose delegates belongs to a region (counted as 地区未注明)."""
        from proposals.filter_keys import NO_REGION, any_of

        return cast(ProposalQuerySet, any_of(self, [NO_REGION]))

    def by_delegates(self, delegate_ids: Iterable[int]) -> ProposalQuerySet:
        from proposals.filter_keys import DELEGATE, any_of, key

        return cast(ProposalQuerySet, any_of(self, (key(DELEGATE, i) for i in delegate_ids)))

    def by_organisations(self, organisation_ids: Iterable[int]) -> ProposalQuerySet:
        """By a delegate who holds a position in any of these organisations."""
        from proposals.filter_keys import ORGANISATION, any_of, key

        return cast(ProposalQuerySet, any_of(self, (key(ORGANISATION, i) for i in organisation_ids)))

    def ids(self) -> models.QuerySet:
        """The primary keys, unordered: a subquery for counts over this selection."""
        return self.order_by().values("pk")

    def search(self, query) -> ProposalQuerySet:
        from proposals.search import apply_search

        return cast(ProposalQuerySet, apply_search(self, query))

    def with_related(self, *, article_text: bool = False) -> ProposalQuerySet:
        """What a list of proposals shows, in a fixed number of queries whatever its length.

        The source articles' full text is left out unless asked for (a proposal's own page shows each
        quote in its paragraph): lists need only the articles' titles and outlets.
        """
        quotes = Quote.objects.select_related("article")
        if not article_text:
            quotes = quotes.defer("article__text")

        return self.prefetch_related(
            "themes",
            Prefetch(
                "authorships",
                queryset=Authorship.objects.select_related("delegate", "membership__region__parent").order_by(
                    "order", "id"
                ),
            ),
            Prefetch(
                "quotes",
                queryset=quotes.prefetch_related(
                    Prefetch("passages", queryset=QuotePassage.objects.order_by("order", "start"))
                ),
            ),
        )


class Proposal(Reviewed):
    """One recommendation or statement on one subject, as the articles present it."""

    title = models.CharField("标题", max_length=200)
    summary = models.TextField("摘要", blank=True, help_text="编者用自己的话概述；不是原话，原话来自引文")
    # The delegate's words: the verbatim passages of the proposal's quotes (the first article's, in order),
    # derived and written with the search columns (proposals.indexing); never typed by a curator.
    text = models.TextField("原话（引文）", blank=True, editable=False)
    kind = models.CharField("类型", max_length=16, choices=ProposalKind.choices, db_index=True)
    year = models.PositiveSmallIntegerField("年份", db_index=True)
    date = models.DateField("日期", null=True, blank=True, db_index=True, help_text="文章给出日期时填写")
    session = models.CharField("会议", max_length=64, blank=True, help_text="如 2024年全国两会")
    themes = models.ManyToManyField(Theme, verbose_name="主题", blank=True, related_name="proposals")
    delegates: models.ManyToManyField[Delegate, Authorship] = models.ManyToManyField(
        "proposals.Delegate", verbose_name="代表委员", through="Authorship", related_name="proposals"
    )
    # Search columns, written from Python (proposals.search) whenever the record or its people change.
    # search_tokens: every jieba word and CJK bigram of the record, space-padded (GIN-indexed on PostgreSQL);
    # search_title: the same for the title alone (ranking); search_plain: simplified raw text (phrases).
    search_tokens = models.TextField("检索词", blank=True, editable=False)
    search_title = models.TextField("标题检索词", blank=True, editable=False)
    search_plain = models.TextField("检索原文", blank=True, editable=False)
    # search_plain's pairs of characters in 1,024 bits (proposals.pair_signature), in the newest-first index.
    search_signature = SignatureField("检索签名")
    # What the list's filters and facets select on (themes, bodies, regions with the regions above them,
    # delegates, organisations, kind, year), derived and kept current by proposals.filter_keys.
    filter_keys = models.TextField("筛选键", blank=True, editable=False)

    objects = ProposalQuerySet.as_manager()
    # Field-level history with author (django-simple-history); the derived columns are left out, the themes
    # are kept with each version.
    history = HistoricalRecords(
        excluded_fields=["search_tokens", "search_title", "search_plain", "search_signature", "filter_keys"],
        m2m_fields=[themes],
    )

    class Meta:
        verbose_name = "建言"
        verbose_name_plural = "建言"
        ordering = ["-date", "-id"]
        permissions = [("publish_proposal", "Can publish, unpublish and withdraw proposals")]
        indexes = [
            models.Index(fields=["status", "-year", "-id"], name="proposal_status_year_id"),
            # The default order (newest first, undated last, then id) has a PostgreSQL-only partial index:
            # SQLite cannot index NULLS LAST (migration 0004).
            models.Index(fields=["updated_at", "id"], name="proposal_updated_id"),
            # The admin's order over every status (date DESC, id DESC: NULLS FIRST, a backward scan of this
            # index): without it a LIMIT 50 sorts every proposal of the newest date.
            models.Index(fields=["date", "id"], name="proposal_date_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=1949) & models.Q(year__lte=2100),
                name="proposal_year_range",
                violation_error_message="年份应在 1949–2100 之间。",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("proposal-detail", args=[self.pk])

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.date and self.date.year != self.year:
            raise ValidationError({"year": "年份与日期不一致。"})


class AuthorRole(models.TextChoices):
    LEAD = "lead", "领衔"
    COSIGNER = "cosigner", "联名"


class Authorship(TimeStamped):
    """A delegate's part in a proposal, and the capacity (membership) it was made in."""

    proposal = models.ForeignKey(
        Proposal, verbose_name="建言", on_delete=models.CASCADE, related_name="authorships"
    )
    delegate = models.ForeignKey(
        "proposals.Delegate", verbose_name="代表委员", on_delete=models.PROTECT, related_name="authorships"
    )
    role = models.CharField("角色", max_length=16, choices=AuthorRole.choices, default=AuthorRole.LEAD)
    membership = models.ForeignKey(
        "proposals.Membership",
        verbose_name="以何种身份",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authorships",
    )
    order = models.PositiveSmallIntegerField("排序", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "署名"
        verbose_name_plural = "署名"
        ordering = ["proposal", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "delegate"],
                name="authorship_unique",
                violation_error_message="该人物已在这条建言中署名。",
            ),
            models.UniqueConstraint(
                fields=["proposal"],
                condition=models.Q(role="lead"),
                name="authorship_one_lead",
                violation_error_message="一条建言只能有一位领衔人。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate}（{self.get_role_display()}）"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        membership = self.membership if self.membership_id else None
        if membership is not None and self.delegate_id and membership.delegate_id != self.delegate_id:
            raise ValidationError({"membership": "所选身份不属于这位代表委员。"})
