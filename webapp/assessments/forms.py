from decimal import Decimal

from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.assessments.models import FLOOR_LABELS, OUTCOME_LABELS, WEEKDAY_LABELS, Outcome
from webapp.assessments.proposal import MAX_ROOMS
from webapp.catalogue.models import ROOM_KIND_LABELS
from webapp.core.forms import (
    NOTE_MAX,
    REQUIRED,
    BaseForm,
    CheckboxesField,
    CnPhone,
    F,
    Finite,
    QuickSelect,
    SubForm,
    YuanField,
    optional,
    options,
    parse_int,
    required,
)
from webapp.core.i18n import lazy_gettext as _l
from webapp.customers.forms import MAX_AREA

# Rooms shown on a new assessment; the tablet may add more, up to MAX_ROOMS.
BLANK_ROOMS = 3


class RoomForm(SubForm):
    kind = SelectField(
        _l("Room"),
        choices=options([("", "—"), *ROOM_KIND_LABELS.items()]),
    )
    area = DecimalField(
        _l("Area (m²)"),
        places=1,
        validators=[Optional(), Finite()],
        render_kw={"inputmode": "decimal"},
    )
    floor = SelectField(_l("Floor"), choices=options([("", "—"), *FLOOR_LABELS.items()]))
    surfaces = StringField(
        _l("Surfaces (glass, marble, lacquer…)"), validators=optional(200), filters=F
    )
    special = StringField(
        _l("Valuables and crafts in this room"), validators=optional(500), filters=F
    )

    @property
    def is_blank(self) -> bool:
        typed_area = bool(self.area.raw_data and self.area.raw_data[0].strip())
        return not (
            typed_area
            or self.kind.data
            or self.floor.data
            or self.surfaces.data
            or self.special.data
        )


class AssessmentForm(BaseForm):
    home_area = DecimalField(
        _l("Home area (m²)"),
        places=1,
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(min=Decimal("1"), max=MAX_AREA, message=_l("Between 1 and 2000 m².")),
        ],
        render_kw={"inputmode": "decimal"},
    )
    # One extra entry is read so that too many rooms are refused, not dropped unseen.
    room = FieldList(FormField(RoomForm), min_entries=BLANK_ROOMS, max_entries=MAX_ROOMS + 1)
    items = CheckboxesField(_l("Service items"), coerce=int)
    wishes = TextAreaField(_l("The customer's wishes"), validators=optional(NOTE_MAX), filters=F)
    pets = StringField(_l("Pets"), validators=optional(200), filters=F)
    allergies = StringField(_l("Allergies"), validators=optional(200), filters=F)
    access_notes = TextAreaField(
        _l("Access notes (keys, door codes, parking)"), validators=optional(NOTE_MAX), filters=F
    )
    potential_services = TextAreaField(
        _l("Potential services"), validators=optional(NOTE_MAX), filters=F
    )
    price = YuanField(_l("Agreed price (CNY)"), allow_zero=True)
    price_reason = StringField(
        _l("Reason for changing the proposed price"), validators=optional(500), filters=F
    )
    quoted = HiddenField()
    outcome = RadioField(
        _l("The customer accepts"),
        choices=options(OUTCOME_LABELS.items()),
        default=Outcome.ORDER.value,
    )
    service_date = DateField(
        _l("Date (for a plan: from this date)"), validators=[DataRequired(message=REQUIRED)]
    )
    window_start = TimeField(_l("Starts at"), validators=[DataRequired(message=REQUIRED)])
    hours = DecimalField(
        _l("Hours per visit"),
        places=1,
        validators=[Optional(), Finite()],
        description=_l("Empty: the proposed hours."),
        render_kw={"inputmode": "decimal"},
    )
    weekday = SelectField(
        _l("Every"),
        choices=options([("", "—"), *((str(n), label) for n, label in enumerate(WEEKDAY_LABELS))]),
    )
    worker_id = SelectField(_l("Worker"), coerce=int, widget=QuickSelect())
    signature = HiddenField()

    @property
    def price_fen(self) -> int | None:
        """The manager's price in fen, None when left empty (the proposal stands)."""
        return self.price.fen if self.price.data else None

    @property
    def quoted_fen(self) -> int | None:
        return parse_int(self.quoted.data)

    @property
    def weekday_value(self) -> int | None:
        value = self.weekday.data or ""
        return int(value) if value in {"0", "1", "2", "3", "4", "5", "6"} else None


class NewCustomerAssessmentForm(AssessmentForm):
    """An assessment at the home of someone who is not a customer yet: the file is
    opened with it, in the same submit, so it works without network too."""

    customer_name = StringField(_l("Name"), validators=required(50), filters=F)
    customer_phone = StringField(
        _l("Phone"),
        validators=[DataRequired(message=REQUIRED), Length(max=30), CnPhone()],
        filters=F,
    )
    customer_address = StringField(_l("Home address"), validators=required(200), filters=F)
