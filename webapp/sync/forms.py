from wtforms import TextAreaField

from webapp.core.forms import NOTE_MAX, BaseForm, required, strip
from webapp.core.i18n import lazy_gettext as _l


class ResolveForm(BaseForm):
    resolution = TextAreaField(
        _l("What was done about it"), validators=required(NOTE_MAX), filters=(strip,)
    )
