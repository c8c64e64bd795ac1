"""Form pieces shared by every area."""

from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.core.clock import local_today
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.phones import PhoneError, normalize_cn_phone

NOTE_MAX = 2000
REQUIRED = _l("Required.")


def required(max_len: int):
    return [DataRequired(message=REQUIRED), Length(max=max_len)]


def optional(max_len: int):
    return [Optional(), Length(max=max_len)]


class CnPhone:
    """A valid Chinese phone number of the given kind; the field keeps what was typed."""

    MESSAGES = {
        "mobile": _l("Not a Chinese mobile number (11 digits, e.g. 138 1234 5678)."),
        "landline": _l("Not a Chinese landline number (area code and number, e.g. 0574-87654321)."),
        "any": _l("Not a Chinese phone number."),
    }

    def __init__(self, kind: str = "any"):
        self.kind = kind

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.normalized = normalize_cn_phone(field.data, kind=self.kind)
        except PhoneError as exc:
            raise ValidationError(self.MESSAGES[self.kind]) from exc


def phone_value(field) -> str:
    """The normalised digits of a validated phone field ("" when empty)."""
    return getattr(field, "normalized", "") if field.data else ""


class NotInFuture:
    def __call__(self, form, field):
        if field.data and field.data > local_today():
            raise ValidationError(_l("This date is in the future."))


class Finite:
    """A decimal that is a number: Decimal also parses "NaN" and "Infinity"."""

    def __call__(self, form, field):
        if field.data is not None and not field.data.is_finite():
            raise ValidationError(_l("Write a number."))


def strip(value):
    return value.strip() if isinstance(value, str) else value


# The filters of a text field: what was typed, without the spaces around it.
F = (strip,)


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (touch-friendly, no Ctrl-click)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
