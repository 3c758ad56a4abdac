"""The source articles: the list, and one article with every quoted passage marked and linked."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from proposals import selectors
from proposals.models import Article, QuotePassage, ReviewStatus
from proposals.passages import Span, marked_paragraphs


def article_list(request):
    articles = selectors.articles_with_counts().order_by("published_on", "id")
    context = {"articles": articles, "breadcrumbs": [("首页", "/"), ("来源文章", None)]}
    return render(request, "proposals/article_list.html", context)


def article_detail(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    passages = (
        QuotePassage.objects.filter(quote__article=article, quote__proposal__status=ReviewStatus.PUBLISHED)
        .select_related("quote__proposal")
        .order_by("start", "id")
    )
    spans = []
    proposals = {}
    for passage in passages:
        if article.text[passage.start : passage.end] != passage.text:
            continue  # offsets out of step with the text: never mark the wrong words
        proposal = passage.quote.proposal
        proposals[proposal.pk] = proposal
        spans.append(
            Span(
                passage.start,
                passage.end,
                f"passage-{passage.pk}",
                proposal.get_absolute_url(),
                proposal.title,
            )
        )
    context = {
        "article": article,
        "paragraphs": marked_paragraphs(article.text, spans),
        "proposals": list(proposals.values()),
        "breadcrumbs": [("首页", "/"), ("来源文章", reverse("article-list")), (article.title, None)],
    }
    return render(request, "proposals/article_detail.html", context)
