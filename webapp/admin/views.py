from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from webapp.admin.forms import audit_filter_form, form_values, initial_values, settings_form_class
from webapp.core import audit, policy
from webapp.core.access import require
from webapp.core.htmx import render_page_or_partial
from webapp.core.models import AuditEntry
from webapp.core.roles import can
from webapp.core.scoping import visible_branch_ids
from webapp.extensions import db

bp = Blueprint("admin", __name__)
AUDIT_PAGE = 100


def _local_midnight(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(str(get_timezone())))


@bp.get("/audit")
@require("audit.view")
def audit_log():
    form = audit_filter_form(request.args)
    form.validate_or_404()
    branch_ids = visible_branch_ids(current_user) if current_user.branch_id is not None else None
    entries = audit.newest_entries(
        current_user.company_id, branch_ids, _audit_filters(form), AUDIT_PAGE
    )
    return render_page_or_partial(
        "admin/audit.html",
        "admin/_audit_rows.html",
        form=form,
        entries=entries,
        action_label=audit.action_label,
        record_label=audit.record_label,
    )


def _audit_filters(form) -> list:
    conditions = []
    if form.person.data:
        conditions.append(AuditEntry.actor_name.contains(form.person.data, autoescape=True))
    if form.entity.data:
        conditions.append(AuditEntry.entity_type == form.entity.data)
    if form.entity_id.data:
        conditions.append(AuditEntry.entity_id == form.entity_id.data)
    if form.action.data:
        conditions.append(AuditEntry.action == form.action.data)
    if form.date_from.data:
        conditions.append(AuditEntry.at >= _local_midnight(form.date_from.data))
    if form.date_to.data:
        conditions.append(AuditEntry.at < _local_midnight(form.date_to.data + timedelta(days=1)))
    return conditions


def _settings_scope() -> tuple[str, dict]:
    """The settings the user edits, with their values: the company's or their branch's."""
    if can(current_user, "settings.edit"):
        return policy.COMPANY, policy.all_settings(current_user.company_id)
    if can(current_user, "branch_settings.edit") and current_user.branch_id is not None:
        return policy.BRANCH, policy.branch_settings(current_user.branch_id)
    abort(403)


def _company_read_only(scope: str) -> list | None:
    """What a branch head reads but does not edit: the company's settings."""
    if scope != policy.BRANCH:
        return None
    values = policy.all_settings(current_user.company_id)
    return [(s, values[s.key]) for s in policy.settings_of(policy.COMPANY)]


@bp.route("/settings", methods=["GET", "POST"])
@require("settings.view")
def settings():
    """The company administrator edits the company's settings; a branch head edits
    their branch's and reads the company's."""
    scope, current = _settings_scope()
    editable = policy.settings_of(scope)
    form_class = settings_form_class(editable)
    form = (
        form_class(data=initial_values(current, editable))
        if request.method == "GET"
        else form_class()
    )
    if form.validate_on_submit():
        if scope == policy.COMPANY:
            policy.update_settings(current_user.company_id, form_values(form, editable))
        else:
            policy.update_branch_settings(current_user.branch, form_values(form, editable))
        db.session.commit()
        return redirect(url_for("admin.settings", saved=1), code=303)
    return render_template(
        "admin/settings.html",
        form=form,
        scope=scope,
        company=_company_read_only(scope),
        saved=request.args.get("saved") == "1",
        message=_("Settings saved."),
    ), (422 if request.method == "POST" else 200)
