"""Merging duplicate records: delegates (two or more, into a survivor the curator chooses) and organisations.

Everything moves over by save()/delete() inside ``proposals.history.acting``: each step is a history entry
of one batch, so the merge shows in the history of every record it touched and ``merge_undo`` puts it all
back. The other names become aliases of the survivor (without 代表/委员), which search and ingestion know.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from proposals import history
from proposals.indexing import reindex_proposals
from proposals.models import (
    AuthorRole,
    Authorship,
    Delegate,
    DelegateAlias,
    Membership,
    Organisation,
    Position,
    ReviewStatus,
)
from proposals.names import strip_honorific

MERGE_LABEL = "合并"


def _check(user, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied("没有合并记录的权限（需要编辑角色）。")


def _log(user, obj: Model, message: str) -> None:
    if user is None or user.pk is None:
        return
    LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=CHANGE,
        change_message=message,
    )


def _fill_blanks(target: Model, source: Model, fields: Iterable[str]) -> None:
    """Copy source's values into target's empty fields (the kept record wins where both have one)."""
    changed = []
    for field in fields:
        if not getattr(target, field) and getattr(source, field):
            setattr(target, field, getattr(source, field))
            changed.append(field)
    if changed:
        target.save(update_fields=changed)


_Held = TypeVar("_Held", Membership, Position)


def _move_or_fold(
    model: type[_Held],
    keep: Delegate,
    duplicate: Delegate,
    same: Callable[[_Held], dict[str, Any]],
    fold: Callable[[_Held, _Held], None],
) -> None:
    """Move the duplicate's records of this model to the kept delegate. Where the kept delegate already has
    the same one (``same``: the lookup that finds it), ``fold`` the duplicate's copy into it and delete it."""
    for record in model._default_manager.filter(delegate=duplicate):
        twin = model._default_manager.filter(delegate=keep, **same(record)).first()
        if twin is None:
            record.delegate = keep
            record.save(update_fields=["delegate", "updated_at"])
            continue
        fold(twin, record)
        record.delete()


def _merge_memberships(keep: Delegate, duplicate: Delegate) -> None:
    def fold(twin: Membership, membership: Membership) -> None:
        _fill_blanks(twin, membership, ["sector", "term", "article_id", "evidence"])
        for authorship in Authorship.objects.filter(membership=membership):
            authorship.membership = twin
            authorship.save(update_fields=["membership", "updated_at"])

    _move_or_fold(Membership, keep, duplicate, lambda m: {"body": m.body, "region_id": m.region_id}, fold)


def _merge_positions(keep: Delegate, duplicate: Delegate) -> None:
    def fold(twin: Position, position: Position) -> None:
        _fill_blanks(twin, position, ["article_id", "evidence"])

    _move_or_fold(
        Position,
        keep,
        duplicate,
        lambda p: {"organisation_id": p.organisation_id, "title": p.title},
        fold,
    )


def _merge_authorships(keep: Delegate, duplicate: Delegate) -> None:
    for authorship in Authorship.objects.filter(delegate=duplicate):
        twin = Authorship.objects.filter(delegate=keep, proposal_id=authorship.proposal_id).first()
        if twin is None:
            authorship.delegate = keep
            authorship.save(update_fields=["delegate", "updated_at"])
            continue
        # Both records signed the same proposal: one signature stays, the stronger role and the capacity survive.
        was_lead = authorship.role == AuthorRole.LEAD
        membership_id = twin.membership_id or authorship.membership_id
        authorship.delete()
        twin.membership_id = membership_id
        if was_lead:
            twin.role = AuthorRole.LEAD
        twin.save(update_fields=["membership", "role", "updated_at"])


def _merge_aliases(keep: Delegate, duplicate: Delegate) -> None:
    existing = set(keep.aliases.values_list("name", flat=True))
    for alias in DelegateAlias.objects.filter(delegate=duplicate):
        if alias.name in existing or alias.name == keep.name:
            alias.delete()
        else:
            alias.delegate = keep
            alias.save(update_fields=["delegate", "updated_at"])
            existing.add(alias.name)
    name = strip_honorific(duplicate.name)
    if name not in existing and name != keep.name:
        DelegateAlias.objects.create(delegate=keep, name=name)


def delegate_holdings(delegate: Delegate) -> dict[str, list[str]]:
    """What a delegate record holds, shown on the merge confirmation page: it all moves to the survivor."""
    return {
        "署名的建言": [str(a.proposal) for a in delegate.authorships.select_related("proposal")],
        "身份": [m.label for m in delegate.memberships.select_related("region__parent")],
        "职务": [f"{p.organisation} {p.title}" for p in delegate.positions.select_related("organisation")],
        "名称与别名（成为保留记录的别名）": [
            strip_honorific(delegate.name),
            *delegate.aliases.values_list("name", flat=True),
        ],
    }


def _delegate_merge(keep: Delegate, duplicate: Delegate) -> None:
    keep = Delegate.objects.select_for_update().get(pk=keep.pk)
    duplicate = Delegate.objects.select_for_update().get(pk=duplicate.pk)
    if keep.pk == duplicate.pk:
        raise ValidationError("不能把人物合并到自己。")
    if keep.merged_into_id or duplicate.merged_into_id:
        raise ValidationError("所选人物中有已被合并的记录：请选择仍然有效的记录。")

    _merge_memberships(keep, duplicate)
    _merge_positions(keep, duplicate)
    _merge_authorships(keep, duplicate)
    _merge_aliases(keep, duplicate)

    # Records merged earlier into the duplicate now point at the kept record directly.
    for earlier in Delegate.objects.filter(merged_into=duplicate):
        earlier.merged_into = keep
        earlier.save(update_fields=["merged_into", "updated_at"])

    keep.refresh_from_db()
    if duplicate.note and duplicate.note not in keep.note:
        keep.note = f"{keep.note}\n{duplicate.note}".strip()
    if duplicate.status == ReviewStatus.PUBLISHED:
        keep.status = ReviewStatus.PUBLISHED
    keep.save()

    duplicate.refresh_from_db()
    duplicate.merged_into = keep
    duplicate.status = ReviewStatus.WITHDRAWN
    duplicate.status_changed_at = timezone.now()
    duplicate.save(update_fields=["merged_into", "status", "status_changed_at", "updated_at"])


