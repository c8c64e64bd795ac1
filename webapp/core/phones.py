"""Chinese phone numbers, parsed and checked by the phonenumbers library."""

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
LANDLINE_TYPES = {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneError(ValueError):
    pass


def normalize_cn_phone(text: str, *, kind: str = "any") -> str:
    """Return the national digits of a valid Chinese number of the given kind.

    kind: "mobile", "landline" or "any". Raises PhoneError otherwise.
    """
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise PhoneError("unparsable") from exc
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        raise PhoneError("invalid")
    number_type = phonenumbers.number_type(number)
    if kind == "mobile" and number_type not in MOBILE_TYPES:
        raise PhoneError("not mobile")
    if kind == "landline" and number_type not in LANDLINE_TYPES:
        raise PhoneError("not landline")
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit())


def display_phone(digits: str | None) -> str:
    if not digits:
        return ""
    number = phonenumbers.parse(digits, "CN")
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
