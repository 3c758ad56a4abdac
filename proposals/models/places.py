"""Regions: province-level units and the cities and districts inside them."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from simple_history.models import HistoricalRecords

from proposals.models.base import TimeStamped


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "地级"
    DISTRICT = "district", "县级"


class Region(TimeStamped):
    name = models.CharField("名称", max_length=64)
    slug = models.SlugField(
        "网址标识", max_length=64, unique=True, help_text="ASCII，如 chongqing、hubei-wuhan"
    )
    level = models.CharField("层级", max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField("行政区划代码", max_length=12, blank=True)
    path = models.CharField(
        "路径",
        max_length=255,
        editable=False,
        db_index=True,
        help_text="/上级slug/本级slug/，用于包含关系查询",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "地区"
        verbose_name_plural = "地区"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="region_unique_name_in_parent",
                violation_error_message="同一上级地区下已有同名地区。",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="region_unique_top_level_name",
                violation_error_message="已有同名的省级地区。",
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=~models.Q(code=""),
                name="region_unique_code",
                violation_error_message="行政区划代码重复。",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.level == RegionLevel.DISTRICT and self.parent is not None:
            return f"{self.parent.name}{self.name}"
        return self.name

    def _computed_path(self) -> str:
        return f"{self.parent.path if self.parent is not None else '/'}{self.slug}/"

    def clean(self) -> None:
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": "地区不能以自己为上级。"})
        if self.parent is not None and self.pk and self.path and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": "上级地区不能是本地区或其下级地区。"})
        if self.level == RegionLevel.PROVINCE and self.parent_id:
            raise ValidationError({"parent": "省级地区没有上级地区。"})
        if self.level != RegionLevel.PROVINCE and not self.parent_id:
            raise ValidationError({"parent": "地级、县级地区需要上级地区。"})

    def save(self, *args, **kwargs) -> None:
        """Descendants' paths follow a renamed or moved region, in the same transaction: the region filter
        (``path`` prefix) keeps finding them."""
        old_path = None
        if not self._state.adding and self.pk is not None:
            old_path = type(self)._base_manager.filter(pk=self.pk).values_list("path", flat=True).first()
        self.path = self._computed_path()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "path"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                for child in Region.objects.filter(parent_id=self.pk).select_related("parent"):
                    child.save(update_fields=["path", "updated_at"])
