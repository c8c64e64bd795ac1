from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.core import clock
from webapp.core.access import require
from webapp.core.errors import RuleError
from webapp.core.paging import page_number
from webapp.core.printing import chinese_pdf, pdf_response
from webapp.core.roles import can
from webapp.core.scoping import chosen_branch, get_scoped_or_404
from webapp.core.spreadsheets import xlsx_response
from webapp.extensions import db
from webapp.week_files import collation, exports, services
from webapp.week_files.forms import CollateForm, WeekForm
from webapp.week_files.models import WeekFile

bp = Blueprint("week_files", __name__)


@bp.context_processor
def labels():
    return {"FIELD_LABELS": collation.FIELD_LABELS, "SIDE_LABELS": services.SIDE_LABELS}


@bp.get("/weeks")
@require("weeks.view")
def index():
    return render_template(
        "week_files/index.html",
        week_form=WeekForm(request.args),
        waiting=services.waiting_for(current_user),
        not_acknowledged=services.not_acknowledged(current_user),
        recent=services.recent(current_user),
    )


@bp.get("/weeks/collation")
@require("weeks.collate")
def collation_page():
    form = WeekForm(request.args)
    valid = form.validate()
    branch = chosen_branch()
    day = form.week.data if valid and form.week.data else clock.local_today(branch.timezone)
    monday = collation.monday_of(day)
    row = services.week_file(branch.id, monday)
    if row is not None and row.handed_over_at is not None:
        return redirect(url_for("week_files.detail", week_file_id=row.id), code=303)
    collate_form = CollateForm(week=monday, summary=row.summary if row else "")
    return _collation(form, collate_form, branch, monday, row, 200 if valid else 422)


def _collation(week_form, collate_form, branch, monday, row, status, refusal=None):
    data, page = collation.collate_page(branch, monday, page_number())
    return render_template(
        "week_files/collation.html",
        week_form=week_form,
        form=collate_form,
        data=data,
        page=page,
        row=row,
        refusal=refusal,
    ), status


@bp.post("/weeks/collate")
@require("weeks.collate")
def collate():
    form = CollateForm()
    branch = chosen_branch()
    if not form.validate_on_submit():
        # The week the summary was for, unless the week itself was refused.
        week = form.week.data if form.week.data and not form.week.errors else None
        monday = collation.monday_of(week or clock.local_today(branch.timezone))
        row = services.week_file(branch.id, monday)
        return _collation(WeekForm(), form, branch, monday, row, 422)
    monday = collation.monday_of(form.week.data)
    try:
        row = services.collate_week(branch, monday, form.summary.data, current_user)
    except RuleError as error:
        db.session.rollback()
        row = services.week_file(branch.id, monday)
        return _collation(WeekForm(), form, branch, monday, row, 409, error.message)
    db.session.commit()
    return redirect(url_for("week_files.detail", week_file_id=row.id), code=303)


def _visible(week_file_id: int) -> WeekFile:
    """The service center and finance see a week once it is handed over, not before."""
    row = get_scoped_or_404(WeekFile, week_file_id)
    if row.handed_over_at is None and not can(current_user, "weeks.collate"):
        abort(404)
    return row


def _detail(row: WeekFile, status: int = 200, refusal=None):
    data, page = services.shown_page(row, page_number())
    return render_template(
        "week_files/detail.html", row=row, data=data, page=page, refusal=refusal
    ), status


@bp.get("/weeks/<int:week_file_id>")
@require("weeks.view")
def detail(week_file_id: int):
    return _detail(_visible(week_file_id))


@bp.post("/weeks/<int:week_file_id>/handover")
@require("weeks.collate")
def hand_over(week_file_id: int):
    row = _visible(week_file_id)
    try:
        services.hand_over_week(row, current_user)
    except RuleError as error:
        db.session.rollback()
        return _detail(_visible(week_file_id), 409, error.message)
    db.session.commit()
    return redirect(url_for("week_files.detail", week_file_id=row.id), code=303)


@bp.post("/weeks/<int:week_file_id>/acknowledge")
@require("weeks.acknowledge")
def acknowledge(week_file_id: int):
    row = _visible(week_file_id)
    try:
        services.acknowledge_week(row, current_user)
    except RuleError as error:
        db.session.rollback()
        return _detail(_visible(week_file_id), 409, error.message)
    db.session.commit()
    return redirect(url_for("week_files.index"), code=303)


@bp.get("/weeks/<int:week_file_id>.pdf")
@require("weeks.view")
def week_pdf(week_file_id: int):
    row = _visible(week_file_id)
    data = chinese_pdf("week_files.html", paper="A4", row=row, data=services.shown(row))
    return pdf_response(data, f"week-{row.branch.code}-{row.week_start}.pdf")


@bp.get("/weeks/<int:week_file_id>.xlsx")
@require("weeks.view")
def week_xlsx(week_file_id: int):
    row = _visible(week_file_id)
    data = exports.week_xlsx(row, services.shown(row))
    return xlsx_response(data, f"week-{row.branch.code}-{row.week_start}")
