"""Whether a user may see a person's fields where another record refers to the person: the one rule.

A record of another kind may refer to a person of the ledger — a representative's profile, a pairing through
its representative, an activity's participants, a duty-list link — and a user may see that record but not the
person: the person moved to another unit's ledger (调动) while the record stayed, or a "仅本人" scope covers the
record and not the ledger. The person's fields are shown where the user may view the person
(`Person.objects.visible_to(user, "view")`) and nowhere else, on pages, tables, exports and filters alike:

- A record that is about the person (a representative, a pairing) still names them — the name is what the
  record is — but shows nothing else of the person: no basic facts, political arrangements or phone number.
- A list of people attached to a record (participants, links) lists only the people the user may view.
- A filter on a person's attributes (gender, ethnicity, age, affiliation, category …) matches only records
  whose person the user may view, so that a filter cannot confirm an attribute of a hidden person.

Callers ask here; none repeats the rule.
"""

from django.db.models import Exists, OuterRef

from .models import Person


def visible_people(user):
    """The people whose fields `user` may see."""
    return Person.objects.visible_to(user, "view")


def may_see_person(user, person):
    return person is not None and user.can("view", person)


def with_person_visible(queryset, user, path="person", name="person_visible"):
    """`queryset` (records referring to a person through the foreign key `path`) annotated with `name`: whether
    the user may see that person's fields. One subquery, so it suits a streamed export too."""
    return queryset.annotate(**{name: Exists(visible_people(user).filter(pk=OuterRef(path)))})


def only_visible_people(queryset, user, path="person"):
    """The records of `queryset` whose person (through `path`) the user may see: where a filter on the person's
    attributes is applied, so that it matches nothing about a hidden person."""
    return queryset.filter(**{f"{path}__in": visible_people(user).values("pk")})
