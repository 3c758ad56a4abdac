"""Proposals (what a delegate proposed or said), their authors and the controlled vocabulary of themes."""

from django.db import models
from django.urls import reverse

from proposals.models.base import Reviewed, TimeStamped
from proposals.querysets import ProposalQuerySet


class Theme(TimeStamped):
    name = models.CharField("名称", max_length=32, unique=True)
    slug = models.SlugField(
        "网址标识", max_length=64, unique=True, help_text="ASCII，如 artificial-intelligence"
    )
    description = models.TextField("说明", blank=True)
    keywords = models.TextField("关键词", blank=True, help_text="用于自动标注的 jieba 关键词，以空格分隔")
    order = models.PositiveSmallIntegerField("排序", default=0)

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
    delegates = models.ManyToManyField(
        "proposals.Delegate", verbose_name="代表委员", through="Authorship", related_name="proposals"
    )
    # Search columns, written from Python (proposals.search) whenever the record or its people change.
    # search_tokens: every jieba word and CJK bigram of the record, space-padded (GIN-indexed on PostgreSQL);
    # search_title: the same for the title alone (ranking); search_plain: simplified raw text (phrases).
    search_tokens = models.TextField("检索词", blank=True, editable=False)
    search_title = models.TextField("标题检索词", blank=True, editable=False)
    search_plain = models.TextField("检索原文", blank=True, editable=False)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = "建言"
        verbose_name_plural = "建言"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["status", "-year", "-id"], name="proposal_status_year_id"),
            # The default order (newest first, undated last, then id) has a PostgreSQL-only partial index:
            # SQLite cannot index NULLS LAST (migration 0004).
            models.Index(fields=["updated_at", "id"], name="proposal_updated_id"),
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

        if self.membership_id and self.delegate_id and self.membership.delegate_id != self.delegate_id:
            raise ValidationError({"membership": "所选身份不属于这位代表委员。"})
