"""Rewards, penalties and dismissal (R26): the rules text, proposals, the branch head's
decisions, and the shared tablet's page where the worker reads and acknowledges them."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from webapp.accounts.services import without_staff_login
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.forms import options
from webapp.core.scoping import chosen_branch, get_scoped_or_404
from webapp.discipline import evidence, rules, services, slips
from webapp.discipline.forms import DecisionForm, DismissalForm, ItemForm, RulesForm
from webapp.discipline.models import DismissalProposal, RewardPenalty
from webapp.discipline.services import DisciplineConflict
from webapp.extensions import db
from webapp.kiosk.tablet import back_to_start, kiosk_page, signed_in_worker, this_tablet_or_403
from webapp.manual.text import render
from webapp.workers.models import Worker

bp = Blueprint("discipline", __name__)


@bp.get("/discipline")
@require("discipline.view")
def index():
    branch = chosen_branch()
    waiting = services.waiting_for_head(branch.id)
    return render_template("discipline/index.html", branch=branch, waiting=waiting)


@bp.get("/discipline/rules")
@require("discipline.rules_view")
def rules_page():
    found = rules.versions(current_user.company_id)
    wanted = request.args.get("v", type=int)
    shown = next((v for v in found if v.number == wanted), found[0] if found else None)
    return render_template("discipline/rules.html", versions=found, shown=shown, render=render)


@bp.route("/discipline/rules/edit", methods=["GET", "POST"])
@require("discipline.rules")
def edit_rules():
    latest = rules.current(current_user.company_id)
    form = RulesForm()
    if request.method == "GET":
        form.version.data = latest.number if latest else 0
        if latest:
            form.duties.data, form.rules.data = latest.duties, latest.rules
    if form.validate_on_submit():
        draft = rules.RulesDraft(
            form.duties.data, form.rules.data, form.why.data, form.version_value
        )
        try:
            rules.publish(draft, current_user)
        except FieldError as error:
            attach(form, error)
        else:
            db.session.commit()
            return redirect(url_for("discipline.rules_page"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("discipline/edit_rules.html", form=form, render=render), status


def _evidence_choices(form, worker: Worker) -> None:
    pieces = evidence.candidates(worker)
    form.evidence.choices = options((evidence.key(p), p.label) for p in pieces)


def _item_form(worker: Worker):
    form = ItemForm(prefix="item")
    version = rules.current(worker.company_id)
    numbered = rules.numbered_rules(version)
    form.rule.choices = options([("", _("Choose a rule")), *((r, r) for r in numbered)])
    _evidence_choices(form, worker)
    return form, version


def _item_proposal(form: ItemForm, worker: Worker) -> services.ItemProposal:
    return services.ItemProposal(
        kind=form.kind.data or "",
        rule=form.rule.data or form.rule_ref.data or "",
        reason=form.reason.data or "",
        amount_fen=form.amount.fen,
        measure=form.measure.data or "",
        evidence=evidence.chosen(worker, form.evidence.data or []),
    )


@bp.route("/workers/<int:worker_id>/rewards-penalties/new", methods=["GET", "POST"])
@require("discipline.propose")
def new_item(worker_id: int):
    worker = get_scoped_or_404(Worker, worker_id)
    form, version = _item_form(worker)
    refusal = None
    if form.validate_on_submit():
        try:
            item = services.propose_item(
                worker, _item_proposal(form, worker), version, current_user
            )
        except FieldError as error:
            attach(form, error)
        except RuleError as error:
            refusal = error.message
        else:
            db.session.commit()
            return redirect(url_for("discipline.item", item_id=item.id), code=303)
    status = 422 if request.method == "POST" else 200
    page = render_template("discipline/new_item.html", form=form, worker=worker, refusal=refusal)
    return page, status


def _decision_page(record, status: int = 200, form=None, conflict=None):
    if isinstance(record, DismissalProposal):
        template, extra = (
            "discipline/dismissal.html",
            {"orders": services.future_orders(record.worker)},
        )
    else:
        template, extra = "discipline/item.html", {}
    form = form or DecisionForm(prefix="decision", version=record.version)
    return render_template(template, record=record, form=form, conflict=conflict, **extra), status


@bp.get("/discipline/items/<int:item_id>")
@require("discipline.view")
def item(item_id: int):
    return _decision_page(get_scoped_or_404(RewardPenalty, item_id))


@bp.get("/discipline/dismissals/<int:proposal_id>")
@require("discipline.view")
def dismissal(proposal_id: int):
    return _decision_page(get_scoped_or_404(DismissalProposal, proposal_id))


def _decide(model, record_id: int, decide, endpoint: str):
    """The branch head's decision; a second one (another tablet) is a 409 naming the first."""
    record = get_scoped_or_404(model, record_id)
    form = DecisionForm(prefix="decision")
    if not form.validate_on_submit():
        return _decision_page(record, 422, form)
    try:
        approve = form.decision.data == "approve"
        decide(record, approve, form.note.data, current_user, form.version_value)
        db.session.commit()
    except (DisciplineConflict, StaleDataError) as error:
        db.session.rollback()
        record = get_scoped_or_404(model, record_id)
        message = getattr(error, "message", None) or services.decided_message(record)
        return _decision_page(record, 409, conflict=message)
    except FieldError as error:
        attach(form, error)
        return _decision_page(record, 422, form)
    return redirect(url_for(endpoint, **request.view_args), code=303)


