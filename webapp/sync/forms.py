from flask_wtf import FlaskForm
from wtforms import TextAreaField

from webapp.core.forms import NOTE_MAX, required, strip
from webapp.core.i18n import lazy_gettext as _l


class ResolveForm(FlaskForm):
    resolution = TextAreaField(
        _l("What was done about it"), validators=required(NOTE_MAX), filters=(strip,)
    )
