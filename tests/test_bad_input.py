"""Whatever a client sends, every public URL and API list answers 200 or 4xx, never 5xx (issue 14, points
2-4): one strict number parser, highlighting that survives case folding, http(s)-only links everywhere."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from proposals.models import Article, Delegate, Proposal, Region, Theme
from proposals.numbers import parse_int
from proposals.weblinks import is_web_url
from tests.api_helpers import fresh_cache  # noqa: F401

pytestmark = pytest.mark.django_db

SITE_LISTS = ["/", "/themes/", "/delegates/", "/regions/", "/articles/", "/stats/"]
API_LISTS = [
    f"/api/v1/{name}/"
    for name in ("proposals", "delegates", "themes", "regions", "organisations", "articles")
]
PARAMETERS = [
    "page",
    "page_size",
    "q",
    "theme",
    "body",
    "region",
    "delegate",
    "organisation",
    "kind",
    "year",
    "date_after",
    "date_before",
    "updated_after",
    "id",
    "ordering",
    "cursor",
    "format",
    "unknown",
]

NUMERIC = ["page", "page_size", "id", "year", "delegate", "organisation", "cursor"]
BAD_VALUES = [
    "²",
    "٣",
    "１２",
    "-1",
    "0",
    "1e3",
    "1.5",
    " 7 ",
    "9" * 30,
    str(2**63),
    "\x00",
    "a\x00b",
    "\ud800",
    "😀" * 20,
    "İ",
    "x" * 10_000,
    "<script>alert(1)</script>",
    "\"'&amp;",
    "javascript:alert(1)",
    "%",
    "2024-13-45",
    "2024-01-01T25:00:00Z",
    "eyJvIjpbXX0:forged",
    "",
]
# Text without a digit, sign or NUL, which every number parser refuses at the step where it refuses "1e3" and
# "%" (parse_int and is_record_id: not ASCII digits; a cursor: a bad signature, as "eyJvIjpbXX0:forged" with
# its ":", or none at all, as "%"). Sent to every parameter at once like the other values, but not to each
# number alone: those requests would repeat the path of "1e3", "%" and "eyJvIjpbXX0:forged" (7 x 84 requests,
# a fifth of this module's time). An emoji run, case folding, markup, quotes, a javascript: link, two bad dates.
TEXT_VALUES = {
    "😀" * 20,
    "İ",
    "<script>alert(1)</script>",
    "\"'&amp;",
    "javascript:alert(1)",
    "2024-13-45",
    "2024-01-01T25:00:00Z",
}
assert TEXT_VALUES.issubset(BAD_VALUES)


def _urls(corpus_ids) -> list[str]:
    return SITE_LISTS + API_LISTS + corpus_ids


@pytest.fixture
def detail_urls(corpus):
    p = Proposal.objects.published().first()
    d = Delegate.objects.published().first()
    t = Theme.objects.first()
    r = Region.objects.first()
    a = Article.objects.first()
    return [
        f"/proposals/{p.pk}/",
        f"/delegates/{d.pk}/",
        f"/themes/{t.slug}/",
        f"/regions/{r.slug}/",
        f"/articles/{a.pk}/",
        f"/api/v1/proposals/{p.pk}/",
        f"/api/v1/delegates/{d.pk}/",
    ]


def _encode(value: str) -> str:
    """Percent-encoded UTF-8 of any Python string, lone surrogates included (as a client could send them)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _assert_not_5xx(client, url: str, query: str | dict) -> None:
    if isinstance(query, dict):
        pairs = [(k, v) for k, vs in query.items() for v in (vs if isinstance(vs, list) else [vs])]
        query = "&".join(f"{_encode(str(k))}={_encode(str(v))}" for k, v in pairs)
    response = client.get(f"{url}?{query}")
    assert response.status_code < 500, (url, query, response.status_code)
    assert response.status_code in (200, 301, 302, 304, 400, 404, 406, 429), (
        url,
        query,
        response.status_code,
    )


@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
def test_bad_value_in_every_parameter(client, corpus, detail_urls, value):
    """Every parameter at once (the site drops what is invalid and goes on, the API names every invalid
    parameter), then each number alone (a 400 on one parameter must not hide a 500 on another), for every
    value but the text that number parsers refuse as they refuse "1e3" and "%" (TEXT_VALUES)."""
    for url in _urls(detail_urls):
        _assert_not_5xx(client, url, dict.fromkeys(PARAMETERS, value))
    if value in TEXT_VALUES:
        return  # each number alone: the path of "1e3", "%" and "eyJvIjpbXX0:forged" (see TEXT_VALUES)
    for url in SITE_LISTS + API_LISTS:  # the pages that read numbers from the query
        for name in NUMERIC:
            _assert_not_5xx(client, url, {name: value})


def test_unicode_digits_are_not_numbers(client, corpus):
    """page=² answered 500 on twenty URLs (str.isdigit() accepts it, int() does not)."""
    assert client.get("/", {"page": "²"}).status_code == 200
    assert "页码“²”无效" in client.get("/", {"page": "²"}).content.decode()
    assert client.get("/api/v1/proposals/", {"page_size": "²"}).status_code == 400
    assert client.get("/api/v1/proposals/", {"id": "²"}).status_code == 400
    assert client.get("/api/v1/proposals/", {"year": "٢٠٢٤"}).status_code == 400
    for raw in ("²", "٣", "１", "-1", "+1", "1_000", "1e3", "9" * 19):
        assert parse_int(raw) is None, raw
    assert parse_int("42") == 42 and parse_int(" 42 ") == 42