@bp.post("/discipline/items/<int:item_id>/decision")
@require("discipline.decide")
def decide_item(item_id: int):
    return _decide(RewardPenalty, item_id, services.decide_item, "discipline.item")


@bp.post("/discipline/dismissals/<int:proposal_id>/decision")
@require("discipline.decide")
def decide_dismissal(proposal_id: int):
    return _decide(
        DismissalProposal, proposal_id, services.decide_dismissal, "discipline.dismissal"
    )


@bp.route("/workers/<int:worker_id>/dismissal/new", methods=["GET", "POST"])
@require("discipline.propose")
def new_dismissal(worker_id: int):
    worker = get_scoped_or_404(Worker, worker_id)
    form = DismissalForm(prefix="dismissal")
    _evidence_choices(form, worker)
    refusal = None
    if form.validate_on_submit():
        linked = evidence.chosen(worker, form.evidence.data or [])
        linked += evidence.links(form.link_lines)
        try:
            proposal = services.propose_dismissal(worker, form.reasons.data, linked, current_user)
        except FieldError as error:
            attach(form, error)
        except RuleError as error:
            refusal = error.message
        else:
            db.session.commit()
            return redirect(url_for("discipline.dismissal", proposal_id=proposal.id), code=303)
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "discipline/new_dismissal.html", form=form, worker=worker, refusal=refusal
    )
    return page, status


# -- the shared tablet --------------------------------------------------------


@bp.get("/kiosk/discipline")
@without_staff_login
def kiosk():
    """The duties and rules for the worker signed in with their PIN, and what was decided
    about them, to acknowledge."""
    device = this_tablet_or_403()
    worker = signed_in_worker(device)
    if worker is None:
        return back_to_start()
    shown = rules.current(device.branch.company_id)
    owed = slips.to_acknowledge(worker)
    return kiosk_page(
        "discipline/kiosk.html", worker=worker, shown=shown, items=owed, render=render
    )


@bp.post("/kiosk/discipline/items/<int:item_id>")
@without_staff_login
def kiosk_acknowledge(item_id: int):
    worker = signed_in_worker(this_tablet_or_403())
    if worker is None:
        return back_to_start()
    found = db.session.get(RewardPenalty, item_id)
    if found is None or found.worker_id != worker.id:
        abort(404)
    try:
        slips.acknowledge(found, worker)
    except RuleError as error:
        return back_to_start(str(error.message))
    db.session.commit()
    return back_to_start(_("%(name)s, it is acknowledged.", name=worker.name))
