from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from webapp.core.forms import BaseForm, options
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import ROLE_LABELS


class LoginForm(BaseForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=50)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class UserForm(BaseForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=3, max=50),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, _ . - only.")),
        ],
    )
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=50)])
    role = SelectField(
        _l("Role"), choices=options((r.value, label) for r, label in ROLE_LABELS.items())
    )
    branch_id = SelectField(_l("Branch"), coerce=int)
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=10, max=200)])
