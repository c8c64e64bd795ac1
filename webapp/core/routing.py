"""URL converters and arguments: an id the database cannot hold, or a month that is not
one, is a page that does not exist."""

from datetime import date, datetime

from flask import abort, request
from werkzeug.routing import IntegerConverter, ValidationError

from webapp.core.clock import local_today

# PostgreSQL's integer; SQLite's is wider, but ids never outgrow the smaller one.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` answering 404 for ids beyond the integer column's range."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        # int() refuses more than 4300 digits with a ValueError, which would be a 500.
        if len(value) > len(str(MAX_ID)):
            raise ValidationError()
        return super().to_python(value)


def month_arg(window, default: date | None = None) -> date:
    """The first of the month of `?month=YYYY-MM` (of `default`, or this month, without it).
    Anything else, or a month outside the `window` (a `core.forms.DateWindow`), is 404."""
    text = request.args.get("month", "")
    if not text:
        return (default or local_today()).replace(day=1)
    try:
        month = datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        abort(404)
    if not window.contains(month):
        abort(404)
    return month


def init_app(app) -> None:
    """Before any blueprint is registered: rules bind their converter when added."""
    app.url_map.converters["int"] = IdConverter
