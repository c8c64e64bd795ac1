"""Hostile input into every form the app has, then every page read back (issue 10 §1, §4).

The forms are discovered, not listed: the test crawls the running app as each role
(same-origin links and hx-get URLs, with the Flask test client), parses each page's forms
with lxml and fills each one from its own defaults plus fillers by input type. Then, one
field at a time, a bad input goes into an otherwise valid submission (stored, shown back)
posted twice (the second answer is often 409), and into an invalid one (the 422 page shows
it); each choice gets a value the page did not offer. At the end every page each role can
reach is read again, as a page and as an htmx partial. Any 5xx, traceback, payload that
became live markup, or field error of a Chinese page without Chinese fails the test.

Payloads carry the marker "bdx": markup is live when the parsed DOM holds an element or
attribute that came from a payload (a `bdx…` tag or attribute, a <script>/<style> or an
on…=/hx-…=/href=javascript: whose value holds the marker) or `{{7*7}}` came out as 49.
"""

import html
import itertools
import re
import time as timer
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode, urljoin, urlsplit

import lxml.html
import pytest

from tests import factories
from tests.working_day import FROZEN, Catalogue, Desk, FrozenClock, signature
from webapp.catalogue import services as catalogue_services
from webapp.core import clock as app_clock

pytestmark = pytest.mark.rule("D6", "D1", "R4", "R8", "R19", "R20")

MARKUP = [
    "<script>bdx01()</script>",
    "<img src=x onerror=bdx02()>",
    '<div hx-get="/logout" hx-trigger="load">bdx03</div>',
    '"><bdxtag04>',
    "' onmouseover='bdx05",
    '" onfocus="bdx06" autofocus x="',
    "</textarea><bdxtag07>",
    "<svg onload=bdx08()>",
    "bdx09{{7*7}}",
    "bdx10{{ config }}${7*7}{% if 1 %}{% endif %}",
    '<a href="javascript:bdx11()">x</a>',
    '<button hx-post="/logout" hx-trigger="load">bdx12</button>',
    "<style>bdx13{}</style>",
    '<p bdxattr14="1" data-hx-get="/logout">',
]
TEXT_EDGES = [
    "bdx15" + "a" * 9995,  # 10,000 characters
    "测" * 5000,
    "bdx17\x00x",
    "\u202ebdx18\u202c \u05e9\u05dc\u05d5\u05dd",  # right-to-left override, Hebrew
    "bdx\u200b19\u200d\ufeff",  # zero-width characters
    "bdx20 👩‍👩‍👧‍👦🧹",
]
NUMBERS = [
    "-1",
    "1e309",
    "NaN",
    "sNaN",
    "Infinity",
    "²",
    "0.001",
    "99999999999",
    "0001-01-01",
    "9999-12-31",
    "9" * 5000,
]
# Hidden fields (versions, prices quoted) are parsed by hand: the numbers that break int().
HIDDEN_NUMBERS = ["-1", "²", "99999999999", "9" * 5000]
SHORT = "<bdxtag>"
CORPUS = [SHORT, *MARKUP, *TEXT_EDGES, *NUMBERS]
TEXT_PAYLOADS = [SHORT, *MARKUP, *TEXT_EDGES]
EVALUATED = ("bdx0949", "bdx10<Config")  # MARKUP[8] and [9] rendered as templates

ROLES = ["manager", "branch_head", "service_center", "finance", "admin_dept", "company_admin"]
SKIP_PATHS = ("/static/", "/logout", "/language", "/sw.js", "/manifest.webmanifest")
SKIP_SUFFIXES = (".pdf", ".xlsx")
PAGES_PER_PATTERN = 2
TEXT_TYPES = {"text", "search", "email", "url", "tel", ""}
TYPED_TYPES = {"number", "date", "time", "datetime-local", "month", "hidden"}
CHOICES = {"select", "radio", "checkbox"}
TAMPERED = "99999"
REPEATED = re.compile(r"-[1-9]\d*-")
LIVE_ATTRS = re.compile(r"^(on|hx-|data-hx-|bdx)")


