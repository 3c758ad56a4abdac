"""Issue 13: citation lines, sources said plainly, CSV of every list, feeds, related proposals, co-signers."""

import csv
import io
import re
from xml.etree import ElementTree

import pytest
from django.core.management import call_command

from proposals import exports
from proposals.models import Article, AuthorRole, Authorship, Delegate, Proposal, Theme
from tests.api_helpers import fresh_cache  # noqa: F401
from tests.factories import _module_world, world  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]


def rows_of(response) -> list[dict]:
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def published_on(theme_slug: str) -> set[int]:
    return set(Proposal.objects.published().filter(themes__slug=theme_slug).values_list("pk", flat=True))


def test_proposal_page_has_a_citation_line_and_says_what_the_source_lacks(client):
    proposal = Proposal.objects.published().get(delegates__name="蓝庆华")
    html = client.get(proposal.get_absolute_url()).content.decode()
    citation = re.search(r'<p class="citation" id="citation">(.*?)</p>', html).group(1)
    assert citation.startswith(f"蓝庆华：《{proposal.title}》")
    assert "重庆日报《培育新质生产力 推动重庆经济高质量发展》" in citation
    assert "报道未注明日期" in citation
    assert f"http://testserver/proposals/{proposal.pk}/" in citation
    assert "原始网址未知" in html


def test_a_known_source_url_and_date_are_shown_and_cited(client):
    proposal = Proposal.objects.published().get(delegates__name="蓝庆华")
    article = Article.objects.get(pk=proposal.quotes.first().article_id)
    article.url = "https://example.org/cqrb/2024-03-07.html"
    article.published_on = "2024-03-07"
    article.save()
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert 'href="https://example.org/cqrb/2024-03-07.html"' in html
    assert "2024年3月7日" in re.search(r'<p class="citation".*?</p>', html).group(0)
    page = client.get(f"/articles/{article.pk}/").content.decode()
    assert "https://example.org/cqrb/2024-03-07.html" in page


def test_article_page_says_plainly_what_the_report_does_not_give(client):
    article = Article.objects.filter(outlet="", published_on=None, url="").order_by("pk").first()
    html = client.get(f"/articles/{article.pk}/").content.decode()
    assert (
        "报道未注明媒体名称" in html
        and "报道未注明发布日期" in html
        and "未知（本库收录的文本未附网址）" in html
    )


@pytest.mark.parametrize(
    ("page", "csv_query"),
    [
        ("/?theme=digital-economy", "theme=digital-economy"),
        ("/themes/digital-economy/", "theme=digital-economy"),
        ("/regions/hubei/", "region=hubei"),
    ],
)
def test_every_list_links_a_csv_of_all_its_rows(client, page, csv_query):
    html = client.get(page + ("&" if "?" in page else "?") + "page_size=1").content.decode()
    link = re.search(r'<a href="(/proposals\.csv[^"]*)" download>下载 CSV</a>', html).group(1)
    assert link == f"/proposals.csv?{csv_query}"
    rows = rows_of(client.get(link.replace("&amp;", "&")))
    expected = set(
        Proposal.objects.published()
        .filter(pk__in=[p.pk for p in client.get(f"/?{csv_query}&page_size=100").context["proposals"]])
        .values_list("pk", flat=True)
    )
    assert {int(r["编号"]) for r in rows} == expected  # every row, not the one page shown


def test_csv_has_labels_beside_codes_and_follows_search(client):
    response = client.get("/proposals.csv", {"q": "人工智能", "kind": "suggestion"})
    assert response.streaming
    rows = rows_of(response)
    assert rows
    for row in rows:
        assert row["类型代码"] == "suggestion" and row["类型"] == "建议"
        assert row["网址"].startswith("http://testserver/proposals/")
        assert len(row["主题代码"].split("; ")) == len(row["主题"].split("; "))
    delegate = Delegate.objects.get(name="史浩飞")
    html = client.get(f"/delegates/{delegate.pk}/").content.decode()
    assert f'href="/proposals.csv?delegate={delegate.pk}"' in html


