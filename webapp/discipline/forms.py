from urllib.parse import urlsplit

from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from webapp.core.forms import (
    NOTE_MAX,
    BaseForm,
    CheckboxesField,
    F,
    VersionedForm,
    YuanField,
    optional,
    options,
    required,
)
from webapp.core.i18n import lazy_gettext as _l
from webapp.discipline.models import KINDS
from webapp.discipline.rules import RULE_MAX
from webapp.discipline.services import MEASURE_MAX

TEXT_MAX = 20000
LINKS_MAX = 10
DECISIONS = {"approve": _l("Approve"), "reject": _l("Reject")}


class RulesForm(VersionedForm):
    """The company's next version: `version` is the number the editor was shown."""

    duties = TextAreaField(_l("Job duties"), validators=required(TEXT_MAX), filters=F)
    rules = TextAreaField(
        _l("Reward and penalty rules"),
        validators=required(TEXT_MAX),
        filters=F,
        description=_l("One rule per numbered line: 1. …, 2. … A proposal names one of them."),
    )
    why = TextAreaField(_l("What changed and why"), validators=required(NOTE_MAX), filters=F)


class ProposalForm(BaseForm):
    """Evidence: the worker's complaints, talks, supervision visits ("kind:id")."""

    evidence = CheckboxesField(_l("Evidence"), choices=[], validate_choice=True)


class ItemForm(ProposalForm):
    kind = RadioField(_l("Reward or penalty"), choices=options(KINDS.items()))
    rule = SelectField(_l("Rule"), choices=[], validate_choice=True)
    rule_ref = StringField(
        _l("Or a short rule reference"), validators=optional(RULE_MAX), filters=F
    )
    reason = TextAreaField(_l("Reason"), validators=required(NOTE_MAX), filters=F)
    amount = YuanField(_l("Amount (CNY)"), allow_zero=True)
    measure = StringField(
        _l("Or a measure without money (a warning)"),
        validators=optional(MEASURE_MAX),
        filters=F,
    )


class DismissalForm(ProposalForm):
    reasons = TextAreaField(_l("Reasons"), validators=required(NOTE_MAX), filters=F)
    links = TextAreaField(
        _l("Other evidence links"),
        validators=optional(NOTE_MAX),
        filters=F,
        description=_l("One link per line: a page of this app (/…) or an https:// address."),
    )

    def validate_links(self, field):
        lines = self.link_lines
        if len(lines) > LINKS_MAX:
            raise ValidationError(_l("At most %(n)s links.", n=LINKS_MAX))
        for line in lines:
            parts = urlsplit(line)
            local = line.startswith("/") and not line.startswith("//")
            if not local and (parts.scheme not in ("http", "https") or not parts.netloc):
                raise ValidationError(_l("Not a link: %(line)s", line=line[:60]))

    @property
    def link_lines(self) -> list[str]:
        return [line.strip() for line in (self.links.data or "").splitlines() if line.strip()]


class DecisionForm(VersionedForm):
    decision = RadioField(_l("Decision"), choices=options(DECISIONS.items()))
    note = TextAreaField(_l("Note"), validators=required(NOTE_MAX), filters=F)
