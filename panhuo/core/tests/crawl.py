"""Find the UI's pages without listing them: follow the links a signed-in user is shown.

The security tests (no inline script or style, CSP in a real browser) use this, so a page that
any app adds is covered as soon as some page links to it. At most ``per_route`` pages of each
URL pattern are fetched (the first asset page stands for all of them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

#: Not pages: the API (its docs page is visited on its own), files, and signing out.
SKIP_PREFIXES = ("/api/", "/static/", "/media/", "/logout/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_in(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
            continue
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        found.append(url)
    return found


def route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


@dataclass
class Page:
    url: str
    route: str
    status: int
    html: str
    #: The response's headers (its content security policy among them), as sent.
    headers: dict[str, str] = field(default_factory=dict)


def crawl(client: Client, start: str = "/", *, per_route: int = 1, limit: int = 400) -> list[Page]:
    """The HTML pages reachable from ``start`` by GET, breadth first."""
    queue, seen, per = [start], {start}, Counter()
    pages: list[Page] = []
    while queue and len(pages) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path.startswith(SKIP_PREFIXES):
            continue
        route = route_of(path)
        if route is None or per[route] >= per_route:
            continue
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        per[route] += 1
        html = response.content.decode()
        pages.append(Page(url=url, route=route, status=response.status_code, html=html,
                          headers=dict(response.items())))  # fmt: skip
        if response.status_code != 200:
            continue
        for link in links_in(html, url):
            # One visit per path: the same list sorted another way is the same page.
            key = urlsplit(link).path
            if key not in seen:
                seen.add(key)
                queue.append(link)
    return pages
