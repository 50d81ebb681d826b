"""Lighthouse-style basics on every HTML page the crawler visits (``crawling.site_crawl``, shared
with test_crawl): the page's language, a title, a name for every form control, alt text on
images, one <h1>, unique ids. The checks themselves are tried on small pages first."""

from __future__ import annotations

from collections import defaultdict

import pytest

from shiji.web.tests import crawling
from shiji.web.tests.crawling import Crawl

# Rendering and markup, the same on both databases: CI runs these in the SQLite pass.
pytestmark = pytest.mark.single_pass


def _report(crawls: list[Crawl], check: str) -> str:
    """The problems of one check, each with the first page showing it and how many more do."""
    where: dict[tuple[str, str], list[str]] = defaultdict(list)
    for crawl in crawls:
        for page in crawl.pages:
            if page.doc is None:
                continue
            for problem in crawling.CHECKS[check](page.doc, page.language):
                where[(page.route, problem)].append(f"{page.url} ({page.persona}, {page.language})")
    lines = [
        f"{pages[0]}: {problem}" + (f"  [and {len(pages) - 1} more {route} pages]" if len(pages) > 1 else "")
        for (route, problem), pages in sorted(where.items())
    ]
    return "\n".join(lines)


# The market is built in a transactional test (its trade commits), once per process: when
# test_crawl ran first in this process, its crawl is reused.
@pytest.mark.django_db(transaction=True)
def test_every_crawled_page_has_the_accessibility_basics():
    crawls = crawling.site_crawl()
    assert sum(1 for crawl in crawls for page in crawl.pages if page.doc is not None) > 300
    problems = {check: _report(crawls, check) for check in crawling.CHECKS}
    report = "\n".join(f"{check}:\n{lines}" for check, lines in problems.items() if lines)
    assert not report, report


# --- the checks catch what they should -------------------------------------------------------

GOOD = """<!doctype html><html lang="ja"><head><title>市集</title></head><body>
<nav><a href="/">Market</a></nav>
<main><h1>Title</h1>
<form><label for="q">Search</label><input id="q" name="q">
<label>Quantity <input name="n" type="number"></label>
<select aria-label="Language" name="l"><option>日本語</option></select>
<span id="note-label">Note</span><textarea aria-labelledby="note-label" name="t"></textarea>
<input type="hidden" name="csrf"><button type="submit">Go</button>
<input type="image" src="/go.png" alt="Go"></form>
<img src="/a.png" alt="A teapot"><a href="/x/"><img src="/b.png" alt=""> Teapot</a>
<img src="/c.png" alt="" role="presentation">
<div hidden><input name="later"><h1>Hidden</h1></div>
</main></body></html>"""


def test_a_page_with_the_basics_passes_every_check():
    doc = crawling.parse(GOOD)
    assert {check: fn(doc, "ja") for check, fn in crawling.CHECKS.items()} == {check: [] for check in crawling.CHECKS}
    assert [(link.href, link.in_nav) for link in doc.links] == [("/", True), ("/x/", False)]


@pytest.mark.parametrize(
    ("check", "html", "problem"),
    [
        ("lang", "<html><title>t</title><h1>x</h1>", "<html> has no lang attribute"),
        ("lang", '<html lang="en"><title>t</title>', '<html lang="en"> but the page was served in ja'),
        ("title", '<html lang="ja"><title> </title>', "no <title> text"),
        ("labels", '<input name="q" id="q"><label for="other">Search</label>', '<input name="q" id="q"> has no'),
        ("labels", '<label for="q"> </label><input id="q" name="q">', '<input name="q" id="q"> has no'),
        ("labels", "<label>Lang <select name=l><option>en</option></select></label><textarea name=t>", "<textarea"),
        ("labels", '<select name="l"><option>Label-like option</option></select>', '<select name="l"> has no'),
        ("labels", '<input aria-labelledby="gone" name="x">', '<input name="x"> has no'),
        ("images", '<img src="/a.png">', '<img src="/a.png"> has no alt attribute'),
        ("images", '<img src="/a.png" alt="">', '<img src="/a.png"> has alt="" outside a link'),
        ("images", '<a href="/"><img src="/a.png" alt=""></a>', '<img src="/a.png"> has alt="" outside a link'),
        ("h1", "<p>no heading</p>", "0 <h1> elements"),
        ("h1", "<h1>a</h1><section><h1>b</h1></section>", "2 <h1> elements"),
        ("ids", '<p id="x"></p><div id="x"></div>', 'id="x" is used 2 times'),
        ("ids", '<input aria-labelledby="gone" name="x">', 'aria-labelledby="gone" names no element'),
    ],
)
def test_each_check_reports_the_element_at_fault(check, html, problem):
    problems = crawling.CHECKS[check](crawling.parse(html), "ja")
    assert any(problem in found for found in problems), problems


def test_the_crawler_keys_pages_by_path_and_the_query_parameters_that_matter():
    key = crawling.crawl_key
    assert key("/orders/?status=paid&next=/x/") == "/orders/?status=paid"
    assert key("/market/?cursor=abc") == key("/market/?cursor=def") != key("/market/")
    assert crawling.same_site("/a/", "b/?q=1#top") == "/a/b/?q=1"
    assert crawling.same_site("/", "https://example.com/") is None
    assert crawling.same_site("/", "/media/x.png") is None
    assert crawling.same_site("/", "#main") is None