def test_raw_query_strings(client, corpus):
    """Invalid UTF-8, lone surrogates percent-encoded, repeated and unknown parameters, huge ids in paths."""
    for url in SITE_LISTS + API_LISTS:
        for query in (
            "q=%ff%fe",
            "q=%ed%a0%80",
            "page=%c2%b2",
            "page=1&page=2&page=%ff",
            "id=1&id=2&id=x",
            "theme=a&theme=%00",
            "zzz=1&q=",
            "cursor=" + "A" * 5000,
            "&&&==&",
        ):
            _assert_not_5xx(client, url, query)
    for path in ("/proposals/99999999999999999999999/", "/api/v1/proposals/99999999999999999999999/"):
        assert client.get(path).status_code in (400, 404)


def test_dotted_capital_i_in_stored_text_is_highlighted(client, corpus, django_capture_on_commit_callbacks):
    """ "İ".lower() is two characters: a matching title made search.highlight raise IndexError (500)."""
    proposal = Proposal.objects.published().first()
    proposal.title = "İİİİ İstanbul 合作 istanbul"
    with django_capture_on_commit_callbacks(execute=True):
        proposal.save()
    for q in ("istanbul", "İstanbul", "合作", "i"):
        response = client.get("/", {"q": q})
        assert response.status_code == 200, q
    assert "<mark>" in client.get("/", {"q": "istanbul"}).content.decode()


# --- links: http and https only, on every write path --------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "/relative",
        "ftp://x.org/",
    ],
)
def test_unsafe_urls_are_refused_by_every_write_path(corpus, url, tmp_path):
    assert not is_web_url(url)
    article = Article.objects.first()
    article.url = url
    with pytest.raises(ValidationError):
        article.full_clean()
    with pytest.raises(ValidationError):
        article.save()
    # A raw fixture load (load_corpus, loaddata) goes around save(): refused too, nothing written.
    fixture = tmp_path / "bad.json"
    row = {"model": "proposals.article", "pk": article.pk, "fields": {"url": url}}
    fixture.write_text(json.dumps([row]), encoding="utf-8")
    with pytest.raises((ValidationError, CommandError)):
        call_command("load_corpus", fixture=fixture, verbosity=0)
    assert Article.objects.get(pk=article.pk).url != url


def test_build_fixture_refuses_unsafe_urls(tmp_path):
    import yaml
    from django.conf import settings as django_settings

    fixtures = django_settings.BASE_DIR / "fixtures"
    data = yaml.safe_load((fixtures / "curation.yaml").read_text(encoding="utf-8"))
    data["articles"][0]["url"] = "javascript:alert(1)"
    source = tmp_path / "curation.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match="http"):
        call_command("build_fixture", source=source, articles=fixtures / "articles", dry_run=True)


def test_templates_never_link_an_unsafe_stored_url(client, corpus):
    """A row written around every check (QuerySet.update) is shown without a link."""
    article = Article.objects.filter(quotes__proposal__status="published").first()
    Article.objects.filter(pk=article.pk).update(url="javascript:alert(1)")
    proposal = Proposal.objects.published().filter(quotes__article=article).first()
    for page in (f"/articles/{article.pk}/", f"/proposals/{proposal.pk}/"):
        body = client.get(page).content.decode()
        assert "javascript:" not in body, page


# --- the property: any text in any parameter of any public URL, and in stored text ------------------------

ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
NUMBERISH = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=6),
    st.text(st.characters(categories=["No"]), min_size=1, max_size=3),  # "²".isdigit() is True
    st.text(st.sampled_from("²³¹①٣１0-+ "), min_size=1, max_size=4),
)


@pytest.mark.django_db(transaction=False)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    url=st.sampled_from(SITE_LISTS + API_LISTS),
    params=st.dictionaries(
        st.sampled_from(PARAMETERS),
        st.lists(st.one_of(ANY_TEXT, NUMBERISH), min_size=1, max_size=3),
        max_size=4,
    ),
)
@example(url="/", params={"page": ["²"]})  # found attacking afcf64a
@example(url="/api/v1/proposals/", params={"page_size": ["²"]})
def test_property_no_5xx_for_any_parameters(corpus, url, params):
    _assert_not_5xx(Client(), url, params)


@pytest.mark.django_db(transaction=False)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    title=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60),
    q=ANY_TEXT,
)
def test_property_stored_text_any_search(corpus, django_capture_on_commit_callbacks, title, q):
    """Any stored title (whole Unicode range) and any query: search, highlight and snippets answer 200."""
    title = title.replace("\x00", "")[:200] or "x"
    proposal = Proposal.objects.published().first()
    proposal.refresh_from_db()
    proposal.title = title
    proposal.summary = title * 5
    with django_capture_on_commit_callbacks(execute=True):
        proposal.save()
    client = Client()
    for query in (q, title[:20], title[:3]):
        _assert_not_5xx(client, "/", {"q": query})
        _assert_not_5xx(client, "/api/v1/proposals/", {"q": query})
