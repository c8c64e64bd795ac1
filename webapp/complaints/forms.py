from wtforms import (
    DateTimeLocalField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange

from webapp.complaints.models import CATEGORIES, CHANNELS, COMPENSATIONS, OUTCOMES, STEP_KINDS
from webapp.complaints.procedure import MAX_DUE_HOURS, NAME_MAX
from webapp.core.forms import (
    NOTE_MAX,
    REQUIRED,
    BaseForm,
    F,
    NotInFuture,
    VersionedForm,
    YuanField,
    optional,
    options,
    required,
)
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.routing import MAX_ID


class ComplaintForm(BaseForm):
    order = IntegerField(
        _l("Order number"),
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(min=1, max=MAX_ID, message=_l("No such order.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    occurred_at = DateTimeLocalField(
        _l("Received at"), validators=[DataRequired(message=REQUIRED), NotInFuture(years_back=1)]
    )
    channel = SelectField(_l("How it came in"), choices=options(CHANNELS.items()))
    category = SelectField(_l("What it is about"), choices=options(CATEGORIES.items()))
    text = TextAreaField(_l("What the customer says"), validators=required(NOTE_MAX), filters=F)
    claimed = YuanField(_l("Amount claimed (CNY)"), allow_zero=True)


class StepForm(VersionedForm):
    notes = TextAreaField(_l("Notes"), validators=optional(NOTE_MAX), filters=F)


class DecisionForm(VersionedForm):
    outcome = RadioField(_l("Outcome"), choices=options(OUTCOMES.items()))
    awarded = YuanField(_l("Amount awarded (CNY)"), allow_zero=True)
    compensation = RadioField(
        _l("Who pays it"), choices=options(COMPENSATIONS.items()), validate_choice=False
    )
    reasons = TextAreaField(_l("Reasons"), validators=required(NOTE_MAX), filters=F)


class ProcedureStepForm(BaseForm):
    class Meta:
        csrf = False

    name = StringField(_l("Step"), validators=required(NAME_MAX), filters=F)
    due_hours = IntegerField(
        _l("Due within (hours after receipt)"),
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(
                min=0,
                max=MAX_DUE_HOURS,
                message=_l("Between 0 and %(n)s hours.", n=MAX_DUE_HOURS),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )


class ProcedureForm(BaseForm):
    steps = FieldList(
        FormField(ProcedureStepForm), min_entries=len(STEP_KINDS), max_entries=len(STEP_KINDS)
    )
