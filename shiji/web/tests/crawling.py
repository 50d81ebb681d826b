"""The site crawler shared by the crawl and accessibility tests.

* ``parse`` reads a page with the standard library's ``html.parser`` into a ``Document``: its
  language, title, links (and whether they sit in a ``<nav>``), form controls and their labels,
  images, headings and ids.
* ``CHECKS`` are the basic accessibility checks a Lighthouse run would flag, each listing the
  elements at fault.
* ``crawl`` follows every same-origin link breadth-first for one persona, with the Django test
  client, and records each answer with the chain of pages that led to it.
* ``site_crawl`` builds the demo market (``shiji demo``: orders in each state, disputes,
  conversations, reviews, a report, a document to review, a held payout), crawls it as every
  persona in that persona's language, and keeps the result for the other test module of the
  same process.
"""

from __future__ import annotations

import traceback
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.core.cache import cache
from django.test import Client, TestCase
from django.urls import Resolver404, resolve
from django.utils import translation

# --- parsing ---------------------------------------------------------------------------------

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
UNNAMED_INPUT_TYPES = {"hidden", "submit", "button", "reset"}
# Text inside these is not part of a label's or a link's accessible name.
NOT_NAME_TEXT = {"select", "option", "textarea", "script", "style", "template"}


@dataclass
class Control:
    """A form control that needs an accessible name."""

    describe: str
    id: str
    aria_label: str
    labelledby: list[str]
    label: int | None  # the wrapping <label>, if any


@dataclass
class Image:
    describe: str
    alt: str | None
    role: str
    link: int | None  # the enclosing <a>, if any


@dataclass
class Link:
    href: str
    in_nav: bool


@dataclass
class Document:
    lang: str | None = None
    title: str = ""
    links: list[Link] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    ids: Counter[str] = field(default_factory=Counter)
    h1_count: int = 0
    label_for: dict[str, list[int]] = field(default_factory=dict)
    label_text: dict[int, str] = field(default_factory=dict)
    link_text: dict[int, str] = field(default_factory=dict)


@dataclass
class _Open:
    tag: str
    hidden: bool = False
    nav: bool = False
    label: int | None = None
    link: int | None = None
    no_name_text: bool = False
    title: bool = False


def _describe(tag: str, attrs: dict[str, str]) -> str:
    shown = " ".join(f'{key}="{attrs[key]}"' for key in ("type", "name", "id", "src", "class") if key in attrs)
    return f"<{tag} {shown}>" if shown else f"<{tag}>"


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = Document()
        self.stack: list[_Open] = [_Open("#root")]
        self._labels = 0
        self._links = 0

    def handle_starttag(self, tag: str, raw: list[tuple[str, str | None]]) -> None:
        attrs = {key: value or "" for key, value in raw}
        parent = self.stack[-1]
        node = _Open(
            tag,
            hidden=parent.hidden or "hidden" in attrs or attrs.get("aria-hidden") == "true" or tag == "template",
            nav=parent.nav or tag == "nav",
            label=parent.label,
            link=parent.link,
            no_name_text=parent.no_name_text or tag in NOT_NAME_TEXT,
            title=tag == "title",
        )
        if "id" in attrs:
            self.doc.ids[attrs["id"]] += 1
        if tag == "html":
            self.doc.lang = attrs.get("lang")
        elif tag == "h1" and not node.hidden:
            self.doc.h1_count += 1
        elif tag == "a" and "href" in attrs:
            self._links += 1
            node.link = self._links
            self.doc.link_text[node.link] = attrs.get("aria-label", "")
            self.doc.links.append(Link(attrs["href"], node.nav))
        elif tag == "label":
            self._labels += 1
            node.label = self._labels
            self.doc.label_text[node.label] = ""
            if attrs.get("for"):
                self.doc.label_for.setdefault(attrs["for"], []).append(node.label)
        elif tag == "img":
            self.doc.images.append(Image(_describe(tag, attrs), attrs.get("alt"), attrs.get("role", ""), parent.link))
            if attrs.get("alt"):
                self._name_text(parent, attrs["alt"])
        if tag in ("input", "select", "textarea") and not node.hidden:
            kind = attrs.get("type", "text").lower() if tag == "input" else tag
            if kind not in UNNAMED_INPUT_TYPES and not (kind == "image" and attrs.get("alt")):
                self.doc.controls.append(
                    Control(
                        _describe(tag, attrs),
                        attrs.get("id", ""),
                        attrs.get("aria-label", "").strip(),
                        attrs.get("aria-labelledby", "").split(),
                        parent.label,
                    )
                )
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        node = self.stack[-1]
        if node.title:
            self.doc.title += data
        self._name_text(node, data)

    def _name_text(self, node: _Open, text: str) -> None:
        if node.no_name_text or not text.strip():
            return
        if node.label is not None:
            self.doc.label_text[node.label] += text
        if node.link is not None:
            self.doc.link_text[node.link] += text


