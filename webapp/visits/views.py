"""Check-out, check-in and the overtime consent on the manager's tablet, and their papers."""

import base64
from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.core import clock
from webapp.core.access import require
from webapp.core.errors import FieldError, attach
from webapp.core.offline.idempotency import offline_capable
from webapp.core.offline.pages import offline_page
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.core.printing import chinese_pdf, pdf_response
from webapp.dispatch.pages import conflict_page
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.orders.services import Actor, OrderConflict, get_order_or_404
from webapp.visits import services
from webapp.visits.forms import ConsentForm
from webapp.visits.handling import Screen, check_in_step, check_out_step

bp = Blueprint("visits", __name__)


def _to_order(order_id: int):
    """Back to the order, by the id the request came with: after the commit, reading
    `order.id` would read the whole order again."""
    return redirect(url_for("dispatch.detail", order_id=order_id), code=303)


def _screen(order: Order, template: str) -> Screen:
    """The manager's tablet: back to the order once done, the order page on a conflict."""
    order_id = order.id
    return Screen(
        template=template,
        refused_template="visits/refused.html",
        actor=Actor.of_user(current_user),
        done=lambda: _to_order(order_id),
        conflict=lambda error: conflict_page(order, error),
    )


@bp.route("/orders/<int:order_id>/check-out", methods=["GET", "POST"])
@require("orders.dispatch")
@offline_capable(Order, "order_id")
@offline_page
def check_out(order_id: int):
    order = get_order_or_404(order_id)
    return check_out_step(order, _screen(order, "visits/check_out.html"))


@bp.route("/orders/<int:order_id>/check-in", methods=["GET", "POST"])
@require("orders.dispatch")
@offline_capable(Order, "order_id")
@offline_page
def check_in(order_id: int):
    order = get_order_or_404(order_id)
    screen = _screen(order, "visits/check_in.html")
    return check_in_step(order, screen, page_from=services.CHECK_IN_PAGE_FROM)


def _give_consent(order: Order, form: ConsentForm):
    """Record the consent; an error to show (None once given), or raise OrderConflict."""
    planned = datetime.combine(order.service_date, form.planned_end.data, tzinfo=clock.zone())
    try:
        services.give_consent(order, planned, form.signature.data, current_user, form.version_value)
        db.session.commit()
    except FieldError as failure:
        if failure.field in form:
            attach(form, failure)
        return failure
    return None


@bp.route("/orders/<int:order_id>/consent", methods=["GET", "POST"])
@require("orders.dispatch")
@offline_capable(Order, "order_id")
@offline_page
def consent(order_id: int):
    order = get_order_or_404(order_id)
    form = ConsentForm(version=order.version)
    error = None
    if form.validate_on_submit():
        try:
            error = _give_consent(order, form)
        except OrderConflict as conflict:
            return conflict_page(order, conflict)
        if error is None:
            return _to_order(order_id)
    clause = get_setting(db.session.get(Branch, order.branch_id).company_id, "overtime_clause")
    status = 422 if request.method == "POST" else 200
    return render_template(
        "visits/consent.html", order=order, form=form, clause=clause, error=error
    ), status


# -- printed forms (D5) ----------------------------------------------------------


@bp.get("/orders/<int:order_id>/registration.pdf")
@require("orders.view")
def registration_pdf(order_id: int):
    order = get_order_or_404(order_id)
    if order.visit is None:
        abort(404)
    branch = db.session.get(Branch, order.branch_id)
    data = chinese_pdf(
        "registration.html",
        order=order,
        visit=order.visit,
        customer=order.customer,
        branch_name=branch.name,
    )
    return pdf_response(data, f"registration-{order.id}.pdf")


@bp.get("/orders/<int:order_id>/consent.pdf")
@require("orders.view")
def consent_pdf(order_id: int):
    order = get_order_or_404(order_id)
    if order.consent is None:
        abort(404)
    branch = db.session.get(Branch, order.branch_id)
    signature = "data:image/png;base64," + base64.b64encode(order.consent.signature_png).decode()
    data = chinese_pdf(
        "consent.html",
        order=order,
        consent=order.consent,
        signature=signature,
        branch_name=branch.name,
    )
    return pdf_response(data, f"consent-{order.id}.pdf")
