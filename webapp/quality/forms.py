from datetime import date

from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    MonthField,
    RadioField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange

from webapp.core.forms import NOTE_MAX, REQUIRED, BaseForm, DateWindow, F, optional, options
from webapp.core.i18n import lazy_gettext as _l
from webapp.quality.models import HIGHEST, LOWEST
from webapp.quality.spot_checks import MAX_QUESTIONS

QUESTION_MAX = 200
MONTHS = DateWindow(earliest=date(2000, 1, 1), years_ahead=1)


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


def spot_check_form_class(questions: list):
    """The spot check's form: one answer from 1 to 5 per question (`q0`, `q1`…)."""

    class SpotCheckForm(BaseForm):
        remarks = TextAreaField(
            _l("What the customer said"), validators=optional(NOTE_MAX), filters=F
        )

    for i, question in enumerate(questions):
        field = RadioField(
            question.text,
            choices=options([(n, str(n)) for n in range(LOWEST, HIGHEST + 1)]),
            coerce=int,
            validators=[InputRequired(message=REQUIRED)],
        )
        setattr(SpotCheckForm, f"q{i}", field)
    return SpotCheckForm


class QuestionForm(BaseForm):
    class Meta:
        csrf = False

    text = StringField(_l("Question"), validators=optional(QUESTION_MAX), filters=F)
    active = BooleanField(_l("Asked"))


class QuestionsForm(BaseForm):
    questions = FieldList(FormField(QuestionForm), max_entries=MAX_QUESTIONS + 1)


class CloseMonthForm(BaseForm):
    month = MonthField(_l("Month"), validators=[InputRequired(message=REQUIRED), MONTHS])
