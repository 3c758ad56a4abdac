"""Source articles and the verbatim quotes every fact rests on."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from proposals.models.base import TimeStamped


class Article(TimeStamped):
    title = models.CharField("标题", max_length=255)
    outlet = models.CharField("媒体", max_length=64, blank=True, help_text="文章未注明时留空")
    published_on = models.DateField("日期", null=True, blank=True)
    url = models.URLField("原文链接", blank=True)
    file_name = models.CharField("文件名", max_length=128, unique=True)
    text = models.TextField("全文")

    class Meta:
        verbose_name = "来源文章"
        verbose_name_plural = "来源文章"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    @property
    def outlet_display(self) -> str:
        return self.outlet or "媒体未注明"


def quote_not_in_article_message(article: Article, text: str) -> str:
    excerpt = text if len(text) <= 40 else f"{text[:40]}…"
    return f"引文“{excerpt}”不是文章《{article.title}》原文的一部分：请逐字复制原文。"


class Sourced(models.Model):
    """A fact (a membership, a position) with the verbatim sentence of an article it rests on."""

    article = models.ForeignKey(
        Article, verbose_name="依据文章", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.TextField("依据原文", blank=True, help_text="文章中逐字的原句")

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.evidence and not self.article_id:
            raise ValidationError({"article": "填写了依据原文，请同时选择依据文章。"})
        if self.article_id and self.evidence and self.evidence not in self.article.text:
            raise ValidationError({"evidence": quote_not_in_article_message(self.article, self.evidence)})


class Quote(TimeStamped):
    """Where a proposal is reported: one article, one or more verbatim passages."""

    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name="建言", on_delete=models.CASCADE, related_name="quotes"
    )
    article = models.ForeignKey(
        Article, verbose_name="来源文章", on_delete=models.PROTECT, related_name="quotes"
    )

    class Meta:
        verbose_name = "引文"
        verbose_name_plural = "引文"
        ordering = ["proposal", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "article"],
                name="quote_unique_per_article",
                violation_error_message="这条建言已有出自这篇文章的引文：请在原引文中添加段落。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.article} · {self.text[:30]}"

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.passages.all())


class QuotePassage(models.Model):
    """One contiguous verbatim passage of an article, with its character offsets.

    A quote has several when the newspaper layout split a sentence across columns.
    """

    quote = models.ForeignKey(Quote, verbose_name="引文", on_delete=models.CASCADE, related_name="passages")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    start = models.PositiveIntegerField("起始位置", blank=True, help_text="在文章全文中的字符位置（从 0 起）")
    end = models.PositiveIntegerField("结束位置", blank=True)
    text = models.TextField("原文")

    class Meta:
        verbose_name = "引文段落"
        verbose_name_plural = "引文段落"
        ordering = ["quote", "order", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="passage_end_after_start",
                violation_error_message="结束位置必须大于起始位置。",
            ),
            models.UniqueConstraint(
                fields=["quote", "order"],
                name="passage_unique_order",
                violation_error_message="同一引文中段落顺序重复。",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    def clean(self) -> None:
        """The passage must be the article's text at its offsets; offsets are found when left empty."""
        if not self.quote_id or not self.text:
            return
        article_text = self.quote.article.text
        if self.start is None or self.end is None:
            found = article_text.find(self.text)
            if found < 0:
                raise ValidationError({"text": quote_not_in_article_message(self.quote.article, self.text)})
            self.start, self.end = found, found + len(self.text)
        if article_text[self.start : self.end] != self.text:
            if self.text not in article_text:
                raise ValidationError({"text": quote_not_in_article_message(self.quote.article, self.text)})
            raise ValidationError(
                {
                    "start": f"位置 {self.start}–{self.end} 处的原文与引文不一致：请清空位置，保存时会自动定位。"
                }
            )