@transaction.atomic
def delegates_merge(*, survivor: Delegate, others: Iterable[Delegate], user=None) -> history.Batch:
    """Merge these duplicate records of one person into the survivor the curator chose.

    Memberships, positions, authorships and aliases move to the survivor (where it already has the same
    one, the duplicate's copy only fills blanks and is removed); each other name becomes an alias; each
    duplicate is marked merged (``merged_into``, withdrawn) and kept so that old links redirect. If a
    duplicate was published, the survivor is published too. Returns the history batch (for undo).
    """
    _check(user, "proposals.merge_delegate")
    others = [o for o in others if o.pk != survivor.pk]
    if not others:
        raise ValidationError("请至少选择两位代表委员。")
    with history.acting(
        user, f"{MERGE_LABEL} {'、'.join(f'#{o.pk}' for o in others)} → #{survivor.pk}"
    ) as batch:
        for other in others:
            _delegate_merge(survivor, other)
        survivor.refresh_from_db()
        reindex_proposals(survivor.authorships.values_list("proposal_id", flat=True), touch=True)
    _log(user, survivor, f"合并了重复记录 {'、'.join(f'#{o.pk}' for o in others)}（批次 {batch.id}）")
    for other in others:
        _log(user, other, f"已合并到 #{survivor.pk}（批次 {batch.id}）")
    return batch


def delegate_merge(*, keep: Delegate, duplicate: Delegate, user=None) -> Delegate:
    """Merge one duplicate into the record to keep (see delegates_merge). Returns the kept record."""
    delegates_merge(survivor=keep, others=[duplicate], user=user)
    return Delegate.objects.get(pk=keep.pk)


def organisation_holdings(organisation: Organisation) -> dict[str, list[str]]:
    """What an organisation record holds, shown on the merge confirmation page."""
    return {
        "职务": [f"{p.delegate} {p.title}" for p in organisation.positions.select_related("delegate")],
        "下级机构": [str(u) for u in organisation.units.all()],
    }


@transaction.atomic
def organisations_merge(
    *, survivor: Organisation, others: Iterable[Organisation], user=None
) -> history.Batch:
    """Merge duplicate organisations: positions and units move to the survivor, the others are deleted
    (their last version stays in the history, and merge_undo writes them back)."""
    _check(user, "proposals.merge_organisation")
    others = [o for o in others if o.pk != survivor.pk]
    if not others:
        raise ValidationError("请至少选择两个机构。")
    with history.acting(
        user, f"{MERGE_LABEL} {'、'.join(f'#{o.pk}' for o in others)} → #{survivor.pk}"
    ) as batch:
        for other in others:
            for position in Position.objects.filter(organisation=other):
                twin = Position.objects.filter(
                    delegate_id=position.delegate_id, organisation=survivor, title=position.title
                ).first()
                if twin is None:
                    position.organisation = survivor
                    position.save(update_fields=["organisation", "updated_at"])
                else:
                    _fill_blanks(twin, position, ["article_id", "evidence"])
                    position.delete()
            for unit in Organisation.objects.filter(parent=other).exclude(pk=survivor.pk):
                unit.parent = survivor
                unit.save(update_fields=["parent", "updated_at"])
            survivor.refresh_from_db()
            _fill_blanks(
                survivor,
                other,
                ["short_name", "region_id"] + ([] if other.parent_id == survivor.pk else ["parent_id"]),
            )
            other.refresh_from_db()
            other.delete()
        delegate_ids = Position.objects.filter(organisation=survivor).values_list("delegate_id", flat=True)
        reindex_proposals(
            Authorship.objects.filter(delegate_id__in=delegate_ids).values_list("proposal_id", flat=True),
            touch=True,
        )
    _log(user, survivor, f"合并了重复机构 {'、'.join(f'#{o.pk}' for o in others)}（批次 {batch.id}）")
    return batch


@transaction.atomic
def merge_undo(*, batch_id: str, user=None) -> int:
    """Undo a merge (any batch) from its history entries; the affected proposals are reindexed."""
    entries = history.batch_entries(batch_id)
    if not entries:
        raise ValidationError("找不到这次合并的历史记录。")
    kinds = {e.instance_type for e in entries}
    model = Delegate if Delegate in kinds else Organisation
    _check(user, f"proposals.merge_{model._meta.model_name}")
    count = history.undo_batch(batch_id, user=user, label=f"撤销合并 [{batch_id}]")
    proposal_ids = {e.proposal_id for e in entries if hasattr(e, "proposal_id")}
    delegate_ids = {e.delegate_id for e in entries if hasattr(e, "delegate_id")}
    delegate_ids |= {e.id for e in entries if e.instance_type is Delegate}
    proposal_ids |= set(
        Authorship.objects.filter(delegate_id__in=delegate_ids).values_list("proposal_id", flat=True)
    )
    reindex_proposals(sorted(proposal_ids), touch=True)
    return count
