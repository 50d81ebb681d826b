"""Pages render in the three languages; the switcher and the profile language work; every
page reachable from the navigation renders for each kind of visitor."""

from __future__ import annotations

import pytest
from django.conf import settings

from shiji.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

HOME_TITLES = {"en": "Buy from people abroad", "ja": "海外", "zh-hans": "海外"}


@pytest.mark.parametrize("language", ["zh-hans", "ja", "en"])
def test_home_renders_in_each_language_from_accept_language(client, language):
    response = client.get("/", headers={"Accept-Language": language})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert HOME_TITLES[language] in html
    assert response["Content-Language"] == language


def test_the_switcher_sets_the_language_and_keeps_the_page(client):
    response = client.post("/language/", {"language": "ja", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    page = client.get("/login/").content.decode()
    assert '<html lang="ja">' in page
    assert "ログイン" in page
    client.post("/language/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_the_switcher_refuses_foreign_redirects_and_unknown_languages(client):
    response = client.post("/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_signed_in_users_get_their_profile_language_and_the_switcher_saves_it(client):
    user = UserFactory(language="zh-hans")
    client.force_login(user)
    assert '<html lang="zh-hans">' in client.get("/", headers={"Accept-Language": "en"}).content.decode()
    client.post("/language/", {"language": "ja", "next": "/"})
    user.refresh_from_db()
    assert user.language == "ja"


def test_register_page_keeps_values_and_shows_errors_in_the_users_language(client):
    response = client.post(
        "/register/",
        {
            "email": "new@example.test",
            "password": "123",
            "display_name": "新人",
            "country": "CN",
            "language": "zh-hans",
            "currency": "CNY",
        },
        headers={"Accept-Language": "zh-hans"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="new@example.test"' in html
    assert 'value="新人"' in html
    assert "密码" in html  # the error is in Chinese
    ok = client.post(
        "/register/",
        {
            "email": "new@example.test",
            "password": "long-enough-pass-1",
            "display_name": "新人",
            "country": "CN",
            "language": "zh-hans",
            "currency": "CNY",
        },
    )
    assert ok.status_code == 302
    assert client.get("/settings/").status_code == 200


def test_login_and_logout(client):
    user = UserFactory(email="page-login@example.test")
    bad = client.post("/login/", {"email": user.email, "password": "nope"})
    assert bad.status_code == 401
    assert 'value="page-login@example.test"' in bad.content.decode()
    ok = client.post("/login/", {"email": user.email, "password": PASSWORD, "next": "/settings/"})
    assert ok.status_code == 302 and ok["Location"] == "/settings/"
    assert client.post("/logout/").status_code == 302
    assert client.get("/settings/").status_code == 302  # back to the login page


def test_settings_page_saves_and_refuses_bad_input_without_losing_it(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/settings/",
        {
            "display_name": "",
            "language": "en",
            "currency": "CNY",
            "timezone": "Asia/Tokyo",
            "bio": "keep me",
            "interests": "古着，陶器、tea",
        },
    )
    assert response.status_code == 200
    assert "keep me" in response.content.decode()
    ok = client.post(
        "/settings/",
        {
            "display_name": "Kenji",
            "language": "en",
            "currency": "CNY",
            "timezone": "Asia/Tokyo",
            "bio": "keep me",
            "interests": "古着，陶器、tea",
        },
    )
    assert ok.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.currency, user.interests) == ("Kenji", "CNY", ["古着", "陶器", "tea"])


@pytest.mark.parametrize("language", ["zh-hans", "ja", "en"])
def test_404_page_is_translated(client, language):
    response = client.get("/no-such-page/", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert f'<html lang="{language}">' in response.content.decode()
