from wtforms import BooleanField, IntegerField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from webapp.core.forms import NOTE_MAX, REQUIRED, BaseForm, F, optional
from webapp.core.i18n import lazy_gettext as _l


class SupervisionForm(BaseForm):
    arrived_at = TimeField(_l("Arrived at"), validators=[DataRequired(message=REQUIRED)])
    punctual = BooleanField()
    uniform = BooleanField()
    method = BooleanField()
    safety = BooleanField()
    customer_remarks = TextAreaField(
        _l("The customer's remarks"), validators=optional(NOTE_MAX), filters=F
    )
    observations = TextAreaField(_l("What you observed"), validators=optional(NOTE_MAX), filters=F)
    score = IntegerField(
        _l("Score (0-100)"),
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(min=0, max=100, message=_l("A score from 0 to 100.")),
        ],
        render_kw={"inputmode": "numeric", "min": 0, "max": 100},
    )
