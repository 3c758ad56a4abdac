"""Field-level history of every curated record (django-simple-history), revert and undo.

Why django-simple-history rather than django-reversion: its history is one table per model with real
columns, so the admin can filter it ("my drafts": drafts with a version by me) and diff it field by field
without deserialising, and a version written by any ``save()`` or ``delete()`` is kept without wrapping
every write path in a revision block. Reversion's revert writes with raw saves, past our ``save()``
(versions, sync, anchoring); here revert and undo always go through ``save()``.

A service that writes several records (a merge, a publication, an ingest) runs inside ``acting(user,
label)``: every history entry it writes carries that user and the label with a batch id, so the whole
operation can be found and undone (``undo_batch``).
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.dispatch import receiver
from django.test.utils import override_settings
from simple_history.models import HistoricalChanges
from simple_history.signals import pre_create_historical_record

# Fields a revert never copies back: identity, bookkeeping, review state (only proposals.workflow moves it),
# merges (undone as a whole with undo_batch) and columns derived from others.
NOT_REVERTED = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "status",
    "first_published_at",
    "status_changed_at",
    "status_changed_by",
    "merged_into",
    "text_hash",
}
DERIVED = {"proposal": {"text"}}

_acting: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("history_acting", default=None)


@dataclass(frozen=True)
class Batch:
    id: str
    label: str

    @property
    def reason(self) -> str:
        return f"{self.label} [{self.id}]"


@contextmanager
def acting(user, label: str) -> Iterator[Batch]:
    """Every history entry written inside carries this user (when the request has none) and the label."""
    batch = Batch(uuid.uuid4().hex[:12], label)
    token = _acting.set((user if user is not None and user.pk is not None else None, batch))
    try:
        yield batch
    finally:
        _acting.reset(token)


@receiver(pre_create_historical_record)
def _stamp(sender, instance, history_instance, **kwargs) -> None:
    current = _acting.get()
    if current is None:
        return
    user, batch = current
    if history_instance.history_user_id is None and user is not None:
        history_instance.history_user = user
    history_instance.history_change_reason = batch.reason


@contextmanager
def paused() -> Iterator[None]:
    """No history written inside: for raw loads (fixtures, restores) that set many-to-many relations
    without simple-history knowing they are raw. The load's own records keep (or restore) the history."""
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        yield


def history_of(model: type[models.Model]) -> Any:
    """The model's history manager (simple-history adds it as ``history``; the type checker cannot know)."""
    return getattr(model, "history")  # noqa: B009


def curated_models() -> list[type[models.Model]]:
    """The models whose changes are kept (not the history models themselves)."""
    return [
        m
        for m in apps.get_app_config("proposals").get_models()
        if getattr(m._meta, "simple_history_manager_attribute", None) == "history"
    ]


BASELINE = "载入（基线版本）"


def record_baseline(*, reason: str = BASELINE, batch_size: int = 2000) -> int:
    """Give every record without history a first version (records written by raw loads such as
    loaddata have none), so that the first curator's edit can be reverted. Returns how many."""
    total = 0
    for model in curated_models():
        history_model = history_of(model).model
        missing = model._default_manager.exclude(pk__in=history_model.objects.values("id")).order_by("pk")
        objs = list(missing)
        if not objs:
            continue
        history_of(model).bulk_history_create(objs, batch_size=batch_size, default_change_reason=reason)
        total += len(objs)
        for field in model._meta.many_to_many:
            if hasattr(history_model, field.name):
                _baseline_m2m(model, field.name, [o.pk for o in objs], reason)
    return total


def _baseline_m2m(model: type[models.Model], name: str, pks: list[int], reason: str) -> None:
    """The m2m values (themes) of the baseline versions just written."""
    history_model = history_of(model).model
    through = apps.get_model(model._meta.app_label, f"{history_model.__name__}_{name}")
    source = getattr(model, name).through
    own = f"{model._meta.model_name}_id"
    other = next(f.attname for f in source._meta.fields if f.is_relation and f.attname != own)
    versions = dict(
        history_model.objects.filter(id__in=pks, history_change_reason=reason).values_list("id", "history_id")
    )
    rows = [
        through(id=row["id"], **{own: row[own], other: row[other], "history_id": versions[row[own]]})
        for row in source.objects.filter(**{f"{own}__in": pks}).values("id", own, other)
        if row[own] in versions
    ]
    through.objects.bulk_create(rows, batch_size=2000)


