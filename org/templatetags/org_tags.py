from django import template

register = template.Library()

BADGES = {
    "county": "bg-red-lt",
    "town": "bg-orange-lt",
    "village": "bg-green-lt",
    "member": "bg-blue-lt",
    "park": "bg-purple-lt",
    "enterprise": "bg-cyan-lt",
    "school": "bg-teal-lt",
    "hospital": "bg-pink-lt",
}


@register.filter
def unit_badge(unit):
    """The Tabler badge colour of a unit's type, the same on every org page."""
    return BADGES.get(unit.type, "bg-secondary-lt")
