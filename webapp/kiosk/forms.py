from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from webapp.core.forms import REQUIRED, BaseForm, F, required
from webapp.core.i18n import lazy_gettext as _l


class PinForm(BaseForm):
    # A password field: a wrong PIN is never sent back into the page.
    pin = PasswordField(
        _l("PIN"),
        validators=[InputRequired(message=REQUIRED), Length(max=12)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class EnrollForm(BaseForm):
    name = StringField(_l("Name of this tablet"), validators=required(50), filters=F)
