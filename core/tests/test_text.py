"""core.text: text as people type it."""

import pytest

from core.text import is_number, to_halfwidth


@pytest.mark.parametrize("value, expected", [
    ("0", True), ("2026", True), ("", False), ("²", False), ("①", False), ("１２", False), ("-1", False),
    (" 1", False), ("1.5", False), (12, False), (None, False),
])
def test_is_number_takes_the_digits_int_takes(value, expected):
    assert is_number(value) is expected
    if expected:
        int(value)


def test_full_width_digits_become_numbers_once_half_width():
    assert is_number(to_halfwidth("１２"))