def test_a_csv_beyond_the_cap_says_it_was_cut(client, monkeypatch):
    monkeypatch.setattr(exports, "MAX_ROWS", 3)
    response = client.get("/proposals.csv")
    body = response.getvalue().decode("utf-8")
    assert response["X-Rows-Truncated"] == "true"
    lines = list(csv.reader(io.StringIO(body[1:])))
    assert len(lines) == 1 + 3 + 1
    assert lines[-1][0].startswith("注意：共有")


def test_api_csv_of_a_filtered_list_is_complete_and_streamed(client):
    wanted = published_on("artificial-intelligence")
    assert len(wanted) > 2
    response = client.get("/api/v1/proposals/", {"format": "csv", "theme": "artificial-intelligence"})
    assert response.streaming and response["X-Total-Count"] == str(len(wanted))
    assert {int(r["id"]) for r in rows_of(response)} == wanted
    paged = client.get(
        "/api/v1/proposals/", {"format": "csv", "theme": "artificial-intelligence", "page_size": 2}
    )
    assert len(list(csv.DictReader(io.StringIO(paged.content.decode("utf-8")[1:])))) == 2


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/",
        "/feeds/atom/",
        "/feeds/theme/digital-economy/",
        "/feeds/region/hubei/atom/",
        "/feeds/?q=人工智能",
    ],
)
def test_feeds_are_valid_xml_of_published_proposals(client, url):
    response = client.get(url)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    links = [e.text or e.get("href") for e in root.iter() if e.tag.endswith("link")]
    assert any("/proposals/" in (link or "") for link in links)


def test_theme_feed_holds_the_theme_and_pages_announce_feeds(client):
    root = ElementTree.fromstring(client.get("/feeds/theme/digital-economy/").content)
    items = {int(re.search(r"/proposals/(\d+)/", i.find("link").text).group(1)) for i in root.iter("item")}
    assert items == published_on("digital-economy")
    delegate = Delegate.objects.get(name="史浩飞")
    for page, feed in [
        ("/", "/feeds/"),
        ("/themes/digital-economy/", "/feeds/theme/digital-economy/"),
        (f"/delegates/{delegate.pk}/", f"/feeds/delegate/{delegate.pk}/"),
        ("/regions/hubei/", "/feeds/region/hubei/"),
        ("/?q=人工智能", "/feeds/?q="),
    ]:
        html = client.get(page).content.decode()
        assert re.search(
            rf'<link rel="alternate" type="application/rss\+xml"[^>]*href="{re.escape(feed)}', html
        ), page
    assert client.get("/feeds/nothing/1/").status_code == 404
    assert client.get("/feeds/delegate/abc/").status_code == 404


def test_related_proposals_share_themes_or_words_and_say_why(client):
    proposal = Proposal.objects.published().get(delegates__name="蓝庆华")
    response = client.get(proposal.get_absolute_url())
    related = response.context["related"]
    assert related and proposal not in related
    own = set(proposal.themes.values_list("pk", flat=True))
    for other in related:
        assert other.status == "published"
        assert own & {t.pk for t in other.themes.all()} or other.shared_words
    assert "相关因为：" in response.content.decode()


def test_delegate_page_lists_cosigners(client):
    proposal = Proposal.objects.published().get(delegates__name="蓝庆华")
    partner = Delegate.objects.published().get(name="许洪斌")
    Authorship(proposal=proposal, delegate=partner, role=AuthorRole.COSIGNER, order=1).save()
    lead = Delegate.objects.get(name="蓝庆华")
    html = client.get(f"/delegates/{lead.pk}/").content.decode()
    assert re.search(
        rf'<a href="/delegates/{partner.pk}/">许洪斌</a> <span class="count">共同署名 1 条', html
    )
    call_command("check_integrity", verbosity=0)
    assert Theme.objects.exists()
