from wtforms import HiddenField, StringField, TextAreaField

from webapp.core.forms import NOTE_MAX, F, VersionedForm, required
from webapp.core.i18n import lazy_gettext as _l

TITLE_MAX = 120
BODY_MAX = 20000


class SectionForm(VersionedForm):
    """A section's next version: `version` is the number the editor was shown."""

    title = StringField(_l("Title"), validators=required(TITLE_MAX), filters=F)
    body = TextAreaField(
        _l("Text"),
        validators=required(BODY_MAX),
        filters=F,
        description=_l("Simple formatting: - for a list, **bold**, ### for a heading."),
    )
    why = TextAreaField(_l("What changed and why"), validators=required(NOTE_MAX), filters=F)


class AcknowledgeForm(VersionedForm):
    """At the shared tablet: `version` is the id of the version the worker read."""

    kiosk_pass = HiddenField()
