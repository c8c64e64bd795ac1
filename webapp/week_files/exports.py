"""The week's customer files as a spreadsheet for finance, saved through core.spreadsheets."""

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from webapp.core.spreadsheets import workbook_bytes
from webapp.week_files.models import WeekFile


def _bold_row(sheet, row: int) -> None:
    for cell in sheet[row]:
        cell.font = Font(bold=True)


def week_xlsx(row: WeekFile, data: dict) -> bytes:
    """One row per customer, one per visit, with the content hash of the handed version."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Customers")
    sheet.append([data["branch"]["name"], data["week"]["start"], data["week"]["end"]])
    sheet.append([_("Content hash"), row.content_hash])
    sheet.append([])
    sheet.append(
        [
            _("Customer"),
            _("Home address"),
            _("New"),
            _("Visits"),
            _("Service hours"),
            _("Potential services"),
        ]
    )
    _bold_row(sheet, 4)
    for c in data["customers"]:
        sheet.append(
            [
                c["name"],
                c["address"],
                _("Yes") if c["new"] else "",
                len(c["visits"]),
                float(c["hours"]),
                c["file"]["potential_services"],
            ]
        )
    visits = book.create_sheet(_("Visits"))
    visits.append([_("Customer"), _("Start"), _("Worker"), _("Service hours"), _("Work done")])
    _bold_row(visits, 1)
    for c in data["customers"]:
        for v in c["visits"]:
            visits.append([c["name"], v["start"], v["worker"], float(v["hours"]), v["work_done"]])
    return workbook_bytes(book)
