from wtforms import DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Optional, ValidationError

from webapp.availability.models import KIND_LABELS
from webapp.core.forms import (
    NOTE_MAX,
    REQUIRED,
    BaseForm,
    F,
    QueryForm,
    optional,
    options,
    required,
)
from webapp.core.i18n import lazy_gettext as _l

APPROVE, REFUSE = "approve", "refuse"


def _day(label):
    return DateField(label, validators=[DataRequired(message=REQUIRED)])


class RequestForm(BaseForm):
    """What a worker asks for at the shared tablet."""

    kind = SelectField(
        _l("Kind"),
        choices=options(KIND_LABELS.items()),
        validators=[DataRequired(message=REQUIRED)],
    )
    first_day = _day(_l("First day"))
    last_day = _day(_l("Last day"))
    reason = StringField(_l("Reason"), validators=optional(NOTE_MAX), filters=F)


class AbsenceForm(RequestForm):
    """An absence a manager enters for a worker, found by typing."""

    worker_q = StringField(
        _l("Find the worker: name, badge number or mobile"), validators=optional(50), filters=F
    )
    worker = RadioField(_l("Worker"), coerce=int, validate_choice=False)

    def validate_worker(self, field) -> None:
        if field.data is None:
            raise ValidationError(_l("Choose the worker."))


class WorkerSearchForm(QueryForm):
    """The absence form's worker picker, as its active search sends it."""

    worker_q = StringField(validators=optional(50), filters=F)
    worker = IntegerField(validators=[Optional()])


class DecisionForm(BaseForm):
    decision = SelectField(
        _l("Decision"),
        choices=options([(APPROVE, _l("Approve")), (REFUSE, _l("Refuse"))]),
        validators=[DataRequired(message=REQUIRED)],
    )
    note = StringField(_l("Note"), validators=optional(NOTE_MAX), filters=F)


class ClosedDayForm(BaseForm):
    day = _day(_l("Date"))
    name = StringField(_l("Name"), validators=required(50), filters=F)
