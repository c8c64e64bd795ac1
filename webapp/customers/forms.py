from decimal import Decimal

from wtforms import DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.core.forms import NOTE_MAX, REQUIRED, BaseForm, CnPhone, F, optional, required
from webapp.core.i18n import lazy_gettext as _l

MAX_AREA = Decimal("2000")


class CustomerForm(BaseForm):
    branch_id = SelectField(_l("Branch"), coerce=int)
    name = StringField(_l("Name"), validators=required(50), filters=F)
    phone = StringField(
        _l("Phone"),
        validators=[DataRequired(message=REQUIRED), Length(max=30), CnPhone()],
        filters=F,
    )
    phone2 = StringField(
        _l("Second phone"), validators=[Optional(), Length(max=30), CnPhone()], filters=F
    )
    address = StringField(_l("Home address"), validators=required(200), filters=F)
    home_area = DecimalField(
        _l("Home area (m²)"),
        places=1,
        validators=[
            Optional(),
            NumberRange(
                min=Decimal("1"),
                max=MAX_AREA,
                message=_l("Between 1 and 2000 m²."),
            ),
        ],
    )
    temperament = TextAreaField(_l("Temperament (脾性)"), validators=optional(NOTE_MAX), filters=F)
    service_items = TextAreaField(_l("Service items"), validators=optional(NOTE_MAX), filters=F)
    service_needs = TextAreaField(_l("Service needs"), validators=optional(NOTE_MAX), filters=F)
    preferred_times = TextAreaField(
        _l("Preferred service times"), validators=optional(NOTE_MAX), filters=F
    )
    potential_services = TextAreaField(
        _l("Potential services"), validators=optional(NOTE_MAX), filters=F
    )
    valuables = TextAreaField(
        _l("Valuables and fragile items (crafts, antiques…)"),
        validators=optional(NOTE_MAX),
        filters=F,
    )
    access_notes = TextAreaField(
        _l("Access notes (keys, pets, parking)"), validators=optional(NOTE_MAX), filters=F
    )
