import re
import unicodedata

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from webapp.core.forms import (
    LIFETIME,
    NOTE_MAX,
    REQUIRED,
    BaseForm,
    CnPhone,
    F,
    NotInFuture,
    SubForm,
    YuanField,
    optional,
    options,
    required,
)
from webapp.core.i18n import lazy_gettext as _l
from webapp.workers import idnumbers
from webapp.workers.models import ESCALATION_LABELS, GENDER_LABELS, TOPIC_LABELS


class AddressForm(SubForm):
    province = StringField(_l("Province"), validators=required(30), filters=F)
    city = StringField(_l("City"), validators=required(30), filters=F)
    county = StringField(_l("County / district"), validators=required(30), filters=F)
    township = StringField(_l("Township / street"), validators=required(30), filters=F)
    village = StringField(_l("Village / community"), validators=required(30), filters=F)
    detail = StringField(_l("House number and details"), validators=optional(100), filters=F)


REFEREE_CHOICES = [
    ("", _l("None")),
    ("introducer", _l("Introducer")),
    ("guarantor", _l("Guarantor")),
]


class WorkerForm(BaseForm):
    name = StringField(_l("Name"), validators=required(50), filters=F)
    gender = SelectField(
        _l("Gender"),
        choices=options([("", _l("Choose…")), *GENDER_LABELS.items()]),
        validators=[InputRequired(message=REQUIRED)],
    )
    id_number = StringField(_l("Resident ID number"), validators=[Length(max=30)], filters=F)
    badge_no = StringField(_l("Badge number"), validators=required(20), filters=F)
    start_date = DateField(_l("Start date"), validators=[DataRequired(message=REQUIRED), LIFETIME])
    hukou = FormField(AddressForm, _l("Household registration address"))
    home = FormField(AddressForm, _l("Home address"))
    current_address = StringField(_l("Current address"), validators=required(200), filters=F)
    mobile = StringField(
        _l("Mobile"),
        validators=[DataRequired(message=REQUIRED), Length(max=30), CnPhone("mobile")],
        filters=F,
    )
    landline = StringField(
        _l("Landline"), validators=[Optional(), Length(max=30), CnPhone("landline")], filters=F
    )
    referee_kind = SelectField(_l("Introducer or guarantor"), choices=options(REFEREE_CHOICES))
    referee_name = StringField(_l("Their name"), validators=optional(50), filters=F)
    referee_relation = StringField(_l("Relation"), validators=optional(30), filters=F)
    referee_phone = StringField(
        _l("Their phone"), validators=[Optional(), Length(max=30), CnPhone()], filters=F
    )
    referee_address = StringField(_l("Their address"), validators=optional(200), filters=F)

    def __init__(self, *args, id_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.id_required = id_required

    def validate_id_number(self, field):
        if not field.data:
            if self.id_required:
                raise ValidationError(REQUIRED)
            return
        field.parsed = idnumbers.parse(field.data)

    def validate_gender(self, field):
        parsed = getattr(self.id_number, "parsed", None)
        if parsed and field.data and field.data != parsed.gender:
            raise ValidationError(_l("The ID number belongs to a person of the other gender."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.referee_kind.data:
            for field in (self.referee_name, self.referee_relation, self.referee_phone):
                if not field.data:
                    field.errors.append(_l("Required when there is an introducer or guarantor."))
                    ok = False
        return ok


class IdCopyForm(BaseForm):
    side = SelectField(_l("Side"), choices=options([("front", _l("Front")), ("back", _l("Back"))]))
    image = FileField(
        _l("ID card copy (JPEG or PNG, at most 5 MB)"),
        validators=[FileRequired(message=_l("Choose a photo or scan."))],
    )


class StatusForm(BaseForm):
    status = SelectField(_l("Status"), choices=[])
    reason = TextAreaField(_l("Reason"), validators=optional(500), filters=F)


class TalkForm(BaseForm):
    talk_date = DateField(_l("Date"), validators=[DataRequired(message=REQUIRED), NotInFuture()])
    topic = SelectField(_l("Topic"), choices=options(TOPIC_LABELS.items()))
    notes = TextAreaField(_l("What was said"), validators=required(NOTE_MAX), filters=F)
    help_given = TextAreaField(_l("Help given"), validators=optional(NOTE_MAX), filters=F)
    escalate_to = SelectField(
        _l("Escalate to"),
        choices=options([("", _l("Not escalated")), *ESCALATION_LABELS.items()]),
    )


class CloseEscalationForm(BaseForm):
    resolution = TextAreaField(_l("How it was resolved"), validators=required(NOTE_MAX), filters=F)


class IdSearchForm(SubForm):
    """Posted, never in a URL; CSRF is checked for every POST by CSRFProtect."""

    id_number = StringField(
        _l("Full ID number"),
        validators=[InputRequired(message=REQUIRED), Length(max=30)],
        filters=F,
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": "30"},
    )

    def validate_id_number(self, field):
        if not ID_SHAPE.fullmatch(id_number_key(field.data)):
            raise ValidationError(_l("Type all 18 characters of the ID number."))


ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def id_number_key(text: str) -> str:
    """The number as stored: full-width digits folded, no spaces or hyphens, X in capitals."""
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("-", "").upper()


class PayRuleForm(BaseForm):
    """How the worker is paid for their orders (read by the settlement slips)."""

    rule = SelectField(
        _l("Paid"),
        choices=options([("hourly", _l("Per service hour")), ("share", _l("A share of the bill"))]),
    )
    rate = YuanField(_l("CNY per hour"), allow_zero=True)
    share_percent = IntegerField(
        _l("Share (percent)"), validators=[Optional(), NumberRange(min=1, max=100)]
    )
