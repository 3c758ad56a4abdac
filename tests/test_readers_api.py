"""Issue 13, API details: page numbers refused, descriptions, Chinese errors with codes, slugs, one rule for
multi-valued filters, absolute URLs and the licence in the bulk files."""

import collections
import json

import pytest
from drf_spectacular.generators import SchemaGenerator

from proposals import licence
from proposals.api import bulk
from tests.api_helpers import fresh_cache, proposals_of  # noqa: F401
from tests.factories import _module_world, world  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]
JSON = {"HTTP_ACCEPT": "application/json"}


def test_a_page_number_is_a_400_that_names_the_cursor(client):
    response = client.get("/api/v1/proposals/?page=5", **JSON)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_parameter"
    assert "cursor" in body["page"][0] and "next" in body["page"][0]


def test_every_operation_has_its_own_description():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    descriptions = [op.get("description", "") for ops in schema["paths"].values() for op in ops.values()]
    assert all(d.strip() for d in descriptions)
    repeated = [d for d, n in collections.Counter(descriptions).items() if n > 1]
    assert repeated == []
    assert not any("What every endpoint shares" in d for d in descriptions)


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/v1/proposals/999999/", "not_found"),
        ("/api/v1/bulk/nothing.csv", "not_found"),
        ("/api/v1/themes/no-such-theme/", "not_found"),
        ("/api/v1/proposals/?theme=no-such-theme", "invalid_parameter"),
        ("/api/v1/proposals/x/", "invalid_parameter"),
    ],
)
def test_errors_are_chinese_with_a_stable_code(client, path, code):
    response = client.get(path, **JSON)
    assert response.status_code >= 400
    body = response.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])
    assert "No " not in body["detail"] and "no such" not in body["detail"]


def test_write_methods_answer_405_in_chinese(client):
    body = client.post("/api/v1/proposals/", **JSON).json()
    assert body == {"code": "method_not_allowed", "detail": "本接口只读，不支持 POST 方法。"}


def test_themes_and_regions_are_found_by_slug_and_by_id(client):
    by_slug = client.get("/api/v1/themes/digital-economy/", **JSON).json()
    assert by_slug["slug"] == "digital-economy"
    assert client.get(f"/api/v1/themes/{by_slug['id']}/", **JSON).json() == by_slug
    assert client.get("/api/v1/regions/guizhou/", **JSON).json()["name"] == "贵州省"


@pytest.mark.parametrize(
    ("name", "first", "second"),
    [
        ("delegate", None, None),
        ("theme", "digital-economy", "artificial-intelligence"),
        ("region", "hubei", "guizhou"),
        ("kind", "proposal", "suggestion"),
        ("body", "npc", "cppcc"),
    ],
)
def test_multi_valued_filters_take_repeats_commas_or_both(client, name, first, second):
    if name == "delegate":
        from tests.api_helpers import delegate

        first, second = str(delegate("雷军").pk), str(delegate("景亚萍").pk)

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/v1/proposals/?{query}&page_size=500", **JSON)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    repeated = ids(f"{name}={first}&{name}={second}")
    assert repeated > ids(f"{name}={first}")
    assert ids(f"{name}={first},{second}") == repeated
    assert ids(f"{name}={first},{second}&{name}={first}") == repeated
    # the public list follows the same rule
    site = client.get(f"/?{name}={first},{second}&page_size=100")
    assert {p.pk for p in site.context["proposals"]} == repeated


def test_bulk_json_has_absolute_urls_and_the_licence(client):
    data = json.loads(b"".join(client.get("/api/v1/bulk/npp_db.json").streaming_content))
    assert data["licence"]["name"] == "CC BY 4.0"
    assert data["proposals"][0]["url"].startswith("http://testserver/proposals/")
    assert data["themes"][0]["url"].startswith("http://testserver/themes/")
    csv_response = client.get("/api/v1/bulk/proposals.csv")
    assert csv_response["Link"] == licence.link_header()
    index = client.get("/api/v1/bulk/", **JSON).json()
    assert index["licence"]["url"] == licence.URL


def test_export_bulk_writes_urls_from_site_url(tmp_path, settings):
    settings.SITE_URL = "https://npp.example.org"
    bulk.export(tmp_path)
    data = json.loads((tmp_path / "npp_db.json").read_text(encoding="utf-8"))
    assert data["proposals"][0]["url"].startswith("https://npp.example.org/proposals/")
    assert data["licence"]["url"] == licence.URL


def test_removing_one_of_comma_separated_values_on_the_site_keeps_the_other(client):
    html = client.get("/?theme=digital-economy,artificial-intelligence").content.decode()
    assert 'href="?theme=artificial-intelligence" aria-label="去掉主题 数字经济"' in html
