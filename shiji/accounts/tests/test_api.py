"""The Accounts table of API.md, endpoint by endpoint, including error codes."""

from __future__ import annotations

import pytest
from django.core import mail

from shiji.accounts.models import ApiToken, User
from shiji.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "email": "Haruka@Example.test",
    "password": "kimono-and-tea-42",
    "display_name": "はるか",
    "country": "JP",
    "language": "ja",
    "currency": "JPY",
}


def test_register_returns_user_and_working_token(api):
    response = api.post("/auth/register", GOOD)
    assert response.status_code == 201, response.content
    body = response.json()
    user = body["user"]
    assert user["email"] == "haruka@example.test"
    assert user["id"].startswith("usr_")
    assert user["verification_level"] == 0
    assert user["service_score"] == 70
    assert user["roles"] == []
    assert user["timezone"] == "Asia/Tokyo"
    api.token = body["token"]
    me = api.get("/me").json()
    assert me["id"] == user["id"]
    for key in (
        "id",
        "email",
        "display_name",
        "country",
        "language",
        "currency",
        "timezone",
        "verification_level",
        "service_score",
        "roles",
    ):
        assert key in me
    # Password is stored with Argon2, the token only as a hash.
    stored = User.objects.get(pk=user["id"])
    assert stored.password.startswith("argon2")
    assert not ApiToken.objects.filter(key_hash=body["token"]).exists()
    # The confirmation e-mail went out, in the user's language.
    assert len(mail.outbox) == 1
    assert "confirm-email" in mail.outbox[0].body
    assert "メール" in mail.outbox[0].subject


def test_duplicate_email_is_409_email_taken_case_insensitively(api):
    assert api.post("/auth/register", GOOD).status_code == 201
    response = api.post("/auth/register", {**GOOD, "email": "HARUKA@example.TEST"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "email_taken"
    assert User.objects.count() == 1


@pytest.mark.parametrize("password", ["short", "password123", "1234567890123", "haruka@example.test"])
def test_weak_password_is_422_with_field_messages(api, password):
    response = api.post("/auth/register", {**GOOD, "password": password})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["password"]
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country", "XX"),
        ("country", "jp"),
        ("currency", "ZZZ"),
        ("currency", "BTC"),
        ("language", "fr"),
        ("email", "not-an-email"),
        ("display_name", "   "),
    ],
)
def test_bad_registration_fields_are_422_and_write_nothing(api, field, value):
    response = api.post("/auth/register", {**GOOD, field: value})
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert User.objects.count() == 0


def test_wrong_types_and_missing_fields_are_422_invalid(api):
    response = api.post("/auth/register", {"email": 5})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "password" in error["fields"]


