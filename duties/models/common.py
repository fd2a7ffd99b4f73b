"""What the duty models share: points as decimals, and the validation of lists of choice codes."""

from decimal import Decimal

from django.core.exceptions import ValidationError

ZERO = Decimal("0")
POINTS = {"max_digits": 7, "decimal_places": 2}


def unit_type_choices():
    from org.models import Unit

    return Unit.Type.choices


def validate_codes(values, choices, label):
    allowed = {code for code, _ in choices}
    if not isinstance(values, list) or any(v not in allowed for v in values):
        raise ValidationError(f"{label}包含无效的选项。")
