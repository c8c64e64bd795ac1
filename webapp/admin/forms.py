from datetime import date, time

from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from webapp.core import audit
from webapp.core.forms import REQUIRED, BaseForm, DateWindow, QueryForm, options, strip
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.money import fen_to_yuan, to_fen
from webapp.core.policy import errors_together
from webapp.core.policy_settings import Setting


def settings_form_class(settings: tuple[Setting, ...]):
    """A form with one field per policy setting, bounds from the registry; rules over
    several settings (`policy.TOGETHER`) put their message next to each field."""

    class SettingsForm(BaseForm):
        def validate(self, extra_validators=None) -> bool:
            if not super().validate(extra_validators):
                return False
            broken = errors_together(form_values(self, settings))
            for key, message in broken.items():
                self[key].errors = [*self[key].errors, message]
            return not broken

    for s in settings:
        required = InputRequired(message=REQUIRED)
        if s.kind == "money":
            field = DecimalField(
                s.label,
                description=s.help,
                places=2,
                validators=[
                    required,
                    NumberRange(min=fen_to_yuan(s.minimum), max=fen_to_yuan(s.maximum)),
                ],
            )
        elif s.kind == "int":
            field = IntegerField(
                s.label,
                description=s.help,
                validators=[required, NumberRange(min=s.minimum, max=s.maximum)],
            )
        elif s.kind == "time":
            field = TimeField(s.label, description=s.help, validators=[required])
        else:
            field = TextAreaField(
                s.label,
                description=s.help,
                validators=[required, Length(max=1000)],
                filters=(strip,),
            )
        setattr(SettingsForm, s.key, field)
    return SettingsForm


def form_values(form, settings: tuple[Setting, ...]) -> dict:
    values = {}
    for s in settings:
        data = form[s.key].data
        if s.kind == "money":
            data = to_fen(data)
        values[s.key] = data
    return values


def initial_values(current: dict, settings: tuple[Setting, ...]) -> dict:
    values = {}
    for s in settings:
        value = current[s.key]
        if s.kind == "money":
            value = fen_to_yuan(value)
        elif s.kind == "time" and not isinstance(value, time):
            value = time.fromisoformat(value)
        values[s.key] = value
    return values


AUDIT_DAYS = DateWindow(earliest=date(2000, 1, 1), years_ahead=1)


class AuditFilterForm(QueryForm):
    person = StringField(_l("Person"), validators=[Optional()], filters=(strip,))
    entity = SelectField(_l("Record type"), validators=[Optional()])
    entity_id = IntegerField(_l("Record number"), validators=[Optional()])
    action = SelectField(_l("Action"), validators=[Optional()])
    # The log goes back to the company's first day: filtering from long ago is fine.
    date_from = DateField(_l("From"), validators=[Optional(), AUDIT_DAYS])
    date_to = DateField(_l("To"), validators=[Optional(), AUDIT_DAYS])


def audit_filter_form(args) -> AuditFilterForm:
    """The log's filter: every record type and action the areas describe, in words, the
    actions under their area's heading."""
    form = AuditFilterForm(args)
    records = sorted(audit.record_types().items(), key=lambda item: str(item[1]))
    form.entity.choices = options([("", _l("All records")), *records])
    form.action.choices = [SelectChoice("", _l("All actions"))] + [
        SelectChoice(action, label, optgroup=heading.label)
        for heading in audit.headings()
        for action, label in heading.actions.items()
    ]
    return form
