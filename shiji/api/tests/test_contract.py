"""The generated OpenAPI schema and the one error body of API.md."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

ACCOUNTS_PATHS = {
    "/api/v1/auth/register": "post",
    "/api/v1/auth/token": "post",
    "/api/v1/me": "get",
    "/api/v1/users/{user_id}": "get",
    "/api/v1/me/verification": "post",
    "/api/v1/staff/verifications/{verification_id}/decision": "post",
    "/api/v1/categories": "get",
    "/api/v1/listings": "post",
    "/api/v1/listings/{listing_id}": "patch",
    "/api/v1/listings/{listing_id}/photos": "post",
    "/api/v1/listings/{listing_id}/publish": "post",
    "/api/v1/search": "get",
    "/api/v1/market": "get",
    "/api/v1/fx": "get",
    "/api/v1/staff/fx-rates": "put",
}


def test_openapi_schema_is_served_and_lists_the_contract(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    for path, method in ACCOUNTS_PATHS.items():
        assert method in schema["paths"][path], path
    assert "BearerToken" in schema["components"]["securitySchemes"]


def test_docs_page_is_served_without_external_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def test_error_body_shape_for_validation_auth_and_not_found(api):
    invalid = api.post("/auth/token", {"email": "x"})
    body = invalid.json()
    assert invalid.status_code == 422
    assert set(body) == {"error"}
    assert body["error"]["code"] == "invalid"
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert body["error"]["fields"]["password"]
    unauthorized = api.get("/me").json()
    assert unauthorized["error"]["code"] == "unauthorized" and "fields" not in unauthorized["error"]
    assert api.get("/no/such/endpoint").json()["error"]["code"] == "not_found"


def test_malformed_json_is_a_client_error(api):
    response = api.client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_error_messages_follow_the_language(api):
    response = api.post(
        "/auth/token", {"email": "a@b.test", "password": "wrong-password"}, headers={"Accept-Language": "ja"}
    )
    assert response.status_code == 401
    assert "パスワード" in response.json()["error"]["message"]


def test_health_reports_database_cache_and_queue(api):
    response = api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "cache": True, "queue": True}


def test_field_errors_follow_the_language(api):
    response = api.post("/auth/register", {"email": "a@b.test"}, headers={"Accept-Language": "ja"})
    assert response.status_code == 422
    assert "field required" not in str(response.json()).lower()
