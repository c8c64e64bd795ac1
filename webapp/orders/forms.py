from decimal import Decimal

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from webapp.core.forms import (
    NOTE_MAX,
    REQUIRED,
    BaseForm,
    CheckboxesField,
    F,
    Finite,
    QueryForm,
    optional,
    options,
    parse_int,
    required,
)
from webapp.core.i18n import lazy_gettext as _l
from webapp.orders.models import ROOM_KIND_LABELS, UNIT_LABELS


class ServiceItemForm(BaseForm):
    name = StringField(_l("Service item"), validators=required(50), filters=F)
    unit = SelectField(_l("Priced"), choices=options(UNIT_LABELS.items()))
    price = DecimalField(
        _l("Price (CNY)"),
        places=2,
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(min=Decimal("0.01"), max=Decimal("100000"), message=_l("0.01 to 100000.")),
        ],
    )


class ItemRulesForm(BaseForm):
    """A catalogue item's assessment rules (R3), one form per item on the catalogue page."""

    room_kinds = CheckboxesField(
        _l("For these rooms"), choices=options(ROOM_KIND_LABELS.items()), validate_choice=False
    )
    minutes_per_m2 = DecimalField(
        _l("Minutes of work per m²"),
        places=2,
        validators=[InputRequired(message=REQUIRED), Finite()],
    )
    min_minutes = IntegerField(
        _l("Minimum minutes per visit"), validators=[InputRequired(message=REQUIRED)]
    )


class MaterialForm(BaseForm):
    name = StringField(_l("Material or tool"), validators=required(50), filters=F)
    unit = StringField(_l("Unit (瓶, 块, 把…)"), validators=required(10), filters=F)
    is_tool = BooleanField(_l("A tool (comes back after the service)"))


class InstructionForm(BaseForm):
    customer_id = SelectField(_l("Customer"), coerce=int)
    items = SelectMultipleField(
        _l("Service items"), coerce=int, validators=[DataRequired(message=REQUIRED)]
    )
    service_date = DateField(_l("Date"), validators=[DataRequired(message=REQUIRED)])
    window_start = TimeField(_l("From"), validators=[DataRequired(message=REQUIRED)])
    window_end = TimeField(_l("To"), validators=[DataRequired(message=REQUIRED)])
    est_hours = DecimalField(
        _l("Estimated hours"), places=1, validators=[InputRequired(message=REQUIRED)]
    )
    notes = TextAreaField(_l("Notes"), validators=optional(NOTE_MAX), filters=F)


class AssignForm(BaseForm):
    worker_id = SelectField(_l("Worker"), coerce=int)
    confirm_overlap = BooleanField(_l("Assign anyway"))


class VersionedForm(BaseForm):
    """A form that changes an order carries the version it was shown with: without one, or
    with one that is not a number, it is refused, never applied unchecked."""

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


class CheckoutForm(VersionedForm):
    service_list_checked = BooleanField()
    tools_complete = BooleanField()
    safety_reminded = BooleanField()
    valuables_care = BooleanField()
    appearance_checked = BooleanField()
    bicycle_checked = BooleanField()
    signature = HiddenField()


class CheckinForm(VersionedForm):
    actual_start = TimeField(_l("Started at"), validators=[DataRequired(message=REQUIRED)])
    actual_end = TimeField(_l("Finished at"), validators=[DataRequired(message=REQUIRED)])
    work_done = TextAreaField(_l("What was done"), validators=required(NOTE_MAX), filters=F)
    customer_remarks = TextAreaField(
        _l("The customer's remarks"), validators=optional(NOTE_MAX), filters=F
    )
    problems = TextAreaField(_l("Problems found"), validators=optional(NOTE_MAX), filters=F)
    potential_services = TextAreaField(
        _l("Potential services noticed"), validators=optional(NOTE_MAX), filters=F
    )
    note_for_worker = TextAreaField(
        _l("For the worker to mind next time"), validators=optional(NOTE_MAX), filters=F
    )
    note_for_customer = TextAreaField(
        _l("For whoever serves this customer next"), validators=optional(NOTE_MAX), filters=F
    )


class ConsentForm(VersionedForm):
    planned_end = TimeField(_l("Planned end"), validators=[DataRequired(message=REQUIRED)])
    signature = HiddenField()


class PinForm(BaseForm):
    # A password field: a wrong PIN is never sent back into the page.
    pin = PasswordField(
        _l("PIN"),
        validators=[InputRequired(message=REQUIRED), Length(max=12)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class EnrollForm(BaseForm):
    name = StringField(_l("Name of this tablet"), validators=required(50), filters=F)


class BoardDayForm(QueryForm):
    day = DateField(_l("Day"), validators=[Optional()])
