from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, Optional

from webapp.core.forms import REQUIRED, BaseForm, F, NotInFuture, required
from webapp.core.i18n import lazy_gettext as _l

SUMMARY_MAX = 1000


class WeekForm(BaseForm):
    """The week a page shows, from `?week=` (any day of it); a bad one is said next to it."""

    class Meta:
        csrf = False

    week = DateField(_l("Week"), validators=[Optional(), NotInFuture(years_back=5)])


class CollateForm(BaseForm):
    week = DateField(
        _l("Week"), validators=[DataRequired(message=REQUIRED), NotInFuture(years_back=5)]
    )
    summary = TextAreaField(_l("Summary of the week"), validators=required(SUMMARY_MAX), filters=F)
