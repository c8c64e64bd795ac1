"""The list of every number SPEC marks *setting*: its kind, default, bounds and scope.

`core.policy` reads and stores them; the admin settings page shows them in this order.
"""

from dataclasses import dataclass

from webapp.core.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class Setting:
    key: str
    kind: str  # "int", "money" (fen), "time" (HH:MM), "text"
    default: object
    label: object
    help: object = ""
    minimum: int | None = None
    maximum: int | None = None
    scope: str = "company"


COMPANY, BRANCH = "company", "branch"
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "complaint_authority_limit",
        "money",
        50000,
        _l("Complaint authority limit of the manager (CNY)"),
        _l(
            "Complaints claiming this amount or more are decided by the branch head; smaller "
            "ones by the manager."
        ),
        minimum=0,
        maximum=100_000_00,
    ),
    Setting(
        "late_complaints_per_week",
        "int",
        2,
        _l("Lateness complaints per week that stop evening handovers"),
        _l(
            "A worker with this many lateness complaints in one week is handed no orders at the "
            "end of the day."
        ),
        minimum=1,
        maximum=20,
    ),
    Setting(
        "phone_callbacks_per_week",
        "int",
        18,
        _l("Phone callbacks per week (minimum)"),
        _l("At least this many phone callbacks a week, fewer in a week with closed days."),
        minimum=0,
        maximum=500,
    ),
    Setting(
        "onsite_callbacks_per_week",
        "int",
        2,
        _l("On-site callbacks per week (minimum)"),
        _l("At least this many on-site callbacks a week, fewer in a week with closed days."),
        minimum=0,
        maximum=100,
    ),
    Setting(
        "training_hours_per_month",
        "int",
        10,
        _l("Safety training hours per worker per month (minimum)"),
        _l(
            "Fewer hours are asked of a worker away part of the month (leave, sick days), in "
            "proportion."
        ),
        minimum=0,
        maximum=200,
    ),
    Setting(
        "quality_pass_mark",
        "int",
        60,
        _l("Quality pass mark (0-100)"),
        _l("A monthly quality score below this fails the month's assessment."),
        minimum=0,
        maximum=100,
    ),
    *(
        Setting(
            f"quality_weight_{name}",
            "int",
            weight,
            label,
            _l(
                "Its share of the monthly quality score, in percent; the six weights add up to 100."
            ),
            minimum=0,
            maximum=100,
        )
        for name, label, weight in (
            ("spot_checks", _l("Quality weight: phone spot checks"), 20),
            ("callbacks", _l("Quality weight: callback ratings"), 20),
            ("supervision", _l("Quality weight: supervision scores"), 20),
            ("complaints", _l("Quality weight: upheld complaints"), 15),
            ("lateness", _l("Quality weight: lateness"), 10),
            ("training", _l("Quality weight: training hours"), 15),
        )
    ),
    Setting(
        "quality_complaint_points",
        "int",
        25,
        _l("Points an upheld complaint costs"),
        _l(
            "Taken off the complaints part (0-100) of the monthly quality score for each upheld "
            "complaint."
        ),
        minimum=0,
        maximum=100,
    ),
    Setting(
        "quality_late_points",
        "int",
        20,
        _l("Points a late arrival costs"),
        _l("Taken off the lateness part (0-100) for each lateness complaint or late check-out."),
        minimum=0,
        maximum=100,
    ),
    Setting(
        "quality_follow_up_days",
        "int",
        14,
        _l("Days to do a failed assessment's talk and training"),
        _l("Counted from the closing of the month."),
        minimum=1,
        maximum=90,
    ),
    Setting(
        "material_use_flag_percent",
        "int",
        150,
        _l("Material use per order flagged above this percent of the branch's average"),
        _l("150 means 1.5 times the branch's average use per order in the month."),
        minimum=100,
        maximum=1000,
    ),
    Setting(
        "plan_weeks_ahead",
        "int",
        4,
        _l("Weeks of a recurring plan put on the board ahead"),
        _l(
            "A recurring plan from an on-site assessment has its visits on the board this many "
            "weeks ahead."
        ),
        minimum=1,
        maximum=12,
    ),
    Setting(
        "working_day_end",
        "time",
        "18:00",
        _l("End of the working day"),
        _l(
            "Workers on afternoon orders come back and check in by then; working on later needs "
            "the manager's consent."
        ),
        scope=BRANCH,
    ),
    Setting(
        "overtime_clause",
        "text",
        "本人自愿在下班时间后继续为同一客户服务，已征得网店管理人员同意。"
        "继续服务期间因本人原因造成的一切后果和责任由本人承担。",
        _l("Overtime consent clause"),
        _l("The responsibility clause a worker signs to stay on after hours."),
    ),
    Setting(
        "session_idle_minutes",
        "int",
        30,
        _l("Log out after this many idle minutes"),
        minimum=5,
        maximum=480,
    ),
    Setting(
        "session_absolute_hours",
        "int",
        12,
        _l("Log out after this many hours in any case"),
        minimum=1,
        maximum=72,
    ),
    Setting(
        "kiosk_pass_hours",
        "int",
        12,
        _l("Hours a form opened at the shared tablet may still be sent"),
        _l("Counted from when the server gave out the form; later it goes to the office."),
        minimum=1,
        maximum=72,
    ),
    Setting(
        "kiosk_worker_wrong_pins",
        "int",
        5,
        _l("Wrong PINs that lock a worker at the shared tablet"),
        _l("Within the window below, on any tablet."),
        minimum=3,
        maximum=20,
    ),
    Setting(
        "kiosk_tablet_wrong_pins",
        "int",
        20,
        _l("Wrong PINs that lock a shared tablet's PIN pad"),
        _l("Within the window below, for all workers together; a manager can unlock it."),
        minimum=5,
        maximum=200,
    ),
    Setting(
        "kiosk_wrong_pin_window_minutes",
        "int",
        15,
        _l("Minutes in which wrong PINs are counted"),
        minimum=1,
        maximum=240,
    ),
    Setting(
        "kiosk_pin_lock_minutes",
        "int",
        15,
        _l("Minutes a worker or a PIN pad stays locked"),
        minimum=1,
        maximum=240,
    ),
    Setting(
        "refused_records_keep_days",
        "int",
        90,
        _l("Days a resolved refused record is kept"),
        _l("Then it is deleted with what the tablet sent; the audit log keeps who resolved it."),
        minimum=7,
        maximum=3650,
    ),
    Setting(
        "discipline_amount_limit",
        "money",
        200000,
        _l("Largest reward or penalty (CNY)"),
        _l("A manager proposes a reward or a penalty of at most this amount."),
        minimum=100,
        maximum=100_000_00,
    ),
    Setting(
        "task_sheets_by",
        "time",
        "08:30",
        _l("Task sheets handed out by"),
        _l("After this time the duty board shows the morning's task sheets as overdue."),
        scope=BRANCH,
    ),
    Setting(
        "idle_list_by",
        "time",
        "09:00",
        _l("Idle list sent by"),
        _l("After this time the duty board shows the idle list as overdue."),
        scope=BRANCH,
    ),
    Setting(
        "month_work_by_day",
        "int",
        5,
        _l("Last month's assessment, records and report due by day"),
        _l(
            "The quality assessment, the performance records and the report to the "
            "administration department of a month are due by this day of the next month."
        ),
        minimum=1,
        maximum=28,
    ),
)
BY_KEY = {s.key: s for s in SETTINGS}
QUALITY_WEIGHTS = tuple(s.key for s in SETTINGS if s.key.startswith("quality_weight_"))
