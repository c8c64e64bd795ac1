"""Spreadsheets for finance (openpyxl). Text that a spreadsheet would run is defused."""

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from webapp.billing.models import PAYMENT_METHODS

# A cell that starts with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """Numbers stay numbers; text that could run as a formula is prefixed with '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def settlement_xlsx(branch, figures) -> bytes:
    """The day's receipts, totals by payment method, voids and open items."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Receipts")
    sheet.append([safe(branch.name), str(figures.day)])
    sheet.append([])
    header = [_("No."), _("Customer"), _("Paid by"), _("Amount (CNY)"), _("Received by"), _("Void")]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for receipt in figures.receipts:
        sheet.append(
            [
                receipt.code,
                safe(receipt.bill.order.customer.name),
                str(PAYMENT_METHODS[receipt.method]),
                receipt.amount_fen / 100,
                safe(receipt.received_by),
                safe(receipt.void_reason) if receipt.voided_at else "",
            ]
        )
    totals = book.create_sheet(_("Totals"))
    totals.append([_("Paid by"), _("Receipts"), _("Amount (CNY)")])
    for method, row in figures.by_method.items():
        totals.append([str(PAYMENT_METHODS[method]), row["count"], row["total_fen"] / 100])
    totals.append([_("Total"), "", figures.total_fen / 100])
    for number_cell in (*sheet["D"][3:], *totals["C"][1:]):
        number_cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def slip_xlsx(slip) -> bytes:
    """A worker's settlement slip: one row per order, deductions, the total."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Settlement slip")
    sheet.append(
        [safe(slip.worker.name), slip.worker.badge_no, str(slip.period_start), str(slip.period_end)]
    )
    sheet.append([])
    sheet.append([_("Date"), _("Customer"), _("Service hours"), _("Amount (CNY)"), _("Pay (CNY)")])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for line in slip.lines:
        sheet.append(
            [
                line["day"],
                safe(line["customer"]),
                float(line["hours"]),
                line["billed_fen"] / 100,
                line["pay_fen"] / 100,
            ]
        )
    for deduction in slip.deductions:
        sheet.append(
            [_("Deduction"), safe(deduction["reason"]), "", "", -deduction["amount_fen"] / 100]
        )
    sheet.append([_("Total"), "", float(slip.hours), slip.billed_fen / 100, slip.total_fen / 100])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
