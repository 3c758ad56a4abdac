"""The data model, one module per subject; import everything from here."""

from proposals.models.base import EditConflict, ReviewStatus, TimeStamped
from proposals.models.organisations import Organisation, OrganisationKind
from proposals.models.people import (
    Body,
    Delegate,
    DelegateAlias,
    Membership,
    MembershipRole,
    Position,
)
from proposals.models.places import Region, RegionLevel
from proposals.models.proposals import AuthorRole, Authorship, Proposal, ProposalKind, Theme
from proposals.models.sources import Article, Quote, QuotePassage

__all__ = [
    "Article",
    "AuthorRole",
    "Authorship",
    "Body",
    "Delegate",
    "EditConflict",
    "DelegateAlias",
    "Membership",
    "MembershipRole",
    "Organisation",
    "OrganisationKind",
    "Position",
    "Proposal",
    "ProposalKind",
    "Quote",
    "QuotePassage",
    "Region",
    "RegionLevel",
    "ReviewStatus",
    "Theme",
    "TimeStamped",
]
