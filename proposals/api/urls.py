"""API URLs, mounted under /api/ (owned by the API work)."""

urlpatterns: list = []
