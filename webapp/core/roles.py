"""Roles and what each may do. Views ask `can(user, permission)`."""

from enum import StrEnum

from webapp.core.i18n import lazy_gettext as _l


class Role(StrEnum):
    MANAGER = "manager"
    SERVICE_CENTER = "service_center"
    FINANCE = "finance"
    ADMIN_DEPT = "admin_dept"
    BRANCH_HEAD = "branch_head"
    COMPANY_ADMIN = "company_admin"


ROLE_LABELS = {
    Role.MANAGER: _l("Manager"),
    Role.SERVICE_CENTER: _l("Service center"),
    Role.FINANCE: _l("Finance"),
    Role.ADMIN_DEPT: _l("Administration department"),
    Role.BRANCH_HEAD: _l("Branch head"),
    Role.COMPANY_ADMIN: _l("Company administrator"),
}

# Roles whose users may belong to no single branch and then see every branch
# of their company.
COMPANY_WIDE_ROLES = {Role.SERVICE_CENTER, Role.FINANCE, Role.ADMIN_DEPT, Role.COMPANY_ADMIN}

PERMISSIONS: dict[str, set[Role]] = {
    "workers.view": {
        Role.MANAGER,
        Role.BRANCH_HEAD,
        Role.ADMIN_DEPT,
        Role.SERVICE_CENTER,
        Role.FINANCE,
        Role.COMPANY_ADMIN,
    },
    "workers.edit": {Role.MANAGER, Role.BRANCH_HEAD},
    "workers.status": {Role.MANAGER, Role.BRANCH_HEAD},
    # Full ID numbers and ID-card copies: the people who keep the personnel file.
    "workers.sensitive": {Role.MANAGER, Role.BRANCH_HEAD, Role.ADMIN_DEPT},
    "talks.view": {Role.MANAGER, Role.BRANCH_HEAD, Role.ADMIN_DEPT},
    "talks.edit": {Role.MANAGER, Role.BRANCH_HEAD},
    "escalations.view": {Role.BRANCH_HEAD, Role.ADMIN_DEPT},
    "customers.view": {
        Role.MANAGER,
        Role.BRANCH_HEAD,
        Role.SERVICE_CENTER,
        Role.FINANCE,
        Role.COMPANY_ADMIN,
    },
    "customers.edit": {Role.MANAGER, Role.BRANCH_HEAD, Role.SERVICE_CENTER},
    "orders.view": {Role.MANAGER, Role.BRANCH_HEAD, Role.SERVICE_CENTER},
    "orders.dispatch": {Role.MANAGER, Role.BRANCH_HEAD},
    "instructions.create": {Role.SERVICE_CENTER, Role.MANAGER, Role.BRANCH_HEAD},
    # The service center withdraws an instruction it sent, while no worker has it yet.
    "instructions.cancel": {Role.SERVICE_CENTER},
    "idle_lists.view": {Role.SERVICE_CENTER, Role.MANAGER, Role.BRANCH_HEAD},
    # The company's catalogue and rules: one for every branch.
    "catalogue.edit": {Role.COMPANY_ADMIN},
    # On-site assessment (R3): done by the branch; its quotes go to the offices too.
    "assessments.edit": {Role.MANAGER, Role.BRANCH_HEAD},
    "assessments.view": {Role.MANAGER, Role.BRANCH_HEAD, Role.SERVICE_CENTER, Role.FINANCE},
    # On-site supervision (R3) and the quality record it feeds (R27).
    "supervision.record": {Role.MANAGER, Role.BRANCH_HEAD},
    "quality.view": {Role.MANAGER, Role.BRANCH_HEAD, Role.ADMIN_DEPT},
    # Phone spot checks and closing the month's assessment (R27): the branch's own work;
    # the spot check questions are the company's.
    "spot_checks.record": {Role.MANAGER, Role.BRANCH_HEAD},
    "quality.close": {Role.MANAGER, Role.BRANCH_HEAD},
    "quality.questions": {Role.COMPANY_ADMIN},
    # Callbacks (R18): the branch calls back; the service center files the weekly register.
    "callbacks.record": {Role.MANAGER, Role.BRANCH_HEAD},
    "callbacks.view": {Role.MANAGER, Role.BRANCH_HEAD, Role.SERVICE_CENTER},
    "callbacks.acknowledge": {Role.SERVICE_CENTER},
    "kiosk.manage": {Role.MANAGER, Role.BRANCH_HEAD},
    # The complaint register (R2, R28); the procedure is the company's.
    "complaints.view": {Role.MANAGER, Role.BRANCH_HEAD},
    "complaints.handle": {Role.MANAGER, Role.BRANCH_HEAD},
    "complaints.procedure": {Role.COMPANY_ADMIN},
    # Safety training (R25): planned and recorded by the branch, read by administration.
    "training.view": {Role.MANAGER, Role.BRANCH_HEAD, Role.ADMIN_DEPT},
    "training.edit": {Role.MANAGER, Role.BRANCH_HEAD},
    # Who is available: absences entered or decided by the branch; its closed days.
    "absences.view": {Role.MANAGER, Role.BRANCH_HEAD},
    "absences.edit": {Role.MANAGER, Role.BRANCH_HEAD},
    "calendar.view": {Role.MANAGER, Role.BRANCH_HEAD},
    "calendar.edit": {Role.BRANCH_HEAD},
    # The branch's materials (R1): its stock, its minimums and the month's use.
    "materials.view": {Role.MANAGER, Role.BRANCH_HEAD},
    "materials.edit": {Role.MANAGER, Role.BRANCH_HEAD},
    # Outbox sends a rule refused: the office sees and resolves them.
    "submissions.resolve": {Role.MANAGER, Role.BRANCH_HEAD, Role.SERVICE_CENTER},
    "billing.issue": {Role.MANAGER, Role.BRANCH_HEAD},
    "settlements.view": {Role.MANAGER, Role.BRANCH_HEAD, Role.FINANCE},
    "settlements.close": {Role.MANAGER, Role.BRANCH_HEAD},
    "settlements.acknowledge": {Role.FINANCE},
    # A closed day finance has not acknowledged yet: reopened by the branch head only.
    "settlements.reopen": {Role.BRANCH_HEAD},
    # The week's customer files (R12): collated by the branch, acknowledged by the two
    # sides they are handed to (R13).
    "weeks.view": {Role.MANAGER, Role.BRANCH_HEAD, Role.SERVICE_CENTER, Role.FINANCE},
    "weeks.collate": {Role.MANAGER, Role.BRANCH_HEAD},
    "weeks.acknowledge": {Role.SERVICE_CENTER, Role.FINANCE},
    # The monthly performance records (R21) and the month report (R22): filled and
    # submitted by the branch, read and acknowledged by the administration department.
    "month_records.view": {Role.MANAGER, Role.BRANCH_HEAD, Role.ADMIN_DEPT},
    "month_records.edit": {Role.MANAGER, Role.BRANCH_HEAD},
    "month_reports.view": {Role.MANAGER, Role.BRANCH_HEAD, Role.ADMIN_DEPT},
    "month_reports.submit": {Role.MANAGER, Role.BRANCH_HEAD},
    "month_reports.acknowledge": {Role.ADMIN_DEPT},
    "audit.view": {Role.BRANCH_HEAD, Role.COMPANY_ADMIN},
    # The settings page: the company's settings are edited by its administrator; a
    # branch head edits the settings that belong to their branch and reads the rest.
    "settings.view": {Role.BRANCH_HEAD, Role.COMPANY_ADMIN},
    "settings.edit": {Role.COMPANY_ADMIN},
    "branch_settings.edit": {Role.BRANCH_HEAD},
    "users.manage": {Role.COMPANY_ADMIN},
    # The service code and safety manual (R24): the company's by its administrator, a
    # branch's own sections by its head; the managers see who has not read it.
    "manual.view": {Role.MANAGER, Role.BRANCH_HEAD, Role.ADMIN_DEPT, Role.COMPANY_ADMIN},
    "manual.edit": {Role.COMPANY_ADMIN},
    "manual.branch_edit": {Role.BRANCH_HEAD},
    # Rewards, penalties and dismissal (R26): the manager proposes, the branch head
    # decides; the rules text is the company's.
    "discipline.view": {Role.MANAGER, Role.BRANCH_HEAD, Role.ADMIN_DEPT},
    "discipline.propose": {Role.MANAGER, Role.BRANCH_HEAD},
    "discipline.decide": {Role.BRANCH_HEAD},
    "discipline.rules_view": {
        Role.MANAGER,
        Role.BRANCH_HEAD,
        Role.ADMIN_DEPT,
        Role.COMPANY_ADMIN,
    },
    "discipline.rules": {Role.COMPANY_ADMIN},
}


def can(user, permission: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Role(user.role) in PERMISSIONS[permission]
