from wtforms import BooleanField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, ValidationError

from webapp.catalogue.models import ROOM_KIND_LABELS, UNIT_LABELS
from webapp.core.forms import (
    REQUIRED,
    BaseForm,
    CheckboxesField,
    F,
    Finite,
    YuanField,
    options,
    required,
)
from webapp.core.i18n import lazy_gettext as _l

MAX_PRICE_FEN = 100_000_00


def _at_most_max_price(form, field):
    """Read once the amount is parsed: the catalogue takes up to 100000 yuan an item."""
    if not field.errors and field.fen > MAX_PRICE_FEN:
        raise ValidationError(_l("0.01 to 100000."))


class ServiceItemForm(BaseForm):
    name = StringField(_l("Service item"), validators=required(50), filters=F)
    unit = SelectField(_l("Priced"), choices=options(UNIT_LABELS.items()))
    price = YuanField(_l("Price (CNY)"), validators=[_at_most_max_price])


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
    unit_cost = YuanField(_l("Unit cost (CNY)"), allow_zero=True)


class MaterialCostForm(BaseForm):
    """A material's unit cost, one form per material on the catalogue page (R1)."""

    unit_cost = YuanField(_l("Unit cost (CNY)"), allow_zero=True)
