"""The manual: its editors' pages, the manager's list of who has not read it, and the
shared tablet's pages (read it; acknowledge a new version with a PIN)."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.services import without_staff_login
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.roles import can
from webapp.core.scoping import chosen_branch, visible_branch_ids
from webapp.core.transactions import write_transaction
from webapp.extensions import db
from webapp.kiosk import services as kiosk_services
from webapp.kiosk.models import KioskDevice
from webapp.kiosk.tablet import back_to_start, no_store, signed_in_worker, this_tablet_or_403
from webapp.manual import services
from webapp.manual.forms import AcknowledgeForm, SectionForm
from webapp.manual.models import ManualSection, ManualVersion
from webapp.manual.text import render

bp = Blueprint("manual", __name__)
ACKNOWLEDGE = "manual.acknowledge"


# -- the office ---------------------------------------------------------------


@bp.get("/manual")
@require("manual.view")
def index():
    branch = chosen_branch()
    return render_template(
        "manual/index.html",
        branch=branch,
        company_sections=services.sections(branch.company_id, None),
        branch_sections=services.sections(branch.company_id, branch.id),
        pending=services.not_acknowledged(branch),
        names_shown=services.NAMES_SHOWN,
        render=render,
    )


def _section_or_404(section_id: int, branch_id: int | None) -> ManualSection:
    section = db.session.get(ManualSection, section_id)
    if section is None or (section.company_id, section.branch_id) != (
        current_user.company_id,
        branch_id,
    ):
        abort(404)
    return section


def _edit(section: ManualSection | None, branch_id: int | None):
    """Publish the form's text as the section's next version, or show the form again."""
    form = SectionForm()
    if request.method == "GET":
        form.version.data = section.current.number if section else 0
        if section:
            form.title.data, form.body.data = section.current.title, section.current.body
    if form.validate_on_submit():
        draft = services.Draft(form.title.data, form.body.data, form.why.data, form.version_value)
        try:
            version = services.publish(section, draft, current_user, branch_id=branch_id)
        except FieldError as error:
            attach(form, error)
        else:
            db.session.commit()
            return redirect(url_for("manual.version", version_id=version.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("manual/edit.html", form=form, section=section, render=render), status


@bp.route("/manual/sections/new", methods=["GET", "POST"])
@require("manual.edit")
def new_section():
    return _edit(None, None)


@bp.route("/manual/sections/<int:section_id>/edit", methods=["GET", "POST"])
@require("manual.edit")
def edit_section(section_id: int):
    return _edit(_section_or_404(section_id, None), None)


@bp.route("/manual/branch-sections/new", methods=["GET", "POST"])
@require("manual.branch_edit")
def new_branch_section():
    return _edit(None, current_user.branch_id)


@bp.route("/manual/branch-sections/<int:section_id>/edit", methods=["GET", "POST"])
@require("manual.branch_edit")
def edit_branch_section(section_id: int):
    return _edit(_section_or_404(section_id, current_user.branch_id), current_user.branch_id)


@bp.get("/manual/versions/<int:version_id>")
@require("manual.view")
def version(version_id: int):
    """One published version, what changed from the one before and why; its history."""
    found = db.session.scalar(
        sa.select(ManualVersion)
        .join(ManualSection)
        .where(
            ManualVersion.id == version_id,
            ManualSection.company_id == current_user.company_id,
            sa.or_(
                ManualSection.branch_id.is_(None),
                ManualSection.branch_id.in_(visible_branch_ids(current_user)),
            ),
        )
    )
    if found is None:
        abort(404)
    section = found.section
    editable = can(current_user, "manual.branch_edit" if section.branch_id else "manual.edit")
    return render_template(
        "manual/version.html",
        version=found,
        section=section,
        changes=services.changes(found),
        editable=editable and section.branch_id == current_user.branch_id,
        render=render,
    )


# -- the shared tablet --------------------------------------------------------


@bp.get("/kiosk/manual")
@without_staff_login
def kiosk():
    device = this_tablet_or_403()
    return no_store(
        render_template(
            "manual/kiosk.html", sections=services.branch_manual(device.branch), render=render
        )
    )


def _show_unread(device: KioskDevice):
    """The first version the worker at the tablet has not acknowledged, with its form."""
    worker = signed_in_worker(device)
    if worker is None:
        return back_to_start()
    unread = services.unread(worker)
    if not unread:
        return back_to_start(_("%(name)s, you have read the current manual.", name=worker.name))
    form = AcknowledgeForm(version=unread[0].id)
    with write_transaction():
        form.kiosk_pass.data = kiosk_services.issue_pass(
            worker, device, ACKNOWLEDGE, f"manual:{unread[0].id}"
        )
    page = render_template(
        "manual/acknowledge.html",
        worker=worker,
        version=unread[0],
        left=len(unread),
        form=form,
        render=render,
    )
    return no_store(page)


@bp.route("/kiosk/manual/acknowledge", methods=["GET", "POST"])
@without_staff_login
def acknowledge():
    device = this_tablet_or_403()
    form = AcknowledgeForm()
    if request.method == "GET":
        return _show_unread(device)
    version = db.session.get(ManualVersion, form.version_value or 0) if form.validate() else None
    if version is None:
        return back_to_start(_("This form is incomplete. Reload the page and try again."))
    try:
        worker = kiosk_services.use_pass(
            form.kiosk_pass.data, device, ACKNOWLEDGE, f"manual:{version.id}"
        )
        services.acknowledge(worker, version, device)
    except RuleError as refused:
        db.session.rollback()
        return back_to_start(str(refused.message))
    db.session.commit()
    if services.unread(worker):
        return redirect(url_for("manual.acknowledge"), code=303)
    return back_to_start(_("Thank you, %(name)s: you acknowledged the manual.", name=worker.name))
