"""The submitted month report as a spreadsheet, saved through core.spreadsheets."""

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from webapp.core.spreadsheets import workbook_bytes
from webapp.month_files.models import MonthReport
from webapp.month_files.report import field_label
from webapp.workers.models import STATUS_LABELS


def _sheet(book: Workbook, title: str, header: list[str], rows) -> None:
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)


def _record_row(r: dict) -> list:
    f = r["facts"]
    return [
        r["badge"],
        r["name"],
        _("Done") if r["done"] else _("Not done"),
        f["orders"]["count"],
        float(f["orders"]["hours"]),
        f["callbacks"]["count"],
        f["callbacks"]["rating"] or "",
        f["complaints"]["count"],
        f["complaints"]["upheld"],
        f["supervision"]["count"],
        f["supervision"]["score"] or "",
        float(f["training"]["hours"]),
        f["spot_checks"]["count"],
        float(f["quality_score"]["total"]) if f["quality_score"]["total"] else "",
        _("Passed") if f["quality_score"]["passed"] else _("Failed"),
        f["rewards_penalties"]["rewards"],
        f["rewards_penalties"]["penalties"],
        r["comments"],
    ]


def report_xlsx(row: MonthReport) -> bytes:
    """One sheet per part of the frozen report, with its content hash on the first."""
    data = row.snapshot
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")
    training = data["training"]
    for pair in (
        (_("Branch"), data["branch"]["name"]),
        (_("Month"), data["month"]),
        (_("Submitted by"), row.submitted_by),
        (_("Content hash"), row.content_hash),
        (_("Performance records done"), f"{data['records']['done']}/{data['records']['total']}"),
        (_("Training sessions"), training["sessions"]),
        (_("Training hours attended"), float(training["hours"])),
        (_("Workers below the training minimum"), training["short"]),
    ):
        summary.append(list(pair))
    _sheet(
        book,
        _("New files"),
        [_("Badge number"), _("Name"), _("Start date"), _("Created")],
        ([w["badge"], w["name"], w["start_date"], w["created"]] for w in data["new_workers"]),
    )
    _sheet(
        book,
        _("Changed files"),
        [_("Badge number"), _("Name"), _("Field"), _("Before"), _("After"), _("When"), _("By")],
        (
            [
                w["badge"],
                w["name"],
                field_label(c["field"]),
                c["before"],
                c["after"],
                c["at"],
                c["by"],
            ]
            for w in data["changed_workers"]
            for c in w["changes"]
        ),
    )
    _sheet(
        book,
        _("Suspended and dismissed"),
        [_("Badge number"), _("Name"), _("Status"), _("Reason"), _("When"), _("By")],
        (
            [w["badge"], w["name"], str(STATUS_LABELS[w["status"]]), w["reason"], w["at"], w["by"]]
            for w in data["left_workers"]
        ),
    )
    _sheet(
        book,
        _("Performance records"),
        [
            _("Badge number"),
            _("Name"),
            _("Record"),
            _("Orders"),
            _("Service hours"),
            _("Callbacks"),
            _("Average rating"),
            _("Complaints"),
            _("Upheld"),
            _("Supervision visits"),
            _("Average supervision score"),
            _("Training hours"),
            _("Phone spot checks"),
            _("Monthly quality score"),
            _("Quality assessment"),
            _("Rewards"),
            _("Penalties"),
            _("Manager's comments"),
        ],
        (_record_row(r) for r in data["records"]["rows"]),
    )
    return workbook_bytes(book)
