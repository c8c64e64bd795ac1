"""Money as integer fen (1 yuan = 100 fen): parsing, rounding, display and 人民币大写."""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Literal

Reason = Literal["empty", "format", "decimals", "zero", "negative", "too_large"]

MAX_FEN = 99_999_999_99

_CENT = Decimal("0.01")
_MAX_YUAN = Decimal(MAX_FEN).scaleb(-2)
# A private context, so rounding never depends on (or trips over) the thread's current one.
_CONTEXT = Context(prec=50, traps=[InvalidOperation])

# The sign comes before the currency sign, as format_yuan writes it ("-¥12.00").
_AMOUNT = re.compile(
    r"(?P<sign>-?)\s*¥?\s*"
    r"(?P<whole>[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)"
    r"(?:\.(?P<frac>[0-9]+))?"
)

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ((1000, "仟"), (100, "佰"), (10, "拾"), (1, ""))
# MAX_FEN keeps the integer part under 1 亿 yuan, so two four-digit groups suffice.
_GROUP_UNITS = ("", "万")


class MoneyError(ValueError):
    """An amount that cannot be accepted; `reason` says why."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(f"invalid amount: {reason}")
        self.reason: Reason = reason


def to_fen(amount: Decimal) -> int:
    """Round a yuan amount to whole fen, halves away from zero (-0.005 -> -1)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"to_fen needs a Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise MoneyError("format")
    try:
        cents = amount.quantize(_CENT, rounding=ROUND_HALF_UP, context=_CONTEXT)
    except InvalidOperation as exc:
        raise MoneyError("too_large") from exc
    return int(cents.scaleb(2, context=_CONTEXT))


def round_fen(amount: Decimal) -> int:
    """Fen with a fraction (hours × an hourly price, a share of a bill) to whole fen,
    halves away from zero."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP, context=_CONTEXT))


def fen_to_yuan(fen: int) -> Decimal:
    """Fen as an exact yuan amount with two decimals: 2500 -> Decimal("25.00")."""
    return Decimal(fen).scaleb(-2, context=_CONTEXT)


def yuan_text(fen: int) -> str:
    """Fen as one types the amount into a yuan field: 2500 -> "25.00"."""
    return str(fen_to_yuan(fen))


def yuan_number(fen: int) -> float:
    """Fen as a spreadsheet's number of yuan: the float nearest the exact amount."""
    return fen / 100


def parse_yuan(text: str, *, allow_zero: bool = False) -> int:
    """Parse a user-typed yuan amount ("¥1,234.50", "１２．５０") into fen; MoneyError otherwise."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        raise MoneyError("empty")
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise MoneyError("format")
    frac = match["frac"] or "0"
    if len(frac) > 2:
        raise MoneyError("decimals")
    amount = Decimal(f"{match['whole'].replace(',', '')}.{frac}")
    if amount == 0:
        if allow_zero:
            return 0
        raise MoneyError("zero")
    if match["sign"]:
        raise MoneyError("negative")
    if amount > _MAX_YUAN:
        raise MoneyError("too_large")
    return to_fen(amount)


def format_yuan(fen: int) -> str:
    """Display fen as yuan: "¥1,234.50", "-¥12.00"."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def _group_upper(group: int) -> str:
    """Write 1..9999 in capitals, one 零 per inner run of zeros, trailing zeros silent."""
    out: list[str] = []
    pending_zero = False
    for value, unit in _PLACES:
        digit = group // value % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_DIGITS[digit] + unit)
    return "".join(out)


def _integer_upper(yuan: int) -> str:
    """Write a positive whole number of yuan (below 1 亿) in capitals, without 元."""
    wan, units = divmod(yuan, 10_000)
    out: list[str] = []
    for group, unit in ((wan, _GROUP_UNITS[1]), (units, _GROUP_UNITS[0])):
        if group == 0:
            continue
        # Zeros that run into the 千 place of the lower group are written once as 零;
        # a zero only in the 万 place before a non-zero 千 is left out (PBOC allows either).
        if out and group < 1000:
            out.append("零")
        out.append(_group_upper(group) + unit)
    return "".join(out)


def rmb_upper(fen: int) -> str:
    """Write fen in PBOC capital numerals (人民币大写) without the 人民币 prefix."""
    if fen < 0:
        raise MoneyError("negative")
    if fen > MAX_FEN:
        raise MoneyError("too_large")
    if fen == 0:
        return "零元整"
    yuan, rest = divmod(fen, 100)
    jiao, fen_digit = divmod(rest, 10)
    out: list[str] = []
    if yuan:
        out.append(_integer_upper(yuan) + "元")
    if jiao == 0 and fen_digit == 0:
        out.append("整")
        return "".join(out)
    # 零 after 元 is mandatory before a lone 分, and our chosen style when 元位 is 0.
    if yuan and (yuan % 10 == 0 or jiao == 0):
        out.append("零")
    if jiao:
        out.append(_DIGITS[jiao] + "角")
    if fen_digit:
        out.append(_DIGITS[fen_digit] + "分")
    return "".join(out)
