"""Money helpers: fen parsing, rounding, display and 人民币大写 (no app needed)."""

from decimal import Decimal

import pytest

from webapp.core.money import (
    MAX_FEN,
    MoneyError,
    fen_to_yuan,
    format_yuan,
    parse_yuan,
    rmb_upper,
    round_fen,
    to_fen,
    yuan_number,
    yuan_text,
)

pytestmark = pytest.mark.rule("R4", "D5")


RMB_UPPER_CASES = [
    ("0.00", "零元整"),
    ("0.01", "壹分"),
    ("0.05", "伍分"),
    ("0.10", "壹角"),
    ("0.50", "伍角"),
    ("0.55", "伍角伍分"),
    ("1.00", "壹元整"),
    ("1.01", "壹元零壹分"),
    ("1.10", "壹元壹角"),
    ("1.11", "壹元壹角壹分"),
    ("1.50", "壹元伍角"),
    ("10.00", "壹拾元整"),
    ("10.01", "壹拾元零壹分"),
    ("10.10", "壹拾元零壹角"),
    ("12.30", "壹拾贰元叁角"),
    ("16.00", "壹拾陆元整"),
    ("100.00", "壹佰元整"),
    ("101.00", "壹佰零壹元整"),
    ("110.00", "壹佰壹拾元整"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("1000.00", "壹仟元整"),
    ("1000.05", "壹仟元零伍分"),
    ("1000.55", "壹仟元零伍角伍分"),
    ("1001.00", "壹仟零壹元整"),
    ("1010.00", "壹仟零壹拾元整"),
    ("1100.00", "壹仟壹佰元整"),
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("10000.00", "壹万元整"),
    ("10001.00", "壹万零壹元整"),
    ("10010.00", "壹万零壹拾元整"),
    ("10100.00", "壹万零壹佰元整"),
    ("11000.00", "壹万壹仟元整"),
    ("40000.40", "肆万元零肆角"),
    ("100000.00", "壹拾万元整"),
    ("100010.00", "壹拾万零壹拾元整"),
    ("100100.00", "壹拾万零壹佰元整"),
    ("101000.00", "壹拾万壹仟元整"),
    ("107000.53", "壹拾万柒仟元零伍角叁分"),
    ("1000000.00", "壹佰万元整"),
    ("1000100.00", "壹佰万零壹佰元整"),
    ("1010000.00", "壹佰零壹万元整"),
    ("1001000.00", "壹佰万壹仟元整"),
    ("10000000.00", "壹仟万元整"),
    ("10000001.00", "壹仟万零壹元整"),
    ("10101010.10", "壹仟零壹拾万壹仟零壹拾元零壹角"),
    ("12345678.90", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角"),
    ("20000100.10", "贰仟万零壹佰元零壹角"),
    ("50000005.05", "伍仟万零伍元零伍分"),
    ("99999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("amount", "expected"), RMB_UPPER_CASES)
def test_rmb_upper(amount: str, expected: str) -> None:
    assert rmb_upper(int(Decimal(amount) * 100)) == expected


def test_rmb_upper_table_is_large_enough() -> None:
    assert len(RMB_UPPER_CASES) >= 35


def test_rmb_upper_accepts_max() -> None:
    assert rmb_upper(MAX_FEN) == "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"


@pytest.mark.parametrize(
    ("fen", "reason"),
    [
        (-1, "negative"),
        (-100_00, "negative"),
        (MAX_FEN + 1, "too_large"),
        (200_000_000_00, "too_large"),
    ],
)
def test_rmb_upper_refuses(fen: int, reason: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        rmb_upper(fen)
    assert isinstance(excinfo.value, MoneyError)
    assert excinfo.value.reason == reason


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12.50", 1250),
        ("１２.５０", 1250),
        ("１２．５０", 1250),
        ("¥1,234.5", 123450),
        ("￥1,234.50", 123450),
        ("１，２３４", 123400),
        ("1,234,567.89", 123456789),
        ("  8  ", 800),
        ("\u30008\u3000", 800),
        ("¥ 12", 1200),
        ("0.01", 1),
        ("0.5", 50),
        ("007", 700),
        ("99999999.99", MAX_FEN),
        ("99,999,999.99", MAX_FEN),
    ],
)
def test_parse_yuan_accepts(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["0", "0.00", "¥0", "-0"])
def test_parse_yuan_allow_zero(text: str) -> None:
    assert parse_yuan(text, allow_zero=True) == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u3000", "empty"),
        ("abc", "format"),
        ("12元", "format"),
        ("1.2.3", "format"),
        ("12,34", "format"),
        ("1,2345", "format"),
        ("0,123", "format"),
        (",123", "format"),
        ("1 234", "format"),
        ("NaN", "format"),
        ("Infinity", "format"),
        ("-Infinity", "format"),
        ("1e3", "format"),
        ("1E3", "format"),
        ("0x10", "format"),
        (".5", "format"),
        ("12.", "format"),
        ("¥", "format"),
        ("¥¥1", "format"),
        ("--1", "format"),
        ("+1", "format"),
        ("\u0661\u0662", "format"),
        ("1.234", "decimals"),
        ("1.230", "decimals"),
        ("0", "zero"),
        ("0.00", "zero"),
        ("-0", "zero"),
        ("-1", "negative"),
        ("-¥12.00", "negative"),
        ("－５", "negative"),
        ("100000000", "too_large"),
        ("100,000,000.00", "too_large"),
        ("1000000000000", "too_large"),
        ("9" * 5000, "too_large"),
    ],
)
def test_parse_yuan_refuses(text: str, reason: str) -> None:
    with pytest.raises(MoneyError) as excinfo:
        parse_yuan(text)
    assert excinfo.value.reason == reason
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize(
    ("amount", "fen"),
    [
        ("2.345", 235),
        ("2.344", 234),
        ("2.3449", 234),
        ("0.005", 1),
        ("0.004", 0),
        ("-0.005", -1),
        ("-0.004", 0),
        ("-2.345", -235),
        ("1.5", 150),
        ("12", 1200),
        ("1E+2", 10000),
        ("99999999.995", MAX_FEN + 1),
    ],
)
def test_to_fen_rounds_half_away_from_zero(amount: str, fen: int) -> None:
    assert to_fen(Decimal(amount)) == fen


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_to_fen_refuses_non_finite(amount: str) -> None:
    with pytest.raises(MoneyError) as excinfo:
        to_fen(Decimal(amount))
    assert excinfo.value.reason == "format"


def test_to_fen_refuses_float() -> None:
    with pytest.raises(TypeError):
        to_fen(2.345)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "¥0.00"),
        (5, "¥0.05"),
        (50, "¥0.50"),
        (100, "¥1.00"),
        (123450, "¥1,234.50"),
        (100000000, "¥1,000,000.00"),
        (MAX_FEN, "¥99,999,999.99"),
        (-1200, "-¥12.00"),
        (-5, "-¥0.05"),
    ],
)
def test_format_yuan(fen: int, text: str) -> None:
    assert format_yuan(fen) == text


