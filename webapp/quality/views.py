from datetime import datetime

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.core import clock
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError
from webapp.core.offline import outbox
from webapp.core.offline.idempotency import offline_capable
from webapp.core.offline.pages import offline_page
from webapp.core.photos import refusal_shown, takes_photos
from webapp.core.scoping import get_scoped_or_404
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.quality import services
from webapp.quality.forms import SupervisionForm
from webapp.quality.models import CHECKLIST, Supervision, SupervisionPhoto

bp = Blueprint("quality", __name__)


def _page(order: Order, form: SupervisionForm, status: int, error=None, conflict=None):
    photos = [value for value in request.form.getlist("photos") if value.strip()]
    return render_template(
        "quality/supervision.html",
        order=order,
        form=form,
        photos=photos,
        photo_error=error.message if getattr(error, "field", "") == "photos" else None,
        conflict=conflict,
    ), status


def _observation(order: Order, form: SupervisionForm) -> services.Observation:
    arrived = datetime.combine(order.service_date, form.arrived_at.data, tzinfo=clock.zone())
    return services.Observation(
        arrived_at=arrived,
        score=form.score.data,
        ticked={key for key, _label in CHECKLIST if form[key].data},
        customer_remarks=form.customer_remarks.data or "",
        observations=form.observations.data or "",
        photos=request.form.getlist("photos"),
    )


@bp.route("/orders/<int:order_id>/supervision", methods=["GET", "POST"])
@require("supervision.record")
@offline_capable(Order, "order_id")
@offline_page
@takes_photos
def supervise(order_id: int):
    """A supervision visit at the customer's while the worker serves (R3, R27)."""
    order = get_scoped_or_404(Order, order_id)
    form = SupervisionForm()
    if request.method == "GET":
        form.arrived_at.data = clock.now().astimezone(clock.zone()).time().replace(second=0)
    error = None
    if form.validate_on_submit():
        try:
            services.record_supervision(order, _observation(order, form), current_user)
        except RuleError as refused:
            outbox.conflict(refused.message)
            return _page(order, form, 409, conflict=refused.message)
        except FieldError as failure:
            error = refusal_shown(form, failure)
        else:
            db.session.commit()
            return redirect(
                url_for("workers.detail", worker_id=order.worker_id) + "#quality", code=303
            )
    return _page(order, form, 422 if request.method == "POST" else 200, error)


@bp.get("/supervisions/<int:supervision_id>/photos/<int:photo_id>")
@require("quality.view")
def photo(supervision_id: int, photo_id: int):
    supervision = get_scoped_or_404(Supervision, supervision_id)
    return SupervisionPhoto.response(photo_id, supervision_id=supervision.id)
