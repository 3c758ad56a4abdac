"""Writes the search columns of proposals (see proposals.search for what they hold)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from proposals import filter_keys, pair_signature, search

# The columns derived from a proposal's words for search (proposal_search_columns, besides its text).
SEARCH_COLUMNS = ["search_tokens", "search_title", "search_plain", "search_signature"]


def delegate_words(proposal) -> str:
    """The delegate's words: the verbatim passages of the proposal's first-reported quote (the earliest
    article), in reading order, "……" where the article has other words between two passages."""
    from proposals.models.sources import joined_passages

    quotes = sorted(
        proposal.quotes.all(),
        key=lambda q: (q.article.published_on is None, q.article.published_on or 0, q.article_id, q.pk),
    )
    for quote in quotes:
        passages = list(quote.passages.all())
        if passages:
            return joined_passages(passages)
    return ""


def proposal_search_columns(proposal) -> dict[str, str]:
    """The derived columns of one proposal: its delegate's words (from the quotes), and the search columns
    over its title, summary, words, its delegates' names and organisations."""
    proposal.text = delegate_words(proposal)
    names: list[str] = []
    for authorship in proposal.authorships.all():
        delegate = authorship.delegate
        names.append(delegate.name)
        names.extend(alias.name for alias in delegate.aliases.all())
        names.extend(position.organisation.name for position in delegate.positions.all())
    people = " ".join(dict.fromkeys(names))
    plain = search.plain(proposal.title, proposal.summary, proposal.text, people)
    return {
        "text": proposal.text,
        "search_tokens": search.index_tokens(proposal.title, proposal.summary, proposal.text, people),
        "search_title": search.plain(proposal.title),
        "search_plain": plain,
        "search_signature": pair_signature.signature(plain),
    }


def reindex_proposals(ids: Iterable[int] | None = None, *, batch_size: int = 500, touch: bool = False) -> int:
    """Rewrite the search columns and filter keys of these proposals (all when ids is None). Returns how
    many.

    touch=True also sets updated_at: used when a related record (a delegate's name, an organisation)
    changed what the proposal shows, so that API clients syncing with updated_after see it.
    """
    from proposals.models import Proposal, Quote

    qs = Proposal.objects.order_by("pk").prefetch_related(
        "authorships__delegate__aliases",
        "authorships__delegate__positions__organisation",
        Prefetch("quotes", queryset=Quote.objects.select_related("article").defer("article__text")),
        "quotes__passages",
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    count = 0
    now = timezone.now()
    batch: list[Proposal] = []
    for proposal in qs.iterator(chunk_size=batch_size):
        for column, value in proposal_search_columns(proposal).items():
            setattr(proposal, column, value)
        if touch:
            proposal.updated_at = now
        batch.append(proposal)
        if len(batch) >= batch_size:
            count += _write(batch, touch)
            batch = []
    if batch:
        count += _write(batch, touch)
    return count


def _write(batch, touch: bool) -> int:
    from proposals.models import Proposal

    fields = [*SEARCH_COLUMNS, "text"] + (["updated_at"] if touch else [])
    with transaction.atomic():
        Proposal.objects.bulk_update(batch, fields)
        filter_keys.refresh([p.pk for p in batch])
    return len(batch)
