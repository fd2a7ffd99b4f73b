"""Schema pieces every app's API shares."""

from ninja import Schema


class Ref(Schema):
    """A related record named for reading: its id and its name."""

    id: int
    name: str


def label(field_name):
    """A resolver of a choice field's Chinese label (`get_<field>_display()`), for `resolve_<field>_label`."""
    return staticmethod(lambda obj: getattr(obj, f"get_{field_name}_display")())
