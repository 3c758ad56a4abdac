"""Filter keys (proposals.filter_keys) stay true to the records through every write path: the admin form, a
delete, a region moved, a merge, a bulk import of themes, and a random sequence of edits (Hypothesis).

Each test writes the way a curator or an operator does and then checks both what a reader sees (the
list's filters) and the integrity check (no stale keys)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proposals import filter_keys
from proposals.merging import delegates_merge
from proposals.models import Body, Membership, Proposal
from tests.admin_forms import change_form_data
from tests.factories import (
    DelegateFactory,
    MembershipFactory,
    OrganisationFactory,
    PositionFactory,
    ProposalFactory,
    RegionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.usefixtures("blank_db")


def published():
    return Proposal.objects.published()


def ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def assert_keys_current():
    assert filter_keys.stale_ids() == []


def test_keys_hold_every_filter_value_with_the_regions_above():
    province = RegionFactory()
    city = RegionFactory(parent=province)
    seat = MembershipFactory(body=Body.PROVINCIAL_CPPCC, region=city)
    position = PositionFactory(delegate=seat.delegate)
    theme = ThemeFactory()
    proposal = ProposalFactory(authors=[seat], themes=[theme], year=2023, date=None)
    keys = Proposal.objects.get(pk=proposal.pk).filter_keys.split()
    assert set(keys) == {
        f"t:{theme.pk}",
        "b:provincial-cppcc",
        f"r:{city.pk}",
        f"r:{province.pk}",
        f"d:{seat.delegate_id}",
        f"o:{position.organisation_id}",
        "k:suggestion",
        "y:2023",
    }
    assert ids(published().in_regions([province])) == {proposal.pk}
    assert_keys_current()


def test_a_delegate_without_a_seat_region_is_placed_by_organisation():
    region = RegionFactory()
    delegate = DelegateFactory()
    MembershipFactory(delegate=delegate, body=Body.CPPCC, region=None)
    PositionFactory(delegate=delegate, organisation=OrganisationFactory(region=region))
    proposal = ProposalFactory(authors=[delegate])
    assert ids(published().in_regions([region])) == {proposal.pk}
    assert ids(published().without_region()) == set()
    # a seat with a region takes precedence over the organisation's (the region rule)
    other = RegionFactory()
    MembershipFactory(delegate=delegate, body=Body.NPC, region=other)
    assert ids(published().in_regions([region])) == set()
    assert ids(published().in_regions([other])) == {proposal.pk}
    assert_keys_current()


def test_admin_change_form_adding_a_theme_moves_the_proposal_into_the_filter(admin_client):
    theme, other = ThemeFactory(), ThemeFactory()
    proposal = ProposalFactory(authors=[DelegateFactory()], themes=[theme])
    url = f"/admin/proposals/proposal/{proposal.pk}/change/"
    data = change_form_data(admin_client, url)
    data["themes"] = [theme.pk, other.pk]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    assert ids(published().on_themes([other])) == {proposal.pk}
    assert_keys_current()


def test_deleting_a_theme_a_membership_and_an_authorship_rekeys_after_the_delete():
    theme = ThemeFactory()
    seat = MembershipFactory(body=Body.NPC, region=RegionFactory())
    cosigner = DelegateFactory()
    proposal = ProposalFactory(authors=[seat, cosigner], themes=[theme])
    assert ids(published().in_bodies([Body.NPC])) == {proposal.pk}
    theme.delete()
    Membership.objects.get(pk=seat.pk).delete()  # the authorship's capacity is set to null by the delete
    proposal.authorships.get(delegate=cosigner).delete()
    stored = Proposal.objects.get(pk=proposal.pk).filter_keys
    assert f"t:{theme.pk}" not in stored and "b:npc" not in stored and f"d:{cosigner.pk}" not in stored
    assert "r:none" in stored.split()
    assert_keys_current()


def test_moving_a_region_under_another_changes_the_regions_above(admin_client):
    old, new = RegionFactory(), RegionFactory()
    city = RegionFactory(parent=old)
    proposal = ProposalFactory(authors=[MembershipFactory(body=Body.NPC, region=city)])
    assert ids(published().in_regions([old])) == {proposal.pk}
    city.parent = new
    city.save()
    assert ids(published().in_regions([old])) == set()
    assert ids(published().in_regions([new])) == {proposal.pk}
    assert_keys_current()


def test_an_organisation_moved_to_another_region_and_a_position_removed():
    here, there = RegionFactory(), RegionFactory()
    organisation = OrganisationFactory(region=here)
    position = PositionFactory(organisation=organisation)
    proposal = ProposalFactory(authors=[position.delegate])
    organisation.region = there
    organisation.save()
    assert ids(published().in_regions([there])) == {proposal.pk}
    position.delete()
    assert ids(published().by_organisations([organisation.pk])) == set()
    assert ids(published().without_region()) == {proposal.pk}
    assert_keys_current()


def test_a_merge_moves_the_duplicates_proposals_to_the_survivor():
    keep, duplicate = DelegateFactory(), DelegateFactory()
    proposal = ProposalFactory(authors=[duplicate])
    delegates_merge(survivor=keep, others=[duplicate])
    assert ids(published().by_delegates([keep.pk])) == {proposal.pk}
    assert_keys_current()


def test_rebuild_search_index_repairs_keys_written_wrong():
    proposal = ProposalFactory(authors=[DelegateFactory()], themes=[ThemeFactory()])
    Proposal.objects.filter(pk=proposal.pk).update(filter_keys=" k:nonsense ")  # a broken database
    assert filter_keys.stale_ids() == [proposal.pk]
    call_command("rebuild_search_index", verbosity=0)
    assert_keys_current()


OPERATIONS = st.lists(
    st.sampled_from(
        ["add_theme", "remove_theme", "add_author", "drop_author", "move_region", "drop_seat", "org_region"]
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS, data=st.data())
def test_any_sequence_of_edits_leaves_the_keys_current(operations, data):
    regions = [RegionFactory() for _ in range(2)]
    regions.append(RegionFactory(parent=regions[0]))
    themes = [ThemeFactory() for _ in range(2)]
    seat = MembershipFactory(body=Body.NPC, region=regions[2])
    position = PositionFactory(organisation=OrganisationFactory(region=regions[1]))
    proposal = ProposalFactory(authors=[seat], themes=[themes[0]])
    for operation in operations:
        pick = data.draw(st.integers(0, 1))
        if operation == "add_theme":
            proposal.themes.add(themes[pick])
        elif operation == "remove_theme":
            proposal.themes.remove(themes[pick])
        elif (
            operation == "add_author" and not proposal.authorships.filter(delegate=position.delegate).exists()
        ):
            proposal.authorships.create(delegate=position.delegate, role="cosigner", order=9)
        elif operation == "drop_author":
            proposal.authorships.filter(delegate=position.delegate).delete()
        elif operation == "move_region":
            regions[2].refresh_from_db()
            regions[2].parent = regions[pick]
            regions[2].save()
        elif operation == "drop_seat":
            Membership.objects.filter(pk=seat.pk).delete()
        elif operation == "org_region":
            position.organisation.region = regions[pick]
            position.organisation.save()
    assert_keys_current()
    Proposal.objects.all().delete()
