"""The Chinese the UI shows for a message, read from the catalogue itself."""

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parent.parent / "webapp/translations/zh/LC_MESSAGES/messages.po"


@cache
def _catalogue():
    with PO.open("rb") as handle:
        return read_po(handle)


def zh(msgid: str) -> str:
    message = _catalogue().get(msgid)
    assert message is not None and message.string, f"no Chinese for {msgid!r}"
    return message.string
