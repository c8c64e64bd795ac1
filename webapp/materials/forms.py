from wtforms import DateField, DecimalField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired

from webapp.core.forms import NOTE_MAX, REQUIRED, BaseForm, F, Finite, NotInFuture, optional
from webapp.core.i18n import lazy_gettext as _l


def _material():
    # Filled with the company's materials; the service refuses any other id.
    return SelectField(
        _l("Material"), choices=[], validate_choice=False, validators=[DataRequired(REQUIRED)]
    )


def _quantity(label):
    return DecimalField(label, places=2, validators=[InputRequired(message=REQUIRED), Finite()])


class ReceiveForm(BaseForm):
    """Stock received by the branch (R1)."""

    material = _material()
    quantity = _quantity(_l("Quantity"))
    day = DateField(
        _l("Received on"), validators=[DataRequired(message=REQUIRED), NotInFuture(years_back=1)]
    )
    note = StringField(_l("Note"), validators=optional(NOTE_MAX), filters=F)


class MinimumForm(BaseForm):
    """The stock of a material below which the branch is warned."""

    material = _material()
    minimum = _quantity(_l("Minimum stock"))
