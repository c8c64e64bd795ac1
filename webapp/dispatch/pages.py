"""Pages the dispatch views share with the visits' views: the order page and its conflicts."""

from flask import redirect, render_template, url_for

from webapp.briefing.services import briefing
from webapp.core.errors import RuleError
from webapp.core.offline import outbox
from webapp.dispatch import services
from webapp.dispatch.forms import CancelForm, HandoverForm, LatenessForm
from webapp.dispatch.history import order_history
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.orders.services import conflict_message, get_order_or_404


def to_order(order_id: int, anchor: str = ""):
    return redirect(url_for("dispatch.detail", order_id=order_id) + anchor, code=303)


def order_page(order: Order, status: int = 200, **forms):
    """The order with its history and the forms for its next step (R8, R9, R16)."""
    context = {
        "order": order,
        "brief": briefing(order),
        "history": order_history(order),
        "handover_form": HandoverForm(prefix="handover", version=order.version),
        "cancel_form": CancelForm(prefix="cancel", version=order.version),
        "lateness_form": LatenessForm(prefix="lateness"),
        "evening_refusal": services.handover_refusal(order),
        "conflict": None,
    }
    context.update(forms)
    return render_template("dispatch/detail.html", **context), status


def conflict_page(order: Order, error):
    """Someone else changed the order first: the order as it is now, with the reason (409)."""
    db.session.rollback()
    order = get_order_or_404(order.id)
    message = error.message if isinstance(error, RuleError) else conflict_message(order)
    outbox.conflict(message)
    return order_page(order, 409, conflict=message)