def parse(html: str) -> Document:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.doc


# --- accessibility checks ----------------------------------------------------------------------


def lang_problems(doc: Document, language: str) -> list[str]:
    if not doc.lang:
        return ["<html> has no lang attribute"]
    if doc.lang != language:
        return [f'<html lang="{doc.lang}"> but the page was served in {language}']
    return []


def title_problems(doc: Document, language: str) -> list[str]:
    return [] if doc.title.strip() else ["no <title> text"]


def _named(doc: Document, control: Control) -> bool:
    if control.aria_label:
        return True
    if control.labelledby and all(doc.ids[ref] for ref in control.labelledby):
        return True
    labels = doc.label_for.get(control.id, []) if control.id else []
    if control.label is not None:
        labels = [*labels, control.label]
    return any(doc.label_text[label].strip() for label in labels)


def label_problems(doc: Document, language: str) -> list[str]:
    return [f"{control.describe} has no accessible name" for control in doc.controls if not _named(doc, control)]


def image_problems(doc: Document, language: str) -> list[str]:
    problems = []
    for image in doc.images:
        if image.alt is None:
            problems.append(f"{image.describe} has no alt attribute")
        elif not image.alt.strip():
            decorative = image.role in ("presentation", "none")
            in_named_link = image.link is not None and bool(doc.link_text[image.link].strip())
            if not (decorative or in_named_link):
                problems.append(f'{image.describe} has alt="" outside a link with text and no role="presentation"')
    return problems


def heading_problems(doc: Document, language: str) -> list[str]:
    return [] if doc.h1_count == 1 else [f"{doc.h1_count} <h1> elements (want exactly one)"]


def id_problems(doc: Document, language: str) -> list[str]:
    problems = [f'id="{name}" is used {count} times' for name, count in doc.ids.items() if count > 1]
    for control in doc.controls:
        problems += [
            f'{control.describe} aria-labelledby="{ref}" names no element'
            for ref in control.labelledby
            if not doc.ids[ref]
        ]
    return problems


CHECKS: dict[str, Callable[[Document, str], list[str]]] = {
    "lang": lang_problems,
    "title": title_problems,
    "labels": label_problems,
    "images": image_problems,
    "h1": heading_problems,
    "ids": id_problems,
}


# --- crawling ----------------------------------------------------------------------------------

ORIGIN = "http://testserver"
SKIP_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/logout/")
# Query parameters that choose a different page (each value is crawled) ...
VALUE_PARAMS = {"status", "tab", "type"}
# ... and those crawled once per page whatever their value (pagination, searches, a target id).
ONCE_PARAMS = {"cursor", "q", "category", "id"}


@dataclass(frozen=True)
class Persona:
    name: str
    language: str
    email: str | None = None  # None: not signed in


@dataclass
class Page:
    persona: str
    language: str
    url: str
    status: int
    chain: tuple[str, ...]  # the pages followed from "/" to this one, this one last
    route: str = ""
    location: str = ""
    error: str = ""
    doc: Document | None = None  # HTML pages only

    def trail(self) -> str:
        return " → ".join(self.chain)


@dataclass
class Crawl:
    persona: Persona
    pages: list[Page] = field(default_factory=list)
    nav: dict[str, str] = field(default_factory=dict)  # nav link key → a page showing it

    def page(self, key: str) -> Page | None:
        return next((page for page in self.pages if crawl_key(page.url) == key), None)


def crawl_key(url: str) -> str:
    """What makes two URLs the same page for the crawler."""
    parts = urlsplit(url)
    kept = sorted(
        (name, value if name in VALUE_PARAMS else "*")
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name in VALUE_PARAMS | ONCE_PARAMS
    )
    return parts.path + ("?" + urlencode(kept) if kept else "")


