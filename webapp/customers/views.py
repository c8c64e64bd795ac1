from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.assessments import services as assessment_services
from webapp.briefing import services as briefing_services
from webapp.complaints import services as complaint_services
from webapp.core.access import require
from webapp.core.forms import SearchForm, options, phone_value
from webapp.core.htmx import render_page_or_partial
from webapp.core.paging import page_number
from webapp.core.roles import can
from webapp.core.scoping import get_scoped_or_404, visible_branches
from webapp.customers import services
from webapp.customers.forms import CustomerForm
from webapp.customers.models import Customer
from webapp.extensions import db

bp = Blueprint("customers", __name__)


def get_customer_or_404(customer_id: int) -> Customer:
    return get_scoped_or_404(Customer, customer_id)


def _values(form: CustomerForm) -> dict:
    values = {name: form[name].data for name in services.FIELDS}
    values["phone"] = phone_value(form.phone)
    values["phone2"] = phone_value(form.phone2)
    for name in services.FIELDS:
        if values[name] is None and name != "home_area":
            values[name] = ""
    return values


def _form(**kwargs) -> CustomerForm:
    """Company-wide users (the service center) choose the branch; others have one."""
    form = CustomerForm(**kwargs)
    if current_user.branch_id is None and "obj" not in kwargs:
        form.branch_id.choices = options((b.id, b.name) for b in visible_branches())
    else:
        del form.branch_id
    return form


@bp.get("/customers")
@require("customers.view")
def index():
    form = SearchForm(request.args)
    form.validate_or_404()
    found = services.customers_page(current_user, form.q.data or "", page_number())
    return render_page_or_partial(
        "customers/index.html", "customers/_rows.html", form=form, found=found
    )


@bp.route("/customers/new", methods=["GET", "POST"])
@require("customers.edit")
def create():
    form = _form()
    if form.validate_on_submit():
        branch_id = current_user.branch_id or form.branch_id.data
        customer = services.create_customer(branch_id, _values(form))
        db.session.commit()
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("customers/form.html", form=form, customer=None), status


@bp.get("/customers/<int:customer_id>")
@require("customers.view")
def detail(customer_id: int):
    customer = get_customer_or_404(customer_id)
    orders, notes = briefing_services.history(customer_id=customer.id)
    assessments = (
        assessment_services.customer_assessments(customer)
        if can(current_user, "assessments.view")
        else []
    )
    complaints = (
        complaint_services.customer_register(customer.id)
        if can(current_user, "complaints.view")
        else []
    )
    return render_template(
        "customers/detail.html",
        customer=customer,
        orders=orders,
        notes=notes,
        assessments=assessments,
        complaints=complaints,
        brief=briefing_services.customer_brief(customer),
    )


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
@require("customers.edit")
def edit(customer_id: int):
    customer = get_customer_or_404(customer_id)
    form = _form(obj=customer if request.method == "GET" else None)
    if form.validate_on_submit():
        services.update_customer(customer, _values(form))
        db.session.commit()
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("customers/form.html", form=form, customer=customer), status
