"""The search columns follow the records they are built from; related edits mark proposals as changed."""

import pytest

from proposals.indexing import reindex_proposals
from proposals.models import Delegate, Proposal


@pytest.mark.django_db
def test_renaming_a_delegate_reindexes_and_touches_their_proposals(
    corpus, django_capture_on_commit_callbacks
):
    delegate = Delegate.objects.get(name="雷军")
    proposal = Proposal.objects.get(authorships__delegate=delegate)
    before = proposal.updated_at
    assert not Proposal.objects.search("雷小军").exists()

    with django_capture_on_commit_callbacks(execute=True):
        delegate.name = "雷小军"
        delegate.save()

    proposal.refresh_from_db()
    assert proposal.updated_at > before, "API clients syncing with updated_after must see the change"
    assert list(Proposal.objects.search("雷小军")) == [proposal]


@pytest.mark.django_db
def test_full_rebuild_does_not_touch_updated_at(corpus):
    proposal = Proposal.objects.order_by("pk").first()
    before = proposal.updated_at
    assert reindex_proposals() == Proposal.objects.count()
    proposal.refresh_from_db()
    assert proposal.updated_at == before
    assert " " in proposal.search_tokens and proposal.search_plain


@pytest.mark.django_db
def test_search_columns_hold_delegate_and_organisation_names(corpus):
    proposal = Proposal.objects.get(authorships__delegate__name="刘庆峰")
    assert " 刘庆峰 " in proposal.search_tokens
    assert "科大讯飞" in proposal.search_plain
    assert list(Proposal.objects.search("科大讯飞")) == [proposal]
