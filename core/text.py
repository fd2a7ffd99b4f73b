"""Text as people type it."""

import unicodedata


def to_halfwidth(text):
    """Full-width digits, letters and spaces (as typed with a Chinese input method) to ASCII."""
    return unicodedata.normalize("NFKC", text)


def is_number(value):
    """Whether `value` is a string of the digits 0–9 only: what int() and an id lookup take. str.isdigit() also
    says yes to "²" or "①", which int() refuses, so a crafted query string would end in a 500."""
    return isinstance(value, str) and value.isascii() and value.isdigit()
