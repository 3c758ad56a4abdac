"""Services: publishing and merging duplicate delegates, on small named records."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError

from proposals import merging, services
from proposals.models import (
    AuthorRole,
    Authorship,
    Body,
    Delegate,
    DelegateAlias,
    Membership,
    Position,
    Proposal,
    ProposalKind,
    ReviewStatus,
)
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    DelegateFactory,
    MembershipFactory,
    OrganisationFactory,
    PositionFactory,
    ProposalFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


def test_proposal_unpublish_and_publish(blank_db, curator):
    chosen = [ProposalFactory(), ProposalFactory(), ProposalFactory()]
    pks = [p.pk for p in chosen]
    assert services.proposal_unpublish(proposals=chosen, user=curator) == 3
    assert not Proposal.objects.published().filter(pk__in=pks).exists()
    assert set(Proposal.objects.filter(pk__in=pks).values_list("status", flat=True)) == {
        ReviewStatus.IN_REVIEW
    }
    assert LogEntry.objects.filter(user=curator, object_id__in=[str(pk) for pk in pks]).count() == 3

    # Only records that change status count (and are logged).
    assert services.proposal_unpublish(proposals=Proposal.objects.filter(pk__in=pks)) == 0
    assert services.proposal_publish(proposals=Proposal.objects.filter(pk__in=pks)) == 3
    assert Proposal.objects.published().filter(pk__in=pks).count() == 3


def test_delegate_unpublish_and_publish(blank_db):
    delegate = DelegateFactory()
    assert services.delegate_unpublish(delegates=[delegate]) == 1
    assert not Delegate.objects.published().filter(pk=delegate.pk).exists()
    assert services.delegate_publish(delegates=[delegate]) == 1
    assert Delegate.objects.published().filter(pk=delegate.pk).exists()


def test_a_merged_duplicate_is_never_published(blank_db):
    keep, duplicate = DelegateFactory(), DelegateFactory()
    services.delegate_merge(keep=keep, duplicate=duplicate)
    assert services.delegate_publish(delegates=[duplicate]) == 0
    duplicate.refresh_from_db()
    assert duplicate.status == ReviewStatus.WITHDRAWN


@pytest.fixture
def pair(blank_db):
    """雷军 (an NPC deputy for 湖北, chairman of 小米集团, lead author of a proposal) and a newer duplicate
    record of the same person."""
    keep = DelegateFactory(name="雷军")
    AliasFactory(delegate=keep, name="雷总")
    npc = MembershipFactory(delegate=keep, body=Body.NPC, region=RegionFactory(name="湖北", slug="hubei"))
    PositionFactory(delegate=keep, organisation=OrganisationFactory(name="小米集团"), title="董事长")
    ProposalFactory(authors=[npc], quote="建议发展智能网联汽车。")
    duplicate = DelegateFactory(name="雷军", note="重复录入")
    return keep, duplicate


def test_merge_moves_everything(pair):
    keep, duplicate = pair
    article = ArticleFactory(text="雷军代表说，要发展新能源汽车。")
    region = RegionFactory(name="重庆", slug="chongqing")
    organisation = OrganisationFactory(name="科大讯飞")
    other = ProposalFactory(authors=[DelegateFactory(name="刘庆峰")], quote="建议推广语音识别。")
    other_lead = other.authorships.get(role=AuthorRole.LEAD)

    new_membership = Membership.objects.create(
        delegate=duplicate, body=Body.MUNICIPAL_CONGRESS, region=region
    )
    new_position = Position.objects.create(delegate=duplicate, organisation=organisation, title="理事")
    new_authorship = Authorship.objects.create(
        proposal=other, delegate=duplicate, role=AuthorRole.COSIGNER, membership=new_membership
    )
    DelegateAlias.objects.create(delegate=duplicate, name=f"{keep.name}同志")
    # Overlaps with what keep already has:
    kept_membership = keep.memberships.first()
    twin_membership = Membership.objects.create(
        delegate=duplicate,
        body=kept_membership.body,
        region=kept_membership.region,
        article=article,
        evidence=article.text[:10],
    )
    kept_position = keep.positions.first()
    Position.objects.create(
        delegate=duplicate, organisation=kept_position.organisation, title=kept_position.title
    )
    kept_authorship = keep.authorships.first()
    kept_authorship_role = kept_authorship.role
    if kept_authorship_role == AuthorRole.LEAD:  # the duplicate co-signed the same proposal
        Authorship.objects.create(
            proposal=kept_authorship.proposal, delegate=duplicate, role=AuthorRole.COSIGNER
        )
    for alias in keep.aliases.all()[:1]:
        DelegateAlias.objects.create(delegate=duplicate, name=alias.name)
    earlier = Delegate.objects.create(name="更早的重复", merged_into=duplicate, status=ReviewStatus.WITHDRAWN)
    affected = set(
        Proposal.objects.filter(authorships__delegate__in=[keep, duplicate]).values_list("pk", flat=True)
    )

    result = services.delegate_merge(keep=keep, duplicate=duplicate)

    assert result.pk == keep.pk
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == keep.pk
    assert duplicate.status == ReviewStatus.WITHDRAWN
    assert not duplicate.memberships.exists()
    assert not duplicate.positions.exists()
    assert not duplicate.authorships.exists()
    assert not duplicate.aliases.exists()

    new_membership.refresh_from_db()
    new_position.refresh_from_db()
    new_authorship.refresh_from_db()
    assert (new_membership.delegate_id, new_position.delegate_id, new_authorship.delegate_id) == (
        keep.pk,
    ) * 3
    assert new_authorship.membership_id == new_membership.pk
    other_lead.refresh_from_db()
    assert other.authorships.filter(role=AuthorRole.LEAD).get() == other_lead

    # The duplicate's copy of a shared membership filled the kept one's blanks and went away.
    assert not Membership.objects.filter(pk=twin_membership.pk).exists()
    kept_membership.refresh_from_db()
    assert kept_membership.article_id is not None
    assert (
        keep.positions.filter(organisation=kept_position.organisation, title=kept_position.title).count() == 1
    )
    assert keep.authorships.filter(proposal=kept_authorship.proposal).get().role == kept_authorship_role

    aliases = list(keep.aliases.values_list("name", flat=True))
    assert len(aliases) == len(set(aliases))
    # The duplicate's name is the kept name: not an alias of itself.
    assert keep.name not in aliases and f"{keep.name}同志" in aliases

    earlier.refresh_from_db()
    assert earlier.merged_into_id == keep.pk
    keep.refresh_from_db()
    assert "重复录入" in keep.note
    assert set(Proposal.objects.filter(authorships__delegate=keep).values_list("pk", flat=True)) == affected

    # One published record is left, and the moved proposal is found by the kept person's alias.
    assert Delegate.objects.published().filter(pk__in=[keep.pk, duplicate.pk]).get() == keep
    other.refresh_from_db()
    assert f"{keep.name}同志" in other.search_plain


def test_merge_keeps_the_lead_role(blank_db):
    lead_delegate, keep = DelegateFactory(), DelegateFactory()
    proposal = ProposalFactory(authors=[lead_delegate])
    lead = proposal.authorships.get()
    Authorship.objects.create(proposal=proposal, delegate=keep, role=AuthorRole.COSIGNER, order=5)
    services.delegate_merge(keep=keep, duplicate=lead.delegate)
    authorship = Authorship.objects.get(proposal=proposal, delegate=keep)
    assert authorship.role == AuthorRole.LEAD
    assert Authorship.objects.filter(proposal=proposal, role=AuthorRole.LEAD).count() == 1


def test_merge_publishes_keep_when_the_duplicate_was_published(blank_db):
    keep, duplicate = DelegateFactory(status=ReviewStatus.DRAFT), DelegateFactory()
    services.delegate_merge(keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    assert keep.status == ReviewStatus.PUBLISHED


def test_merge_refuses_self_and_merged_records(blank_db):
    a, b, c = DelegateFactory(), DelegateFactory(), DelegateFactory()
    with pytest.raises(ValidationError):
        services.delegate_merge(keep=a, duplicate=a)
    services.delegate_merge(keep=a, duplicate=b)
    with pytest.raises(ValidationError):
        services.delegate_merge(keep=c, duplicate=b)
    with pytest.raises(ValidationError):
        services.delegate_merge(keep=b, duplicate=c)


def test_merge_is_atomic(blank_db, monkeypatch):
    keep, duplicate = DelegateFactory(), DelegateFactory()
    ProposalFactory(authors=[keep])
    ProposalFactory(authors=[duplicate])
    moved = set(duplicate.authorships.values_list("pk", flat=True))

    def boom(ids, **kwargs):
        raise RuntimeError("index down")

    monkeypatch.setattr(merging, "reindex_proposals", boom)
    with pytest.raises(RuntimeError):
        services.delegate_merge(keep=keep, duplicate=duplicate)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    assert set(duplicate.authorships.values_list("pk", flat=True)) == moved


def test_create_local_admin(db, django_user_model):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_local_admin", "--dry-run", stdout=out)
    assert "would create" in out.getvalue()
    assert not django_user_model.objects.filter(username="admin").exists()

    out = StringIO()
    call_command("create_local_admin", stdout=out)
    password = out.getvalue().strip().rsplit(" ", 1)[-1]
    user = django_user_model.objects.get(username="admin")
    assert user.is_superuser and user.is_staff and user.check_password(password)

    out = StringIO()
    call_command("create_local_admin", stdout=out)
    assert "already exists" in out.getvalue()
    assert password not in out.getvalue()
    user.refresh_from_db()
    assert user.check_password(password)


def test_unpublished_proposal_of_a_new_record(blank_db):
    proposal = Proposal.objects.create(title="新建言", kind=ProposalKind.SUGGESTION, year=2024)
    assert not Proposal.objects.published().filter(pk=proposal.pk).exists()
    assert services.proposal_publish(proposals=[proposal]) == 1
    assert Proposal.objects.published().filter(pk=proposal.pk).exists()
