"""What the schemathesis fuzz run (``test_fuzz.py``) found in the API layer, each pinned here."""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from shiji.accounts.tests.factories import PASSWORD, UserFactory
from shiji.core.tests import images
from shiji.orders.tests.factories import seller_jp

pytestmark = pytest.mark.django_db


def _raw_post(api: Any, path: str, body: bytes, content_type: str, **headers: str) -> Any:
    return api.client.generic("POST", "/api/v1" + path, body, content_type=content_type, headers=headers)


# --- a JSON body labelled as a form ----------------------------------------------------------


def test_a_json_body_sent_as_a_form_is_refused_not_a_server_error(api, server_errors):
    """Found: ``Content-Type: multipart/form-data`` without a boundary and a JSON body on
    /auth/token was a 500 (the sign-in lockout read the form to record the failure)."""
    body = json.dumps({"email": "nobody@example.test", "password": "wrong"}).encode()
    response = _raw_post(api, "/auth/token", body, "multipart/form-data")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert server_errors == []


def test_a_json_body_sent_as_a_form_never_reaches_the_password_check(api):
    """The same request with the right password: refused before sign-in, so the lockout cannot be
    sidestepped by labelling guesses as forms (a failure it could not record)."""
    user = UserFactory()
    body = json.dumps({"email": user.email, "password": PASSWORD}).encode()
    for content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        response = _raw_post(api, "/auth/token", body, content_type)
        assert response.status_code == 415, content_type
        assert "token" not in response.json()
    assert api.post("/auth/token", {"email": user.email, "password": PASSWORD}).status_code == 200


