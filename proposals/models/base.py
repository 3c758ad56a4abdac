"""What every curated record shares: timestamps and a review status."""

from django.db import models


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "待审核"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class TimeStamped(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Reviewed(TimeStamped):
    """A record curators review before the public site and the API show it."""

    status = models.CharField(
        "审核状态", max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, db_index=True
    )

    class Meta:
        abstract = True
