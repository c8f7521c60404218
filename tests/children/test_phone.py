"""Tests of app.core.phone: mainland phone numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.phone import PhoneError, is_valid_phone, mask_phone, normalize_phone


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits
        (13812345678, "13812345678"),  # numeric cell
        (13812345678.0, "13812345678"),
        ("19912345678", "19912345678"),
        ("0855-3571234", "0855-3571234"),
        ("08553571234", "0855-3571234"),
        ("(0855)3571234", "0855-3571234"),
        ("（0855）3571234", "0855-3571234"),
        ("010-87654321", "010-87654321"),
        ("01087654321", "010-87654321"),
        ("020 8765 4321", "020-87654321"),
        ("0855-3571234-801", "0855-3571234-801"),
        ("0855-3571234转801", "0855-3571234-801"),
        ("010 87654321 ext. 12", "010-87654321-12"),
    ],
)
def test_valid(raw: object, normalized: str) -> None:
    assert normalize_phone(raw) == normalized
    assert is_valid_phone(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "1380013",
        "12812345678",
        "10012345678",
        "138123456789",
        "2345678",
        "0855-357123",
        "855-3571234",
        "0251-1234567",
        "085-53571234",
        "abc",
        "",
        None,
        True,
        "+1 13812345678",
        "1381234567８9",
    ],
)
def test_invalid(raw: object) -> None:
    assert not is_valid_phone(raw)
    with pytest.raises(PhoneError) as caught:
        normalize_phone(raw)
    assert caught.value.message == "联系电话格式错误"
    assert caught.value.code == "bad_phone"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0855-3571234", "0855-***1234"),
        ("010-87654321", "010-****4321"),
        ("1380013", "***0013"),
        ("123", "***"),
        (None, ""),
    ],
)
def test_mask(raw: object, masked: str) -> None:
    assert mask_phone(raw) == masked


@given(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9))
def test_generated_mobiles_are_valid(second: str, rest: str) -> None:
    number = f"1{second}{rest}"
    assert normalize_phone(number) == number
    assert normalize_phone(f"+86 {number[:3]}-{number[3:7]}-{number[7:]}") == number
    assert mask_phone(number) == number[:3] + "****" + number[-4:]
