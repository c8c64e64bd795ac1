"""Page weight on the demo data (issue 16), as a tablet on a slow line receives it.

The login page; for every demo login its home page, every page of its menu and, for the
manager, the pages of a worker, a customer and an order (the check-out with its signature
pad); the shared tablet's start page and PIN pad. No
page's HTML is over 100 KB; the first load of each (its HTML and the stylesheets and
scripts it loads, modules followed to the end, without fonts and icons) is at most
60 KB as actually sent to a browser that accepts br and gzip; an htmx partial (the
polled board, the searches) is at most 8 KB so sent. Every static file a page loads
is served under its hashed name, immutable for a year, in brotli.
"""

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from webapp.accounts.models import User
from webapp.customers.models import Customer
from webapp.demo import DEMO_PASSWORD, seed_demo
from webapp.dispatch.services import hand_over
from webapp.extensions import db as _db
from webapp.kiosk import services as kiosk_services
from webapp.orders.models import Order, OrderStatus
from webapp.workers.models import Worker

KB = 1024
PAGE_HTML_LIMIT = 100 * KB
FIRST_LOAD_LIMIT = 60 * KB
PARTIAL_LIMIT = 8 * KB
# What Chromium asks for.
ACCEPT = {"Accept-Encoding": "gzip, deflate, br, zstd"}
HTMX = {"HX-Request": "true", **ACCEPT}
IMMUTABLE = "max-age=31536000, public, immutable"
# Flask-Compress's floor: an answer smaller than this is not worth compressing.
COMPRESS_FROM = 500
MODULE_IMPORT = re.compile(r"""\b(?:from|import)\s*\(?\s*["'](\./[^"']+)["']""")

pytestmark = pytest.mark.rule("D1", "D6")


