"""Writes the search columns of proposals (see proposals.search for what they hold)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from proposals import search


def proposal_search_columns(proposal) -> dict[str, str]:
    """The search columns for one proposal: its own text, its delegates' names and organisations."""
    names: list[str] = []
    for authorship in proposal.authorships.all():
        delegate = authorship.delegate
        names.append(delegate.name)
        names.extend(alias.name for alias in delegate.aliases.all())
        names.extend(position.organisation.name for position in delegate.positions.all())
    people = " ".join(dict.fromkeys(names))
    return {
        "search_tokens": search.index_tokens(proposal.title, proposal.summary, proposal.text, people),
        "search_title": search.plain(proposal.title),
        "search_plain": search.plain(proposal.title, proposal.summary, proposal.text, people),
    }


def reindex_proposals(ids: Iterable[int] | None = None, *, batch_size: int = 500) -> int:
    """Rewrite the search columns of these proposals (all when ids is None). Returns how many."""
    from proposals.models import Proposal

    qs = Proposal.objects.order_by("pk").prefetch_related(
        "authorships__delegate__aliases", "authorships__delegate__positions__organisation"
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    count = 0
    batch: list[Proposal] = []
    for proposal in qs.iterator(chunk_size=batch_size):
        for column, value in proposal_search_columns(proposal).items():
            setattr(proposal, column, value)
        batch.append(proposal)
        if len(batch) >= batch_size:
            count += _write(batch)
            batch = []
    if batch:
        count += _write(batch)
    return count


def _write(batch) -> int:
    from proposals.models import Proposal

    with transaction.atomic():
        Proposal.objects.bulk_update(batch, ["search_tokens", "search_title", "search_plain"])
    return len(batch)
