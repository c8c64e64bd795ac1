from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from webapp.core.forms import NOTE_MAX, required, strip


class ResolveForm(FlaskForm):
    resolution = TextAreaField(
        _l("What was done about it"), validators=required(NOTE_MAX), filters=(strip,)
    )
