"""What every curated record shares: timestamps, an edit version and a review status."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "待审核"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class EditConflict(Exception):
    """The record was saved by someone else after it was read: this save is refused and writes nothing."""

    def __init__(self, obj: models.Model):
        self.obj = obj
        super().__init__(f"{obj._meta.verbose_name} #{obj.pk} 已被他人修改，本次保存被拒绝。")


class Versioned(models.Model):
    """Optimistic locking: ``version`` goes up by one on every save, and a save of a record read at
    version N is an UPDATE ... WHERE version = N (one statement, both backends). When it matches no row
    although the record exists, someone saved it in between: EditConflict, nothing written.

    Fixture loading (raw saves) and inserts are not checked. Services that change records with a queryset
    update bump the version in the same UPDATE (``version=F("version") + 1``), see proposals.changes.
    """

    version = models.PositiveIntegerField("版本", default=1, editable=False)
    _expected_version: int | None = None  # during save(): the version the UPDATE must find

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        checked = not self._state.adding and self.pk is not None and not kwargs.get("force_insert")
        expected = self.version
        if checked:
            self._expected_version = expected
            self.version = expected + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        try:
            super().save(*args, **kwargs)
        except BaseException:
            self.version = expected
            raise
        finally:
            self._expected_version = None

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected = getattr(self, "_expected_version", None)
        if expected is None or not values:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        if base_qs.filter(pk=pk_val, version=expected)._update(values) > 0:
            return True
        if base_qs.filter(pk=pk_val).exists():
            raise EditConflict(self)
        return False  # the row is gone: Django inserts it, as it would without versions


class TimeStamped(Versioned):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Reviewed(TimeStamped):
    """A record curators review before the public site and the API show it."""

    status = models.CharField(
        "审核状态", max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, db_index=True
    )
    first_published_at = models.DateTimeField(
        "首次发布时间", null=True, blank=True, editable=False, help_text="记录第一次公开的时间（同步用）"
    )
    # Who last moved the record between review states, and when (proposals.workflow); for a published
    # record, who approved it. The full trail is in the record's history.
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="状态变更人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.status == ReviewStatus.PUBLISHED and self.first_published_at is None:
            self.first_published_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "first_published_at"}
        super().save(*args, **kwargs)
