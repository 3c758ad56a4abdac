"""Public site URLs (owned by the public-site work)."""

urlpatterns: list = []
