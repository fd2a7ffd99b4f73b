"""Text as people type it."""

import unicodedata


def to_halfwidth(text):
    """Full-width digits, letters and spaces (as typed with a Chinese input method) to ASCII."""
    return unicodedata.normalize("NFKC", text)
