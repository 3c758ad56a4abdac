"""Public pages: thin views over querysets, filtersets and plain functions.

The pages readers browse most are cached whole when unsearched (proposals.caching.cached_page), under the
data version that every curator's edit changes."""

from proposals.caching import cached_page
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

proposal_list = cached_page(proposal_list)
proposal_detail = cached_page(proposal_detail)
theme_detail = cached_page(theme_detail)
theme_list = cached_page(theme_list)
delegate_detail = cached_page(delegate_detail)
region_detail = cached_page(region_detail)
region_list = cached_page(region_list)
organisation_detail = cached_page(organisation_detail)
stats = cached_page(stats)

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
