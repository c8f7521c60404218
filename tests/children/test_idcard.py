"""Tests of app.core.idcard: resident ID numbers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.core import idcard
from app.core.idcard import (
    IdNumberError,
    check_character,
    is_valid_id_number,
    make_id_number,
    mask_id_number,
    normalize_id_number,
    parse_id_number,
)

# IDs from the shared sample roster (valid, division 522626 = 贵州省岑巩县).
SAMPLE_IDS = (
    "522626201404039405",
    "52262620180128608X",
    "522626201808084034",
    "52262620171103564X",
)


@pytest.mark.parametrize("number", SAMPLE_IDS)
def test_sample_ids_are_valid(number: str) -> None:
    info = parse_id_number(number)
    assert info.number == number
    assert info.division == "522626"
    assert info.province == "贵州省"
    assert info.division_known


def test_parse_extracts_birth_date_and_sex() -> None:
    info = parse_id_number("522626201404039405")
    assert info.birth_date == date(2014, 4, 3)
    assert info.sex == "female"  # 17th digit 0 is even
    assert parse_id_number("522626201808084034").sex == "male"  # 3 is odd


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 522626 2014 0403 9405 ", "522626201404039405"),
        ("５２２６２６２０１８０１２８６０８ｘ", "52262620180128608X"),  # full-width digits and x
        ("52262620180128608x", "52262620180128608X"),
        ("\u200b52262620180128608X\ufeff", "52262620180128608X"),
        ("'522626201404039405", "522626201404039405"),
        (522626201404039405, "522626201404039405"),
        (None, ""),
    ],
)
def test_normalize(raw: object, expected: str) -> None:
    assert normalize_id_number(raw) == expected
    if expected:
        assert is_valid_id_number(raw)


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "empty", "公民身份证号码为空"),
        ("52262620140403940", "bad_length", "公民身份证号码应为18位"),
        ("5226262014040394051", "bad_length", "公民身份证号码应为18位"),
        ("52262620140403940A", "bad_chars", "公民身份证号码只能由数字组成,最后一位可以是X"),
        ("5226262014X403940X", "bad_chars", "公民身份证号码只能由数字组成,最后一位可以是X"),
        ("522626201402309405", "bad_birth_date", "身份证号码中的出生日期无效"),  # 30 February
        ("522626201413039405", "bad_birth_date", "身份证号码中的出生日期无效"),  # month 13
        ("522626201404039406", "bad_check_digit", "公民身份证号码校验位错误"),
    ],
)
def test_errors(raw: str, code: str, message: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(raw)
    assert caught.value.code == code
    assert caught.value.message == message
    assert str(caught.value) == message
    assert caught.value.message_en


def test_future_birth_date_is_invalid_unless_disabled() -> None:
    number = make_id_number("522626", date(2027, 3, 30), 125)
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(number, today=date(2026, 9, 30))
    assert caught.value.code == "bad_birth_date"
    assert parse_id_number(number, check_future=False).birth_date == date(2027, 3, 30)
    assert parse_id_number(number, today=date(2027, 3, 30)).birth_date == date(2027, 3, 30)


def test_unknown_province_is_only_a_warning() -> None:
    number = make_id_number("992626", date(2014, 4, 3), 1)
    info = parse_id_number(number)  # does not raise
    assert not info.division_known
    assert info.province is None


def test_known_province_table() -> None:
    expected = {
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
    }
    assert {int(code) for code in idcard.PROVINCES} == expected


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("522626201404039405", "5226**********9405"),
        ("52262620180128608x", "5226**********608X"),
        ("123456789", "1234*6789"),
        ("12345678", "********"),
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask(raw: str | None, masked: str) -> None:
    assert mask_id_number(raw) == masked


def test_make_id_number() -> None:
    assert make_id_number("522626", date(2014, 4, 3), 940) == "522626201404039405"
    assert make_id_number("522626", date(2014, 4, 3), "940") == "522626201404039405"
    assert parse_id_number(make_id_number("110101", date(2010, 1, 1), "male")).sex == "male"
    assert parse_id_number(make_id_number("110101", date(2010, 1, 1), "女")).sex == "female"
    for bad in (("52262", 1), ("522626", 1000), ("522626", "other")):
        with pytest.raises(ValueError):
            make_id_number(bad[0], date(2014, 4, 3), bad[1])


def test_check_character_needs_17_digits() -> None:
    assert check_character("52262620140403940") == "5"
    with pytest.raises(ValueError):
        check_character("5226262014040394")


# ---------------------------------------------------------------- properties

divisions = st.builds(
    lambda province, rest: f"{province}{rest:04d}",
    st.sampled_from(sorted(idcard.PROVINCES)),
    st.integers(0, 9999),
)
birth_dates = st.dates(date(1900, 1, 1), date(2026, 12, 31))


@given(divisions, birth_dates, st.integers(0, 999))
def test_every_generated_id_is_valid(division: str, born: date, seq: int) -> None:
    number = make_id_number(division, born, seq)
    info = parse_id_number(number, today=date(2027, 1, 1))
    assert info.birth_date == born
    assert info.sex == ("male" if seq % 2 else "female")
    assert normalize_id_number(number.lower()) == number
    assert len(mask_id_number(number)) == 18


@given(
    divisions, birth_dates, st.integers(0, 999), st.integers(0, 17), st.sampled_from("0123456789X")
)
def test_any_single_character_change_fails(
    division: str, born: date, seq: int, position: int, char: str
) -> None:
    number = make_id_number(division, born, seq)
    assume(number[position] != char)
    changed = number[:position] + char + number[position + 1 :]
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(changed, check_future=False)
    if char == "X" and position < 17:
        assert caught.value.code == "bad_chars"
    elif position < 6 or position >= 14:
        # MOD 11-2 detects every single substitution: outside the date it is the check digit.
        assert caught.value.code == "bad_check_digit"
    else:
        assert caught.value.code in {"bad_birth_date", "bad_check_digit"}
