"""No page, filter, detail, CSV, sync list or bulk file reveals a record that was never published, and no
filter matches the current (unpublished) text of a record that is public no more (issue 14, point 1)."""

from __future__ import annotations

import pytest

from proposals.api import bulk
from proposals.models import Authorship, Delegate, Proposal, ReviewStatus, Theme
from tests.api_helpers import delegate, fresh_cache, proposals_of  # noqa: F401
from tests.factories import _module_world, world  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

SECRET = "xqzsecret"  # a word only unpublished text contains
SINCE = "2000-01-01T00:00:00Z"


@pytest.fixture
def drafts(django_capture_on_commit_callbacks):
    """A never-published proposal and delegate, both carrying SECRET, by a published author on a theme
    (search columns written as after a commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        return _drafts()


def _drafts():
    author = delegate("史浩飞")
    theme = Theme.objects.filter(proposals__status=ReviewStatus.PUBLISHED).first()
    proposal = Proposal(
        title=f"草稿 {SECRET.upper()} 建议", summary=f"未发布的摘要 {SECRET}", kind="proposal", year=2024
    )
    proposal.status = ReviewStatus.DRAFT
    proposal.save()
    Authorship.objects.create(proposal=proposal, delegate=author)
    proposal.themes.add(theme)
    person = Delegate(name=f"秘{SECRET}", status=ReviewStatus.DRAFT)
    person.save()
    assert Proposal.objects.get(pk=proposal.pk).first_published_at is None
    return proposal, person, author, theme


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


def _api_urls(proposal, person, author, theme) -> list[tuple[str, dict]]:
    lists = []
    for sync in ({}, {"updated_after": SINCE}, {"updated_after": SINCE, "ordering": "updated_at"}):
        for fmt in ({}, {"format": "csv"}):
            base = {**sync, **fmt}
            lists += [
                ("/api/v1/proposals/", base),
                ("/api/v1/proposals/", {**base, "q": SECRET}),
                ("/api/v1/proposals/", {**base, "theme": theme.slug}),
                ("/api/v1/proposals/", {**base, "delegate": author.pk}),
                ("/api/v1/proposals/", {**base, "id": proposal.pk}),
                ("/api/v1/proposals/", {**base, "year": 2024, "kind": "proposal"}),
                ("/api/v1/delegates/", base),
                ("/api/v1/delegates/", {**base, "q": SECRET}),
                ("/api/v1/delegates/", {**base, "id": person.pk}),
                ("/api/v1/themes/", base),
            ]
    return lists


def _site_urls(proposal, person, author, theme) -> list[tuple[str, dict]]:
    return [
        ("/", {}),
        ("/", {"q": SECRET}),
        ("/", {"theme": theme.slug, "delegate": author.pk, "page_size": 100}),
        (f"/themes/{theme.slug}/", {}),
        (f"/delegates/{author.pk}/", {}),
        ("/delegates/", {"q": SECRET}),
        ("/delegates/", {"page_size": 100}),
        ("/stats/", {}),
    ]


def test_never_published_records_appear_nowhere(client, drafts):
    proposal, person, author, theme = drafts
    for url, params in _api_urls(*drafts) + _site_urls(*drafts):
        response = client.get(url, params, HTTP_ACCEPT="application/json" if "/api/" in url else "text/html")
        assert response.status_code == 200, (url, params, response.status_code)
        body = _text(response)
        # The query is echoed ("xqzsecret"的检索结果): what must not show is the records' own text and links.
        for marker in ("XQZSECRET", "未发布的摘要", f"秘{SECRET}", f"/proposals/{proposal.pk}/"):
            assert marker not in body, (url, params, marker)
        if "/api/" in url and response.get("Content-Type", "").startswith("application/json"):
            found = {r["id"] for r in response.json()["results"]}
            # ids are per table: a proposal's id is only looked for among proposals, a delegate's among delegates
            if "/proposals/" in url:
                assert proposal.pk not in found, (url, params)
            if "/delegates/" in url:
                assert person.pk not in found, (url, params)
    for url in (
        f"/proposals/{proposal.pk}/",
        f"/delegates/{person.pk}/",
        f"/api/v1/proposals/{proposal.pk}/",
        f"/api/v1/delegates/{person.pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_bulk_files_leave_out_never_published_records(client, drafts, settings, tmp_path):
    bulk.export(tmp_path)
    for path in tmp_path.iterdir():
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        assert "XQZSECRET" not in text and f"秘{SECRET}" not in text, path.name


def test_sync_filters_never_match_unpublished_text(client):
    """?updated_after=…&q=<word only in a draft> returned the draft's id (found attacking afcf64a)."""
    withdrawn = Proposal.objects.get(pk=sorted(proposals_of("史浩飞"))[0])
    assert withdrawn.first_published_at is not None
    withdrawn.status = ReviewStatus.WITHDRAWN
    withdrawn.save()
    withdrawn = Proposal.objects.get(pk=withdrawn.pk)
    withdrawn.title = f"撤回后改写 {SECRET}"  # edited while no longer public
    withdrawn.save()

    def listed(**params):
        response = client.get("/api/v1/proposals/", {"updated_after": SINCE, **params})
        assert response.status_code == 200
        return {r["id"]: r for r in response.json()["results"]}

    # The tombstone is there for a syncing client (whatever the filters), but the secret word decides
    # nothing: the answer for it is the answer for a word that occurs nowhere.
    assert listed(q=SECRET) == listed(q="从未出现的词语")
    assert listed(q=SECRET)[withdrawn.pk] == {
        "id": withdrawn.pk,
        "status": "withdrawn",
        "updated_at": listed()[withdrawn.pk]["updated_at"],
    }
    assert (
        SECRET not in client.get("/api/v1/proposals/", {"updated_after": SINCE, "q": SECRET}).content.decode()
    )


def test_the_draft_is_found_once_published(client, drafts, django_capture_on_commit_callbacks):
    """The surfaces above would show the record: publishing it makes the same URLs reveal it."""
    proposal, person, *_ = drafts
    proposal.status = ReviewStatus.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        proposal.save()
    assert proposal.pk in {r["id"] for r in client.get("/api/v1/proposals/", {"q": SECRET}).json()["results"]}
    assert "XQZSECRET" in client.get("/", {"q": SECRET}).content.decode()