def batch_entries(batch_id: str) -> list[HistoricalChanges]:
    """Every history entry of a batch, newest first."""
    entries = []
    for model in curated_models():
        entries += list(
            history_of(model).model.objects.filter(history_change_reason__endswith=f"[{batch_id}]")
        )
    return sorted(entries, key=lambda e: (e.history_date, e.history_id), reverse=True)


def _copyable(model: type[models.Model], *, everything: bool) -> list[models.Field]:
    """The fields of the model that its history keeps and a revert (or an undo: everything) copies back."""
    skip = {"id", "version", "created_at", "updated_at", *DERIVED.get(model._meta.model_name or "", set())}
    if not everything:
        skip |= NOT_REVERTED
    kept = {f.attname for f in history_of(model).model._meta.concrete_fields}
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in skip and not f.primary_key and f.attname in kept
    ]


def differences(record: HistoricalChanges, *, everything: bool = False) -> list[tuple[str, str, str]]:
    """(field, now, in that version) for every field a revert to ``record`` would change."""
    model = record.instance_type
    current = model._default_manager.filter(pk=record.instance.pk).first()
    rows = []
    for field in _copyable(model, everything=everything):
        then = getattr(record, field.attname)
        now = getattr(current, field.attname) if current is not None else None
        if then != now:
            rows.append((str(field.verbose_name), _show(now), _show(then)))
    if "themes" in {f.name for f in model._meta.many_to_many} and current is not None:
        then_ids = sorted(record.themes.values_list("theme_id", flat=True))
        now_ids = sorted(current.themes.values_list("pk", flat=True))
        if then_ids != now_ids:
            rows.append(("主题", _show(now_ids), _show(then_ids)))
    return rows


def _show(value) -> str:
    return "（无）" if value in (None, "", []) else str(value)


@transaction.atomic
def revert(record: HistoricalChanges, *, user) -> models.Model:
    """Put the record's editable fields (and themes) back as they were in this version, through save().

    The review state is not reverted (only proposals.workflow moves it); the save is a new version.
    """
    model = record.instance_type
    obj = model._default_manager.select_for_update().get(pk=record.instance.pk)
    with acting(user, f"恢复到 {record.history_date:%Y-%m-%d %H:%M:%S} 的版本"):
        for field in _copyable(model, everything=False):
            setattr(obj, field.attname, getattr(record, field.attname))
        obj.full_clean(exclude=["status"])
        obj.save()
        if "themes" in {f.name for f in model._meta.many_to_many}:
            obj.themes.set(list(record.themes.values_list("theme_id", flat=True)))
    _reindex_if_proposal(obj)
    return obj


def _reindex_if_proposal(obj: models.Model) -> None:
    from proposals.indexing import reindex_proposals
    from proposals.models import Proposal

    if isinstance(obj, Proposal):
        reindex_proposals([obj.pk], touch=True)


@transaction.atomic
def undo_batch(batch_id: str, *, user, label: str = "撤销") -> int:
    """Undo everything one batch (a merge, say) wrote, newest first, each step through save()/delete().

    Records it created are deleted, records it changed get their previous version back (every field,
    review state included: the batch is undone as a whole), records it deleted are written again with
    their ids. Returns how many entries were undone.
    """
    entries = batch_entries(batch_id)
    with acting(user, label):
        for entry in entries:
            model = entry.instance_type
            current = model._default_manager.filter(pk=entry.instance.pk).first()
            if entry.history_type == "+":
                if current is not None:
                    current.delete()
                continue
            previous = entry if entry.history_type == "-" else entry.prev_record
            if previous is None:
                continue
            target = current if current is not None else model(pk=entry.instance.pk)
            for field in _copyable(model, everything=True):
                setattr(target, field.attname, getattr(previous, field.attname))
            if current is None:
                target.save(force_insert=True)
            else:
                target.save()
    return len(entries)
