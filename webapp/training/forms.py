from wtforms import DateField, PasswordField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length

from webapp.core.forms import NOTE_MAX, REQUIRED, BaseForm, F, optional, options, required
from webapp.core.i18n import lazy_gettext as _l
from webapp.training.models import MANUAL, SKILL

KIND_LABELS = {MANUAL: _l("A manual section"), SKILL: _l("A practical skill")}


def _time(label):
    return TimeField(label, validators=[DataRequired(message=REQUIRED)])


class SessionForm(BaseForm):
    topic = StringField(_l("Topic"), validators=required(200), filters=F)
    kind = SelectField(
        _l("Tied to"),
        choices=options(KIND_LABELS.items()),
        validators=[DataRequired(message=REQUIRED)],
    )
    # Filled with the sections the branch sees; the service refuses any other.
    manual_section = SelectField(_l("Manual section"), choices=[], validate_choice=False)
    day = DateField(_l("Date"), validators=[DataRequired(message=REQUIRED)])
    start = _time(_l("Start"))
    end = _time(_l("End"))
    trainer = StringField(_l("Trainer"), validators=required(50), filters=F)
    place = StringField(_l("Place"), validators=required(100), filters=F)


class HoursForm(BaseForm):
    arrived = _time(_l("Arrived at"))
    left = _time(_l("Left at"))


class TickForm(HoursForm):
    worker = SelectField(_l("Worker"), choices=[], validators=[DataRequired(message=REQUIRED)])
    reason = StringField(
        _l("Why not signed on the tablet"), validators=optional(NOTE_MAX), filters=F
    )


class SignForm(HoursForm):
    pin = PasswordField(
        _l("Your PIN"),
        validators=[InputRequired(message=REQUIRED), Length(max=12)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