@pytest.mark.parametrize("fen", [1, 5, 99, 100, 123450, 100000000, MAX_FEN])
def test_format_then_parse_round_trips(fen: int) -> None:
    assert parse_yuan(format_yuan(fen)) == fen


@pytest.mark.parametrize(
    ("amount", "fen"),
    [("0", 0), ("2.5", 3), ("3.5", 4), ("2.4999", 2), ("-2.5", -3), ("1537.5", 1538)],
)
def test_round_fen_rounds_half_away_from_zero(amount: str, fen: int) -> None:
    assert round_fen(Decimal(amount)) == fen


@pytest.mark.parametrize(
    ("fen", "yuan", "text"),
    [
        (0, "0", "0.00"),
        (5, "0.05", "0.05"),
        (2500, "25", "25.00"),
        (123456, "1234.56", "1234.56"),
        (MAX_FEN, "99999999.99", "99999999.99"),
    ],
)
def test_fen_to_yuan_is_exact(fen: int, yuan: str, text: str) -> None:
    assert fen_to_yuan(fen) == Decimal(yuan)
    assert yuan_text(fen) == text
    assert yuan_number(fen) == float(yuan)


@pytest.mark.parametrize("fen", [0, 1, 99, 100, 4599, 123456, MAX_FEN])
def test_yuan_text_parses_back(fen: int) -> None:
    assert parse_yuan(yuan_text(fen), allow_zero=True) == fen
    assert to_fen(fen_to_yuan(fen)) == fen
