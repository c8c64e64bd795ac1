from wtforms import HiddenField
from wtforms.validators import ValidationError

from webapp.core.forms import BaseForm, parse_int
from webapp.core.i18n import lazy_gettext as _l


class VersionedForm(BaseForm):
    """A form that changes an order carries the version it was shown with: without one, or
    with one that is not a number, it is refused, never applied unchecked."""

    version = HiddenField()

    def validate_version(self, field):
        if self.version_value is None:
            raise ValidationError(_l("This form is incomplete. Reload the page and try again."))

    @property
    def version_value(self) -> int | None:
        """The version the client sent: a form built with `version=order.version` would
        otherwise read today's version when the field is missing from the post."""
        posted = self.version.raw_data or ()
        return parse_int(posted[0]) if posted else None
