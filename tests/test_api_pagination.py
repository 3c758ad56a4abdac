"""Keyset pagination: every record exactly once, also while records change; exact or capped counts."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from proposals.api import pagination
from proposals.models import Delegate, Proposal, ProposalKind, ReviewStatus
from tests.api_helpers import fresh_cache, get, ids, ok, published_ids, walk  # noqa: F401

pytestmark = pytest.mark.django_db


def _follow(client, link: str) -> dict:
    parts = urlsplit(link)
    response = client.get(f"{parts.path}?{parts.query}", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


@pytest.mark.parametrize("ordering", ["-date", "date", "updated_at", "relevance"])
@pytest.mark.parametrize("page_size", [1, 3, 7])
def test_walk_returns_every_published_proposal_once(client, corpus, ordering, page_size):
    walked = ids(client, "proposals", ordering=ordering, page_size=page_size)
    assert len(walked) == len(set(walked))
    assert set(walked) == published_ids()


def test_walk_with_search_relevance(client, corpus):
    first = ok(client, "proposals", q="企业 创新", page_size=500)
    walked = ids(client, "proposals", q="企业 创新", page_size=2)
    assert walked == [r["id"] for r in first["results"]]
    assert len(walked) == first["count"]


@pytest.mark.parametrize("endpoint", ["delegates", "themes", "regions", "organisations", "articles"])
def test_walk_every_list(client, corpus, endpoint):
    everything = ok(client, endpoint, page_size=500)
    assert everything["next"] is None and everything["previous"] is None
    walked = ids(client, endpoint, page_size=4)
    assert walked == [r["id"] for r in everything["results"]]
    assert everything["count"] == len(walked)


def test_default_page_size_is_20(client, corpus):
    page = ok(client, "proposals")
    assert page["page_size"] == 20
    assert len(page["results"]) == 20
    assert page["count"] == len(published_ids())
    assert page["count_is_exact"] is True
    assert page["next"] and page["previous"] is None


def test_walk_while_records_are_edited(client, corpus):
    """Edits, new records and removals during a walk never make it repeat or skip another record."""
    order = ids(client, "proposals", page_size=500)
    before = set(order)
    added: list[int] = []
    removed: list[int] = []

    def change(page: int) -> None:
        if page == 1:
            # Edit a record already seen and one still ahead (neither changes its date).
            for pk in (order[0], order[-1]):
                proposal = Proposal.objects.get(pk=pk)
                proposal.title += "（修订）"
                proposal.save()
            new = Proposal.objects.create(
                title="新增建议", kind=ProposalKind.VIEW, year=2024, status=ReviewStatus.PUBLISHED
            )
            added.append(new.pk)
        if page == 2:
            gone = order[-2]  # ahead of the cursor: withdrawn, so never seen
            Proposal.objects.filter(pk=gone).update(status=ReviewStatus.WITHDRAWN)
            removed.append(gone)

    records = walk(client, "proposals", on_page=change, page_size=5)
    walked = [r["id"] for r in records]
    assert len(walked) == len(set(walked)), "a record was repeated"
    assert set(walked) - set(added) == before - set(removed), "a record was skipped"
    edited = next(r for r in records if r["id"] == order[-1])
    assert edited["title"].endswith("（修订）")


def test_sync_walk_by_updated_at_sees_the_latest_version_last(client, corpus):
    order = ids(client, "proposals", ordering="updated_at", page_size=500)
    seen_first = order[0]

    def edit(page: int) -> None:
        if page == 1:
            proposal = Proposal.objects.get(pk=seen_first)
            proposal.title = "已修改"
            proposal.save()

    records = walk(client, "proposals", on_page=edit, ordering="updated_at", page_size=5)
    walked = [r["id"] for r in records]
    assert set(walked) == set(order)
    # The edited record moved to the end of the order: a syncing client receives its new version.
    assert walked.count(seen_first) == 2
    assert records[-1]["id"] == seen_first and records[-1]["title"] == "已修改"
    stamps = [r["updated_at"] for r in records[1:]]
    assert stamps == sorted(stamps)


def test_previous_links_walk_back(client, corpus):
    pages = [ok(client, "proposals", page_size=4)]
    while pages[-1]["next"]:
        pages.append(_follow(client, pages[-1]["next"]))
    assert len(pages) > 2
    back = pages[-1]
    for expected in reversed(pages[:-1]):
        back = _follow(client, back["previous"])
        assert [r["id"] for r in back["results"]] == [r["id"] for r in expected["results"]]
    assert back["previous"] is None


def test_page_size_keeps_through_next(client, corpus):
    page = ok(client, "proposals", page_size=3, kind="view")
    nxt = _follow(client, page["next"])
    assert nxt["page_size"] == 3
    assert all(r["kind"] == "view" for r in nxt["results"])


def test_page_size_500_is_allowed_501_is_not(client, corpus):
    assert get(client, "proposals", page_size=500).status_code == 200
    response = get(client, "proposals", page_size=501)
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_cursor_from_another_ordering_is_a_400(client, corpus):
    page = ok(client, "proposals", page_size=2)
    cursor = dict(p.split("=", 1) for p in urlsplit(page["next"]).query.split("&"))["cursor"]
    response = client.get(
        f"/api/v1/proposals/?cursor={cursor}&ordering=updated_at", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_tampered_cursor_is_a_400(client, corpus):
    page = ok(client, "proposals", page_size=2)
    cursor = dict(p.split("=", 1) for p in urlsplit(page["next"]).query.split("&"))["cursor"]
    response = client.get(f"/api/v1/proposals/?cursor=x{cursor}", HTTP_ACCEPT="application/json")
    assert response.status_code == 400


def test_count_is_capped_and_says_so(client, corpus, monkeypatch):
    monkeypatch.setattr(pagination.KeysetPagination, "count_limit", 10)
    page = ok(client, "proposals", page_size=5)
    assert page["count"] == 10
    assert page["count_is_exact"] is False
    small = ok(client, "proposals", kind="proposal")
    assert small["count_is_exact"] is True
    assert small["count"] == Proposal.objects.published().filter(kind="proposal").count()
    # The walk does not depend on the count.
    assert set(ids(client, "proposals", page_size=5)) == published_ids()


def test_delegates_walk_while_renamed(client, corpus):
    order = ids(client, "delegates", page_size=500)

    def rename(page: int) -> None:
        if page == 1:
            person = Delegate.objects.get(pk=order[-1])
            person.note = "edited"
            person.save()

    walked = [r["id"] for r in walk(client, "delegates", on_page=rename, page_size=5)]
    assert walked == order
