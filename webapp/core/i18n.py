"""Lazy messages that are text, never markup.

Flask-Babel's LazyString declares itself safe HTML (``__html__`` returns the raw string),
so Jinja would not escape ``_l("… %(x)s", x=user_text)``. Every module imports ``_l``
from here instead (ruff TID251 bans Flask-Babel's): the message is escaped as a whole
when rendered, its parameters included, exactly once.
"""

from flask_babel import gettext
from flask_babel.speaklater import LazyString  # noqa: TID251 (the one subclass)
from markupsafe import escape


class LazyText(LazyString):
    """A lazily translated message that Jinja, WTForms and Markup escape like a str."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_gettext(string: str, **variables) -> LazyText:
    return LazyText(gettext, string, **variables)


_l = lazy_gettext
