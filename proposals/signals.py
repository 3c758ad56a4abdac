"""Every save and delete of a curated record, and every change of a proposal's themes, goes through
proposals.changes: syncing clients see it, and the search columns follow.

Fixture loading saves with raw=True and is skipped here: load_corpus touches and reindexes afterwards.
"""

from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import receiver

from proposals import changes
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


for _model in CURATED:
    post_save.connect(_changed, sender=_model, dispatch_uid=f"changes-save-{_model.__name__}")
    # Before the delete: what shows the record is still there to be found.
    pre_delete.connect(_changed, sender=_model, dispatch_uid=f"changes-delete-{_model.__name__}")


@receiver(m2m_changed, sender=Proposal.themes.through)
def themes_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if changes.is_suspended():
        return
    if reverse:  # theme.proposals.add(...): instance is the theme
        if action == "pre_clear":
            changes.record_changed(instance)
        elif action in ("post_add", "post_remove"):
            changes.touch(proposals=pk_set or ())
    elif action in ("post_add", "post_remove", "post_clear"):
        changes.touch(proposals=[instance.pk])


@receiver(pre_save, sender=Article, dispatch_uid="article-web-url")
def article_web_url(sender, instance, raw=False, **kwargs):
    """Fixture loads (loaddata, load_corpus) save raw, around Article.save(): the link rule holds there too."""
    check_web_url(instance.url)
