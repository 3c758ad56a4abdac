"""The API's list pages of proposals are built as plain dicts (``bulk_records.page_records``), not by
``ProposalSerializer``: every page, searched, filtered, paged, in JSON and CSV, must carry exactly what the
serializer writes for the same proposals in the same order (on the edge cases of tests/test_bulk_fast.py)."""

from __future__ import annotations

import io
import json

import pytest
from django.test import RequestFactory

from proposals import selectors
from proposals.api.renderers import serializer_columns, write_csv
from proposals.api.serializers import ProposalSerializer
from proposals.models import Proposal
from tests.test_bulk_fast import edge_cases  # noqa: F401  (a fixture)

HOST = "npp.example.org"


def serializer_records(ids: list[int]) -> list[dict]:
    by_id = {p.pk: p for p in selectors.published_proposals().filter(pk__in=ids)}
    request = RequestFactory().get("/api/v1/proposals/", HTTP_HOST=HOST, secure=True)
    data = ProposalSerializer([by_id[i] for i in ids], many=True, context={"request": request}).data
    return json.loads(json.dumps(data))


def api_page(client, settings, **params) -> tuple[list[dict], str]:
    settings.ALLOWED_HOSTS = [HOST]
    response = client.get("/api/v1/proposals/", params, HTTP_HOST=HOST, secure=True)
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"], response.get("Link", "")


@pytest.mark.parametrize(
    "params",
    [{}, {"page_size": 2}, {"q": "建议"}, {"q": "智能网联"}, {"ordering": "date"}, {"theme": "__early__"}],
)
def test_list_pages_are_what_the_serializer_writes(client, settings, edge_cases, params):  # noqa: F811
    if params.get("theme"):
        params = {"theme": edge_cases.themes.order_by("order").first().slug}
    results, _ = api_page(client, settings, **params)
    assert results, f"nothing listed for {params}"
    assert results == serializer_records([r["id"] for r in results])
    assert all(r["url"].startswith(f"https://{HOST}/") for r in results)


def test_following_the_pages_lists_every_published_proposal_once(client, settings, edge_cases):  # noqa: F811
    settings.ALLOWED_HOSTS = [HOST]
    seen, url = [], "/api/v1/proposals/?page_size=3"
    while url:
        response = client.get(url, HTTP_HOST=HOST, secure=True)
        page = response.json()
        assert page["results"] == serializer_records([r["id"] for r in page["results"]])
        seen += [r["id"] for r in page["results"]]
        url = page.get("next") or ""
    assert sorted(seen) == sorted(Proposal.objects.published().values_list("id", flat=True))
    assert len(seen) == len(set(seen))


def test_a_csv_page_flattens_the_same_records(client, settings, edge_cases):  # noqa: F811
    settings.ALLOWED_HOSTS = [HOST]
    response = client.get(
        "/api/v1/proposals/", {"format": "csv", "page_size": 50}, HTTP_HOST=HOST, secure=True
    )
    assert response.status_code == 200
    results, _ = api_page(client, settings, page_size=50)
    columns = serializer_columns(ProposalSerializer())
    stream = io.StringIO()
    write_csv(stream, columns, serializer_records([r["id"] for r in results]))
    assert response.content.decode() == stream.getvalue()
    assert "雷军" in response.content.decode()
