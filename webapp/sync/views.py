"""The offline side of the app: service worker, manifest, outbox and refused records."""

import hashlib
import json
from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import selectinload

from webapp.accounts import services as account_services
from webapp.callbacks.suggestions import suggest
from webapp.core import clock
from webapp.core.access import require
from webapp.core.offline.models import Submission, SubmissionStatus
from webapp.core.offline.pages import OFFLINE_PAGE, offline_page
from webapp.core.roles import can
from webapp.core.scoping import get_scoped_or_404, scoped_select
from webapp.core.snapshot import rendering_together
from webapp.core.static_files import hashed_names
from webapp.extensions import db
from webapp.kiosk.services import this_tablet
from webapp.orders.models import Order, OrderStatus
from webapp.sync import services
from webapp.sync.forms import ResolveForm

bp = Blueprint("sync", __name__)
# The suggested orders whose on-site callback form is kept for use offline.
ONSITE_PAGES_KEPT = 10
SKIPPED_STATIC = (".map", ".md", "LICENSE")
# The service worker's Workbox modules, in the order they load (core first).
WORKBOX = "vendor/workbox-7.4.1"
WORKBOX_PARTS = ("core", "routing", "strategies", "precaching")
# What a page kept for today is rendered with: the tablet's login, device and language.
FORWARDED = ("Cookie", "Accept-Language", "User-Agent")
# What an order's pages read of it, loaded for all of today's orders in one query each.
PAGE_RELATIONS = (
    Order.customer,
    Order.worker,
    Order.items,
    Order.checkout,
    Order.visit,
    Order.materials,
    Order.consent,
)


def _precached() -> tuple[str, list[str]]:
    """The static files under the hashed names pages load, and the build they make up."""
    urls = sorted(
        url_for("static", filename=name)
        for name in hashed_names()
        if not name.endswith(SKIPPED_STATIC)
    )
    env = current_app.jinja_env
    template = env.loader.get_source(env, "sync/sw.js")[0]
    deployed = current_app.config["BUILD"]
    build = hashlib.sha256((repr(urls) + template + deployed).encode()).hexdigest()[:12]
    return build, urls