def same_site(base: str, href: str) -> str | None:
    """``href`` found on ``base`` as a local path with its query, or None when not crawled."""
    if href.startswith("#") or href.split(":", 1)[0].lower() in ("mailto", "tel", "javascript", "data"):
        return None
    parts = urlsplit(urljoin(ORIGIN + base, href))
    if f"{parts.scheme}://{parts.netloc}" != ORIGIN or parts.path.startswith(SKIP_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _route(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return ""


class CrawlClient(Client):
    """Runs on-commit callbacks when each request ends, as a real request's commit would."""

    def request(self, **request: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


def crawl(client: Client, persona: Persona, *, max_depth: int = 3, limit: int = 250) -> Crawl:
    """Breadth-first from "/" over same-origin ``<a href>`` links, ``max_depth`` clicks deep."""
    result = Crawl(persona)
    queue: deque[tuple[str, tuple[str, ...], int]] = deque([("/", (), 0)])
    seen = {crawl_key("/")}
    while queue and len(result.pages) < limit:
        url, before, depth = queue.popleft()
        page = _fetch(client, persona, url, (*before, url))
        result.pages.append(page)
        found = [(link.href, link.in_nav, depth + 1) for link in (page.doc.links if page.doc else [])]
        if page.location:  # a redirect is the same click
            found.append((page.location, False, depth))
        for href, in_nav, next_depth in found:
            target = same_site(url, href)
            if target is None:
                continue
            key = crawl_key(target)
            if in_nav:
                result.nav.setdefault(key, url)
            if key not in seen and next_depth <= max_depth:
                seen.add(key)
                queue.append((target, page.chain, next_depth))
    for key, shown_on in result.nav.items():  # a navigation link the limit kept from the crawl
        if result.page(key) is None:
            result.pages.append(_fetch(client, persona, key, (shown_on, key)))
    return result


def _fetch(client: Client, persona: Persona, url: str, chain: tuple[str, ...]) -> Page:
    response = client.get(url)
    page = Page(persona.name, persona.language, url, response.status_code, chain, route=_route(url.split("?")[0]))
    if response.exc_info:
        page.error = "".join(traceback.format_exception(*response.exc_info)[-4:])
    if 300 <= response.status_code < 400:
        page.location = response.get("Location", "")
    elif response.get("Content-Type", "").startswith("text/html"):
        page.doc = parse(response.content.decode(response.charset or "utf-8"))
    return page


# --- the market the crawler walks through -------------------------------------------------------

PERSONAS = [
    Persona("anonymous", "en"),
    Persona("buyer", "zh-hans", "liwei@demo.shiji.test"),
    Persona("seller", "ja", "haruka@demo.shiji.test"),
    Persona("second_buyer", "zh-hans", "chenmei@demo.shiji.test"),
    Persona("moderator", "ja", "moderator@demo.shiji.test"),
    Persona("identity_reviewer", "zh-hans", "identity-reviewer@demo.shiji.test"),
    Persona("arbitrator", "en", "arbitrator@demo.shiji.test"),
    Persona("finance", "zh-hans", "finance@demo.shiji.test"),
    Persona("admin", "en", "admin@demo.shiji.test"),
]


def build_market() -> None:
    """The demo market (``shiji demo``): people in Japan and China, staff for each role,
    listings with photos, orders in each state with their conversations, disputes and reviews,
    an inquiry, an open report, a document to review and a payout held for finance. Its trade
    commits step by step, so this runs in a transactional test. Each persona's account is set to
    the language the crawler expects the pages in."""
    from shiji.accounts.models import User
    from shiji.demo.seed import seed_all

    seed_all()
    for persona in PERSONAS:
        if persona.email:
            User.objects.filter(email=persona.email).update(language=persona.language)


_CRAWLS: list[Crawl] = []
_FAILED: list[BaseException] = []


def site_crawl() -> list[Crawl]:
    """Every persona's crawl of the market, made once per process by the (transactional) test
    that asks first; the other test module reads the same result. A market that cannot be built
    fails every test that asks, without building it again."""
    if _FAILED:
        raise RuntimeError("building the market failed in an earlier test") from _FAILED[0]
    if _CRAWLS:
        return _CRAWLS
    from shiji.accounts.models import User

    try:
        build_market()
    except BaseException as exc:
        _FAILED.append(exc)
        raise
    crawls = []
    for persona in PERSONAS:
        cache.clear()  # rate-limit counters
        client = CrawlClient(raise_request_exception=False, headers={"Accept-Language": persona.language})
        if persona.email:
            client.force_login(User.objects.get(email=persona.email))
        crawls.append(crawl(client, persona))
    translation.activate("en")
    _CRAWLS.extend(crawls)
    return _CRAWLS
