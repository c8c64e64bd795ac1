from wtforms import HiddenField, TextAreaField
from wtforms.fields import MonthField
from wtforms.validators import DataRequired, Optional

from webapp.core.forms import NOTE_MAX, REQUIRED, BaseForm, F, NotInFuture, QueryForm, required
from webapp.core.i18n import lazy_gettext as _l


class MonthQuery(QueryForm):
    """The month a page shows, from `?month=YYYY-MM`; last month without it."""

    month = MonthField(_l("Month"), validators=[Optional(), NotInFuture(years_back=5)])


def _month_field():
    return MonthField(
        _l("Month"), validators=[DataRequired(message=REQUIRED), NotInFuture(years_back=5)]
    )


class CommentsForm(BaseForm):
    """The manager's comments on a worker's month (R21)."""

    month = _month_field()
    comments = TextAreaField(_l("Manager's comments"), validators=required(NOTE_MAX), filters=F)


class SubmitForm(BaseForm):
    """The month whose report the manager submits to the administration department (R22)."""

    month = _month_field()


class AcknowledgeRecordForm(BaseForm):
    """At the shared tablet: the record read, what it said, and the tablet's pass."""

    record = HiddenField()
    seen = HiddenField()
    kiosk_pass = HiddenField()
