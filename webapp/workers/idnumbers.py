"""Resident ID numbers (居民身份证号码), checked by python-stdnum."""

import unicodedata
from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from wtforms.validators import ValidationError as FieldError

from webapp.core.clock import local_today
from webapp.core.forms import LIFETIME
from webapp.core.i18n import lazy_gettext as _l

MIN_WORKING_AGE = 16


@dataclass(frozen=True)
class ParsedId:
    number: str
    birth_date: date
    gender: str  # "M" or "F"


def parse(text: str, today: date | None = None) -> ParsedId:
    """Validate and decode; raises a form ValidationError with a clear message."""
    number = unicodedata.normalize("NFKC", text).replace(" ", "").upper()
    try:
        number = ric.validate(number)
    except InvalidLength as exc:
        raise FieldError(_l("An ID number has 18 characters.")) from exc
    except InvalidFormat as exc:
        raise FieldError(_l("Only digits, and X as the last character.")) from exc
    except InvalidChecksum as exc:
        raise FieldError(_l("The check digit is wrong: please check each digit.")) from exc
    except InvalidComponent as exc:
        if _birth_date_or_none(number) is None:
            raise FieldError(_l("The birth date in this ID number does not exist.")) from exc
        raise FieldError(_l("The region code in this ID number does not exist.")) from exc
    except ValidationError as exc:
        raise FieldError(_l("This is not a valid ID number.")) from exc
    born = ric.get_birth_date(number)
    today = today or local_today()
    if born > today:
        raise FieldError(_l("The birth date in this ID number is in the future."))
    if born < LIFETIME.earliest:
        raise FieldError(_l("The birth date in this ID number is before 1940."))
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age < MIN_WORKING_AGE:
        raise FieldError(_l("The person is younger than 16."))
    return ParsedId(number=number, birth_date=born, gender=gender_of(number))


def gender_of(number: str) -> str:
    """The 17th digit is odd for men and even for women (GB 11643)."""
    return "M" if int(number[16]) % 2 else "F"


def _birth_date_or_none(number: str) -> date | None:
    try:
        return ric.get_birth_date(number)
    except ValidationError:
        return None
