"""Public pages: thin views over querysets, filtersets and plain functions."""

from proposals.views.people import (
    delegate_detail,
    delegate_list,
    organisation_detail,
    organisation_list,
    region_detail,
    region_list,
)
from proposals.views.proposals import proposal_detail, proposal_list
from proposals.views.sources import article_detail, article_list
from proposals.views.themes import stats, theme_detail, theme_list

__all__ = [
    "article_detail",
    "article_list",
    "delegate_detail",
    "delegate_list",
    "organisation_detail",
    "organisation_list",
    "proposal_detail",
    "proposal_list",
    "region_detail",
    "region_list",
    "stats",
    "theme_detail",
    "theme_list",
]
