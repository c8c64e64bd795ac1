"""Every spreadsheet the app hands out is saved here, with formula injection defused.

Text a user typed (a name, a reason, a badge number) that starts like a formula
would run in the spreadsheet program of whoever opens the export. The guard walks
every cell of every sheet at save time, so an export cannot forget a column.
"""

import io

from flask import make_response
from openpyxl import Workbook

# A cell that starts with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value):
    """Numbers stay numbers; text that could run as a formula is prefixed with '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def workbook_bytes(book: Workbook) -> bytes:
    """The .xlsx file of `book`, every text cell defused."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                guarded = defuse(cell.value)
                if guarded is not cell.value:
                    cell.value = guarded
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(data: bytes, name: str):
    """A spreadsheet download named `name`.xlsx."""
    response = make_response(data)
    response.headers["Content-Type"] = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
