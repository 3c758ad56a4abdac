"""Review states and the only way to change them: draft → in review → published, and withdrawn.

A record's ``status`` is not a field of any form, import or API: every path (change form, bulk action,
import, ingestion review, shell) calls ``transition()`` (or the ``*_publish`` services built on it), which
checks the user's permission, saves each record (version, sync and history hold), and records who moved it
and when (``status_changed_by`` / ``status_changed_at``, plus a history entry and an admin log entry).

``user=None`` is the system (management commands, data loads): it is allowed and recorded as nobody.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from proposals.models import Delegate, Proposal, ReviewStatus
from proposals.models.base import Reviewed

DRAFT, IN_REVIEW, PUBLISHED, WITHDRAWN = (
    ReviewStatus.DRAFT,
    ReviewStatus.IN_REVIEW,
    ReviewStatus.PUBLISHED,
    ReviewStatus.WITHDRAWN,
)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    # "change": any curator; "publish": editors (the model's publish_<model> permission).
    needs: str


TRANSITIONS = {
    t.name: t
    for t in (
        Transition("submit", "提交审核", frozenset({DRAFT}), IN_REVIEW, "change"),
        Transition("return_to_draft", "退回草稿", frozenset({IN_REVIEW}), DRAFT, "change"),
        Transition("publish", "发布", frozenset({DRAFT, IN_REVIEW, WITHDRAWN}), PUBLISHED, "publish"),
        Transition("unpublish", "撤销发布", frozenset({PUBLISHED}), IN_REVIEW, "publish"),
        Transition("withdraw", "撤回", frozenset({DRAFT, IN_REVIEW, PUBLISHED}), WITHDRAWN, "publish"),
        Transition("restore", "恢复为草稿", frozenset({WITHDRAWN}), DRAFT, "publish"),
    )
}

REVIEWED_MODELS: tuple[type[Reviewed], ...] = (Proposal, Delegate)


def permission_for(model: type[Model], transition: Transition) -> str:
    meta = model._meta
    return f"{meta.app_label}.{transition.needs}_{meta.model_name}"


def can(user, model: type[Model], name: str) -> bool:
    """May this user make this transition on records of this model? (None: the system, always.)"""
    return user is None or user.has_perm(permission_for(model, TRANSITIONS[name]))


def check(user, model: type[Model], name: str) -> None:
    if not can(user, model, name):
        raise PermissionDenied(f"没有权限对{model._meta.verbose_name}执行“{TRANSITIONS[name].label}”。")


@transaction.atomic
def transition(*, model: type[Reviewed], pks: Iterable[int], name: str, user=None) -> int:
    """Move these records through the named transition; those not in a source state are left alone.

    Raises PermissionDenied (nothing written) when the user may not make it. Returns how many moved.
    """
    if model not in REVIEWED_MODELS:
        raise ValueError(f"{model.__name__} has no review states")
    step = TRANSITIONS[name]
    check(user, model, name)
    candidates = model._default_manager.select_for_update().filter(pk__in=list(pks), status__in=step.sources)
    if model is Delegate and step.target == PUBLISHED:
        # a merged duplicate is never published
        candidates = candidates.exclude(
            pk__in=Delegate.objects.filter(merged_into__isnull=False).values("pk")
        )
    changing = list(candidates.order_by("pk"))
    now = timezone.now()
    author = user if user is not None and user.pk is not None else None
    for obj in changing:
        obj.status = step.target
        obj.status_changed_at = now
        obj.status_changed_by = author
        # simple-history reads these for the version it writes
        obj._history_user = author  # type: ignore[attr-defined]
        obj._change_reason = step.label  # type: ignore[attr-defined]
        obj.save(update_fields=["status", "status_changed_at", "status_changed_by", "updated_at"])
    if changing and author is not None:
        LogEntry.objects.log_actions(
            user_id=author.pk,
            queryset=changing,
            action_flag=CHANGE,
            change_message=step.label,
            single_object=len(changing) == 1,  # type: ignore[call-overload]  # a bool, not a Literal
        )
    return len(changing)


def available(user, model: type[Model]) -> list[Transition]:
    """The transitions this user may make on this model (for the admin's actions and buttons)."""
    return [t for t in TRANSITIONS.values() if can(user, model, t.name)]