def test_a_multipart_upload_without_its_boundary_is_a_client_error(api_as, server_errors):
    seller = seller_jp()
    listing = api_as(seller).post("/listings", _listing()).json()
    client = api_as(seller)
    response = client.client.generic(
        "POST",
        f"/api/v1/listings/{listing['id']}/photos",
        images.png(),
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {client.token}"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert server_errors == []


def test_a_body_that_is_not_json_says_so_in_the_clients_language(api):
    response = _raw_post(api, "/auth/token", b"{not json", "application/json", **{"Accept-Language": "ja"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    with translation.override("ja"):
        assert error["message"] == gettext("The body is not valid JSON.") != "The body is not valid JSON."


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_body_over_the_size_limit_is_413_not_a_server_error(api, server_errors):
    body = json.dumps({"email": "a@example.test", "password": "x" * 4096}).encode()
    response = _raw_post(api, "/auth/token", body, "application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert server_errors == []


# --- a JSON value that is not an object -------------------------------------------------------


@pytest.mark.parametrize("body", ["[null, null]", "5", '"x"', "[]", "null"])
def test_a_body_that_is_not_an_object_is_invalid_not_an_empty_change(api_as, body):
    """Found: PATCH /me with ``[null, null]`` answered 200 as if a change was saved (ninja's
    schemas read attributes off any value, so a list validated as an empty object)."""
    client = api_as(UserFactory(display_name="Kept"))
    auth = {"Authorization": f"Bearer {client.token}"}
    response = client.client.generic("PATCH", "/api/v1/me", body, content_type="application/json", headers=auth)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"body": ["Enter an object."]}


def test_an_optional_body_may_be_null_or_absent_but_not_another_value(api_as):
    """POST /orders/{id}/cancel takes an optional ``{reason}``: null and no body mean none."""
    from shiji.orders.tests.factories import order_placed

    order = order_placed()
    client = api_as(order.buyer)
    auth = {"Authorization": f"Bearer {client.token}"}
    path = f"/api/v1/orders/{order.pk}/cancel"
    refused = client.client.generic("POST", path, '"please"', content_type="application/json", headers=auth)
    assert refused.status_code == 422
    cancelled = client.client.generic("POST", path, "null", content_type="application/json", headers=auth)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


# --- NUL characters (PostgreSQL refuses them in text) -----------------------------------------

NUL_REFUSED = ["Null characters are not allowed."]


def test_a_nul_character_in_a_json_field_is_invalid_not_a_server_error(api_as, server_errors):
    """Found on PostgreSQL: ``POST /listings`` with a NUL in ``category`` and
    ``POST /auth/password-reset/confirm`` with one in ``uid`` were 500s (psycopg refuses NUL)."""
    from shiji.catalog.tests.factories import listing_data

    response = api_as(seller_jp()).post("/listings", listing_data(category="dress\x00es"))
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"category": NUL_REFUSED}
    confirm = {"uid": "a\x00", "token": "t", "new_password": "a long and unusual passphrase"}
    assert api_as(seller_jp()).post("/auth/password-reset/confirm", confirm).json()["error"]["fields"] == {
        "uid": NUL_REFUSED
    }
    assert server_errors == []


def test_a_nul_character_in_a_query_form_or_path_is_refused(api, api_as, server_errors):
    search = api.get("/search", {"q": "vintage\x00"})
    assert search.status_code == 422 and search.json()["error"]["fields"] == {"q": NUL_REFUSED}
    assert api.get("/listings/lst_\x00").status_code == 404  # no id contains one
    client = api_as(UserFactory())
    form = {
        "legal_name": "Wang\x00",
        "document_type": "passport",
        "document_number": "E12345678",
        "document_image": images.png(),
    }
    submitted = client.post_multipart("/me/verification", form)
    assert submitted.status_code == 422 and submitted.json()["error"]["fields"] == {"legal_name": NUL_REFUSED}
    assert server_errors == []


# --- a bad token on a POST ---------------------------------------------------------------------


def test_a_bad_bearer_token_on_a_post_is_401_not_a_csrf_403(api):
    """Found: POST /auth/logout with a revoked token answered 403 "CSRF check Failed": the
    browser-session fallback ran Django's CSRF check although no session was signed in."""
    response = api.post("/auth/logout", {}, headers={"Authorization": "Bearer shj_revoked"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_stale_session_cookie_is_401_too(api):
    api.client.cookies["sessionid"] = "no-such-session"
    response = api.post("/me/notifications/read", {})
    assert response.status_code == 401


def test_a_signed_in_browser_session_still_needs_its_csrf_token(api):
    from django.test import Client

    user = UserFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    refused = browser.post("/api/v1/me/notifications/read", "{}", content_type="application/json")
    assert refused.status_code == 403
    browser.get("/")  # the page sets the CSRF cookie its scripts send back
    token = browser.cookies["csrftoken"].value
    allowed = browser.post(
        "/api/v1/me/notifications/read", "{}", content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert allowed.status_code == 200


# --- the schema says which errors each operation gives ---------------------------------------


@pytest.fixture
def schema(client: Any) -> dict[str, Any]:
    return json.loads(client.get("/api/v1/openapi.json").content)


def test_shared_errors_are_declared_from_the_operation(schema):
    paths = schema["paths"]
    assert set(paths["/api/v1/me"]["get"]["responses"]) == {"200", "401"}
    assert {"400", "401", "413", "415", "422"} <= set(paths["/api/v1/listings"]["post"]["responses"])
    # visitors may search: no 401, and the empty security requirement says so
    search = paths["/api/v1/search"]["get"]
    assert "401" not in search["responses"] and {} in search["security"]
    # a multipart upload takes no JSON, so no 415
    assert "415" not in paths["/api/v1/listings/{listing_id}/photos"]["post"]["responses"]
    # an id in the path that names nothing (or holds a NUL) is 404: each such operation says so
    for path, operations in paths.items():
        for method, operation in operations.items():
            if "{" in path:
                assert "404" in operation["responses"], (method, path)


def test_every_error_response_is_the_one_error_body(schema):
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400 and (path, status) != ("/api/v1/health", "503"):  # 503: its own report
                    assert response["content"]["application/json"]["schema"] == error, (method, path, status)
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert detail["required"] == ["code", "message"]


def test_no_two_schemas_share_a_name(client):
    """Found: two ``DecisionOut`` (disputes, risk), two ``MessageIn``/``MessageOut`` (disputes,
    messaging), two ``DecisionIn`` and four ``ReasonIn``: the schema keeps one per name, so a
    dispute's ``resolution`` was documented as a risk decision and the fuzz run's responses
    failed their own schema. Every model the API reads or writes has a name of its own."""
    from pydantic import BaseModel

    from shiji.api.main import api as ninja_api

    client.get("/api/v1/openapi.json")  # the routers are bound
    models: set[type[BaseModel]] = set()

    def collect(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in models:
                return
            models.add(annotation)
            for field in annotation.model_fields.values():
                collect(field.annotation)
        for argument in typing.get_args(annotation):
            collect(argument)

    for router in ninja_api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    collect(model)
    shapes: dict[str, dict[str, str]] = {}  # name → JSON schema → where it is defined
    for model in models:
        if model.__module__ != "abc":  # ninja's own per-operation wrappers, never a component
            shape = json.dumps(model.model_json_schema(), sort_keys=True)
            shapes.setdefault(model.__name__, {})[shape] = f"{model.__module__}.{model.__qualname__}"
    assert {name: sorted(where.values()) for name, where in shapes.items() if len(where) > 1} == {}


def _listing() -> dict[str, Any]:
    from shiji.catalog.tests.factories import listing_data

    return listing_data()
