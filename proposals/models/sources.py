"""Source articles and the verbatim quotes every fact rests on."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from proposals.anchoring import Anchor, Moved, reanchor
from proposals.models.base import TimeStamped, Versioned
from proposals.normalise import normalise_article_text, normalise_passage


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Article(TimeStamped):
    title = models.CharField("标题", max_length=255)
    outlet = models.CharField("媒体", max_length=64, blank=True, help_text="文章未注明时留空")
    published_on = models.DateField("日期", null=True, blank=True)
    url = models.URLField("原文链接", blank=True)
    file_name = models.CharField("文件名", max_length=128, unique=True)
    text = models.TextField(
        "全文", help_text="保存时统一换行符等格式；改动被引用的文字时，引文会重新定位或被拒绝"
    )
    text_hash = models.CharField("全文指纹", max_length=64, editable=False, db_index=True, default="")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "来源文章"
        verbose_name_plural = "来源文章"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    @property
    def outlet_display(self) -> str:
        return self.outlet or "媒体未注明"

    # --- the text and the quotes anchored in it ----------------------------------------------------------

    def _stored_text(self) -> str | None:
        if self._state.adding or self.pk is None:
            return None
        return type(self)._base_manager.filter(pk=self.pk).values_list("text", flat=True).first()

    def text_change_plan(self) -> tuple[list[tuple[QuotePassage, Moved]], list[str]]:
        """What a change of this article's (unsaved) text does to what rests on it: each passage with its
        new place, and the problems (broken passages, evidence no longer in the text), in Chinese."""
        old = self._stored_text()
        if old is None or old == self.text:
            return [], []
        passages = list(
            QuotePassage.objects.filter(quote__article_id=self.pk)
            .select_related("quote__proposal")
            .order_by("start", "id")
        )
        moves = reanchor(old, self.text, [Anchor(p.start, p.end, p.text) for p in passages])
        problems = [
            f"建言《{p.quote.proposal.title}》的引文段落“{_excerpt(p.text)}”：{m.reason}"
            for p, m in zip(passages, moves, strict=True)
            if m.broken
        ]
        from proposals.models.people import Membership, Position

        for model in (Membership, Position):
            for fact in (
                model.objects.filter(article_id=self.pk).exclude(evidence="").select_related("delegate")
            ):
                if fact.evidence not in self.text:
                    problems.append(
                        f"{fact.delegate.name}的{model._meta.verbose_name}依据“{_excerpt(fact.evidence)}”不再出现在原文中"
                    )
        return list(zip(passages, moves, strict=True)), problems

    def clean(self) -> None:
        super().clean()
        self.text = normalise_article_text(self.text or "")
        _, problems = self.text_change_plan()
        if problems:
            raise ValidationError({"text": ["这次修改会让引文脱离原文，已拒绝：", *problems]})

    def save(self, *args, **kwargs) -> None:
        """Normalise the text; re-anchor every passage of a changed text, or refuse (nothing written)."""
        self.text = normalise_article_text(self.text or "")
        self.text_hash = text_hash(self.text)
        if kwargs.get("update_fields") is not None and "text" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "text_hash"}
        with transaction.atomic():
            moves, problems = self.text_change_plan()
            if problems:
                raise ValidationError({"text": ["这次修改会让引文脱离原文，已拒绝：", *problems]})
            super().save(*args, **kwargs)
            for passage, moved in moves:
                if moved.start is not None and moved.start != passage.start:  # never None: no problems
                    passage.start, passage.end = moved.start, moved.start + len(moved.old.text)
                    passage.save(update_fields=["start", "end"])


def _excerpt(text: str, size: int = 30) -> str:
    return text if len(text) <= size else f"{text[:size]}…"


def quote_not_in_article_message(article: Article, text: str) -> str:
    return f"引文“{_excerpt(text, 40)}”不是文章《{article.title}》原文的一部分：请逐字复制原文。"


class Sourced(models.Model):
    """A fact (a membership, a position) with the verbatim sentence of an article it rests on."""

    article = models.ForeignKey(
        Article, verbose_name="依据文章", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.TextField("依据原文", blank=True, help_text="文章中逐字的原句")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if errors := self._evidence_errors():  # every write path, not only forms
            raise ValidationError(errors)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if errors := self._evidence_errors():
            raise ValidationError(errors)

    def _evidence_errors(self) -> dict[str, str]:
        self.evidence = normalise_passage(self.evidence or "")
        if self.evidence and not self.article_id:
            return {"article": "填写了依据原文，请同时选择依据文章。"}
        article = self.article if self.article_id else None
        if article is not None and self.evidence and self.evidence not in article.text:
            return {"evidence": quote_not_in_article_message(article, self.evidence)}
        return {}


class Quote(TimeStamped):
    """Where a proposal is reported: one article, one or more verbatim passages."""

    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name="建言", on_delete=models.CASCADE, related_name="quotes"
    )
    article = models.ForeignKey(
        Article, verbose_name="来源文章", on_delete=models.PROTECT, related_name="quotes"
    )

    history = HistoricalRecords()

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
        """The passages in order, with “……” where the article has other words between two of them."""
        return joined_passages(list(self.passages.all()))

    def _article_errors(self) -> dict[str, str]:
        """A quote moved to another article must keep its passages verbatim at their offsets there."""
        if self.pk is None or not self.article_id:
            return {}
        stored = type(self)._base_manager.filter(pk=self.pk).values_list("article_id", flat=True).first()
        if stored in (None, self.article_id):
            return {}
        article_text = self.article.text
        for passage in self.passages.all():
            if article_text[passage.start : passage.end] != passage.text:
                return {"article": f"引文段落“{_excerpt(passage.text)}”不在所选文章的原文中：请先修改段落。"}
        return {}

    def clean(self) -> None:
        super().clean()
        if errors := self._article_errors():
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        if errors := self._article_errors():
            raise ValidationError(errors)
        super().save(*args, **kwargs)


def joined_passages(passages: list[QuotePassage]) -> str:
    """Passages in reading order; an elision mark where they are not contiguous in the article."""
    out: list[str] = []
    previous_end = None
    for p in sorted(passages, key=lambda p: (p.order, p.start)):
        if out and previous_end != p.start:
            out.append("……")
        out.append(p.text)
        previous_end = p.end
    return "".join(out)


class QuotePassage(Versioned):
    """One contiguous verbatim passage of an article, with its character offsets.

    A quote has several when the newspaper layout split a sentence across columns. On every save the text
    must be the article's text at the offsets (offsets left empty are found), or the save is refused.
    """

    quote = models.ForeignKey(Quote, verbose_name="引文", on_delete=models.CASCADE, related_name="passages")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    start = models.PositiveIntegerField("起始位置", blank=True, help_text="在文章全文中的字符位置（从 0 起）")
    end = models.PositiveIntegerField("结束位置", blank=True)
    text = models.TextField("原文")

    history = HistoricalRecords()

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

    def anchor_errors(self, article_text: str, article: Article) -> dict[str, str]:
        """Locate or check the passage in the article's text; the errors by field, in Chinese."""
        self.text = normalise_passage(self.text or "")
        if not self.text:
            return {"text": "引文段落不能为空。"}
        if self.start is None or self.end is None:
            found = article_text.find(self.text)
            if found < 0:
                return {"text": quote_not_in_article_message(article, self.text)}
            self.start, self.end = found, found + len(self.text)
        if article_text[self.start : self.end] != self.text:
            if self.text not in article_text:
                return {"text": quote_not_in_article_message(article, self.text)}
            return {
                "start": f"位置 {self.start}–{self.end} 处的原文与引文不一致：请清空位置，保存时会自动定位。"
            }
        return {}

    def clean(self) -> None:
        if not self.quote_id:
            return
        if errors := self.anchor_errors(self.quote.article.text, self.quote.article):
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        article = Quote.objects.select_related("article").get(pk=self.quote_id).article
        if errors := self.anchor_errors(article.text, article):
            raise ValidationError(errors)
        super().save(*args, **kwargs)
