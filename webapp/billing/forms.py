from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from webapp.billing.models import PAYMENT_METHODS
from webapp.core.forms import REQUIRED, BaseForm, F, QueryForm, optional, options, required
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.money import MoneyError, parse_yuan

MONEY_MESSAGES = {
    "empty": REQUIRED,
    "format": _l("Write an amount in yuan, e.g. 120 or 85.50."),
    "decimals": _l("At most two decimals (fen)."),
    "zero": _l("The amount must be more than 0."),
    "negative": _l("The amount cannot be negative."),
    "too_large": _l("The amount is too large."),
}


class YuanField(StringField):
    """An amount typed in yuan; `.fen` holds it in fen once validated."""

    def __init__(self, *args, allow_zero: bool = False, **kwargs):
        super().__init__(*args, filters=F, **kwargs)
        self.allow_zero = allow_zero
        self.fen = 0

    def pre_validate(self, form):
        if not self.data and self.allow_zero:
            self.fen = 0
            return
        try:
            self.fen = parse_yuan(self.data or "", allow_zero=self.allow_zero)
        except MoneyError as exc:
            raise ValidationError(MONEY_MESSAGES[exc.reason]) from exc


class BillForm(BaseForm):
    discount = YuanField(_l("Discount (CNY)"), allow_zero=True)
    discount_reason = StringField(
        _l("Reason for the discount"), validators=optional(200), filters=F
    )


class ReceiptForm(BaseForm):
    method = SelectField(_l("Paid by"), choices=options(PAYMENT_METHODS.items()))


class VoidForm(BaseForm):
    reason = StringField(_l("Why it is void"), validators=required(200), filters=F)


class DayForm(QueryForm):
    day = DateField(_l("Day"), validators=[Optional()])


class PayRuleForm(BaseForm):
    rule = SelectField(
        _l("Paid"),
        choices=options([("hourly", _l("Per service hour")), ("share", _l("A share of the bill"))]),
    )
    rate = YuanField(_l("CNY per hour"), allow_zero=True)
    share_percent = IntegerField(
        _l("Share (percent)"), validators=[Optional(), NumberRange(min=1, max=100)]
    )


class SlipForm(BaseForm):
    worker_id = SelectField(_l("Worker"), coerce=int)
    period_start = DateField(_l("From"), validators=[DataRequired(message=REQUIRED)])
    period_end = DateField(_l("To"), validators=[DataRequired(message=REQUIRED)])
    deduction_1 = YuanField(_l("Deduction"), allow_zero=True)
    reason_1 = StringField(_l("Reason"), validators=optional(200), filters=F)
    deduction_2 = YuanField(_l("Deduction"), allow_zero=True)
    reason_2 = StringField(_l("Reason"), validators=optional(200), filters=F)

    def deductions(self) -> list[tuple[int, str]]:
        pairs = [(self.deduction_1, self.reason_1), (self.deduction_2, self.reason_2)]
        return [(amount.fen, reason.data or "") for amount, reason in pairs if amount.fen]
