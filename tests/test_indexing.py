"""The search columns follow the records they are built from; related edits mark proposals as changed."""

import pytest

from proposals.indexing import reindex_proposals
from proposals.models import Proposal
from tests.factories import DelegateFactory, OrganisationFactory, PositionFactory, ProposalFactory

pytestmark = pytest.mark.usefixtures("blank_db")


def test_renaming_a_delegate_reindexes_and_touches_their_proposals(django_capture_on_commit_callbacks):
    delegate = DelegateFactory(name="雷军")
    proposal = ProposalFactory(authors=[delegate])
    before = proposal.updated_at
    assert not Proposal.objects.search("雷小军").exists()

    with django_capture_on_commit_callbacks(execute=True):
        delegate.name = "雷小军"
        delegate.save()

    proposal.refresh_from_db()
    assert proposal.updated_at > before, "API clients syncing with updated_after must see the change"
    assert list(Proposal.objects.search("雷小军")) == [proposal]


def test_full_rebuild_does_not_touch_updated_at():
    proposal, _ = ProposalFactory(), ProposalFactory()
    before = proposal.updated_at
    assert reindex_proposals() == 2
    proposal.refresh_from_db()
    assert proposal.updated_at == before
    assert " " in proposal.search_tokens and proposal.search_plain


def test_search_columns_hold_delegate_and_organisation_names():
    liu = DelegateFactory(name="刘庆峰")
    PositionFactory(delegate=liu, organisation=OrganisationFactory(name="科大讯飞"))
    proposal = ProposalFactory(authors=[liu], quote="建议发展语音识别。")
    ProposalFactory(authors=[DelegateFactory(name="雷军")])
    assert " 刘庆峰 " in proposal.search_tokens
    assert "科大讯飞" in proposal.search_plain
    assert list(Proposal.objects.search("科大讯飞")) == [proposal]
