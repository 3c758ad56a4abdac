"""Every save and delete of a curated record, and every change of a proposal's themes, goes through
proposals.changes: syncing clients see it, and the search columns follow.

Fixture loading saves with raw=True and is skipped here: load_corpus touches and reindexes afterwards.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from proposals import changes, filter_keys
from proposals.models import (
    Article,
    Authorship,
    Delegate,
    DelegateAlias,
    Membership,
    Organisation,
    Position,
    Proposal,
    Quote,
    QuotePassage,
    Region,
    Theme,
)
from proposals.weblinks import check_web_url

CURATED = [
    Article,
    Authorship,
    Delegate,
    DelegateAlias,
    Membership,
    Organisation,
    Position,
    Proposal,
    Quote,
    QuotePassage,
    Region,
    Theme,
]


def _changed(sender, instance, raw=False, **kwargs):
    if not raw and not changes.is_suspended():
        changes.record_changed(instance)


def _deleting(sender, instance, **kwargs):
    if not changes.is_suspended():
        changes.record_deleting(instance)


def _deleted(sender, instance, **kwargs):
    if not changes.is_suspended():
        changes.record_deleted(instance)


for _model in CURATED:
    post_save.connect(_changed, sender=_model, dispatch_uid=f"changes-save-{_model.__name__}")
    # Before the delete: what shows the record is still there to be found; after it, the filter keys.
    pre_delete.connect(_deleting, sender=_model, dispatch_uid=f"changes-delete-{_model.__name__}")
    post_delete.connect(_deleted, sender=_model, dispatch_uid=f"changes-deleted-{_model.__name__}")


@receiver(m2m_changed, sender=Proposal.themes.through)
def themes_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if changes.is_suspended():
        return
    if reverse:  # theme.proposals.add(...): instance is the theme
        if action == "pre_clear":
            changes.record_deleting(instance)  # the theme's proposals, rekeyed once cleared
        elif action == "post_clear":
            changes.record_deleted(instance)
        elif action in ("post_add", "post_remove"):
            changes.touch(proposals=pk_set or ())
            filter_keys.refresh(pk_set or ())
    elif action in ("post_add", "post_remove", "post_clear"):
        changes.touch(proposals=[instance.pk])
        filter_keys.refresh([instance.pk])


@receiver(pre_save, sender=Article, dispatch_uid="article-web-url")
def article_web_url(sender, instance, raw=False, **kwargs):
    """Fixture loads (loaddata, load_corpus) save raw, around Article.save(): the link rule holds there too."""
    check_web_url(instance.url)