@dataclass
class FormSpec:
    role: str
    page: str
    method: str
    action: str
    fields: list[tuple[str, str, str]]  # (name, type, value) in document order
    choices: dict[str, list[str]] = field(default_factory=dict)
    textual: list[str] = field(default_factory=list)
    typed: list[str] = field(default_factory=list)
    files: bool = False


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    requests: Counter = field(default_factory=Counter)
    unmade: list[str] = field(default_factory=list)
    pages: dict[str, set[str]] = field(default_factory=dict)


def _pattern(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


# The app's CSRF tokens: random base64, so now and then one holds "bdx" by chance.
CSRF_TOKEN = re.compile(r'(name="csrf_token" value="|"X-CSRFToken": ")([A-Za-z0-9._-]+)"')


def live_markup(html: str) -> list[str]:
    """What in the page came from a payload as markup, not text."""
    if not html.strip():
        return []
    html = CSRF_TOKEN.sub(r'\1token"', html)  # the server's own value, never a payload
    root = lxml.html.document_fromstring(html)
    text = root.text_content()
    found = [f"template evaluated: {marker}" for marker in EVALUATED if marker in text]
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.startswith("bdx"):
            found.append(f"<{element.tag}>")
        if element.tag in ("script", "style") and "bdx" in (element.text or ""):
            found.append(f"<{element.tag}>{element.text[:40]}")
        own_text = element.text or ""
        for name, value in element.attrib.items():
            marked = "bdx" in value or "bdx" in own_text or name.startswith("bdx")
            if LIVE_ATTRS.match(name) and marked:
                found.append(f"<{element.tag} {name}={value[:40]!r}>")
            if name == "href" and value.strip().lower().startswith("javascript:"):
                found.append(f"<{element.tag} href={value[:40]!r}>")
            if name == "autofocus" and "bdx" in element.attrib.get("onfocus", ""):
                found.append(f"<{element.tag} autofocus>")
    return found


CHINESE = re.compile(r"[\u4e00-\u9fff]")


def untranslated_errors(html: str) -> list[str]:
    """Field errors of a Chinese page that hold no Chinese: a message left in English."""
    if '<html lang="zh-CN">' not in html:
        return []
    root = lxml.html.document_fromstring(html)
    errors = (p.text_content().strip() for p in root.xpath('//p[@class="error"]'))
    return [error for error in errors if error and not CHINESE.search(error)]


class Crawler:
    def __init__(self, client, findings: Findings, fillers):
        self.client = client
        self.findings = findings
        self.fillers = fillers
        # URLs the pages fetch with htmx (hx-get), which answer with a partial.
        self.partials: set[str] = set()

    def request(self, method, url, context, **kw):
        response = self.client.open(url, method=method, **kw)
        self.findings.requests[method] += 1
        text = response.get_data(as_text=True)
        if response.status_code >= 500 or "Traceback (most recent call last)" in text:
            self.findings.problems.append(f"{context}: {method} {url} -> {response.status_code}")
        if "html" in response.content_type:
            for what in live_markup(text):
                self.findings.problems.append(f"{context}: {method} {url} live {what}")
            for error in untranslated_errors(text):
                self.findings.problems.append(f"{context}: {method} {url} in English: {error}")
        return response, text

    def crawl(self, role: str) -> tuple[list[str], list[FormSpec]]:
        queue, seen, per_pattern, pages, forms = ["/"], set(), Counter(), [], []
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response, text = self.request("GET", url, role)
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            if not text.strip():  # an htmx fragment with nothing to show (no new duties)
                continue
            pages.append(url)
            root = lxml.html.document_fromstring(text)
            for element in root.xpath("//*[@hx-get]"):
                self.partials.update(_same_origin(element.get("hx-get"), url))
            for link in self._links(root, url):
                pattern = _pattern(link)
                if link not in seen and per_pattern[pattern] < PAGES_PER_PATTERN:
                    per_pattern[pattern] += 1
                    queue.append(link)
            forms.extend(self._forms(root, url, role))
        return pages, forms

    @staticmethod
    def _links(root, base: str):
        for element in root.iter("a"):
            yield from _same_origin(element.get("href"), base)
        for element in root.xpath("//*[@hx-get]"):
            yield from _same_origin(element.get("hx-get"), base)

    @staticmethod
    def _forms(root, page: str, role: str):
        for form in root.iter("form"):
            action = next(iter(_same_origin(form.get("action") or page, page, True)), None)
            if action is None:
                continue
            spec = FormSpec(role, page, (form.get("method") or "get").upper(), action, [])
            for element in form.xpath(".//input|.//select|.//textarea|.//button[@name]"):
                name = element.get("name")
                if not name or element.get("disabled") is not None:
                    continue
                kind = (element.get("type") or "").lower()
                if element.tag == "select":
                    values = [o.get("value", o.text or "") for o in element.iter("option")]
                    spec.choices[name] = values
                    chosen = [
                        o.get("value", o.text or "")
                        for o in element.iter("option")
                        if o.get("selected") is not None
                    ]
                    spec.fields.append((name, "select", (chosen or [""])[0]))
                elif element.tag == "textarea":
                    spec.fields.append((name, "textarea", element.text or ""))
                    spec.textual.append(name)
                elif element.tag == "button" or kind == "submit":
                    if not any(f[0] == name for f in spec.fields):
                        spec.fields.append((name, "submit", element.get("value", "")))
                elif kind == "file":
                    spec.files = True
                elif kind in ("checkbox", "radio"):
                    spec.fields.append((name, kind, element.get("value", "on")))
                    if element.get("checked") is not None:
                        spec.choices.setdefault("checked:" + name, []).append(
                            element.get("value", "on")
                        )
                else:
                    spec.fields.append((name, kind, element.get("value", "")))
                    if kind in TEXT_TYPES:
                        spec.textual.append(name)
                    elif kind in TYPED_TYPES and name != "csrf_token":
                        spec.typed.append(name)
            yield spec

    def valid_data(self, spec: FormSpec) -> dict[str, list[str]]:
        data: dict[str, list[str]] = defaultdict(list)
        radios_done = set()
        for name, kind, value in spec.fields:
            if kind == "checkbox":
                data[name].append(value)  # every check ticked (R10's are required)
            elif kind == "radio":
                if name not in radios_done:
                    checked = spec.choices.get("checked:" + name)
                    data[name].append(checked[0] if checked else value)
                    radios_done.add(name)
            elif kind == "select":
                options = [v for v in spec.choices.get(name, []) if v]
                data[name].append(value or (options[0] if options else ""))
            elif kind == "submit":
                data[name].append(value)
            else:
                data[name].append(value or self.fillers(name, kind))
        return data

    def post_form(self, spec: FormSpec, data, context: str):
        method = spec.method
        if method == "GET":
            query = urlencode([(k, v) for k, vs in data.items() for v in vs])
            return self.request("GET", f"{spec.action.split('?')[0]}?{query}", context)
        return self.request(method, spec.action, context, data=data)


def _same_origin(href: str | None, base: str, keep_empty: bool = False):
    if href is None or (not href and not keep_empty):
        return
    url = urljoin("http://localhost" + base, href)
    parts = urlsplit(url)
    if parts.netloc != "localhost" or parts.scheme not in ("http", "https"):
        return
    if parts.path.startswith(SKIP_PATHS) or parts.path.endswith(SKIP_SUFFIXES):
        return
    yield parts.path + (f"?{parts.query}" if parts.query else "")


class Fillers:
    """Values that a field of that name or type accepts."""

    def __init__(self, today):
        self.today = today
        self.counter = itertools.count(1)

    def __call__(self, name: str, kind: str) -> str:
        n = next(self.counter)
        short = name.rsplit("-", 1)[-1]
        if kind == "date":
            return self.today.isoformat()
        if kind == "month":
            return f"{self.today:%Y-%m}"
        if kind == "time":
            return "10:00" if "end" not in short else "11:00"
        if kind == "datetime-local":
            return f"{self.today.isoformat()}T08:00"
        if kind == "number":
            return "1"
        if kind == "password":
            return f"crawler-password-{n}"
        if kind == "hidden":
            return signature() if short == "signature" else ""
        if short == "id_number":
            return factories.valid_id_number()
        if "landline" in short:
            return "0574-87654321"
        if "phone" in short or "mobile" in short or kind == "tel":
            return factories.mobile()
        if short == "username":
            return f"crawler{n}"
        if short == "badge_no":
            return f"CR{n:04d}"
        if short in (
            "discount",
            "rate",
            "deduction_1",
            "deduction_2",
            "price",
            "q",
            "pin",
            "claimed",
        ):
            return ""
        if short.endswith(("area", "hours", "minutes", "minutes_per_m2", "score", "percent")):
            return "1"
        return "测试"


@pytest.fixture
def branch_day(app, db, monkeypatch):
    """A branch on a working day: orders in every state, billed and paid ones, a talk."""
    frozen = FrozenClock(FROZEN)
    monkeypatch.setattr("webapp.core.clock.now", frozen.now)
    with app.test_request_context():
        world = factories.World.build()
        company_id = world.company.id
        catalogue = Catalogue(
            cleaning=catalogue_services.save_service_item(company_id, "日常保洁", "hour", 4000),
            windows=catalogue_services.save_service_item(company_id, "擦玻璃", "job", 12000),
            detergent=catalogue_services.save_material(company_id, "清洁剂", "瓶", False),
            cloths=catalogue_services.save_material(company_id, "抹布", "块", False),
            vacuum=catalogue_services.save_material(company_id, "吸尘器", "台", True),
        )
        catalogue_services.save_item_rules(
            catalogue.cleaning, ["kitchen", "living"], Decimal(1), 60
        )
        desk = Desk(world, catalogue, frozen)
        desk.instruction(notes="待分配")
        desk.order()
        desk.order(day=FROZEN.date() + timedelta(days=1))
        desk.handed_over()
        desk.checked_out()
        done = [desk.checked_out() for _ in range(2)]
        frozen.set(FROZEN + timedelta(hours=8))  # 17:00: the morning's times are past
        for order in done:
            desk.check_in(order, FROZEN, FROZEN + timedelta(hours=2), note_for_worker="小心")
        world.worker(branch="A")
        return world


@pytest.mark.rule("D6", "R7", "R10", "R11", "R12", "R20")
def test_hostile_input_in_every_form_never_becomes_markup_nor_a_500(client, branch_day, capsys):
    started = timer.monotonic()
    world, findings = branch_day, Findings()
    fillers = Fillers(app_clock.local_today())
    crawler = Crawler(client, findings, fillers)
    users = {role: world.user(role, branch=None if role in ROLES[2:] else "A") for role in ROLES}
    forms_done: dict[tuple, FormSpec] = {}
    posts_valid = posts_invalid = 0
    turn = itertools.count()
    slowest: Counter = Counter()
    own = {f"/users/{u.id}/enabled" for u in users.values()}
    for role, user in users.items():
        _login(client, user)
        pages, forms = crawler.crawl(role)
        findings.pages[role] = set(pages)
        for spec in forms:
            key = (spec.method, _pattern(spec.action), tuple(f[0] for f in spec.fields))
            if key in forms_done or spec.action.startswith(SKIP_PATHS) or spec.action in own:
                continue
            forms_done[key] = spec
            form_started = timer.monotonic()
            made_valid = False
            # Entries 1, 2… of a list of subforms (rooms) are the same fields as entry 0.
            tested = [n for n in spec.textual + spec.typed if not REPEATED.search(n)]
            for name in tested:
                i = next(turn)
                if name in spec.textual:
                    # Markup short enough for any field's length limit, so that it is
                    # stored and shown back, then the corpus in turn.
                    payloads = [SHORT, MARKUP[i % len(MARKUP)]]
                    if i % 2 == 0:
                        payloads.append(TEXT_EDGES[i // 2 % len(TEXT_EDGES)])
                    if i % 4 == 0:
                        payloads.append(NUMBERS[i // 4 % len(NUMBERS)])
                elif dict((f[0], f[1]) for f in spec.fields)[name] == "hidden":
                    payloads = HIDDEN_NUMBERS
                else:
                    payloads = NUMBERS
                for payload in payloads:
                    data = crawler.valid_data(spec)
                    data[name] = [payload]
                    # Text is posted twice (the second answer is often a 409), markup once
                    # more in an invalid form; a number or date is refused the first time.
                    for _ in range(2 if payload in TEXT_PAYLOADS else 1):
                        response, _text = crawler.post_form(spec, data, f"{role} {name}")
                        posts_valid += 1
                        made_valid |= response.status_code in (200, 303) and spec.method != "GET"
                    if payload in MARKUP or payload == SHORT:
                        other = next((t for t in spec.textual if t != name), name)
                        data[other] = [data[other][0] + "\x00"]
                        crawler.post_form(spec, data, f"{role} {name} (invalid)")
                        posts_invalid += 1
            # A value the page did not offer, in each choice (a tampered post).
            for name in dict.fromkeys(n for n, kind, _ in spec.fields if kind in CHOICES):
                if not REPEATED.search(name) and spec.method == "POST":
                    data = crawler.valid_data(spec)
                    data[name] = [TAMPERED]
                    crawler.post_form(spec, data, f"{role} {name} (tampered)")
                    posts_invalid += 1
            _login_again_if_needed(client, user)
            slowest[f"{spec.method} {_pattern(spec.action)}"] += timer.monotonic() - form_started
            if spec.method == "POST" and (spec.textual or spec.typed) and not made_valid:
                findings.unmade.append(f"{spec.role} {spec.method} {spec.action}")
    for role, user in users.items():
        _login(client, user)
        for url in sorted(findings.pages[role]):
            crawler.request("GET", url, f"{role} read back")
            crawler.request("GET", url, f"{role} read back (htmx)", headers={"HX-Request": "true"})
    elapsed = timer.monotonic() - started
    with capsys.disabled():
        print(
            f"\nbad input: {len(forms_done)} forms, {posts_valid} valid and {posts_invalid} "
            f"invalid posts, {sum(len(p) for p in findings.pages.values())} pages read back "
            f"twice for {len(ROLES)} roles, {sum(findings.requests.values())} requests, "
            f"corpus {len(CORPUS)}, {elapsed:.0f} s"
        )
        for what, seconds in slowest.most_common(8):
            print(f"  {seconds:5.1f} s {what}")
        for unmade in findings.unmade:
            print(f"  could not make valid: {unmade}")
    assert not findings.problems, "\n".join(findings.problems[:40])
    assert len(forms_done) >= 20 and len(CORPUS) >= 25


def _login(client, user) -> None:
    client.post("/logout")
    response = client.post(
        "/login", data={"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 303, response.status_code


def _login_again_if_needed(client, user) -> None:
    """A form may end the session (enrolling the tablet, disabling oneself): log back in."""
    response = client.get("/")
    if response.status_code in (301, 302, 303) and "/login" in response.headers["Location"]:
        _login(client, user)


def test_the_live_markup_check_finds_each_payload_unescaped():
    contexts = ["<p>{}</p>", "<input value='{}'>", '<input value="{}">', "<textarea>{}</textarea>"]
    for payload in MARKUP:
        if "{{" in payload:
            continue
        pages = [f"<html><body>{c.format(payload)}</body></html>" for c in contexts]
        assert any(live_markup(page) for page in pages), payload
        safe = "".join(c.format(html.escape(payload)) for c in contexts)
        assert not live_markup(f"<html><body>{safe}</body></html>"), payload
    for marker in EVALUATED:
        assert live_markup(f"<html><body><p>{html.escape(marker)}</p></body></html>")


def test_a_csrf_token_that_happens_to_hold_the_marker_is_not_a_finding():
    token = "IjAbdx01Zm9v.aGVsbG8"
    page = (
        f"""<html><body hx-headers='{{"X-CSRFToken": "{token}"}}'><form>"""
        f'<input type="hidden" name="csrf_token" value="{token}"></form></body></html>'
    )
    assert live_markup(page) == []
    # Only the token's own places are passed over: the same text in a live attribute is not.
    assert live_markup(page.replace("<form>", f'<form onclick="{token}">'))
