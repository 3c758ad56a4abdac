"""Shared helpers for the API tests (tests/test_api_*.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

API = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_cache(settings, tmp_path):
    """Each test starts with empty throttle counters and its own bulk directory.

    Import it into each API test module (``from tests.api_helpers import fresh_cache  # noqa: F401``).
    """
    from django.core.cache import cache

    settings.BULK_EXPORT_DIR = tmp_path / "bulk"
    cache.clear()
    yield
    cache.clear()


def get(client, path: str, **params):
    """GET an API path (relative to /api/v1/) as JSON."""
    url = path if path.startswith("/") else f"{API}/{path}"
    if not url.endswith("/"):
        url += "/"
    return client.get(url, params, HTTP_ACCEPT="application/json")


def ok(client, path: str, **params) -> dict:
    response = get(client, path, **params)
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return response.json()


def ids(client, path: str, **params) -> list[int]:
    """The ids of every record a list returns, following next to the end."""
    return [r["id"] for r in walk(client, path, **params)]


def walk(client, path: str, on_page=None, **params) -> list[dict]:
    """Every record of a list, following `next`; on_page(n) runs after page n (to change data mid-walk)."""
    page = ok(client, path, **params)
    records = list(page["results"])
    n = 1
    while page["next"]:
        if on_page:
            on_page(n)
        parts = urlsplit(page["next"])
        response = client.get(f"{parts.path}?{parts.query}", HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content[:500]
        page = response.json()
        records.extend(page["results"])
        n += 1
    return records


def delegate(name: str):
    from proposals.models import Delegate

    return Delegate.objects.get(name=name)


def proposals_of(name: str) -> set[int]:
    """The published proposals a delegate (looked up by name) signed."""
    from proposals.models import Proposal

    return set(
        Proposal.objects.published().filter(authorships__delegate__name=name).values_list("id", flat=True)
    )


def published_ids() -> set[int]:
    from proposals.models import Proposal

    return set(Proposal.objects.published().values_list("id", flat=True))
