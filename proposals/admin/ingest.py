"""Admin pages for ingestion: upload or paste an article, then review its draft records beside its text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from proposals.ingest.reading import ArticleInputError, check_article_text, decode_article, title_from_text
from proposals.ingest.review import (
    ArticleDrafts,
    article_drafts,
    review_confirm,
    review_reject_delegate,
    review_reject_proposal,
    skipped_promote,
)
from proposals.ingest.service import article_ingest
from proposals.models import Article, Delegate, Membership, Position, Proposal
from proposals.numbers import parse_int


def _check_reject(request: HttpRequest, model: type[Delegate] | type[Proposal]) -> None:
    """Rejecting deletes the drafts this article added: only who may delete such records may reject."""
    if not request.user.has_perm(f"proposals.delete_{model._meta.model_name}"):
        raise PermissionDenied(f"没有删除{model._meta.verbose_name}的权限，不能驳回：请交给编辑处理。")


class ArticleIngestForm(forms.Form):
    file = forms.FileField(label="文章文件（纯文本 .txt，UTF-8 或 GB18030，≤1 MB）", required=False)
    text = forms.CharField(
        label="或粘贴全文", required=False, widget=forms.Textarea(attrs={"rows": 14, "cols": 90})
    )
    title = forms.CharField(label="标题", required=False, max_length=255, help_text="留空时取文章第一行标题")
    outlet = forms.CharField(label="媒体", required=False, max_length=64)
    published_on = forms.DateField(label="日期", required=False, help_text="YYYY-MM-DD")
    url = forms.URLField(label="原文链接", required=False, assume_scheme="https")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, pasted = data.get("file"), data.get("text") or ""
        try:
            if upload:
                data["article_text"] = decode_article(upload.read(), source=upload.name)
            elif pasted.strip():
                data["article_text"] = check_article_text(pasted, source="粘贴的文本")
            else:
                raise ValidationError("请上传文章文件或粘贴全文。")
        except ArticleInputError as error:
            raise ValidationError(str(error)) from error
        return data


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    anchor: str
    kind: str  # quote, evidence, name, skipped
    label: str


def highlighted(text: str, spans: list[Span]) -> SafeString:
    """The article text with every span marked and linked; where spans overlap the shortest one wins."""
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    parts: list[tuple[str, ...]] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [s for s in spans if s.start <= a and b <= s.end]
        if not covering:
            parts.append(("", text[a:b], "", "", ""))
            continue
        span = min(covering, key=lambda s: s.end - s.start)
        parts.append(("mark", text[a:b], span.anchor, span.kind, span.label))
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html(
                    '<a href="#{}" class="ingest-span ingest-{}" title="{}">{}</a>',
                    anchor,
                    kind,
                    label,
                    chunk,
                )
                if tag
                else chunk,
            )
            for tag, chunk, anchor, kind, label in parts
        ),
    )


def review_spans(drafts: ArticleDrafts) -> list[Span]:
    text = drafts.article.text
    spans: list[Span] = []
    for quote in drafts.quotes:
        for passage in quote.passages.all():
            if text[passage.start : passage.end] == passage.text:
                spans.append(
                    Span(
                        passage.start,
                        passage.end,
                        f"proposal-{quote.proposal_id}",
                        "quote",
                        quote.proposal.title,
                    )
                )
    sourced: list[Membership | Position] = [*drafts.memberships, *drafts.positions]
    for record in sourced:
        at = text.find(record.evidence) if record.evidence else -1
        if at >= 0:
            spans.append(
                Span(at, at + len(record.evidence), f"delegate-{record.delegate_id}", "evidence", str(record))
            )
    for delegate in drafts.delegates:
        at = text.find(delegate.name)
        while at >= 0:
            spans.append(Span(at, at + len(delegate.name), f"delegate-{delegate.pk}", "name", delegate.name))
            at = text.find(delegate.name, at + 1)
    for index, person in enumerate(drafts.skipped):
        if person.start is not None and person.end is not None:
            spans.append(Span(person.start, person.end, f"skipped-{index}", "skipped", person.reason))
    return spans


# The mixin's super() is a ModelAdmin: tell the type checker so (as proposals.admin.concurrency does).
if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object


class IngestAdminMixin(_ModelAdmin):
    """Adds 导入文章 (ingest) and 审核 (review) pages to the Article admin."""

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("ingest/", wrap(self.ingest_view), name="proposals_article_ingest"),
            path("<int:pk>/review/", wrap(self.review_view), name="proposals_article_review"),
            *super().get_urls(),
        ]

    def ingest_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ArticleIngestForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            text = data["article_text"]
            upload = data.get("file")
            result = article_ingest(
                text=text,
                title=data["title"] or title_from_text(text, upload.name if upload else "粘贴的文章"),
                outlet=data["outlet"],
                published_on=data["published_on"],
                url=data["url"],
                file_name=upload.name if upload else "",
            )
            if result.created:
                messages.success(
                    request,
                    f"已导入：{len(result.delegate_ids)} 位代表委员、{len(result.proposal_ids)} 条建言（草稿），请逐条确认。",
                )
            else:
                messages.warning(request, "这篇文章已经导入过（全文或链接相同），没有新建任何记录。")
            for warning in result.extraction.warnings:
                messages.warning(request, warning)
            article = result.article
            assert article is not None  # article_ingest always returns the stored or existing article
            return HttpResponseRedirect(reverse("admin:proposals_article_review", args=[article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "导入文章",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/proposals/article/ingest.html", context)

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        article = get_object_or_404(Article, pk=pk)
        if request.method == "POST":
            if not self.has_change_permission(request, article):
                raise PermissionDenied
            try:
                self._review_action(request, article)
            except PermissionDenied as refused:  # the curator stays on the page, told why
                messages.error(request, str(refused) or "没有权限执行这个操作。")
            return HttpResponseRedirect(request.path)
        drafts = article_drafts(article)
        context = {
            **self.admin_site.each_context(request),
            "title": f"审核：{article.title}",
            "opts": self.model._meta,
            "article": article,
            "drafts": drafts,
            "article_html": highlighted(article.text, review_spans(drafts)),
        }
        return TemplateResponse(request, "admin/proposals/article/review.html", context)

    def _review_action(self, request: HttpRequest, article: Article) -> None:
        action = request.POST.get("action", "")
        kind, _, raw_id = request.POST.get("record", "").partition(":")
        record_id = parse_int(raw_id)  # ASCII digits only: "²".isdigit() is True
        if action == "confirm_all":
            drafts = article_drafts(article)
            count, state = review_confirm(
                delegates=drafts.delegates, proposals=drafts.proposals, user=request.user
            )
            messages.success(request, f"已确认 {count} 条记录（{state}）。")
        elif action in ("confirm", "reject") and kind == "delegate" and record_id:
            delegate = get_object_or_404(Delegate, pk=record_id)
            if action == "confirm":
                _, state = review_confirm(delegates=[delegate], proposals=[], user=request.user)
                messages.success(request, f"已确认（{state}）：{delegate}")
            else:
                _check_reject(request, Delegate)
                review_reject_delegate(article=article, delegate=delegate)
                messages.success(request, f"已驳回：{delegate}")
        elif action in ("confirm", "reject") and kind == "proposal" and record_id:
            proposal = get_object_or_404(Proposal, pk=record_id)
            if action == "confirm":
                _, state = review_confirm(delegates=[], proposals=[proposal], user=request.user)
                messages.success(request, f"已确认（{state}）：{proposal}")
            else:
                _check_reject(request, Proposal)
                review_reject_proposal(article=article, proposal=proposal)
                messages.success(request, f"已驳回：{proposal}")
        elif action == "promote":
            name = request.POST.get("name", "")
            delegate = skipped_promote(article=article, name=name, reason=request.POST.get("reason", ""))
            messages.success(
                request,
                format_html(
                    '已将 {} 设为代表委员草稿：<a href="{}">补充身份</a>',
                    name,
                    reverse("admin:proposals_delegate_change", args=[delegate.pk]),
                ),
            )
        else:
            messages.error(request, "未知的操作。")
