"""Fixtures of the browser journeys: one headless Chromium for the package, a fresh browser
context per person (their own cookies, language and time zone), screenshots by step, and a
check that no page answered 500 or threw a script error."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from shiji.web.tests.browser.support import Screenshots, artifacts_dir

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 15_000

NO_CHROMIUM = f"the browser journeys need Chromium at {CHROMIUM} (apt-get install chromium)"

expect.set_options(timeout=TIMEOUT_MS)


_FAILED = pytest.StashKey[bool]()
HERE = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives headless Chromium through Playwright (slow)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in this package drives Chromium: ``-m "not browser"`` leaves them all out, and
    without Chromium they are all skipped."""
    skip = None if CHROMIUM.exists() else pytest.mark.skip(reason=NO_CHROMIUM)
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if skip is not None:
                item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole package (package scope, not session: while Playwright runs, its
    asyncio loop runs in this thread, which Django's ORM and ``async_to_sync`` refuse — so it
    must stop before the rest of the suite runs in the same process).

    Django's fixtures (reference data, the after-test ledger check) still touch the database from
    this thread meanwhile; ``DJANGO_ALLOW_ASYNC_UNSAFE`` lets them, for these tests only. The
    tests' own database work goes through ``support.orm``."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Screenshots:
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    return Screenshots(artifacts_dir() / name)


@pytest.fixture
def person(
    browser: Browser, live_server: Any, shots: Screenshots, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """``person(locale, timezone)`` → a page in a browser context of its own, as one person's
    browser: its own cookies, ``Accept-Language`` from ``locale``, its own time zone.

    Afterwards: no page may have answered 5xx or thrown a script error; a failed test leaves a
    screenshot of every page it had open."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def open_browser(locale: str, timezone_id: str) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            timezone_id=timezone_id,
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"{locale} script error: {error}"))
        page.on(
            "response",
            lambda response: (
                problems.append(f"{locale} {response.status} {response.url}") if response.status >= 500 else None
            ),
        )
        return page

    yield open_browser
    if request.node.stash.get(_FAILED, False):
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(shots.folder / f"failed-{n}-{m}.png"), full_page=True)
    for context in contexts:
        context.close()
    assert not problems, problems
