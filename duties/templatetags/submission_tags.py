"""Template filters of the 据单督查 pages: scores as printed ("2.5") and status colours."""

from django import template

from ..scoring import fmt
from ..submission_views import STATUS_COLOURS

register = template.Library()


@register.filter
def points(value):
    """A score or points as printed: "2", "2.5", "—" for None."""
    return fmt(value)


@register.filter
def status_colour(status):
    return STATUS_COLOURS.get(str(status), "secondary")
