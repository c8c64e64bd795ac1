"""URL converters: an id the database cannot hold is a page that does not exist."""

from werkzeug.routing import IntegerConverter, ValidationError

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


def init_app(app) -> None:
    """Before any blueprint is registered: rules bind their converter when added."""
    app.url_map.converters["int"] = IdConverter