def test_token_with_right_and_wrong_password(api):
    user = UserFactory(email="seller@example.test")
    response = api.post("/auth/token", {"email": "Seller@example.test", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["token"].startswith("shj_")
    response = api.post("/auth/token", {"email": user.email, "password": "wrong password"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_credentials"
    response = api.post("/auth/token", {"email": "nobody@example.test", "password": "wrong password"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_credentials"


def test_protected_endpoints_need_a_valid_token(api):
    assert api.get("/me").status_code == 401
    api.token = "shj_not-a-real-token"
    response = api.get("/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


def test_inactive_users_token_stops_working(api_as):
    user = UserFactory()
    client = api_as(user)
    assert client.get("/me").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/me").status_code == 401


def test_logout_revokes_the_token(api_as):
    client = api_as(UserFactory())
    assert client.post("/auth/logout").status_code == 204
    assert client.get("/me").status_code == 401


def test_patch_me_updates_profile_fields(api_as):
    user = UserFactory()
    client = api_as(user)
    response = client.patch(
        "/me",
        {
            "display_name": "けんじ",
            "language": "en",
            "currency": "CNY",
            "timezone": "Asia/Shanghai",
            "bio": "陶器を作っています",
            "interests": ["陶器", "手作り", "陶器"],
            "languages": ["ja", "en"],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["display_name"], body["language"], body["currency"], body["timezone"]) == (
        "けんじ",
        "en",
        "CNY",
        "Asia/Shanghai",
    )
    assert body["interests"] == ["陶器", "手作り"]
    assert body["languages"] == ["en", "ja"]


@pytest.mark.parametrize(
    "change",
    [
        {"currency": "XYZ"},
        {"timezone": "Mars/Base"},
        {"language": "de"},
        {"display_name": None},
        {"interests": ["x" * 41]},
        {"bio": "x" * 1001},
    ],
)
def test_patch_me_refuses_bad_values_and_changes_nothing(api_as, change):
    user = UserFactory(display_name="Before")
    client = api_as(user)
    response = client.patch("/me", {"display_name": "After", **change} if "display_name" not in change else change)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "invalid"
    user.refresh_from_db()
    assert user.display_name == "Before"
    assert user.currency == "JPY"


def test_public_profile_never_shows_private_fields(api, api_as):
    seller = UserFactory(email="private@example.test", display_name="Seller", bio="Osaka vintage")
    response = api.get(f"/users/{seller.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == seller.id
    assert body["rating"] == {"average": None, "count": 0}
    assert body["completed_sales"] == 0
    assert body["reliable"] is False
    text = response.content.decode()
    assert "private@example.test" not in text
    assert "email" not in body and "phone" not in body and "legal_name" not in body
    # Another signed-in user sees the same public view.
    assert api_as(UserFactory()).get(f"/users/{seller.id}").json() == body


def test_public_profile_rating_and_reliable_badge(api):
    seller = UserFactory(service_score=75, rating_count=3, rating_total=14, completed_sales=3)
    body = api.get(f"/users/{seller.id}").json()
    assert body["reliable"] is True
    assert body["rating"] == {"average": 4.67, "count": 3}


def test_unknown_or_inactive_user_is_404(api):
    assert api.get("/users/usr_00000000000000000000000000").json()["error"]["code"] == "not_found"
    gone = UserFactory(is_active=False)
    assert api.get(f"/users/{gone.id}").status_code == 404


def test_password_reset_by_email(api):
    user = UserFactory(email="forgot@example.test")
    old_client_token = api.post("/auth/token", {"email": user.email, "password": PASSWORD}).json()["token"]
    assert api.post("/auth/password-reset", {"email": "forgot@example.test"}).status_code == 202
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    uid, token = link.rstrip("/").split("/")[-2:]
    bad = api.post(
        "/auth/password-reset/confirm", {"uid": uid, "token": "bad-token", "new_password": "new-secret-pass-9"}
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_token"
    weak = api.post("/auth/password-reset/confirm", {"uid": uid, "token": token, "new_password": "123"})
    assert weak.status_code == 422
    ok = api.post("/auth/password-reset/confirm", {"uid": uid, "token": token, "new_password": "new-secret-pass-9"})
    assert ok.status_code == 200
    assert api.post("/auth/token", {"email": user.email, "password": "new-secret-pass-9"}).status_code == 200
    assert api.post("/auth/token", {"email": user.email, "password": PASSWORD}).status_code == 401
    api.token = old_client_token
    assert api.get("/me").status_code == 401  # a reset signs every device out
    api.token = None
    # The link works once.
    again = api.post("/auth/password-reset/confirm", {"uid": uid, "token": token, "new_password": "other-secret-77"})
    assert again.status_code == 422


def test_password_reset_for_unknown_address_says_the_same_and_sends_nothing(api):
    response = api.post("/auth/password-reset", {"email": "nobody@example.test"})
    assert response.status_code == 202
    assert mail.outbox == []


def test_email_confirmation(api):
    api.post("/auth/register", GOOD)
    link = next(line for line in mail.outbox[0].body.splitlines() if "confirm-email" in line)
    token = link.split("token=")[1]
    assert api.post("/auth/confirm-email", {"token": token + "x"}).status_code == 422
    assert api.post("/auth/confirm-email", {"token": token}).status_code == 200
    assert User.objects.get().email_confirmed_at is not None


def test_registration_is_rate_limited_per_ip(api):
    for n in range(20):
        assert api.post("/auth/register", {**GOOD, "email": f"p{n}@example.test"}).status_code == 201
    response = api.post("/auth/register", {**GOOD, "email": "p21@example.test"})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in response


def test_a_password_with_edge_spaces_works_on_the_pages_as_in_the_api(api, client):
    """The sign-in form takes the password as typed, like the API: edge spaces are part of it."""
    spaced = "  the tea is in the second drawer  "
    assert api.post("/auth/register", {**GOOD, "password": spaced}).status_code == 201
    trimmed = client.post("/login/", {"email": GOOD["email"], "password": spaced.strip()})
    assert trimmed.status_code != 302 and "_auth_user_id" not in client.session
    signed_in = client.post("/login/", {"email": GOOD["email"], "password": spaced})
    assert signed_in.status_code == 302 and "_auth_user_id" in client.session
