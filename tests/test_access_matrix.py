"""Every route × every role: who may use it, and other branches' ids answer 404.

A new route without an entry in ROUTES fails `test_every_route_is_in_the_matrix`.
This proves SPEC's "what every part must also do" (branch scoping), which has no
rule number.
"""

import base64
import io
import uuid
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from PIL import Image, ImageDraw

from tests.factories import PASSWORD, World
from webapp.assessments.proposal import Room
from webapp.assessments.services import AssessmentData, Schedule, accept_assessment
from webapp.availability.services import AbsenceData, request_absence
from webapp.billing.models import ReportJob
from webapp.billing.services import close_day, issue_bill, issue_receipt
from webapp.billing.slips import create_slip
from webapp.callbacks.models import Kind
from webapp.callbacks.services import Answers, hand_over_register, record_callback, week_of
from webapp.catalogue.services import save_item_rules, save_service_item
from webapp.complaints.services import NewComplaint, record_complaint
from webapp.core import clock
from webapp.core.calendar import close_day as close_day_of
from webapp.core.clock import local_today
from webapp.core.offline.models import Submission, SubmissionStatus
from webapp.core.org import Branch, Company
from webapp.core.roles import PERMISSIONS, Role
from webapp.discipline.services import ItemProposal, propose_dismissal, propose_item
from webapp.dispatch.services import Slot, assign, create_instruction, hand_over
from webapp.extensions import db as _db
from webapp.kiosk.services import enroll
from webapp.manual.services import Draft, publish
from webapp.month_files.services import submit_report
from webapp.orders.services import Actor
from webapp.quality.services import Observation, record_supervision
from webapp.training.services import SessionData, create_session
from webapp.visits.services import CHECKS, CheckIn, check_in, check_out, give_consent
from webapp.week_files.services import collate_week, hand_over_week
from webapp.workers.id_copies import store_id_copy
from webapp.workers.services import add_talk

pytestmark = pytest.mark.rule("D6")

BRANCH_ROLES = {Role.MANAGER, Role.BRANCH_HEAD}
ALL = set(Role)
# Shared-tablet pages answer to an enrolled tablet, not to a login: 403 for everyone else.
KIOSK = "kiosk"

