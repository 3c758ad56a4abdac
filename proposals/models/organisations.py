"""Organisations: companies, government bodies, institutes, universities, parties and the bodies themselves."""

from django.db import models
from simple_history.models import HistoricalRecords

from proposals.models.base import TimeStamped


class OrganisationKind(models.TextChoices):
    COMPANY = "company", "企业"
    GOVERNMENT = "government", "政府机关"
    PARTY = "party", "党组织"
    DEMOCRATIC_PARTY = "democratic_party", "民主党派"
    RESEARCH = "research", "科研机构"
    UNIVERSITY = "university", "高等院校"
    ASSOCIATION = "association", "社会团体"
    CPPCC = "cppcc", "政协"
    CONGRESS = "congress", "人大"
    PARK = "park", "园区"
    OTHER = "other", "其他"


class Organisation(TimeStamped):
    name = models.CharField("名称", max_length=128, unique=True)
    short_name = models.CharField("简称", max_length=64, blank=True)
    kind = models.CharField("类型", max_length=20, choices=OrganisationKind.choices, db_index=True)
    region = models.ForeignKey(
        "proposals.Region", verbose_name="所在地区", null=True, blank=True, on_delete=models.SET_NULL
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机构",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )

    history = HistoricalRecords(verbose_name="机构历史")

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["name"]
        permissions = [("merge_organisation", "Can merge organisations")]

    def __str__(self) -> str:
        return self.name
