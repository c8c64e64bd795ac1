from wtforms import BooleanField, DateField, HiddenField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from webapp.callbacks.models import SATISFACTION_LABELS
from webapp.core.forms import (
    NOTE_MAX,
    REQUIRED,
    BaseForm,
    F,
    QueryForm,
    YuanField,
    optional,
    options,
    required,
)
from webapp.core.i18n import lazy_gettext as _l

RATING_CHOICES = options((n, str(n)) for n in range(1, 6))


def _rating(label) -> RadioField:
    return RadioField(
        label,
        choices=RATING_CHOICES,
        coerce=int,
        validators=[InputRequired(message=REQUIRED)],
        description=_l("1 bad … 5 very good"),
    )


class CallbackForm(BaseForm):
    punctuality = _rating(_l("Punctuality"))
    attitude = _rating(_l("Attitude"))
    quality = _rating(_l("Quality of the work"))
    satisfaction = RadioField(
        _l("Overall satisfaction"),
        choices=options(SATISFACTION_LABELS.items()),
        validators=[InputRequired(message=REQUIRED)],
    )
    customer_said = TextAreaField(
        _l("What the customer said"), validators=optional(NOTE_MAX), filters=F
    )
    follow_up = BooleanField(_l("Follow-up needed"))
    claimed = YuanField(_l("Amount the customer claims (CNY), if any"), allow_zero=True)


class NoteForm(BaseForm):
    text = TextAreaField(
        _l("What the worker must mind next time"), validators=required(500), filters=F
    )


class WeekForm(QueryForm):
    """The week a page shows, from `?week=` (any day of it)."""

    week = DateField(_l("Week"), validators=[Optional()])


class HandOverForm(BaseForm):
    week = DateField(_l("Week"), validators=[DataRequired(message=REQUIRED)])


class AcknowledgeForm(BaseForm):
    content_hash = HiddenField(validators=[DataRequired(message=REQUIRED)])