# endpoint -> (method, url template, who may use it; None = anyone, logged in or not)
ROUTES = {
    "accounts.login": ("GET", "/login", None),
    "accounts.set_language": ("POST", "/language", None),
    "accounts.logout": ("POST", "/logout", ALL),
    "accounts.home": ("GET", "/", ALL),
    "accounts.duties": ("GET", "/duties", ALL),
    "accounts.duties_new": ("GET", "/duties/new", ALL),
    "accounts.users": ("GET", "/users", PERMISSIONS["users.manage"]),
    "accounts.create_user": ("POST", "/users", PERMISSIONS["users.manage"]),
    "accounts.set_user_enabled": ("POST", "/users/{user}/enabled", PERMISSIONS["users.manage"]),
    "workers.index": ("GET", "/workers", PERMISSIONS["workers.view"]),
    "workers.id_search": ("POST", "/workers/id-search", PERMISSIONS["workers.sensitive"]),
    "workers.create": ("GET", "/workers/new", PERMISSIONS["workers.edit"]),
    "workers.detail": ("GET", "/workers/{worker}", PERMISSIONS["workers.view"]),
    "workers.edit": ("GET", "/workers/{worker}/edit", PERMISSIONS["workers.edit"]),
    "workers.change_status": ("POST", "/workers/{worker}/status", PERMISSIONS["workers.status"]),
    "workers.upload_id_copy": ("POST", "/workers/{worker}/id-copies", PERMISSIONS["workers.edit"]),
    "workers.id_copy": (
        "GET",
        "/workers/{worker}/id-copies/front",
        PERMISSIONS["workers.sensitive"],
    ),
    "workers.add_talk": ("POST", "/workers/{worker}/talks", PERMISSIONS["talks.edit"]),
    "workers.escalations": ("GET", "/escalations", PERMISSIONS["escalations.view"]),
    "workers.close_escalation": (
        "POST",
        "/escalations/{talk}/close",
        PERMISSIONS["escalations.view"],
    ),
    "customers.index": ("GET", "/customers", PERMISSIONS["customers.view"]),
    "customers.create": ("GET", "/customers/new", PERMISSIONS["customers.edit"]),
    "customers.detail": ("GET", "/customers/{customer}", PERMISSIONS["customers.view"]),
    "customers.edit": ("GET", "/customers/{customer}/edit", PERMISSIONS["customers.edit"]),
    "admin.audit_log": ("GET", "/audit", PERMISSIONS["audit.view"]),
    "dispatch.board": ("GET", "/board", PERMISSIONS["orders.dispatch"]),
    "dispatch.board_instructions": ("GET", "/board/instructions", PERMISSIONS["orders.dispatch"]),
    "dispatch.task_sheets": ("GET", "/board/task-sheets", PERMISSIONS["orders.dispatch"]),
    "dispatch.send_idle_list": ("POST", "/board/idle-list", PERMISSIONS["orders.dispatch"]),
    "dispatch.idle_lists": ("GET", "/idle-lists", PERMISSIONS["idle_lists.view"]),
    "dispatch.new_instruction": ("GET", "/instructions/new", PERMISSIONS["instructions.create"]),
    "dispatch.instructions_sent": ("GET", "/instructions", PERMISSIONS["instructions.create"]),
    "dispatch.customer_search": (
        "GET",
        "/instructions/customers?customer_q=客",
        PERMISSIONS["instructions.create"],
    ),
    "dispatch.cancel_instruction": (
        "POST",
        "/instructions/{instruction}/cancel",
        PERMISSIONS["instructions.cancel"],
    ),
    "dispatch.decline": (
        "POST",
        "/instructions/{instruction}/decline",
        PERMISSIONS["orders.dispatch"],
    ),
    "dispatch.overdue_instructions": (
        "GET",
        "/instructions/overdue",
        PERMISSIONS["orders.dispatch"],
    ),
    "dispatch.assign": (
        "GET",
        "/instructions/{instruction}/assign",
        PERMISSIONS["orders.dispatch"],
    ),
    "dispatch.detail": ("GET", "/orders/{order}", PERMISSIONS["orders.view"]),
    "dispatch.hand_over": ("POST", "/orders/{order}/handover", PERMISSIONS["orders.dispatch"]),
    "dispatch.cancel": ("POST", "/orders/{order}/cancel", PERMISSIONS["orders.dispatch"]),
    "dispatch.lateness": ("POST", "/orders/{order}/lateness", PERMISSIONS["orders.dispatch"]),
    "visits.check_out": ("GET", "/orders/{order}/check-out", PERMISSIONS["orders.dispatch"]),
    "visits.check_in": ("GET", "/orders/{order}/check-in", PERMISSIONS["orders.dispatch"]),
    "visits.consent": ("GET", "/orders/{order}/consent", PERMISSIONS["orders.dispatch"]),
    "catalogue.index": ("GET", "/catalogue", PERMISSIONS["catalogue.edit"]),
    "dispatch.task_sheets_pdf": (
        "GET",
        "/board/task-sheets.pdf",
        PERMISSIONS["orders.dispatch"],
    ),
    "visits.registration_pdf": (
        "GET",
        "/orders/{billed}/registration.pdf",
        PERMISSIONS["orders.view"],
    ),
    "visits.consent_pdf": ("GET", "/orders/{billed}/consent.pdf", PERMISSIONS["orders.view"]),
    "billing.order_billing": ("GET", "/orders/{billed}/billing", PERMISSIONS["billing.issue"]),
    "billing.issue_bill": ("POST", "/orders/{billed}/bill", PERMISSIONS["billing.issue"]),
    "billing.issue_receipt": ("POST", "/orders/{billed}/receipt", PERMISSIONS["billing.issue"]),
    "billing.void_receipt": ("POST", "/receipts/{receipt}/void", PERMISSIONS["billing.issue"]),
    "billing.receipt_pdf": ("GET", "/receipts/{receipt}.pdf", PERMISSIONS["billing.issue"]),
    "billing.settlement": ("GET", "/settlement", PERMISSIONS["settlements.view"]),
    "billing.settlements": ("GET", "/settlements", PERMISSIONS["settlements.view"]),
    "billing.acknowledge": (
        "POST",
        "/settlements/{settlement}/acknowledge",
        PERMISSIONS["settlements.acknowledge"],
    ),
    "billing.reopen": (
        "POST",
        "/settlements/{settlement}/reopen",
        PERMISSIONS["settlements.reopen"],
    ),
    "billing.settlement_xlsx": (
        "GET",
        "/settlements/{settlement}.xlsx",
        PERMISSIONS["settlements.view"],
    ),
    "billing.settlement_pdf": (
        "GET",
        "/settlements/{settlement}.pdf",
        PERMISSIONS["settlements.view"],
    ),
    "workers.pay_rule": ("POST", "/workers/{worker}/pay-rule", PERMISSIONS["billing.issue"]),
    "billing.slips": ("GET", "/slips", PERMISSIONS["settlements.view"]),
    "billing.slip_worker_search": (
        "GET",
        "/slips/workers?worker_q=工",
        PERMISSIONS["billing.issue"],
    ),
    "billing.slip": ("GET", "/slips/{slip}", PERMISSIONS["settlements.view"]),
    "billing.start_report": ("POST", "/reports/month", PERMISSIONS["settlements.view"]),
    "billing.report": ("GET", "/reports/{report}", PERMISSIONS["settlements.view"]),
    "billing.report_pdf": ("GET", "/reports/{report}.pdf", PERMISSIONS["settlements.view"]),
    "billing.slip_pdf": ("GET", "/slips/{slip}.pdf", PERMISSIONS["settlements.view"]),
    "billing.slip_xlsx": ("GET", "/slips/{slip}.xlsx", PERMISSIONS["settlements.view"]),
    "kiosk.manage": ("GET", "/kiosk/manage", PERMISSIONS["kiosk.manage"]),
    "kiosk.revoke": ("POST", "/kiosk/manage/{kiosk}/revoke", PERMISSIONS["kiosk.manage"]),
    "kiosk.unlock": ("POST", "/kiosk/manage/{kiosk}/unlock", PERMISSIONS["kiosk.manage"]),
    "kiosk.issue_pin": ("POST", "/workers/{worker}/pin", PERMISSIONS["kiosk.manage"]),
    "kiosk.start": ("GET", "/kiosk", KIOSK),
    "kiosk.pin": ("GET", "/kiosk/w/{worker}", KIOSK),
    "kiosk.orders": ("GET", "/kiosk/orders", KIOSK),
    "kiosk.check_out": ("GET", "/kiosk/orders/{order}/check-out", KIOSK),
    "kiosk.check_in": ("GET", "/kiosk/orders/{order}/check-in", KIOSK),
    "kiosk.acknowledge_deduction": ("POST", "/kiosk/deductions/{complaint}", KIOSK),
    "complaints.index": ("GET", "/complaints", PERMISSIONS["complaints.view"]),
    "complaints.new": ("GET", "/complaints/new", PERMISSIONS["complaints.handle"]),
    "complaints.detail": ("GET", "/complaints/{complaint}", PERMISSIONS["complaints.view"]),
    "complaints.step": (
        "POST",
        "/complaints/{complaint}/steps/2",
        PERMISSIONS["complaints.handle"],
    ),
    "complaints.decide": (
        "POST",
        "/complaints/{complaint}/decision",
        PERMISSIONS["complaints.handle"],
    ),
    "complaints.record_pdf": (
        "GET",
        "/complaints/{complaint}.pdf",
        PERMISSIONS["complaints.view"],
    ),
    "complaints.photo": (
        "GET",
        "/complaints/{complaint}/photos/{complaint_photo}",
        PERMISSIONS["complaints.view"],
    ),
    "complaints.procedure": (
        "GET",
        "/complaints/procedure",
        PERMISSIONS["complaints.procedure"],
    ),
    "training.index": ("GET", "/training", PERMISSIONS["training.view"]),
    "training.create": ("GET", "/training/new", PERMISSIONS["training.edit"]),
    "training.detail": ("GET", "/training/{training_session}", PERMISSIONS["training.view"]),
    "training.tick": (
        "POST",
        "/training/{training_session}/attendance",
        PERMISSIONS["training.edit"],
    ),
    "training.kiosk_sessions": ("GET", "/kiosk/training", KIOSK),
    "training.kiosk_sign": ("GET", "/kiosk/training/{training_session}/w/{worker}", KIOSK),
    "materials.index": ("GET", "/materials", PERMISSIONS["materials.view"]),
    "materials.receive": ("POST", "/materials/receipts", PERMISSIONS["materials.edit"]),
    "materials.set_minimum": ("POST", "/materials/minimums", PERMISSIONS["materials.edit"]),
    "admin.settings": ("GET", "/settings", PERMISSIONS["settings.view"]),
    "manual.index": ("GET", "/manual", PERMISSIONS["manual.view"]),
    "manual.new_section": ("GET", "/manual/sections/new", PERMISSIONS["manual.edit"]),
    "manual.edit_section": (
        "GET",
        "/manual/sections/{manual_section}/edit",
        PERMISSIONS["manual.edit"],
    ),
    "manual.new_branch_section": (
        "GET",
        "/manual/branch-sections/new",
        PERMISSIONS["manual.branch_edit"],
    ),
    "manual.edit_branch_section": (
        "GET",
        "/manual/branch-sections/{branch_section}/edit",
        PERMISSIONS["manual.branch_edit"],
    ),
    "manual.version": ("GET", "/manual/versions/{manual_version}", PERMISSIONS["manual.view"]),
    "manual.kiosk": ("GET", "/kiosk/manual", KIOSK),
    "manual.acknowledge": ("GET", "/kiosk/manual/acknowledge", KIOSK),
    "discipline.index": ("GET", "/discipline", PERMISSIONS["discipline.view"]),
    "discipline.rules_page": ("GET", "/discipline/rules", PERMISSIONS["discipline.rules_view"]),
    "discipline.edit_rules": ("GET", "/discipline/rules/edit", PERMISSIONS["discipline.rules"]),
    "discipline.new_item": (
        "GET",
        "/workers/{worker}/rewards-penalties/new",
        PERMISSIONS["discipline.propose"],
    ),
    "discipline.item": (
        "GET",
        "/discipline/items/{discipline_item}",
        PERMISSIONS["discipline.view"],
    ),
    "discipline.decide_item": (
        "POST",
        "/discipline/items/{discipline_item}/decision",
        PERMISSIONS["discipline.decide"],
    ),
    "discipline.new_dismissal": (
        "GET",
        "/workers/{worker}/dismissal/new",
        PERMISSIONS["discipline.propose"],
    ),
    "discipline.dismissal": (
        "GET",
        "/discipline/dismissals/{dismissal}",
        PERMISSIONS["discipline.view"],
    ),
    "discipline.decide_dismissal": (
        "POST",
        "/discipline/dismissals/{dismissal}/decision",
        PERMISSIONS["discipline.decide"],
    ),
    "discipline.kiosk": ("GET", "/kiosk/discipline", KIOSK),
    "discipline.kiosk_acknowledge": ("POST", "/kiosk/discipline/items/{discipline_item}", KIOSK),
    "availability.index": ("GET", "/absences", PERMISSIONS["absences.view"]),
    "availability.worker_search": (
        "GET",
        "/absences/workers?worker_q=工",
        PERMISSIONS["absences.edit"],
    ),
    "availability.decide": (
        "POST",
        "/absences/{absence}/decision",
        PERMISSIONS["absences.edit"],
    ),
    "availability.calendar_page": ("GET", "/calendar", PERMISSIONS["calendar.view"]),
    "availability.close_day": ("POST", "/calendar/closed-days", PERMISSIONS["calendar.edit"]),
    "availability.reopen_day": (
        "POST",
        "/calendar/closed-days/{closed_day}/reopen",
        PERMISSIONS["calendar.edit"],
    ),
    "availability.kiosk_request": ("GET", "/kiosk/absences", KIOSK),
    "sync.service_worker": ("GET", "/sw.js", None),
    "sync.manifest": ("GET", "/manifest.webmanifest", None),
    "sync.offline": ("GET", "/offline", None),
    "sync.outbox": ("GET", "/outbox", None),
    "sync.hello": ("GET", "/sync/hello", None),
    "sync.today": ("GET", "/sync/today", ALL),
    "sync.refused": ("GET", "/refused", PERMISSIONS["submissions.resolve"]),
    "sync.refused_detail": (
        "GET",
        "/refused/{submission}",
        PERMISSIONS["submissions.resolve"],
    ),
    "assessments.new": (
        "GET",
        "/customers/{customer}/assessments/new",
        PERMISSIONS["assessments.edit"],
    ),
    "assessments.new_customer": (
        "GET",
        "/branches/{branch}/assessments/new",
        PERMISSIONS["assessments.edit"],
    ),
    "assessments.detail": ("GET", "/assessments/{assessment}", PERMISSIONS["assessments.view"]),
    "assessments.quote_pdf": (
        "GET",
        "/assessments/{assessment}/quote.pdf",
        PERMISSIONS["assessments.view"],
    ),
    "assessments.photo": (
        "GET",
        "/assessments/{assessment}/photos/{assessment_photo}",
        PERMISSIONS["assessments.view"],
    ),
    "assessments.extend_plan": ("POST", "/plans/{plan}/extend", PERMISSIONS["assessments.edit"]),
    "quality.supervise": (
        "GET",
        "/orders/{order}/supervision",
        PERMISSIONS["supervision.record"],
    ),
    "week_files.index": ("GET", "/weeks", PERMISSIONS["weeks.view"]),
    "week_files.collation_page": ("GET", "/weeks/collation", PERMISSIONS["weeks.collate"]),
    "week_files.collate": ("POST", "/weeks/collate", PERMISSIONS["weeks.collate"]),
    "week_files.detail": ("GET", "/weeks/{week}", PERMISSIONS["weeks.view"]),
    "week_files.hand_over": ("POST", "/weeks/{week}/handover", PERMISSIONS["weeks.collate"]),
    "week_files.acknowledge": (
        "POST",
        "/weeks/{week}/acknowledge",
        PERMISSIONS["weeks.acknowledge"],
    ),
    "week_files.week_pdf": ("GET", "/weeks/{week}.pdf", PERMISSIONS["weeks.view"]),
    "week_files.week_xlsx": ("GET", "/weeks/{week}.xlsx", PERMISSIONS["weeks.view"]),
    "quality.photo": (
        "GET",
        "/supervisions/{supervision}/photos/{supervision_photo}",
        PERMISSIONS["quality.view"],
    ),
    "quality.spot_check_list": ("GET", "/quality/spot-checks", PERMISSIONS["spot_checks.record"]),
    "quality.spot_check": ("GET", "/orders/{billed}/spot-check", PERMISSIONS["spot_checks.record"]),
    "quality.questions": ("GET", "/quality/questions", PERMISSIONS["quality.questions"]),
    "quality.month": ("GET", "/quality/month", PERMISSIONS["quality.view"]),
    "quality.close_month": ("POST", "/quality/month/close", PERMISSIONS["quality.close"]),
    "quality.worker": ("GET", "/workers/{worker}/quality", PERMISSIONS["quality.view"]),
    "callbacks.index": ("GET", "/callbacks", PERMISSIONS["callbacks.view"]),
    "callbacks.phone": ("GET", "/orders/{order}/callbacks/phone", PERMISSIONS["callbacks.record"]),
    "callbacks.onsite": (
        "GET",
        "/orders/{order}/callbacks/onsite",
        PERMISSIONS["callbacks.record"],
    ),
    "callbacks.detail": ("GET", "/callbacks/{callback}", PERMISSIONS["callbacks.view"]),
    "callbacks.edit": ("GET", "/callbacks/{callback}/edit", PERMISSIONS["callbacks.record"]),
    "callbacks.correct": (
        "GET",
        "/callbacks/{callback}/correction",
        PERMISSIONS["callbacks.record"],
    ),
    "callbacks.note": ("POST", "/callbacks/{callback}/note", PERMISSIONS["callbacks.record"]),
    "callbacks.photo": (
        "GET",
        "/callbacks/{callback}/photos/{callback_photo}",
        PERMISSIONS["callbacks.view"],
    ),
    "callbacks.hand_over": ("POST", "/callbacks/registers", PERMISSIONS["callbacks.record"]),
    "callbacks.registers": ("GET", "/callbacks/registers", PERMISSIONS["callbacks.view"]),
    "callbacks.acknowledge": (
        "POST",
        "/callbacks/registers/{callback_register}/acknowledge",
        PERMISSIONS["callbacks.acknowledge"],
    ),
    "callbacks.register_pdf": (
        "GET",
        "/callbacks/registers/{callback_register}.pdf",
        PERMISSIONS["callbacks.view"],
    ),
    "month_files.records": ("GET", "/month-records", PERMISSIONS["month_records.view"]),
    "month_files.record": ("GET", "/month-records/{worker}", PERMISSIONS["month_records.view"]),
    "month_files.comment": (
        "POST",
        "/month-records/{worker}/comments",
        PERMISSIONS["month_records.edit"],
    ),
    "month_files.record_pdf": (
        "GET",
        "/month-records/{worker}.pdf",
        PERMISSIONS["month_records.view"],
    ),
    "month_files.records_pdf": ("GET", "/month-records.pdf", PERMISSIONS["month_records.view"]),
    "month_files.kiosk_acknowledge": ("GET", "/kiosk/month-records", KIOSK),
    "month_files.reports": ("GET", "/month-reports", PERMISSIONS["month_reports.view"]),
    "month_files.submit": ("POST", "/month-reports", PERMISSIONS["month_reports.submit"]),
    "month_files.report_detail": (
        "GET",
        "/month-reports/{month_report}",
        PERMISSIONS["month_reports.view"],
    ),
    "month_files.acknowledge": (
        "POST",
        "/month-reports/{month_report}/acknowledge",
        PERMISSIONS["month_reports.acknowledge"],
    ),
    "month_files.report_pdf": (
        "GET",
        "/month-reports/{month_report}.pdf",
        PERMISSIONS["month_reports.view"],
    ),
    "month_files.report_xlsx": (
        "GET",
        "/month-reports/{month_report}.xlsx",
        PERMISSIONS["month_reports.view"],
    ),
}


