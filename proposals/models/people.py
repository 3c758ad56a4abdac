"""Delegates (one real person each), the names they are written under, their memberships and positions."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from proposals.models.base import Reviewed, ReviewStatus, TimeStamped
from proposals.models.sources import Sourced
from proposals.names import strip_honorific


class Body(models.TextChoices):
    """The bodies a delegate can belong to. The codes are stable: URLs and the API use them."""

    NPC = "npc", "全国人大代表"
    CPPCC = "cppcc", "全国政协委员"
    PROVINCIAL_CPPCC = "provincial-cppcc", "省级政协委员"
    MUNICIPAL_CPPCC = "municipal-cppcc", "市级政协委员"
    DISTRICT_CPPCC = "district-cppcc", "区县政协委员"
    PROVINCIAL_CONGRESS = "provincial-congress", "省级人大代表"
    MUNICIPAL_CONGRESS = "municipal-congress", "市级人大代表"
    DISTRICT_CONGRESS = "district-congress", "区县人大代表"


MERGED = "merged"  # the public state of a merged duplicate (API tombstones, admin)


class MembershipRole(models.TextChoices):
    MEMBER = "member", "委员/代表"
    CHAIR = "chair", "主席"
    VICE_CHAIR = "vice_chair", "副主席"


class DelegateQuerySet(models.QuerySet):
    def published(self) -> "DelegateQuerySet":
        """What the public site and the API show: published, and not merged into another record."""
        return self.filter(status=ReviewStatus.PUBLISHED, merged_into__isnull=True)

    def ever_published(self) -> "DelegateQuerySet":
        """Published now, or once: what a syncing client may hold."""
        return self.filter(Q(status=ReviewStatus.PUBLISHED) | Q(first_published_at__isnull=False))


class Delegate(Reviewed):
    """One real person who is an NPC deputy or a CPPCC member (national or local)."""

    name = models.CharField("姓名", max_length=32, db_index=True)
    note = models.TextField("备注", blank=True, help_text="区分同名者等编辑说明")
    merged_into = models.ForeignKey(
        "self",
        verbose_name="已合并到",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        help_text="合并重复人物后，旧记录指向保留的记录",
    )

    objects = DelegateQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="代表委员历史")

    class Meta:
        verbose_name = "代表委员"
        verbose_name_plural = "代表委员"
        ordering = ["name", "id"]
        permissions = [
            ("publish_delegate", "Can publish, unpublish and withdraw delegates"),
            ("merge_delegate", "Can merge delegates"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")),
                name="delegate_not_merged_into_self",
                violation_error_message="人物不能合并到自己。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def public_status(self) -> str:
        """The state the API serves and the admin shows: ``merged`` for a merged duplicate."""
        return MERGED if self.merged_into_id else self.status

    @property
    def public_status_label(self) -> str:
        return f"已合并到 #{self.merged_into_id}" if self.merged_into_id else self.get_status_display()

    def survivor(self) -> "Delegate":
        """The record a merged duplicate now lives in (following merges of merges), or itself."""
        record, seen = self, {self.pk}
        while record.merged_into_id and record.merged_into_id not in seen:
            seen.add(record.merged_into_id)
            record = Delegate.objects.get(pk=record.merged_into_id)
        return record


class DelegateAlias(TimeStamped):
    """A name a delegate is written under (full name, name with 代表/委员, another spelling)."""

    delegate = models.ForeignKey(
        Delegate, verbose_name="代表委员", on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField("别名", max_length=32, db_index=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "别名"
        verbose_name_plural = "别名"
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "name"],
                name="alias_unique_per_delegate",
                violation_error_message="该人物已有这个别名。",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def _name_errors(self) -> dict[str, str]:
        self.name = strip_honorific(self.name or "")
        if not self.name:
            return {"name": "别名不能为空。"}
        if self.delegate_id and self.name == self.delegate.name:
            return {"name": "别名与姓名相同（“代表”“委员”是称呼，不是姓名的一部分）。"}
        return {}

    def clean(self) -> None:
        super().clean()
        if errors := self._name_errors():
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        if errors := self._name_errors():
            raise ValidationError(errors)
        super().save(*args, **kwargs)


class Membership(Sourced, TimeStamped):
    """A delegate's seat in a body: for the NPC the region is the delegation (代表团) that elected the deputy."""

    delegate = models.ForeignKey(
        Delegate, verbose_name="代表委员", on_delete=models.CASCADE, related_name="memberships"
    )
    body = models.CharField("身份", max_length=24, choices=Body.choices, db_index=True)
    region = models.ForeignKey(
        "proposals.Region",
        verbose_name="地区/代表团",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text="地方政协、人大所在地区；全国人大代表所在代表团；全国政协委员留空",
    )
    sector = models.CharField("界别", max_length=32, blank=True)
    role = models.CharField(
        "职务", max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    term = models.CharField("届次", max_length=16, blank=True, help_text="如 十四届")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "身份"
        verbose_name_plural = "身份"
        ordering = ["delegate", "body"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "body", "region"],
                condition=Q(region__isnull=False),
                name="membership_unique_body_region",
                violation_error_message="该人物在这一机构、地区已有身份。",
            ),
            models.UniqueConstraint(
                fields=["delegate", "body"],
                condition=Q(region__isnull=True),
                name="membership_unique_body_no_region",
                violation_error_message="该人物已有这一身份。",
            ),
            models.CheckConstraint(
                condition=Q(body__in=[b.value for b in Body]),
                name="membership_body_valid",
                violation_error_message="未知的身份类型。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} · {self.label}"

    @property
    def label(self) -> str:
        """A reader's label: 湖北省政协委员, 全国人大代表（重庆代表团）."""
        if self.body == Body.NPC:
            return f"全国人大代表（{self.region.name}代表团）" if self.region is not None else "全国人大代表"
        if self.body == Body.CPPCC:
            return "全国政协委员"
        roles: dict[str, str] = {MembershipRole.CHAIR: "主席", MembershipRole.VICE_CHAIR: "副主席"}
        role = roles.get(self.role)
        place = self.region.full_name if self.region is not None else ""
        if self.body.endswith("cppcc"):
            return f"{place}政协{role}" if role else f"{place}政协委员"
        return f"{place}人大代表"


class Position(Sourced, TimeStamped):
    """A title a delegate holds in an organisation (董事长 of a company, 局长 of a bureau)."""

    delegate = models.ForeignKey(
        Delegate, verbose_name="代表委员", on_delete=models.CASCADE, related_name="positions"
    )
    organisation = models.ForeignKey(
        "proposals.Organisation", verbose_name="机构", on_delete=models.PROTECT, related_name="positions"
    )
    title = models.CharField("职务", max_length=64, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "职务"
        verbose_name_plural = "职务"
        ordering = ["delegate", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "organisation", "title"],
                name="position_unique",
                violation_error_message="该人物在这一机构已有相同职务。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}{self.title}"
