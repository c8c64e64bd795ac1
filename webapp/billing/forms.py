from wtforms import DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Optional, ValidationError

from webapp.billing.models import PAYMENT_METHODS
from webapp.core.forms import (
    REQUIRED,
    BaseForm,
    F,
    QueryForm,
    YuanField,
    optional,
    options,
    required,
)
from webapp.core.i18n import lazy_gettext as _l


class BillForm(BaseForm):
    discount = YuanField(_l("Discount (CNY)"), allow_zero=True)
    discount_reason = StringField(
        _l("Reason for the discount"), validators=optional(200), filters=F
    )
    # Paid at once: the receipt is issued with the bill, in the same step. A form without
    # the field (a page opened before it existed) bills without payment.
    method = SelectField(
        _l("Paid now by"),
        choices=options([("", _l("Not paid yet")), *PAYMENT_METHODS.items()]),
        default="",
    )


class ReceiptForm(BaseForm):
    method = SelectField(_l("Paid by"), choices=options(PAYMENT_METHODS.items()))


class VoidForm(BaseForm):
    reason = StringField(_l("Why it is void"), validators=required(200), filters=F)


class ReopenForm(BaseForm):
    reason = StringField(_l("Why the day is reopened"), validators=required(500), filters=F)


class SlipForm(BaseForm):
    worker_q = StringField(
        _l("Find the worker: name, badge number or mobile"), validators=optional(50), filters=F
    )
    worker_id = RadioField(_l("Worker"), coerce=int, validate_choice=False)
    period_start = DateField(_l("From"), validators=[DataRequired(message=REQUIRED)])
    period_end = DateField(_l("To"), validators=[DataRequired(message=REQUIRED)])
    deduction_1 = YuanField(_l("Deduction"), allow_zero=True)
    reason_1 = StringField(_l("Reason"), validators=optional(200), filters=F)
    deduction_2 = YuanField(_l("Deduction"), allow_zero=True)
    reason_2 = StringField(_l("Reason"), validators=optional(200), filters=F)

    def validate_worker_id(self, field) -> None:
        if field.data is None:
            raise ValidationError(_l("Choose the worker."))

    def deductions(self) -> list[tuple[int, str]]:
        pairs = [(self.deduction_1, self.reason_1), (self.deduction_2, self.reason_2)]
        return [(amount.fen, reason.data or "") for amount, reason in pairs if amount.fen]


class WorkerSearchForm(QueryForm):
    worker_q = StringField(validators=optional(50), filters=F)
    worker_id = IntegerField(validators=[Optional()])
