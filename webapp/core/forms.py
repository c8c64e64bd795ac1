"""Form pieces shared by every area."""

from datetime import date, datetime
from decimal import Decimal
from functools import cache

from babel import support
from flask import abort
from flask_babel import get_locale
from flask_wtf import FlaskForm  # noqa: TID251 (the one subclass)
from markupsafe import escape
from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    Form,  # noqa: TID251 (the one subclass)
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,  # noqa: TID251 (the one subclass)
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select

from webapp.core.clock import local_today
from webapp.core.errors import FieldError, attach
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.money import MoneyError, parse_yuan
from webapp.core.phones import PhoneError, normalize_cn_phone
from webapp.core.routing import MAX_ID
from webapp.extensions import db

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


MONEY_MESSAGES = {
    "empty": REQUIRED,
    "format": _l("Write an amount in yuan, e.g. 120 or 85.50."),
    "decimals": _l("At most two decimals (fen)."),
    "zero": _l("The amount must be more than 0."),
    "negative": _l("The amount cannot be negative."),
    "too_large": _l("The amount is too large."),
}


class QuickSelect(Select):
    """A select of many plain options (a big branch's workers), each option one
    f-string: WTForms builds every option's attributes through html_params, which took
    a page of 400 workers 80 ms."""

    @classmethod
    def render_option(cls, choice, **kwargs) -> str:
        selected = " selected" if choice.selected else ""
        label = choice.value if choice.label is None else choice.label
        return f'<option value="{escape(str(choice.value))}"{selected}>{escape(label)}</option>'


class YuanField(StringField):
    """An amount typed in yuan; `.fen` holds it in fen once validated."""

    def __init__(self, *args, allow_zero: bool = False, **kwargs):
        super().__init__(*args, filters=F, **kwargs)
        self.allow_zero = allow_zero
        self.fen = 0

    def pre_validate(self, form):
        if not self.data and self.allow_zero:
            self.fen = 0
            return
        try:
            self.fen = parse_yuan(self.data or "", allow_zero=self.allow_zero)
        except MoneyError as exc:
            raise ValidationError(MONEY_MESSAGES[exc.reason]) from exc


# WTForms' own message, which WTForms' catalogues translate (not the app's).
WTFORMS_NOT_A_CHOICE = "Not a valid choice."


class MultipleChoiceField(SelectMultipleField):
    """A multiple choice that refuses a value it did not offer in the user's language.

    WTForms' Chinese catalogue has no translation of its own message for it ("'99' is not
    a valid choice for this field.", marked fuzzy upstream), so the field says WTForms'
    "Not a valid choice." instead, which that catalogue translates.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_choice_message", self._not_a_choice)
        super().__init__(*args, **kwargs)

    def _not_a_choice(self, count: int) -> str:
        return self.gettext(WTFORMS_NOT_A_CHOICE)


class CheckboxesField(MultipleChoiceField):
    """A multiple choice shown as a list of checkboxes (touch-friendly, no Ctrl-click)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# -- bounds every form keeps (issue 10 §4) -------------------------------------

NUMBER_DIGITS_MAX = 12


class DateWindow:
    """A date within a window that fits the field: `earliest` (a fixed date) or so many
    years back, and so many years ahead of today. Every date field has one; a field
    without its own gets DEFAULT_WINDOW (see BaseForm)."""

    def __init__(self, years_back: int = 5, years_ahead: int = 2, earliest: date | None = None):
        self.years_back, self.years_ahead, self.earliest = years_back, years_ahead, earliest

    def bounds(self, today: date | None = None) -> tuple[date, date]:
        today = today or local_today()
        start = self.earliest or _years_from(today, -self.years_back)
        return start, _years_from(today, self.years_ahead)

    def message(self, value: date):
        start, end = self.bounds()
        if self.years_ahead == 0 and _day(value) > end:
            return _l("This date is in the future.")
        return _l(
            "Give a date between %(start)s and %(end)s.",
            start=start.isoformat(),
            end=end.isoformat(),
        )

    def contains(self, value: date) -> bool:
        start, end = self.bounds()
        return start <= _day(value) <= end

    def __call__(self, form, field):
        if field.data and not self.contains(field.data):
            raise StopValidation(self.message(field.data))


class NotInFuture(DateWindow):
    def __init__(self, years_back: int = 5, earliest: date | None = None):
        super().__init__(years_back, 0, earliest)


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


DEFAULT_WINDOW = DateWindow()
# A birth date or the day someone started work: a person's lifetime, not a service's.
LIFETIME = NotInFuture(earliest=date(1940, 1, 1))


