"""Spreadsheets for finance (openpyxl), saved through core.spreadsheets (formulas defused)."""

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from webapp.billing.models import PAYMENT_METHODS
from webapp.core.spreadsheets import workbook_bytes


def settlement_xlsx(branch, figures) -> bytes:
    """The day's receipts, totals by payment method, voids and open items."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Receipts")
    sheet.append([branch.name, str(figures.day)])
    sheet.append([])
    header = [_("No."), _("Customer"), _("Paid by"), _("Amount (CNY)"), _("Received by"), _("Void")]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for receipt in figures.receipts:
        sheet.append(
            [
                receipt.code,
                receipt.bill.order.customer.name,
                str(PAYMENT_METHODS[receipt.method]),
                receipt.amount_fen / 100,
                receipt.received_by,
                receipt.void_reason if receipt.voided_at else "",
            ]
        )
    totals = book.create_sheet(_("Totals"))
    totals.append([_("Paid by"), _("Receipts"), _("Amount (CNY)")])
    for method, row in figures.by_method.items():
        totals.append([str(PAYMENT_METHODS[method]), row["count"], row["total_fen"] / 100])
    totals.append([_("Total"), "", figures.total_fen / 100])
    for number_cell in (*sheet["D"][3:], *totals["C"][1:]):
        number_cell.number_format = "#,##0.00"
    return workbook_bytes(book)


def slip_xlsx(slip) -> bytes:
    """A worker's settlement slip: one row per order, deductions, the total."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Settlement slip")
    sheet.append(
        [slip.worker.name, slip.worker.badge_no, str(slip.period_start), str(slip.period_end)]
    )
    sheet.append([])
    sheet.append([_("Date"), _("Customer"), _("Service hours"), _("Amount (CNY)"), _("Pay (CNY)")])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for line in slip.lines:
        sheet.append(
            [
                line["day"],
                line["customer"],
                float(line["hours"]),
                line["billed_fen"] / 100,
                line["pay_fen"] / 100,
            ]
        )
    for deduction in slip.deductions:
        sheet.append([_("Deduction"), deduction["reason"], "", "", -deduction["amount_fen"] / 100])
    sheet.append([_("Total"), "", float(slip.hours), slip.billed_fen / 100, slip.total_fen / 100])
    return workbook_bytes(book)
