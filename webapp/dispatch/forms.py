from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from webapp.core.forms import (
    NOTE_MAX,
    REQUIRED,
    BaseForm,
    F,
    MultipleChoiceField,
    QueryForm,
    VersionedForm,
    optional,
    required,
)
from webapp.core.i18n import lazy_gettext as _l


class InstructionForm(BaseForm):
    customer_q = StringField(
        _l("Find the customer: name, phone or address"), validators=optional(50), filters=F
    )
    customer_id = RadioField(_l("Customer"), coerce=int, validate_choice=False)
    items = MultipleChoiceField(
        _l("Service items"), coerce=int, validators=[DataRequired(message=REQUIRED)]
    )
    service_date = DateField(_l("Date"), validators=[DataRequired(message=REQUIRED)])
    window_start = TimeField(_l("From"), validators=[DataRequired(message=REQUIRED)])
    window_end = TimeField(_l("To"), validators=[DataRequired(message=REQUIRED)])
    est_hours = DecimalField(
        _l("Estimated hours"), places=1, validators=[InputRequired(message=REQUIRED)]
    )
    notes = TextAreaField(_l("Notes"), validators=optional(NOTE_MAX), filters=F)


class CustomerSearchForm(QueryForm):
    customer_q = StringField(validators=optional(50), filters=F)
    customer_id = IntegerField(validators=[Optional()])


class DeclineForm(BaseForm):
    reason = StringField(_l("Why the branch declines it"), validators=required(500), filters=F)


class InstructionCancelForm(BaseForm):
    reason = StringField(_l("Why it is cancelled"), validators=required(500), filters=F)


class AssignForm(BaseForm):
    worker_id = RadioField(_l("Worker"), coerce=int, validate_choice=False)
    confirm_overlap = BooleanField(_l("Assign anyway"))


class WorkerSearchForm(QueryForm):
    """What was typed in the assignment's picker, from the query string."""

    q = StringField(
        _l("Find a worker: name, badge number or mobile"), validators=optional(50), filters=F
    )


class HandoverForm(VersionedForm):
    notes = TextAreaField(
        _l("Tasks and notes for the worker (注意事项)"), validators=optional(NOTE_MAX), filters=F
    )


class CancelForm(VersionedForm):
    reason = StringField(_l("Reason"), validators=required(500), filters=F)


class LatenessForm(BaseForm):
    occurred_at = DateTimeLocalField(
        _l("When the customer complained"), validators=[DataRequired(message=REQUIRED)]
    )
    text = TextAreaField(_l("What the customer said"), validators=required(NOTE_MAX), filters=F)