def parse_int(text, maximum: int = MAX_ID) -> int | None:
    """A whole number from 0 to `maximum` typed in ASCII digits, else None.

    `"²".isdigit()` is True and int() raises on more than 4300 digits, so neither test
    nor conversion alone is safe for what a client sent.
    """
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None


def saved(form, save) -> bool:
    """Run `save(form)` for a valid posted form and commit; False with the errors, a
    service's FieldError among them, shown on the form."""
    if not form.validate():
        return False
    try:
        save(form)
    except FieldError as error:
        attach(form, error)
        return False
    db.session.commit()
    return True


def _leaves(fields):
    for field in fields:
        if isinstance(field, FieldList):
            yield from _leaves(field.entries)
        elif isinstance(field, FormField):
            yield from _leaves(field.form)
        else:
            yield field


def _refusal(field):
    """Why a field's value cannot even reach its own validators, or None."""
    if isinstance(field.data, str) and "\x00" in field.data:
        # PostgreSQL refuses NUL in text; the page shows what was typed, as browsers would.
        field.data = field.data.replace("\x00", "\ufffd")
        return _l("This text contains a NUL character; type it again.")
    if any("\x00" in value for value in field.raw_data or () if isinstance(value, str)):
        return _l("This text contains a NUL character; type it again.")
    data = field.data
    if isinstance(field, DecimalField) and isinstance(data, Decimal):
        if not data.is_finite():
            return _l("Write a number.")
        if data.adjusted() >= NUMBER_DIGITS_MAX:
            return _l("This number is too large.")
    if isinstance(field, IntegerField) and isinstance(data, int) and abs(data) > MAX_ID:
        return _l("This number is too large.")
    if isinstance(field, DateField | DateTimeLocalField) and data:
        window = next((v for v in field.validators if isinstance(v, DateWindow)), DEFAULT_WINDOW)
        if not window.contains(data):
            return window.message(data)
    return None


class _Refuse:
    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        raise StopValidation(self.message)


@cache
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsTranslations:
    """WTForms' own messages in the request's language, each catalogue parsed once per
    process: Flask-WTF parses the .mo file again in every request that builds a form."""

    def gettext(self, string):
        locale = get_locale()
        return string if locale is None else _wtforms_catalogue(str(locale)).ugettext(string)

    def ngettext(self, singular, plural, n):
        locale = get_locale()
        if locale is None:
            return singular if n == 1 else plural
        return _wtforms_catalogue(str(locale)).ungettext(singular, plural, n)


_TRANSLATIONS = _WTFormsTranslations()


class _Bounds:
    """NUL in text, numbers that are not numbers or too large, and dates outside the
    field's window are refused next to the field, before the field's own validators see
    them (NumberRange would raise on "sNaN"); WTForms' messages in the user's language."""

    class Meta:
        def get_translations(self, form):
            return _TRANSLATIONS

    def validate(self, extra_validators=None):
        for field in _leaves(self):
            message = _refusal(field)
            if message is not None:
                field.validators = (_Refuse(message),)
        return super().validate(extra_validators)


class BaseForm(_Bounds, FlaskForm):
    """Every form of the app (see `_Bounds`), with its CSRF token."""


class SubForm(_Bounds, Form):
    """A form without a CSRF token of its own: the rows of a FormField or FieldList inside
    a BaseForm, or a form posted where CSRFProtect checks the request. WTForms builds a
    subform with its own Meta, so without this its messages would be English."""


class QueryForm(BaseForm):
    """A form read from the query string (filters, a day): a value it refuses is 404."""

    class Meta:
        csrf = False

    def validate_or_404(self) -> None:
        if not self.validate():
            abort(404)


class VersionedForm(BaseForm):
    """A form that changes a versioned record (an order) carries the version it was shown
    with: without one, or with one that is not a number, it is refused, never applied
    unchecked."""

    version = HiddenField()

    def validate_version(self, field):
        if self.version_value is None:
            raise ValidationError(_l("This form is incomplete. Reload the page and try again."))

    @property
    def version_value(self) -> int | None:
        """The version the client sent: a form built with `version=order.version` would
        otherwise read today's version when the field is missing from the post."""
        posted = self.version.raw_data or ()
        return parse_int(posted[0]) if posted else None


class DayForm(QueryForm):
    """The day a page shows, from `?day=`."""

    day = DateField(_l("Day"), validators=[Optional()])


class SearchForm(QueryForm):
    q = StringField(_l("Search"), validators=optional(50), filters=F)
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
