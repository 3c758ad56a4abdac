"""Writes that span several records: publishing and merging.

Each service is keyword-only, typed and atomic: it either does all it says or nothing. The admin actions
call these; so can scripts and the shell. Reads live in proposals.selectors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from proposals.indexing import reindex_proposals
from proposals.models import (
    AuthorRole,
    Authorship,
    Delegate,
    DelegateAlias,
    Membership,
    Position,
    Proposal,
    ReviewStatus,
)
from proposals.models.base import Reviewed
from proposals.names import strip_honorific

# Unpublishing sends a record back to the review queue; WITHDRAWN is kept for records that no longer stand
# on their own (a merged duplicate).
UNPUBLISHED_STATUS = ReviewStatus.IN_REVIEW


def _pks(objects: Iterable[Model]) -> list[int]:
    return [obj.pk for obj in objects]


def _set_status(model: type[Reviewed], pks: list[int], status: str, *, user, message: str) -> int:
    """Set the status of these records (only those that change), and log it in the admin history.

    Each record is saved (not updated in bulk): its version goes up, so a curator's form opened before
    is refused instead of putting the old status back, and proposals.changes marks what shows it.
    """
    changing = list(model._default_manager.select_for_update().filter(pk__in=pks).exclude(status=status))
    if not changing:
        return 0
    for obj in changing:
        obj.status = status
        obj.save(update_fields=["status", "updated_at"])
    if user is not None and user.pk is not None:
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=changing,
            action_flag=CHANGE,
            change_message=message,
            single_object=len(changing) == 1,  # type: ignore[call-overload]  # a bool, not a Literal
        )
    return len(changing)


@transaction.atomic
def proposal_publish(*, proposals: Iterable[Proposal], user=None) -> int:
    """Publish these proposals. Returns how many changed status."""
    return _set_status(Proposal, _pks(proposals), ReviewStatus.PUBLISHED, user=user, message="发布")


@transaction.atomic
def proposal_unpublish(*, proposals: Iterable[Proposal], user=None) -> int:
    """Take these proposals off the public site and the API (back to review). Returns how many changed."""
    return _set_status(Proposal, _pks(proposals), UNPUBLISHED_STATUS, user=user, message="撤销发布")


@transaction.atomic
def delegate_publish(*, delegates: Iterable[Delegate], user=None) -> int:
    """Publish these delegates; a merged duplicate is never published. Returns how many changed status."""
    pks = list(
        Delegate.objects.filter(pk__in=_pks(delegates), merged_into__isnull=True).values_list("pk", flat=True)
    )
    return _set_status(Delegate, pks, ReviewStatus.PUBLISHED, user=user, message="发布")


@transaction.atomic
def delegate_unpublish(*, delegates: Iterable[Delegate], user=None) -> int:
    """Take these delegates off the public site and the API (back to review). Returns how many changed."""
    pks = list(
        Delegate.objects.filter(pk__in=_pks(delegates), status=ReviewStatus.PUBLISHED).values_list(
            "pk", flat=True
        )
    )
    return _set_status(Delegate, pks, UNPUBLISHED_STATUS, user=user, message="撤销发布")


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


@transaction.atomic
def delegate_merge(*, keep: Delegate, duplicate: Delegate, user=None) -> Delegate:
    """Merge a duplicate record of a person into the record to keep.

    Memberships, positions, authorships and aliases move to `keep` (where `keep` already has the same one,
    the duplicate's copy only fills blanks and is removed); the duplicate's name becomes an alias; the
    duplicate is marked merged (`merged_into=keep`, withdrawn) and kept so that old links can redirect.
    If the duplicate was published, the kept record is published too. The affected proposals are reindexed.
    """
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

    if duplicate.note and duplicate.note not in keep.note:
        keep.note = f"{keep.note}\n{duplicate.note}".strip()
    if duplicate.status == ReviewStatus.PUBLISHED:
        keep.status = ReviewStatus.PUBLISHED
    keep.save()

    duplicate.merged_into = keep
    duplicate.status = ReviewStatus.WITHDRAWN
    duplicate.save(update_fields=["merged_into", "status", "updated_at"])

    reindex_proposals(keep.authorships.values_list("proposal_id", flat=True), touch=True)

    if user is not None and user.pk is not None:
        content_type = ContentType.objects.get_for_model(Delegate)
        for obj, message in ((keep, f"合并了重复记录 #{duplicate.pk}"), (duplicate, f"已合并到 #{keep.pk}")):
            LogEntry.objects.create(
                user_id=user.pk,
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                action_flag=CHANGE,
                change_message=message,
            )
    return keep
