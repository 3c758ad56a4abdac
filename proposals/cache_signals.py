"""Cached counts go stale when curators change what no timestamp records (see proposals.caching)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from proposals.caching import bump
from proposals.models import (
    Authorship,
    Delegate,
    Membership,
    Organisation,
    Position,
    Proposal,
    Quote,
    Region,
    Theme,
)


@receiver([post_save, post_delete], sender=Proposal)
@receiver([post_save, post_delete], sender=Authorship)
@receiver([post_save, post_delete], sender=Delegate)
@receiver([post_save, post_delete], sender=Membership)
@receiver([post_save, post_delete], sender=Position)
@receiver([post_save, post_delete], sender=Organisation)
@receiver([post_save, post_delete], sender=Region)
@receiver([post_save, post_delete], sender=Theme)
@receiver([post_save, post_delete], sender=Quote)
def data_changed(sender, raw=False, **kwargs):
    if not raw:
        bump()


@receiver(m2m_changed, sender=Proposal.themes.through)
def themes_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        bump()
