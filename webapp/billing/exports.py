"""Spreadsheets for finance (openpyxl), saved through core.spreadsheets (formulas defused)."""

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from webapp.billing.models import PAYMENT_METHODS
from webapp.core.money import yuan_number
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
                yuan_number(receipt.amount_fen),
                receipt.received_by,
                receipt.void_reason if receipt.voided_at else "",
            ]
        )
    totals = book.create_sheet(_("Totals"))
    totals.append([_("Paid by"), _("Receipts"), _("Amount (CNY)")])
    for method, row in figures.by_method.items():
        totals.append([str(PAYMENT_METHODS[method]), row["count"], yuan_number(row["total_fen"])])
    totals.append([_("Total"), "", yuan_number(figures.total_fen)])
    for number_cell in (*sheet["D"][3:], *totals["C"][1:]):
        number_cell.number_format = "#,##0.00"
    return workbook_bytes(book)


def slip_xlsx(slip) -> bytes:
    """A worker's settlement slip: one row per order, rewards, deductions, the total."""
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
                yuan_number(line["billed_fen"]),
                yuan_number(line["pay_fen"]),
            ]
        )
    for reward in slip.rewards or []:
        sheet.append([_("Reward"), reward["reason"], "", "", yuan_number(reward["amount_fen"])])
    for deduction in slip.deductions:
        sheet.append(
            [_("Deduction"), deduction["reason"], "", "", yuan_number(-deduction["amount_fen"])]
        )
    sheet.append(
        [
            _("Total"),
            "",
            float(slip.hours),
            yuan_number(slip.billed_fen),
            yuan_number(slip.total_fen),
        ]
    )
    return workbook_bytes(book)
