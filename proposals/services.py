"""Writes that span several records: publishing and merging.

Each service is keyword-only, typed and atomic: it either does all it says or nothing. The admin actions
call these; so can scripts and the shell. Review states move only through proposals.workflow (which checks
the user's permission); merges live in proposals.merging. Reads live in proposals.selectors.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Model

from proposals import workflow
from proposals.history import acting
from proposals.merging import delegate_merge, delegates_merge, merge_undo, organisations_merge
from proposals.models import Delegate, Proposal
from proposals.models.base import Reviewed

__all__ = [
    "delegate_merge",
    "delegate_publish",
    "delegate_transition",
    "delegate_unpublish",
    "delegates_merge",
    "merge_undo",
    "organisations_merge",
    "proposal_publish",
    "proposal_transition",
    "proposal_unpublish",
]


def _pks(objects: Iterable[Model]) -> list[int]:
    return [obj.pk for obj in objects]


def _move(model: type[Reviewed], objects: Iterable[Model], name: str, user) -> int:
    with acting(user, workflow.TRANSITIONS[name].label):
        return workflow.transition(model=model, pks=_pks(objects), name=name, user=user)


@transaction.atomic
def proposal_transition(*, proposals: Iterable[Proposal], name: str, user=None) -> int:
    """Move these proposals through a named transition (proposals.workflow.TRANSITIONS)."""
    return _move(Proposal, proposals, name, user)


@transaction.atomic
def delegate_transition(*, delegates: Iterable[Delegate], name: str, user=None) -> int:
    """Move these delegates through a named transition (proposals.workflow.TRANSITIONS)."""
    return _move(Delegate, delegates, name, user)


def proposal_publish(*, proposals: Iterable[Proposal], user=None) -> int:
    """Publish these proposals. Returns how many changed status."""
    return proposal_transition(proposals=proposals, name="publish", user=user)


def proposal_unpublish(*, proposals: Iterable[Proposal], user=None) -> int:
    """Take these proposals off the public site and the API (back to review). Returns how many changed."""
    return proposal_transition(proposals=proposals, name="unpublish", user=user)


def delegate_publish(*, delegates: Iterable[Delegate], user=None) -> int:
    """Publish these delegates; a merged duplicate is never published. Returns how many changed status."""
    return delegate_transition(delegates=delegates, name="publish", user=user)


def delegate_unpublish(*, delegates: Iterable[Delegate], user=None) -> int:
    """Take these delegates off the public site and the API (back to review). Returns how many changed."""
    return delegate_transition(delegates=delegates, name="unpublish", user=user)
