"""Keeping a copy in sync: updated_after, tombstones, batches by id, ETag and 304."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from proposals.models import Delegate, Proposal, ReviewStatus
from tests.api_helpers import delegate, fresh_cache, get, ok, proposals_of, walk  # noqa: F401
from tests.factories import _module_world, world  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

SINCE = "2025-01-01T00:00:00Z"  # after the fixture's timestamps, before anything a test changes


def _touch(pk: int, **fields) -> None:
    Proposal.objects.filter(pk=pk).update(updated_at=timezone.now(), **fields)


def test_updated_after_returns_only_changes(client):
    changed = sorted(proposals_of("史浩飞"))
    for pk in changed:
        proposal = Proposal.objects.get(pk=pk)
        proposal.summary += "。"
        proposal.save()
    records = walk(client, "proposals", updated_after=SINCE, ordering="updated_at")
    assert sorted(r["id"] for r in records) == changed
    assert all(r["status"] == "published" and "title" in r for r in records)
    assert ok(client, "proposals", updated_after=timezone.now().isoformat())["results"] == []


def test_unpublished_and_withdrawn_proposals_are_tombstones(client):
    withdrawn, unpublished = sorted(proposals_of("史浩飞"))[0], sorted(proposals_of("雷军"))[0]
    _touch(withdrawn, status=ReviewStatus.WITHDRAWN)
    _touch(unpublished, status=ReviewStatus.DRAFT)
    records = {r["id"]: r for r in walk(client, "proposals", updated_after=SINCE)}
    assert set(records) == {withdrawn, unpublished}
    assert records[withdrawn]["status"] == "withdrawn"
    assert records[unpublished]["status"] == "draft"
    for record in records.values():
        assert set(record) == {"id", "status", "updated_at"}  # a tombstone says nothing else
        assert dt.datetime.fromisoformat(record["updated_at"]) > dt.datetime.fromisoformat(
            "2025-01-01T00:00:00+00:00"
        )
    # Without updated_after they are simply gone.
    listed = [r["id"] for r in walk(client, "proposals", page_size=500)]
    assert withdrawn not in listed and unpublished not in listed
    assert get(client, f"proposals/{withdrawn}/").status_code == 404


def test_old_tombstones_are_not_repeated(client):
    pk = sorted(proposals_of("史浩飞"))[0]
    Proposal.objects.filter(pk=pk).update(status=ReviewStatus.WITHDRAWN, updated_at=timezone.now())
    later = (timezone.now() + dt.timedelta(seconds=1)).isoformat()
    assert ok(client, "proposals", updated_after=later)["results"] == []


def test_delegate_tombstones_unpublished_and_merged(client):
    hidden, merged, kept = delegate("雷军"), delegate("明东"), delegate("齐向东")
    Delegate.objects.filter(pk=hidden.pk).update(status=ReviewStatus.IN_REVIEW, updated_at=timezone.now())
    Delegate.objects.filter(pk=merged.pk).update(merged_into=kept, updated_at=timezone.now())
    kept.save()  # an ordinary edit: a full record
    records = {r["id"]: r for r in walk(client, "delegates", updated_after=SINCE, ordering="updated_at")}
    assert set(records) == {hidden.pk, merged.pk, kept.pk}
    assert records[hidden.pk] == {
        "id": hidden.pk,
        "status": "in_review",
        "updated_at": records[hidden.pk]["updated_at"],
        "merged_into": None,
    }
    assert records[merged.pk]["status"] == "merged"
    assert records[merged.pk]["merged_into"] == kept.pk
    assert records[kept.pk]["name"] == "齐向东" and records[kept.pk]["status"] == "published"


def test_tombstones_in_csv(client):
    pk = sorted(proposals_of("史浩飞"))[0]
    _touch(pk, status=ReviewStatus.WITHDRAWN)
    response = client.get("/api/v1/proposals/", {"updated_after": SINCE, "format": "csv"})
    lines = response.getvalue().decode("utf-8-sig").splitlines()  # streamed: the whole list (issue 13)
    header = lines[0].split(",")
    row = dict(zip(header, next(csv_row for csv_row in _rows(lines)), strict=True))
    assert row["id"] == str(pk) and row["status"] == "withdrawn" and row["title"] == ""


def _rows(lines):
    import csv

    return list(csv.reader(lines[1:]))


def test_id_batch_fetch(client):
    wanted = sorted(proposals_of("史浩飞") | proposals_of("雷军"))
    records = ok(client, "proposals", id=wanted)["results"]
    assert sorted(r["id"] for r in records) == wanted
    people = [delegate("雷军").pk, delegate("明东").pk]
    assert sorted(r["id"] for r in ok(client, "delegates", id=people)["results"]) == sorted(people)


def test_every_record_has_updated_at(client):
    for endpoint in ["proposals", "delegates", "themes", "regions", "organisations", "articles"]:
        for record in ok(client, endpoint, page_size=500)["results"]:
            assert record["updated_at"], endpoint
            dt.datetime.fromisoformat(record["updated_at"])


# --- conditional requests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/proposals/",
        "/api/v1/proposals/?theme=smart-manufacturing",
        "/api/v1/delegates/",
        "/api/v1/themes/",
    ],
)
def test_list_etag_and_304(client, path):
    first = client.get(path, HTTP_ACCEPT="application/json")
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag
    again = client.get(path, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""


def test_detail_etag_changes_when_the_record_does(client):
    pk = sorted(proposals_of("史浩飞"))[0]
    url = f"/api/v1/proposals/{pk}/"
    etag = client.get(url, HTTP_ACCEPT="application/json")["ETag"]
    assert client.get(url, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag).status_code == 304
    proposal = Proposal.objects.get(pk=pk)
    proposal.title = "新标题"
    proposal.save()
    changed = client.get(url, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["title"] == "新标题"


def test_csv_and_json_have_different_etags(client):
    as_json = client.get("/api/v1/themes/", HTTP_ACCEPT="application/json")
    as_csv = client.get("/api/v1/themes/?format=csv&page_size=20")  # a page: the whole list is streamed
    assert as_json["ETag"] != as_csv["ETag"]
    assert "Accept" in as_json["Vary"]


def test_next_links_do_not_depend_on_the_clock(client):
    """The same page requested twice, a second apart, has the same links and so the same ETag."""
    import time

    path = "/api/v1/proposals/?page_size=2"
    first = client.get(path, HTTP_ACCEPT="application/json")
    time.sleep(1.1)
    second = client.get(path, HTTP_ACCEPT="application/json")
    assert first.json()["next"] == second.json()["next"]
    assert first["ETag"] == second["ETag"]