def _signature() -> str:
    image = Image.new("RGBA", (60, 30), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(5, 20), (55, 5)], fill="black", width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


SIGNATURE = _signature()


def _done_report(branch, manager) -> int:
    job = ReportJob(
        branch_id=branch.id,
        kind="month_settlement",
        params={"month": "2026-11"},
        created_by=manager.display_name,
        status="done",
        progress=100,
        pdf=b"%PDF-1.7 test",
    )
    _db.session.add(job)
    _db.session.flush()
    return job.id


def _refused_submission(order) -> int:
    submission = Submission(
        client_uuid=str(uuid.uuid4()),
        branch_id=order.branch_id,
        endpoint="visits.check_in",
        path=f"/orders/{order.id}/check-in",
        entity_key=f"order:{order.id}",
        payload_digest="0" * 64,
        status=SubmissionStatus.CONFLICT,
        actor_name="经理",
        device="test",
        entered_at=clock.now(),
        explanation="已签回",
        payload={"work_done": ["保洁"]},
    )
    _db.session.add(submission)
    _db.session.flush()
    return submission.id


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 25), "white").save(out, format="PNG")
    return out.getvalue()


def _jpeg_data_url() -> str:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(out, format="JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


PHOTO = _jpeg_data_url()


def _assessment(branch_obj, customer, item, manager):
    """An accepted assessment with a photo that became a weekly plan."""
    save_item_rules(item, ["living", "bedroom"], Decimal(2), 60)
    first = local_today() + timedelta(days=1)
    data = AssessmentData(
        home_area=Decimal(90),
        rooms=[Room("living", Decimal(30))],
        items=[item],
        schedule=Schedule("plan", first, time(14), weekday=first.weekday()),
        signature=SIGNATURE,
        photos=[PHOTO],
    )
    return accept_assessment(branch_obj, customer, data, manager)


def _records(world: World, branch: str, manager) -> dict[str, int]:
    worker = world.worker(branch)
    customer = world.customer(branch)
    item = save_service_item(world.company.id, f"日常保洁{branch}", "hour", 4500)
    center = world.user("service_center", branch=None)
    branch_obj = world.branches[branch]
    slot = Slot(local_today(), time(9), time(12), Decimal(3))
    order = assign(
        create_instruction(branch_obj, customer, [item], slot, "", center), worker, manager
    )
    waiting = create_instruction(branch_obj, customer, [item], slot, "", center)
    billed = assign(
        create_instruction(branch_obj, customer, [item], slot, "", center),
        worker,
        manager,
        confirm_overlap=True,
    )
    hand_over(billed, "", manager)
    give_consent(billed, clock.at_local(local_today(), time(19)), SIGNATURE, manager)
    check_out(
        billed,
        ticked={k for k, _l in CHECKS},
        issued={},
        signature=SIGNATURE,
        actor=Actor.of_user(manager),
    )
    end = clock.now()
    check_in(billed, CheckIn(end - timedelta(minutes=4), end, "保洁"), Actor.of_user(manager))
    supervision = record_supervision(
        billed,
        Observation(arrived_at=end - timedelta(minutes=2), score=85, photos=[PHOTO]),
        manager,
    )
    callback = record_callback(
        billed,
        Kind.ONSITE,
        Answers(5, 4, 3, "satisfied", "花瓶碰碎了", True, 80000, [PHOTO]),
        manager,
    )
    register = hand_over_register(branch_obj, week_of(clock.now(), branch_obj.timezone), manager)
    assessment = _assessment(branch_obj, customer, item, manager)
    receipt = issue_receipt(issue_bill(billed, 0, "", manager), "cash", manager)
    settlement = close_day(branch_obj, local_today() - timedelta(days=1), manager)
    device, _token = enroll(branch_obj, f"平板{branch}", manager)
    complaint = record_complaint(
        billed, NewComplaint(end, "phone", "damage", "花瓶", 80000, [PHOTO]), manager
    )
    week = collate_week(branch_obj, local_today() - timedelta(days=7), "上周小结", manager)
    hand_over_week(week, manager)
    store_id_copy(worker, "front", _png(), None)
    talk = add_talk(
        worker,
        talk_date=date(2026, 11, 2),
        topic="work",
        notes="n",
        help_given="",
        escalate_to="branch_head",
        user=manager,
    )
    company_section = publish(
        None, Draft(f"公司{branch}", "- 安全", "新增"), world.user("company_admin", branch=None)
    ).section
    head = world.user("branch_head", branch=branch)
    branch_section = publish(
        None, Draft(f"网店{branch}", "- 本店", "新增"), head, branch_id=branch_obj.id
    ).section
    training = create_session(
        branch_obj,
        SessionData(
            "用电安全",
            "manual",
            branch_section.id,
            local_today(),
            time(14),
            time(16),
            "李老师",
            "会议室",
        ),
        manager,
    )
    item = propose_item(worker, ItemProposal("reward", "1. 表扬", "客户表扬", 5000), None, manager)
    last_month = (local_today().replace(day=1) - timedelta(days=1)).replace(day=1)
    month_report = submit_report(branch_obj, last_month, manager)
    away = AbsenceData("rest", local_today() + timedelta(days=3), local_today() + timedelta(days=3))
    return {
        "absence": request_absence(worker, away, device).id,
        "closed_day": close_day_of(branch_obj, away.first_day, "春节", head).id,
        "discipline_item": item.id,
        "dismissal": propose_dismissal(worker, "屡次迟到", [], manager).id,
        "month_report": month_report.id,
        "manual_section": company_section.id,
        "branch_section": branch_section.id,
        "manual_version": branch_section.current.id,
        "worker": worker.id,
        "customer": customer.id,
        "talk": talk.id,
        "user": manager.id,
        "order": order.id,
        "instruction": waiting.id,
        "kiosk": device.id,
        "receipt": receipt.id,
        "report": _done_report(branch_obj, manager),
        "slip": create_slip(worker, local_today(), local_today(), [], manager).id,
        "billed": billed.id,
        "settlement": settlement.id,
        "submission": _refused_submission(billed),
        "branch": branch_obj.id,
        "assessment": assessment.id,
        "assessment_photo": assessment.photos[0].id,
        "plan": assessment.plan.id,
        "supervision": supervision.id,
        "supervision_photo": supervision.photos[0].id,
        "complaint": complaint.id,
        "complaint_photo": complaint.photos[0].id,
        "callback": callback.id,
        "callback_photo": callback.photos[0].id,
        "callback_register": register.id,
        "week": week.id,
        "training_session": training.id,
    }


@pytest.fixture
def records(world):
    """Records in branch A (the user's), branch B, and a branch of another company."""
    ids = {b: _records(world, b, world.user("manager", branch=b)) for b in ("A", "B")}
    other = Company(name="别家公司")
    other_branch = Branch(company=other, code="Z", name="别家网店")
    _db.session.add_all([other, other_branch])
    _db.session.flush()
    stranger = World(company=other, branches={"Z": other_branch})
    ids["other"] = _records(stranger, "Z", stranger.user("manager", branch="Z"))
    return ids


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints - ROUTES.keys() == set(), "add the new routes to ROUTES"
    assert ROUTES.keys() - endpoints == set(), "ROUTES names routes that no longer exist"


def _call(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data={})


ID_KEYS = (
    "worker",
    "customer",
    "talk",
    "order",
    "instruction",
    "kiosk",
    "receipt",
    "settlement",
    "billed",
    "slip",
    "report",
    "submission",
    "branch",
    "assessment",
    "assessment_photo",
    "plan",
    "supervision",
    "supervision_photo",
    "complaint",
    "complaint_photo",
    "callback",
    "callback_photo",
    "callback_register",
    "week",
    "manual_section",
    "branch_section",
    "manual_version",
    "training_session",
    "discipline_item",
    "dismissal",
    "month_report",
    "absence",
    "closed_day",
)


def _check_route(client, records, endpoint: str, role: Role, user) -> list[str]:
    """What is wrong with one route for one role (empty: all as it should be)."""
    method, template, allowed = ROUTES[endpoint]
    own = template.format(**records["A"])
    response = _call(client, method, own)
    if allowed == KIOSK or (allowed is not None and role not in allowed):
        return [] if response.status_code == 403 else [f"{own}: {response.status_code}, not 403"]
    if response.status_code in (403, 404) or response.status_code >= 500:
        return [f"{own}: {response.status_code} for an allowed role"]
    if "{" not in template or endpoint == "accounts.set_user_enabled":
        return []
    # Records the user may not see answer exactly like an id that does not exist.
    missing = _call(client, method, template.format(**dict.fromkeys(ID_KEYS, 10**9)))
    problems = [] if missing.status_code == 404 else [f"missing id: {missing.status_code}"]
    for where in ["other"] + (["B"] if user.branch_id is not None else []):
        url = template.format(**records[where])
        foreign = _call(client, method, url)
        if foreign.status_code != 404 or _main(foreign.text) != _main(missing.text):
            problems.append(f"{url} ({where}): {foreign.status_code}, not the missing-id 404")
    return problems


@pytest.mark.parametrize("role", list(Role))
def test_every_route_for_every_role(client, world, records, role):
    """The route x role matrix: one test per role walks every route in ROUTES."""
    user = world.user(role, branch="A" if role in BRANCH_ROLES else None)
    problems = []
    for endpoint in sorted(ROUTES):
        # Log in again before each route: one of them is the logout.
        client.post("/login", data={"username": user.username, "password": PASSWORD})
        problems += [
            f"{endpoint}: {p}" for p in _check_route(client, records, endpoint, role, user)
        ]
    assert problems == []


def test_company_admin_cannot_touch_users_of_another_company(client, login_as, records):
    login_as(Role.COMPANY_ADMIN, branch=None)
    url = f"/users/{records['other']['user']}/enabled"
    assert client.post(url, data={"enabled": "0"}).status_code == 404
