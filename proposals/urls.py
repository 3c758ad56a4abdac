"""Public site URLs (owned by the public-site work)."""

from django.urls import path

from proposals import views
from proposals.feeds import AtomProposalFeed, ProposalFeed
from proposals.views.exports import proposals_csv

urlpatterns = [
    path("", views.proposal_list, name="proposal-list"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("themes/", views.theme_list, name="theme-list"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme-detail"),
    path("delegates/", views.delegate_list, name="delegate-list"),
    path("delegates/<int:pk>/", views.delegate_detail, name="delegate-detail"),
    path("regions/", views.region_list, name="region-list"),
    path("regions/<slug:slug>/", views.region_detail, name="region-detail"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("stats/", views.stats, name="stats"),
    path("proposals.csv", proposals_csv, name="proposals-csv"),
    path("feeds/", ProposalFeed(), name="feed-all"),
    path("feeds/atom/", AtomProposalFeed(), name="feed-all-atom"),
    path("feeds/<str:kind>/<str:key>/", ProposalFeed(), name="feed"),
    path("feeds/<str:kind>/<str:key>/atom/", AtomProposalFeed(), name="feed-atom"),
]