@bp.get("/sw.js")
def service_worker():
    build, urls = _precached()
    # A hashed name is its own revision; the offline page changes with the build.
    precache = [{"url": url, "revision": None} for url in urls]
    precache.append({"url": url_for("sync.offline"), "revision": build})
    body = render_template(
        "sync/sw.js",
        build=build,
        precache=json.dumps(precache),
        offline_url=url_for("sync.offline"),
        static_prefix=url_for("static", filename=""),
        workbox=[
            url_for("static", filename=f"{WORKBOX}/workbox-{part}.prod.js")
            for part in WORKBOX_PARTS
        ],
    )
    response = make_response(body)
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    local = _("Branch Desk")
    body = {
        # Both names: the home screen shows the user's language, the app list both.
        "name": local if local == "Branch Desk" else f"{local} Branch Desk",
        "short_name": local,
        "description": _("The day of a domestic-services branch."),
        "lang": "zh-CN",
        "start_url": url_for("accounts.home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b6e63",
        "icons": [
            {
                "src": url_for("static", filename=f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    response = make_response(json.dumps(body, ensure_ascii=False))
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/offline")
def offline():
    return render_template("sync/offline.html")


@bp.get("/outbox")
@offline_page
def outbox():
    kiosk = this_tablet() is not None
    template = "sync/outbox_kiosk.html" if kiosk and not current_user.is_authenticated else None
    return render_template(template or "sync/outbox.html")


@bp.get("/sync/hello")
def hello():
    """Proves the network and says who may send: the outbox calls it before sending."""
    user = None
    if current_user.is_authenticated:
        user = {"id": f"user:{current_user.id}", "name": current_user.display_name}
    kiosk = this_tablet()
    body = {
        "csrf_token": generate_csrf(),
        "user": user,
        "kiosk": f"kiosk:{kiosk.id}" if kiosk else None,
    }
    response = make_response(json.dumps(body, ensure_ascii=False))
    response.mimetype = "application/json"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/sync/today")
@login_required
def today():
    """Today's pages in one answer, kept by the tablet after login for use offline.

    One request however many orders the day has: each page is rendered here exactly as
    the tablet's own GET would render it (its cookies), and only pages the service
    worker may keep are in the answer.
    """
    expires = account_services.session_expires_at(current_user)
    db.session.commit()  # the sub-requests read in transactions of their own
    # The sub-requests share this request's session, whose identity map holds only what is
    # referenced: `orders` keeps today's orders and what their pages read loaded for all.
    orders = _todays_orders()
    urls = _todays_urls(orders)
    client = current_app.test_client(use_cookies=False)
    headers = {name: value for name, value in request.headers.items() if name in FORWARDED}
    environ = {"REMOTE_ADDR": request.remote_addr or ""}
    pages = []
    with rendering_together():
        for url in urls:
            page = client.get(url, headers=headers, environ_base=environ)
            if page.status_code == 200 and page.headers.get(OFFLINE_PAGE) == "1":
                pages.append({"url": url, "html": page.get_data(as_text=True)})
    body = {"pages": pages, "expires": expires}
    response = make_response(json.dumps(body, ensure_ascii=False))
    response.mimetype = "application/json"
    response.headers["Cache-Control"] = "no-store"
    return response


def _todays_orders() -> list[Order]:
    if not can(current_user, "orders.dispatch"):
        return []
    today_ = clock.local_today()
    return db.session.scalars(
        scoped_select(Order)
        .where(
            Order.service_date.between(today_ - timedelta(days=1), today_),
            Order.status.in_(
                [OrderStatus.ASSIGNED, OrderStatus.HANDED_OVER, OrderStatus.CHECKED_OUT]
            ),
        )
        .options(*(selectinload(relation) for relation in PAGE_RELATIONS))
    ).all()


def _todays_urls(orders: list[Order]) -> list[str]:
    urls = [url_for("sync.outbox")]
    if can(current_user, "orders.dispatch"):
        urls.append(url_for("dispatch.board"))
    for order in orders:
        for endpoint in (
            "dispatch.detail",
            "visits.check_out",
            "visits.check_in",
            "visits.consent",
        ):
            urls.append(url_for(endpoint, order_id=order.id))
        if can(current_user, "supervision.record"):
            urls.append(url_for("quality.supervise", order_id=order.id))
    if can(current_user, "callbacks.record") and current_user.branch is not None:
        # An on-site callback is entered at the customer's, often without network.
        for suggestion in suggest(current_user.branch, clock.now(), ONSITE_PAGES_KEPT):
            urls.append(url_for("callbacks.onsite", order_id=suggestion.order.id))
    return urls


@bp.get("/refused")
@require("submissions.resolve")
def refused():
    rows = db.session.scalars(
        scoped_select(Submission)
        .where(Submission.status.in_([SubmissionStatus.CONFLICT, SubmissionStatus.RESOLVED]))
        .order_by(Submission.status, Submission.received_at.desc())
        .limit(200)
    ).all()
    return render_template("sync/refused.html", rows=rows)


@bp.route("/refused/<int:submission_id>", methods=["GET", "POST"])
@require("submissions.resolve")
def refused_detail(submission_id: int):
    submission = get_scoped_or_404(Submission, submission_id)
    if submission.status == SubmissionStatus.APPLIED:
        return redirect(url_for("sync.refused"), code=303)
    form = ResolveForm()
    if submission.status == SubmissionStatus.CONFLICT and form.validate_on_submit():
        services.resolve(submission, form.resolution.data, current_user)
        db.session.commit()
        return redirect(url_for("sync.refused"), code=303)
    return render_template(
        "sync/refused_detail.html",
        submission=submission,
        order=_order_of(submission),
        form=form,
        **services.what_was_sent(submission),
    ), (422 if request.method == "POST" else 200)


def _order_of(submission: Submission) -> Order | None:
    kind, _sep, number = submission.entity_key.partition(":")
    if kind != "order" or not number.isdigit():
        return None
    return db.session.get(Order, int(number))
