"""Keep the search columns in step with the records they are built from.

Fixture loading saves with raw=True and is skipped here: the load_corpus command reindexes afterwards.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from proposals.indexing import reindex_proposals
from proposals.models import Authorship, Delegate, DelegateAlias, Organisation, Position, Proposal


def _later(ids, *, touch: bool = True) -> None:
    """Reindex after the transaction commits; touch=True marks the proposals as changed for API sync."""
    ids = list(ids)
    if ids:
        transaction.on_commit(lambda: reindex_proposals(ids, touch=touch))


@receiver(post_save, sender=Proposal)
def proposal_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _later([instance.pk], touch=False)  # its own save already set updated_at


@receiver([post_save, post_delete], sender=Authorship)
def authorship_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _later([instance.proposal_id])


@receiver(post_save, sender=Delegate)
def delegate_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _later(instance.authorships.values_list("proposal_id", flat=True))


@receiver([post_save, post_delete], sender=DelegateAlias)
@receiver([post_save, post_delete], sender=Position)
def person_detail_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _later(
            Authorship.objects.filter(delegate_id=instance.delegate_id).values_list("proposal_id", flat=True)
        )


@receiver(post_save, sender=Organisation)
def organisation_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _later(
            Authorship.objects.filter(delegate__positions__organisation=instance).values_list(
                "proposal_id", flat=True
            )
        )
