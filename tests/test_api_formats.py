"""CSV for spreadsheets and the bulk files (the API view and the export_bulk command)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from proposals.api import bulk
from proposals.models import Proposal, ReviewStatus
from tests.api_helpers import delegate, fresh_cache, ok, proposals_of, published_ids  # noqa: F401
from tests.factories import _module_world, world  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

BOM = b"\xef\xbb\xbf"


def _csv(content: bytes) -> list[dict]:
    assert content.startswith(BOM)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8")[1:])))


@pytest.mark.parametrize(
    "endpoint", ["proposals", "delegates", "themes", "regions", "organisations", "articles"]
)
def test_csv_list_has_bom_header_and_rows(client, endpoint):
    response = client.get(f"/api/v1/{endpoint}/", {"format": "csv", "page_size": 500})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response.content)
    as_json = ok(client, endpoint, page_size=500)["results"]
    assert [int(r["id"]) for r in rows] == [r["id"] for r in as_json]


def test_format_parameter_wins_over_accept(client):
    response = client.get("/api/v1/themes/", {"format": "csv"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    unknown = client.get("/api/v1/themes/", {"format": "xlsx"}, HTTP_ACCEPT="application/json")
    assert unknown.status_code == 400
    assert "format" in unknown.json()


def test_csv_proposal_columns_flatten_nested_values(client):
    wanted = sorted(proposals_of("史浩飞"))[0]
    rows = _csv(client.get("/api/v1/proposals/", {"format": "csv", "id": wanted}).getvalue())
    assert len(rows) == 1
    row = rows[0]
    proposal = Proposal.objects.get(pk=wanted)
    assert row["title"] == proposal.title
    assert row["delegates.name"] == "史浩飞"
    assert row["delegates.role"] == "lead"
    assert row["themes.slug"] == "; ".join(
        proposal.themes.order_by("order", "id").values_list("slug", flat=True)
    )
    quotes = list(proposal.quotes.order_by("id"))
    assert row["sources.article.id"] == "; ".join(str(q.article_id) for q in quotes)
    assert row["sources.quote"] == "; ".join(q.text for q in quotes)


def test_csv_empty_page_keeps_the_header(client):
    rows = client.get("/api/v1/proposals/", {"format": "csv", "year": 2000}).getvalue()
    assert rows.startswith(BOM)
    header = rows.decode("utf-8")[1:].splitlines()[0].split(",")
    assert header[:3] == ["id", "title", "summary"]


def test_csv_neutralises_formulas(client):
    pk = sorted(published_ids())[0]
    Proposal.objects.filter(pk=pk).update(title='=HYPERLINK("http://evil.example","x")')
    rows = _csv(client.get("/api/v1/proposals/", {"format": "csv", "id": pk}).getvalue())
    assert rows[0]["title"].startswith("'=")


def test_csv_pages_link_to_the_next(client):
    response = client.get("/api/v1/proposals/", {"format": "csv", "page_size": 5})
    assert 'rel="next"' in response["Link"]
    assert "format=csv" in response["Link"]


# --- bulk ---------------------------------------------------------------------------------------------------


def test_bulk_index_lists_the_files(client):
    index = ok(client, "bulk")
    names = [f["name"] for f in index["files"]]
    assert names == bulk.file_names()
    assert "npp_db.json" in names and "proposals.csv" in names
    assert index["counts"]["proposals"] == len(published_ids())
    assert all(
        f["url"].startswith("http://testserver/api/v1/bulk/") and f["size"] > 0 for f in index["files"]
    )


def test_bulk_json_is_the_whole_published_dataset(client):
    withdrawn = sorted(proposals_of("史浩飞"))[0]
    Proposal.objects.filter(pk=withdrawn).update(status=ReviewStatus.WITHDRAWN)
    response = client.get("/api/v1/bulk/npp_db.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(b"".join(response.streaming_content))
    assert {r["id"] for r in data["proposals"]} == published_ids()
    assert withdrawn not in {r["id"] for r in data["proposals"]}
    for name in bulk.COLLECTIONS:
        assert len(data[name]) == data["counts"][name]
    # The same records as the API.
    detail = ok(client, f"proposals/{data['proposals'][0]['id']}/")
    assert {k: v for k, v in data["proposals"][0].items() if k != "url"} == {
        k: v for k, v in detail.items() if k != "url"
    }
    assert {d["name"] for d in data["delegates"]} >= {"史浩飞", "雷军"}


def test_bulk_csv_has_bom_and_every_record(client):
    response = client.get("/api/v1/bulk/proposals.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv(b"".join(response.streaming_content))
    assert {int(r["id"]) for r in rows} == published_ids()


def test_bulk_files_are_cached_and_regenerated_after_a_change(client):
    first = client.get("/api/v1/bulk/proposals.csv")
    etag = first["ETag"]
    b"".join(first.streaming_content)
    generated = bulk.read_manifest()["generated_at"]
    again = client.get("/api/v1/bulk/proposals.csv", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert bulk.read_manifest()["generated_at"] == generated  # served from the cached files

    pk = sorted(published_ids())[0]
    Proposal.objects.filter(pk=pk).update(status=ReviewStatus.WITHDRAWN)
    from django.core.cache import cache

    cache.clear()  # the fingerprint is cached for a minute
    changed = client.get("/api/v1/bulk/proposals.csv", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert pk not in {int(r["id"]) for r in _csv(b"".join(changed.streaming_content))}


def test_bulk_files_only_from_export_bulk_when_requests_may_not_generate(client, settings):
    settings.API_BULK_GENERATE_ON_REQUEST = False
    assert client.get("/api/v1/bulk/proposals.csv").status_code == 503
    assert client.get("/api/v1/bulk/").status_code == 503
    call_command("export_bulk", stdout=io.StringIO())
    pk = sorted(published_ids())[0]
    Proposal.objects.filter(pk=pk).update(status=ReviewStatus.WITHDRAWN)
    response = client.get("/api/v1/bulk/proposals.csv")
    assert response.status_code == 200
    assert pk in {int(r["id"]) for r in _csv(b"".join(response.streaming_content))}  # as last exported


def test_unknown_bulk_file_is_a_404(client):
    assert client.get("/api/v1/bulk/secrets.json").status_code == 404
    assert client.get("/api/v1/bulk/../settings.py").status_code == 404


def test_export_bulk_command(tmp_path):
    out = io.StringIO()
    call_command("export_bulk", "--output", str(tmp_path), stdout=out)
    assert "proposals" in out.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == sorted(
        [*bulk.file_names(), bulk.MANIFEST_FILE]
    )
    data = json.loads((tmp_path / "npp_db.json").read_text(encoding="utf-8"))
    assert {r["id"] for r in data["proposals"]} == published_ids()
    assert (tmp_path / "delegates.csv").read_bytes().startswith(BOM)
    # Relative page URLs: there is no request to make them absolute.
    assert data["proposals"][0]["url"] == f"/proposals/{data['proposals'][0]['id']}/"

    out = io.StringIO()
    call_command("export_bulk", "--output", str(tmp_path), "--if-stale", stdout=out)
    assert "up to date" in out.getvalue()


def test_export_bulk_dry_run_writes_nothing(tmp_path):
    out = io.StringIO()
    call_command("export_bulk", "--output", str(tmp_path / "x"), "--dry-run", stdout=out)
    assert "would write" in out.getvalue()
    assert not (tmp_path / "x").exists()


def test_delegate_names_in_bulk(tmp_path):
    bulk.export(tmp_path)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "delegates.csv").read_text(encoding="utf-8-sig"))))
    by_name = {r["name"]: r for r in rows}
    assert by_name["毛万春"]["memberships.body"] == "cppcc; provincial-cppcc"
    assert int(by_name["毛万春"]["id"]) == delegate("毛万春").pk
