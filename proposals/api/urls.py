"""API URLs, mounted under /api/ (owned by the API work)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from proposals.api import views
from proposals.api.bulk_views import BulkFileView, BulkIndexView
from proposals.api.landing import api_landing


class Router(DefaultRouter):
    include_format_suffixes = False  # ?format=csv; a ".json" path is a bulk file


router = Router()
router.register("proposals", views.ProposalViewSet, basename="proposal")
router.register("delegates", views.DelegateViewSet, basename="delegate")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("regions", views.RegionViewSet, basename="region")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("articles", views.ArticleViewSet, basename="article")

# A namespace, so that the router's names (proposal-detail, …) never shadow the public site's.
app_name = "api"

urlpatterns = [
    path("", api_landing, name="landing"),
    path("v1/bulk/", BulkIndexView.as_view(), name="bulk-index"),
    re_path(r"^v1/bulk/(?P<name>[a-z_]+\.(?:json|csv))$", BulkFileView.as_view(), name="bulk-file"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file: the docs page has no inline script (CSP script-src 'self').
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
