"""Every page reachable from the navigation renders for every kind of visitor: a crawler signs
in as each persona of the demo market (anonymous, a buyer, a seller, a second buyer, each staff
role), in their language, and follows every link from "/" three clicks deep (``crawling``).
The error pages answer in the visitor's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from shiji.accounts.tests.factories import UserFactory
from shiji.web.tests import crawling
from shiji.web.tests.crawling import Crawl
from shiji.web.views import server_error

# Rendering and markup, the same on both databases: CI runs these in the SQLite pass.
pytestmark = pytest.mark.single_pass

SIGNED_IN = {
    "web:home",
    "catalog:search",
    "catalog:listing",
    "catalog:sell",
    "catalog:mine",
    "orders:mine",
    "messaging:conversations",
    "notifications:list",
    "payments:wallet",
    "reputation:my_score",
    "identity:verification",
    "accounts:settings",
    "accounts:profile",
    "risk:rules",
}
# What each persona must reach with a 200: the crawl really walked the market, in its corners.
REACHES = {
    "anonymous": {
        "web:home",
        "catalog:search",
        "catalog:listing",
        "accounts:login",
        "accounts:register",
        "accounts:profile",
        "risk:rules",
    },
    "buyer": SIGNED_IN | {"orders:detail", "orders:checkout", "disputes:detail", "messaging:conversation"},
    "seller": SIGNED_IN | {"orders:detail", "catalog:edit", "disputes:detail", "messaging:conversation"},
    "second_buyer": SIGNED_IN | {"orders:detail", "messaging:conversation"},
    "moderator": SIGNED_IN | {"backoffice:dashboard", "moderation_staff:queue", "moderation_staff:user"},
    "identity_reviewer": SIGNED_IN
    | {"backoffice:dashboard", "backoffice:identity_queue", "backoffice:identity_detail"},
    "arbitrator": SIGNED_IN | {"backoffice:dashboard", "disputes_staff:queue", "disputes:detail"},
    "finance": SIGNED_IN | {"backoffice:dashboard", "risk_staff:queue", "risk_staff:decision"},
    "admin": SIGNED_IN
    | {
        "backoffice:dashboard",
        "backoffice:identity_queue",
        "backoffice:identity_detail",
        "moderation_staff:queue",
        "disputes_staff:queue",
        "risk_staff:queue",
    },
}
STAFF_ROUTES = ("backoffice:", "moderation_staff:", "disputes_staff:", "risk_staff:")
STAFF = {"moderator", "identity_reviewer", "arbitrator", "finance", "admin"}


def _server_errors(crawls: list[Crawl]) -> list[str]:
    return [
        f"{page.persona} ({page.language}) got {page.status} on {page.url}\n  via {page.trail()}\n{page.error}"
        for crawl in crawls
        for page in crawl.pages
        if page.status >= 500
    ]


def _broken_navigation(crawls: list[Crawl]) -> list[str]:
    broken = []
    for crawl in crawls:
        for key, shown_on in crawl.nav.items():
            page = crawl.page(key)
            if page is None or page.status != 200:
                status = page.status if page else "nothing"
                broken.append(f"{crawl.persona.name}: {key} (in the navigation of {shown_on}) answered {status}")
    return broken


def _missed(crawls: list[Crawl]) -> list[str]:
    missed = []
    for crawl in crawls:
        name = crawl.persona.name
        reached = {page.route for page in crawl.pages if page.status == 200}
        if REACHES[name] - reached:
            missed.append(f"{name} never reached {sorted(REACHES[name] - reached)}")
        staff_pages = sorted(route for route in reached if route.startswith(STAFF_ROUTES))
        if bool(staff_pages) != (name in STAFF):
            missed.append(f"{name} reached staff pages {staff_pages}" if staff_pages else f"{name} saw no staff page")
    return missed


# The demo's trade commits step by step, so the market is built in a transactional test, once
# per process: test_accessibility reads the same crawl.
@pytest.mark.django_db(transaction=True)
def test_every_page_reachable_from_the_navigation_renders_for_every_persona():
    crawls = crawling.site_crawl()
    assert [crawl.persona.name for crawl in crawls] == list(REACHES)
    assert all(len(crawl.nav) >= 4 for crawl in crawls)
    problems = {
        "server errors": _server_errors(crawls),
        "navigation links not answering 200": _broken_navigation(crawls),
        "pages the crawl should have reached": _missed(crawls),
    }
    report = "\n".join(f"{kind}:\n" + "\n".join(lines) for kind, lines in problems.items() if lines)
    assert not report, report


NOT_FOUND = "This page does not exist."
FORBIDDEN = "You are not allowed to see this page."
SERVER_ERROR = "Something went wrong on our side. Please try again."


def _translated(message: str, language: str) -> str:
    with translation.override(language):
        text = translation.gettext(message)
    assert language == "en" or text != message, f"{message!r} has no {language} translation"
    return text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "ja", "en"])
def test_the_404_page_is_in_the_visitors_language(client, language):
    response = client.get("/no-such-page/", headers={"Accept-Language": language})
    assert response.status_code == 404
    doc = crawling.parse(response.content.decode())
    assert doc.lang == language
    assert doc.h1_count == 1 and "404" in doc.title
    assert _translated(NOT_FOUND, language) in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "ja", "en"])
def test_a_staff_page_refuses_a_buyer_in_their_language(client, language):
    client.force_login(UserFactory(language=language))
    response = client.get("/staff/", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    doc = crawling.parse(response.content.decode())
    assert doc.lang == language
    assert doc.h1_count == 1 and "403" in doc.title
    assert _translated(FORBIDDEN, language) in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "ja", "en"])
def test_the_500_page_renders_in_the_visitors_language(rf, language):
    request = rf.get("/orders/")
    with translation.override(language):
        response = server_error(request)
    assert response.status_code == 500
    doc = crawling.parse(response.content.decode())
    assert doc.lang == language
    assert doc.h1_count == 1 and "500" in doc.title
    assert _translated(SERVER_ERROR, language) in response.content.decode()
