"""The OpenAPI schema, the docs pages (no other host), throttling, and schemathesis against the schema."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import schemathesis
import yaml
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_helpers import fresh_cache, get  # noqa: F401

pytestmark = pytest.mark.django_db


def _schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_describes_every_endpoint_parameter_and_field(client):
    schema = _schema(client)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for endpoint in ["proposals", "delegates", "themes", "regions", "organisations", "articles"]:
        assert f"/api/v1/{endpoint}/" in paths
        assert f"/api/v1/{endpoint}/{{id}}/" in paths
        assert set(paths[f"/api/v1/{endpoint}/"]) == {"get"}  # read-only
    assert "/api/v1/bulk/" in paths and "/api/v1/bulk/{name}" in paths

    def params(path):
        return {p["name"]: p for p in paths[path]["get"]["parameters"]}

    proposal_params = params("/api/v1/proposals/")
    assert set(proposal_params) >= {
        "theme", "body", "region", "delegate", "organisation", "kind", "year", "date_after", "date_before",
        "q", "ordering", "updated_after", "id", "cursor", "page_size", "format",
    }  # fmt: skip
    assert proposal_params["q"]["schema"]["maxLength"] == 200
    assert proposal_params["page_size"]["schema"]["maximum"] == 500
    assert proposal_params["delegate"]["schema"]["items"]["type"] == "integer"
    assert set(params("/api/v1/delegates/")) >= {"body", "region", "organisation", "q", "updated_after", "id"}
    for param in proposal_params.values():
        assert param.get("description"), param["name"]

    components = schema["components"]["schemas"]
    proposal = components["Proposal"]["properties"]
    assert set(proposal) >= {
        "id",
        "title",
        "summary",
        "text",
        "kind",
        "date",
        "delegates",
        "themes",
        "sources",
    }
    assert set(proposal) >= {"url", "status", "updated_at", "year"}
    assert set(components["Delegate"]["properties"]) >= {
        "id",
        "name",
        "memberships",
        "positions",
        "proposal_count",
    }
    assert set(components["Tombstone"]["properties"]) == {"id", "status", "updated_at", "merged_into"}

    list_op = paths["/api/v1/proposals/"]["get"]
    error = list_op["responses"]["400"]["content"]["application/json"]["schema"]
    assert error["additionalProperties"]["type"] == "array"
    assert "429" in list_op["responses"]
    page = list_op["responses"]["200"]["content"]["application/json"]["schema"]
    page = components[page["$ref"].rsplit("/", 1)[1]] if "$ref" in page else page
    assert set(page["properties"]) >= {"count", "count_is_exact", "page_size", "next", "previous", "results"}


def test_docs_load_nothing_from_another_host(client):
    # Swagger UI only: Redoc's bundle always loads its logo from cdn.redoc.ly, so it is not served.
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    foreign = [u for u in re.findall(r"https?://[^\s\"'<>)]+", html) if urlsplit(u).hostname != "testserver"]
    assert foreign == []
    assets = re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"([^\"]+)\"", html)
    assert any(a.endswith(".js") for a in assets)
    for asset in assets:
        # Swagger UI's own setup script is served by the docs view (no inline script: CSP script-src 'self').
        assert asset.startswith(("/static/", "/api/docs/?script")), asset
        fetched = client.get(asset.replace("&amp;", "&"))
        assert fetched.status_code == 200, asset
        body = b"".join(fetched.streaming_content) if fetched.streaming else fetched.content
        assert body
    assert "/api/schema/" in client.get("/api/docs/?script=").content.decode()  # our own schema


def test_swagger_ui_uses_local_css_and_no_validator(client):
    html = client.get("/api/docs/").content.decode()
    assert re.search(r'<link rel="stylesheet" href="/static/[^"]+\.css"', html)
    script = re.search(r'<script src="(/api/docs/\?script[^"]*)"', html).group(1).replace("&amp;", "&")
    # the validator badge would be an image from another host
    assert '"validatorUrl": null' in client.get(script).content.decode()


def test_browsable_api_renders(client, corpus):
    response = client.get("/api/v1/proposals/?page_size=2", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"<html" in response.content.lower()


# --- throttling -------------------------------------------------------------------------------------------


def test_throttled_client_gets_429_with_retry_after(client, corpus, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}
    cache.clear()
    for _ in range(3):
        assert get(client, "themes").status_code == 200
    response = get(client, "themes")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "detail" in response.json()


def test_forged_forwarded_for_does_not_escape_the_throttle(client, corpus, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"}}
    cache.clear()
    statuses = [
        client.get(
            "/api/v1/themes/", HTTP_ACCEPT="application/json", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}"
        ).status_code
        for i in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_throttle_rate_is_parsed_strictly(monkeypatch):
    from npp_db.settings import _throttle_rate

    monkeypatch.setenv("API_THROTTLE_ANON", "120/hour")
    assert _throttle_rate("API_THROTTLE_ANON", "1000/minute") == "120/hour"
    monkeypatch.delenv("API_THROTTLE_ANON")
    assert _throttle_rate("API_THROTTLE_ANON", "1000/minute") == "1000/minute"
    for bad in ["lots", "100", "100/fortnight", "0/minute", "-5/minute", "100/m", "1e3/minute"]:
        monkeypatch.setenv("API_THROTTLE_ANON", bad)
        with pytest.raises(ImproperlyConfigured):
            _throttle_rate("API_THROTTLE_ANON", "1000/minute")


# --- schemathesis: generated requests never get a server error and always match the schema ----------------


def _wsgi_app():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# Loaded when the module is collected (the schema view needs no database); schemathesis.pytest.from_fixture
# would defer it, but does not work with pytest 9 (it reads Function._nodeid).
with override_settings(ALLOWED_HOSTS=["localhost"]):  # schemathesis calls the app as http://localhost
    schema = schemathesis.openapi.from_wsgi("/api/schema/", _wsgi_app())


@pytest.fixture
def wsgi_calls(settings):
    """Calls through the WSGI app, inside the test's transaction, with a throttle the run cannot reach.

    Like Django's test client, keep the app from closing the database connection at the end of each
    request (it would end the test's transaction on PostgreSQL).
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute"}}
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    cache.clear()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_schemathesis(case, corpus, wsgi_calls):
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ]
    )
