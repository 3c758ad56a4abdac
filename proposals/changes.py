"""The one mechanism by which a write becomes visible to syncing clients.

A syncing client asks the API for proposals and delegates with ``updated_after``; a record must therefore
move its ``updated_at`` whenever anything it shows in the API changes, whichever record was written and
by whichever path (an admin page of any model, a bulk action, a service, a command, ingestion). Every
save and delete of a curated model, and every change of a proposal's themes, comes here through the
receivers in proposals.signals; ``affected`` says which proposals and delegates show the written record,
``touch`` moves their ``updated_at`` in the same transaction, the proposals' filter keys
(proposals.filter_keys) are rewritten in the same transaction (after the delete, for a delete), and the
search columns of the proposals are rebuilt when it commits.

Services that change many records with a queryset update call ``record_changes`` themselves.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone

from proposals import filter_keys
from proposals.indexing import reindex_proposals

_state = threading.local()


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """For bulk loads that account for their changes themselves (load_corpus): the receivers stand by.
    Fixture loading sets many-to-many relations without a ``raw`` flag, so it needs this."""
    previous = getattr(_state, "suspended", False)
    _state.suspended = True
    try:
        yield
    finally:
        _state.suspended = previous


def is_suspended() -> bool:
    return getattr(_state, "suspended", False)


@dataclass
class Affected:
    proposals: set[int] = field(default_factory=set)
    delegates: set[int] = field(default_factory=set)
    reindex: set[int] = field(default_factory=set)  # proposals whose search columns or text change
    rekey: set[int] = field(default_factory=set)  # proposals whose filter keys may change

    def __or__(self, other: Affected) -> Affected:
        return Affected(
            self.proposals | other.proposals,
            self.delegates | other.delegates,
            self.reindex | other.reindex,
            self.rekey | other.rekey,
        )


def _authors(proposal_ids: Iterable[int]) -> set[int]:
    from proposals.models import Authorship

    return set(
        Authorship.objects.filter(proposal_id__in=list(proposal_ids)).values_list("delegate_id", flat=True)
    )


def _signed(delegate_ids: Iterable[int]) -> set[int]:
    from proposals.models import Authorship

    return set(
        Authorship.objects.filter(delegate_id__in=list(delegate_ids)).values_list("proposal_id", flat=True)
    )


def affected(instance: models.Model) -> Affected:
    """The proposals and delegates whose API representation includes this record."""
    from proposals import models as m

    if isinstance(instance, m.Proposal):
        ids = {instance.pk}
        return Affected(ids, _authors(ids), ids, ids)
    if isinstance(instance, m.Authorship):
        ids = {instance.proposal_id}
        return Affected(ids, {instance.delegate_id}, ids, ids)
    if isinstance(instance, m.Quote):
        ids = {instance.proposal_id}
        return Affected(ids, set(), ids)
    if isinstance(instance, m.QuotePassage):
        ids = set(m.Quote.objects.filter(pk=instance.quote_id).values_list("proposal_id", flat=True))
        return Affected(ids, set(), ids)
    if isinstance(instance, m.Article):
        ids = set(m.Quote.objects.filter(article_id=instance.pk).values_list("proposal_id", flat=True))
        return Affected(ids, set(), ids)
    if isinstance(instance, m.Theme):
        through = m.Proposal.themes.through
        ids = set(through.objects.filter(theme_id=instance.pk).values_list("proposal_id", flat=True))
        return Affected(ids, rekey=ids)
    if isinstance(instance, m.Delegate):
        ids = _signed([instance.pk])
        return Affected(ids, {instance.pk}, ids)
    if isinstance(instance, m.DelegateAlias):
        ids = _signed([instance.delegate_id])
        return Affected(set(), {instance.delegate_id}, ids)
    if isinstance(instance, m.Position):
        ids = _signed([instance.delegate_id])
        return Affected(set(), {instance.delegate_id}, ids, ids)
    if isinstance(instance, m.Membership):
        return Affected(set(), {instance.delegate_id}, rekey=_signed([instance.delegate_id]))
    if isinstance(instance, m.Organisation):
        delegates = set(
            m.Position.objects.filter(organisation_id=instance.pk).values_list("delegate_id", flat=True)
        )
        signed = _signed(delegates)
        return Affected(set(), delegates, signed, signed)
    if isinstance(instance, m.Region):
        # the region and every region below it, by parent links (descendants' paths follow after this save)
        regions = _subtree(instance.pk)
        delegates = set(
            m.Membership.objects.filter(region_id__in=regions).values_list("delegate_id", flat=True)
        ) | set(
            m.Position.objects.filter(organisation__region_id__in=regions).values_list(
                "delegate_id", flat=True
            )
        )
        return Affected(set(), delegates, rekey=_signed(delegates))
    return Affected()


def _subtree(region_id: int) -> set[int]:
    from proposals.models import Region

    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Region.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    out, todo = set(), [region_id]
    while todo:
        pk = todo.pop()
        if pk not in out:
            out.add(pk)
            todo.extend(children.get(pk, ()))
    return out


def touch(*, proposals: Iterable[int] = (), delegates: Iterable[int] = ()) -> None:
    """Move updated_at of these records to now (not their version: nobody's open form becomes stale)."""
    from proposals.models import Delegate, Proposal

    now = timezone.now()
    for model, ids in ((Proposal, proposals), (Delegate, delegates)):
        ids = sorted({i for i in ids if i is not None})
        for start in range(0, len(ids), 500):
            model.objects.filter(pk__in=ids[start : start + 500]).update(updated_at=now)


def apply(change: Affected, *, deleting: bool = False) -> None:
    """Touch, rekey (unless ``deleting``: the caller rekeys after the delete) and schedule the reindex."""
    touch(proposals=change.proposals, delegates=change.delegates)
    if change.rekey and not deleting:
        filter_keys.refresh(change.rekey)
    if change.reindex:
        ids = sorted(change.reindex)
        transaction.on_commit(lambda: reindex_proposals(ids))


def record_changed(instance: models.Model) -> None:
    apply(affected(instance))


def record_deleting(instance: models.Model) -> None:
    """Before a delete: touch what shows the record now; its proposals' keys are rewritten after it
    (``record_deleted``), when the rows the keys are read from are gone."""
    change = affected(instance)
    apply(change, deleting=True)
    instance._rekey_after_delete = change.rekey  # type: ignore[attr-defined]


def record_deleted(instance: models.Model) -> None:
    filter_keys.refresh(getattr(instance, "_rekey_after_delete", ()))


def record_changes(model: type[models.Model], pks: Iterable[int]) -> None:
    """For services that wrote with a queryset update: what every one of these records' saves would do."""
    total = Affected()
    for instance in model._default_manager.filter(pk__in=list(pks)):
        total = total | affected(instance)
    apply(total)
