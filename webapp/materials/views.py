"""The branch's materials page: the month's use, the stock, receiving and minimums (R1)."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.catalogue.services import catalogue
from webapp.core import clock
from webapp.core.access import require
from webapp.core.forms import DEFAULT_WINDOW, options, parse_int, saved
from webapp.core.paging import page_number, page_of
from webapp.core.routing import month_arg
from webapp.core.scoping import visible_branch_ids
from webapp.materials import services
from webapp.materials.forms import MinimumForm, ReceiveForm

bp = Blueprint("materials", __name__)


def _branch():
    """The user's branch; `?branch=` naming any other answers 404."""
    wanted = request.args.get("branch")
    if wanted is not None and parse_int(wanted) not in visible_branch_ids(current_user):
        abort(404)
    return current_user.branch


def _with_materials(form):
    _items, materials = catalogue(current_user.company_id)
    form.material.choices = options(
        [("", "—"), *((str(m.id), f"{m.name} ({m.unit})") for m in materials)]
    )
    return form


WORKERS_PAGE = 50  # workers in the month's table, those above the average first


def _page(receive=None, minimum=None, status: int = 200):
    branch, month = _branch(), month_arg(DEFAULT_WINDOW)
    today = clock.local_today(branch.timezone)
    figures = services.month_materials(branch.id, month)
    return render_template(
        "materials/index.html",
        branch=branch,
        month=month,
        figures=figures,
        workers=page_of(figures.workers, page_number(), WORKERS_PAGE),
        stock=services.stock(branch.id),
        receipts=services.recent_receipts(branch.id),
        receive_form=receive or _with_materials(ReceiveForm(prefix="receive", day=today)),
        minimum_form=minimum or _with_materials(MinimumForm(prefix="minimum")),
    ), status


@bp.get("/materials")
@require("materials.view")
def index():
    return _page()


def _receive(form: ReceiveForm):
    services.receive_stock(
        current_user.branch,
        parse_int(form.material.data),
        form.quantity.data,
        form.day.data,
        form.note.data or "",
        current_user,
    )


@bp.post("/materials/receipts")
@require("materials.edit")
def receive():
    form = _with_materials(ReceiveForm(prefix="receive"))
    if saved(form, _receive):
        return redirect(url_for("materials.index") + "#stock", code=303)
    return _page(receive=form, status=422)


def _minimum(form: MinimumForm):
    material_id = parse_int(form.material.data)
    services.set_minimum(current_user.branch, material_id, form.minimum.data, current_user)


@bp.post("/materials/minimums")
@require("materials.edit")
def set_minimum():
    form = _with_materials(MinimumForm(prefix="minimum"))
    if saved(form, _minimum):
        return redirect(url_for("materials.index") + "#stock", code=303)
    return _page(minimum=form, status=422)
