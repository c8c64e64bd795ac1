from wtforms import BooleanField, HiddenField, TextAreaField, TimeField
from wtforms.validators import DataRequired

from webapp.core.forms import NOTE_MAX, REQUIRED, F, VersionedForm, optional, required
from webapp.core.i18n import lazy_gettext as _l


class CheckoutForm(VersionedForm):
    service_list_checked = BooleanField()
    tools_complete = BooleanField()
    safety_reminded = BooleanField()
    valuables_care = BooleanField()
    appearance_checked = BooleanField()
    bicycle_checked = BooleanField()
    signature = HiddenField()


class CheckinForm(VersionedForm):
    actual_start = TimeField(_l("Started at"), validators=[DataRequired(message=REQUIRED)])
    actual_end = TimeField(_l("Finished at"), validators=[DataRequired(message=REQUIRED)])
    work_done = TextAreaField(_l("What was done"), validators=required(NOTE_MAX), filters=F)
    customer_remarks = TextAreaField(
        _l("The customer's remarks"), validators=optional(NOTE_MAX), filters=F
    )
    problems = TextAreaField(_l("Problems found"), validators=optional(NOTE_MAX), filters=F)
    potential_services = TextAreaField(
        _l("Potential services noticed"), validators=optional(NOTE_MAX), filters=F
    )
    note_for_worker = TextAreaField(
        _l("For the worker to mind next time"), validators=optional(NOTE_MAX), filters=F
    )
    note_for_customer = TextAreaField(
        _l("For whoever serves this customer next"), validators=optional(NOTE_MAX), filters=F
    )


class ConsentForm(VersionedForm):
    planned_end = TimeField(_l("Planned end"), validators=[DataRequired(message=REQUIRED)])
    signature = HiddenField()
