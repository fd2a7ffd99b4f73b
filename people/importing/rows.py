"""The shape of a ledger row between the checks and the writer: the Person fields it carries, a checked `Row`
and the `Existing` person it matches."""

# The Person fields a ledger row carries, in this order in a checked row's values.
VALUE_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "phone", "native_place", "address", "education",
    "degree", "workplace", "position", "field", "affiliation", "affiliation_date", "tier", "is_representative",
    "notes",
)
INDEX = {name: i for i, name in enumerate(VALUE_FIELDS)}
# Compared with what is stored to decide what an update changes (id_number and phone by their hashes).
STORED_FIELDS = tuple(f for f in VALUE_FIELDS if f not in ("id_number", "phone"))


class Row:
    """A checked row: Excel row number, its values (VALUE_FIELDS order, None = not given) and the rest."""

    __slots__ = ("number", "values", "categories", "tags", "unit_id", "unit_named", "id_hash", "phone_hash",
                 "key")

    def __init__(self, number, values, categories, tags, unit_id, unit_named, id_hash, phone_hash, key):
        self.number = number
        self.values = values
        self.categories = categories
        self.tags = tags
        self.unit_id = unit_id
        self.unit_named = unit_named
        self.id_hash = id_hash
        self.phone_hash = phone_hash
        self.key = key  # how the row is matched: the ID number's hash, or (unit, name, birth date) without one


class Existing:
    """A person already in the county, as far as an update needs it."""

    __slots__ = ("pk", "values", "unit_id", "phone_hash", "categories", "tags")

    def __init__(self, pk, values, unit_id, phone_hash):
        self.pk = pk
        self.values = values  # {field: stored value} for STORED_FIELDS
        self.unit_id = unit_id
        self.phone_hash = phone_hash
        self.categories = set()
        self.tags = set()


def month_key(date):
    """How a month-precise birth date keys a row without an ID number (a date keys it otherwise)."""
    return ("month", date.year, date.month)


def month_precise(row):
    return not row.id_hash and isinstance(row.key[2], tuple)
