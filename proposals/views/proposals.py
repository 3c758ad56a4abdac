"""The proposal list (search, facets, paging) and the full record of one proposal."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from proposals.citation import citation_line
from proposals.facets import start_list_facets
from proposals.feeds import list_query, list_tools
from proposals.filters import ProposalFilterSet, ProposalOrdering
from proposals.models import Proposal
from proposals.passages import Span, quote_paragraphs
from proposals.related import related_proposals
from proposals.suggestions import date_range_notice, suggest
from proposals.views.common import bind_filterset, paginate

PAGE_SIZES = [10, 20, 50, 100]


def proposal_list(request):
    filterset, errors = bind_filterset(ProposalFilterSet, request.GET, Proposal.objects.published())
    facets_of = start_list_facets(filterset)  # a searched list's facet selections are read beside its own
    # A COUNT, the page, and one query per related list (themes, authors, quotes, passages): a fixed
    # number of queries whatever the page size.
    paged = paginate(request, filterset.qs.with_related())
    query = filterset.parsed_query  # set while filtering (filterset.qs)
    facets, sampled = facets_of(paged.page.paginator)
    data = filterset.form.cleaned_data
    date_notice = date_range_notice(data.get("date_after"), data.get("date_before"))
    filtered = any(data.get(name) for name in data if name not in ("q", "ordering"))
    suggestions = suggest(data.get("q") or "", filtered=filtered) if not paged.page.paginator.count else None
    orderings = [(v, label) for v, label in ProposalOrdering.CHOICES if v != ProposalOrdering.UPDATED]
    context = {
        "filterset": filterset,
        "query": query,
        "q": filterset.form.cleaned_data.get("q") or "",
        "errors": errors,
        "date_notice": date_notice,
        "suggestions": suggestions,
        "paged": paged,
        "proposals": paged.objects,
        "facets": facets,
        "facets_sampled": sampled,
        "active": [(f, o) for f in facets for o in f.selected],
        "orderings": orderings,
        "ordering": filterset.ordering_value,
        "chosen_ordering": filterset.form.cleaned_data.get("ordering") or "",
        "page_sizes": PAGE_SIZES,
        "breadcrumbs": [("首页", None)],
        **list_tools(query=list_query(request)),
    }
    return render(request, "proposals/proposal_list.html", context, status=400 if errors else 200)


def proposal_detail(request, pk: int):
    proposal = get_object_or_404(Proposal.objects.published().with_related(article_text=True), pk=pk)
    quotes = []
    for quote in proposal.quotes.all():
        article = quote.article
        spans = [
            Span(p.start, p.end, anchor=f"passage-{p.pk}")
            for p in quote.passages.all()
            if article.text[p.start : p.end] == p.text
        ]
        quotes.append(
            {
                "quote": quote,
                "article": article,
                "paragraphs": quote_paragraphs(article.text, spans),
                "anchor": min(spans, key=lambda s: s.start).anchor if spans else "",
            }
        )
    quotes.sort(key=lambda q: (q["article"].published_on is None, q["article"].published_on, q["article"].pk))
    authorships = list(proposal.authorships.all())
    permanent_url = request.build_absolute_uri(proposal.get_absolute_url())
    context = {
        "proposal": proposal,
        "quotes": quotes,
        "permanent_url": permanent_url,
        "citation": citation_line(proposal, authorships, [q["article"] for q in quotes], permanent_url),
        "themes": list(proposal.themes.all()),
        "related": related_proposals(proposal),
        "authorships": authorships,
        "breadcrumbs": [("首页", "/"), ("建言", "/"), (proposal.title, None)],
    }
    return render(request, "proposals/proposal_detail.html", context)
