from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from webapp.admin.forms import AuditFilterForm, form_values, initial_values, settings_form_class
from webapp.core import policy
from webapp.core.access import require
from webapp.core.forms import options
from webapp.core.htmx import render_page_or_partial
from webapp.core.models import AuditEntry
from webapp.core.scoping import visible_branch_ids
from webapp.extensions import db

bp = Blueprint("admin", __name__)
AUDIT_PAGE = 100
ENTITY_TYPES = ("workers", "talks", "customers", "users", "id_copies")


def _local_midnight(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(str(get_timezone())))


@bp.get("/audit")
@require("audit.view")
def audit_log():
    form = AuditFilterForm(request.args)
    form.entity.choices = options([("", "")] + [(e, e) for e in ENTITY_TYPES])
    form.validate_or_404()
    query = sa.select(AuditEntry).where(AuditEntry.company_id == current_user.company_id)
    if current_user.branch_id is not None:
        query = query.where(AuditEntry.branch_id.in_(visible_branch_ids(current_user)))
    if form.person.data:
        query = query.where(AuditEntry.actor_name.contains(form.person.data, autoescape=True))
    if form.entity.data:
        query = query.where(AuditEntry.entity_type == form.entity.data)
    if form.entity_id.data:
        query = query.where(AuditEntry.entity_id == form.entity_id.data)
    if form.action.data:
        query = query.where(AuditEntry.action.startswith(form.action.data, autoescape=True))
    if form.date_from.data:
        query = query.where(AuditEntry.at >= _local_midnight(form.date_from.data))
    if form.date_to.data:
        end = _local_midnight(form.date_to.data + timedelta(days=1))
        query = query.where(AuditEntry.at < end)
    entries = db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE))
    return render_page_or_partial(
        "admin/audit.html", "admin/_audit_rows.html", form=form, entries=list(entries)
    )


@bp.route("/settings", methods=["GET", "POST"])
@require("settings.edit")
def settings():
    form_class = settings_form_class()
    company_id = current_user.company_id
    if request.method == "GET":
        form = form_class(data=initial_values(policy.all_settings(company_id)))
    else:
        form = form_class()
    if form.validate_on_submit():
        policy.update_settings(company_id, form_values(form))
        db.session.commit()
        return redirect(url_for("admin.settings", saved=1), code=303)
    saved = request.args.get("saved") == "1"
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/settings.html", form=form, saved=saved, message=_("Settings saved.")
    ), status
