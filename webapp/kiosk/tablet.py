"""The shared tablet's page plumbing, for every area with pages on it (the kiosk's own,
the manual's, training's): which tablet this is, who signed in at it with their PIN in
the last minute, and pages it must not cache."""

from flask import abort, g, make_response, redirect, render_template, session, url_for

from webapp.core import clock
from webapp.kiosk import services
from webapp.kiosk.models import KioskDevice
from webapp.workers.models import Worker


def no_store(body: str, status: int = 200):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def kiosk_page(template: str, status: int = 200, **context):
    return no_store(render_template(template, **context), status)


def this_tablet_or_403() -> KioskDevice:
    """The enrolled tablet this request comes from; a browser not enrolled gets 403."""
    device = services.this_tablet()
    if device is None:
        abort(no_store(render_template("kiosk/not_enrolled.html"), 403))
    g.device_label = f"{g.device_label} · kiosk {device.name}"
    return device


def signed_in_worker(device: KioskDevice) -> Worker | None:
    """The worker who entered their PIN less than a minute ago on this tablet; their
    minute starts again with each page."""
    worker = services.worker_at_tablet(
        device, session.get("kiosk_worker"), session.get("kiosk_seen", 0)
    )
    if worker is None:
        session.pop("kiosk_worker", None)
        return None
    session["kiosk_seen"] = clock.now().timestamp()
    return worker


def back_to_start(message: str | None = None):
    """The worker's turn is over: the tablet's start screen, with a word if there is one."""
    session.pop("kiosk_worker", None)
    if message:
        session["kiosk_message"] = message
    return redirect(url_for("kiosk.start"), code=303)