class Loads(HTMLParser):
    """The stylesheets and scripts a page loads (icons and the manifest are not)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.menu: list[str] = []
        self._in_menu = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.urls.append(attributes["src"])
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.urls.append(attributes["href"])
        elif tag == "nav" and "mainnav" in (attributes.get("class") or ""):
            self._in_menu = True
        elif tag == "a" and self._in_menu:
            self.menu.append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_menu = False


def _read(html: str) -> Loads:
    parser = Loads()
    parser.feed(html)
    return parser


class Weigher:
    """Bytes as sent; each static file is fetched, and its headers checked, once."""

    def __init__(self, client):
        self.client = client
        self.sizes: dict[str, int] = {}
        self.imports: dict[str, list[str]] = {}

    def page(self, url: str, headers=ACCEPT) -> tuple[int, str]:
        """(bytes sent compressed, the HTML)."""
        plain = self.client.get(
            url, headers={k: v for k, v in headers.items() if k != "Accept-Encoding"}
        )
        assert plain.status_code == 200, (url, plain.status_code)
        sent = self.client.get(url, headers=headers)
        if len(plain.get_data()) >= COMPRESS_FROM:
            assert sent.headers.get("Content-Encoding") in ("br", "gzip"), url
        return len(sent.get_data()), plain.text

    def _fetch(self, url: str) -> None:
        with self.client.get(url, headers=ACCEPT) as response:
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == IMMUTABLE, url
            assert response.headers.get("Content-Encoding") == "br", url
            self.sizes[url] = len(response.get_data())
        with self.client.get(url) as plain:
            folder = url.rsplit("/", 1)[0]
            self.imports[url] = [
                f"{folder}/{name[2:]}" for name in MODULE_IMPORT.findall(plain.text)
            ]

    def first_load(self, urls: list[str]) -> int:
        """The bytes sent for these files and the modules they import, each counted once."""
        seen: set[str] = set()
        waiting = list(urls)
        while waiting:
            url = waiting.pop()
            if url in seen:
                continue
            seen.add(url)
            if url not in self.sizes:
                self._fetch(url)
            waiting.extend(self.imports[url])
        return sum(self.sizes[url] for url in seen)


def _log_in(client, username: str) -> None:
    client.post("/logout")
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 303, username


def _manager_pages(username: str) -> list[str]:
    """A worker's and a customer's file, an order and its check-out (handed over first)."""
    manager = _db.session.scalar(sa.select(User).where(User.username == username))

    def first(model, *where):
        return _db.session.scalar(
            sa.select(model).where(model.branch_id == manager.branch_id, *where).limit(1)
        )

    order = first(Order, Order.status == OrderStatus.ASSIGNED)
    hand_over(order, "带好工具", manager)
    _db.session.commit()
    return [
        f"/workers/{first(Worker).id}",
        f"/customers/{first(Customer).id}",
        f"/orders/{order.id}",
        f"/orders/{order.id}/check-out",
    ]


@pytest.fixture
def demo(db):
    """The demo company; one login per role (the first branch's where there are two)."""
    logins = {}
    for username, role, _branch in seed_demo():
        logins.setdefault(role, username)
    db.session.commit()
    return logins


def _kiosk_pages(client, username: str) -> list[str]:
    """The shared tablet's start page and a worker's PIN pad, on an enrolled tablet."""
    manager = _db.session.scalar(sa.select(User).where(User.username == username))
    _device, token = kiosk_services.enroll(manager.branch, "前台平板", manager)
    worker = _db.session.scalar(sa.select(Worker).where(Worker.branch_id == manager.branch_id))
    _db.session.commit()
    client.post("/logout")
    client.set_cookie(kiosk_services.COOKIE, token, domain="branchdesk.test")
    return ["/kiosk", f"/kiosk/w/{worker.id}"]


def _weigh(weigher: Weigher, role: str, urls) -> list[tuple[str, str, int, int]]:
    weights = []
    for url in dict.fromkeys(urls):
        sent, html = weigher.page(url)
        loads = _read(html).urls
        assert loads, url
        weights.append((role, url, len(html.encode()), sent + weigher.first_load(loads)))
    return weights


def test_pages_and_their_first_load_stay_light(client, demo):
    weigher = Weigher(client)
    weights = _weigh(weigher, "anyone", ["/login"])
    for role, username in demo.items():
        _log_in(client, username)
        _sent, home = weigher.page("/")
        pages = ["/", *_read(home).menu]
        if role == "manager":
            pages += _manager_pages(username)
        weights += _weigh(weigher, role, pages)
    weights += _weigh(weigher, "worker", _kiosk_pages(client, demo["manager"]))
    table = "\n".join(f"{r:15} {u:40} {h / KB:6.1f} KB  {f / KB:5.1f} KB" for r, u, h, f in weights)
    heavy = [w for w in weights if w[2] > PAGE_HTML_LIMIT]
    assert not heavy, f"HTML over 100 KB:\n{table}"
    slow = [w for w in weights if w[3] > FIRST_LOAD_LIMIT]
    assert not slow, f"first load over 60 KB compressed:\n{table}"


PARTIALS = [
    ("manager", "/duties"),
    ("manager", "/duties/new"),
    ("manager", "/board/instructions"),
    ("manager", "/customers?q="),
    ("manager", "/workers?q="),
    ("branch_head", "/duties"),
    ("branch_head", "/audit"),
    ("service_center", "/duties"),
]


def test_htmx_partials_stay_small(client, demo):
    weigher = Weigher(client)
    sizes = []
    for role, url in PARTIALS:
        _log_in(client, demo[role])
        sent, html = weigher.page(url, headers=HTMX)
        assert "<html" not in html and html.strip(), url
        sizes.append((role, url, sent))
    table = "\n".join(f"{r:15} {u:30} {s / KB:5.1f} KB" for r, u, s in sizes)
    assert all(s <= PARTIAL_LIMIT for _r, _u, s in sizes), f"partial over 8 KB:\n{table}"
