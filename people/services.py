"""The ledger's public surface (with people.models and people.choices): what other apps may use of the
ledger. Everything else of this app is private to it (the import-linter contracts in pyproject.toml).

- Whether a user may see a person's fields where another record refers to the person (people.visibility):
  `visible_people`, `may_see_person`, `with_person_visible`.
- What of a person a user may see (people.privacy): `may_see_sensitive`, `birth_date_text`, `may_reveal`.
- The ledger's filters, applied to records about a person through a prefix (`PersonFilterSet`,
  `person_prefix = "person__"`).
- The ledger's person picker (`person_choices`), for autocomplete views of other apps.
- The ledger's "是否代表人士" flag, kept in step by the representatives' pipeline (`mark_representative`).
- Changes a person declares about themselves (本人申报, people.declared): checked and applied through the person
  edit form — `declared_change_problems`, `apply_declared_change`, `declared_position_problems`,
  `add_declared_position`.
"""

from .declared import (
    add_declared_position,
    apply_declared_change,
    declared_change_problems,
    declared_position_problems,
)
from .filtersets import PersonFilterSet, search_people
from .privacy import birth_date_text, may_reveal, may_see_sensitive
from .visibility import may_see_person, visible_people, with_person_visible

__all__ = [
    "PersonFilterSet", "add_declared_position", "apply_declared_change", "birth_date_text",
    "declared_change_problems", "declared_position_problems", "mark_representative", "may_reveal", "may_see_person",
    "may_see_sensitive", "person_choices", "visible_people", "with_person_visible",
]


def person_choices(queryset, term, limit):
    """The picker's options for `term` among `queryset` (people the user may pick): pinyin or name search,
    each person named with their unit, [{"value": pk, "text": "张三（东溪村）"}]."""
    queryset = queryset.select_related("owner_unit").only("pk", "name", "owner_unit__name")
    queryset = search_people(queryset, term) if term else queryset
    return [{"value": p.pk, "text": f"{p.name}（{p.owner_unit.name}）"} for p in queryset[:limit]]


def mark_representative(person, user, is_representative, reason):
    """Keep the ledger's "是否代表人士" in step with a representative's profile (a history entry on the
    person, with `reason`)."""
    if person.is_representative == is_representative:
        return
    person.is_representative = is_representative
    person.updated_by = user
    person._change_reason = reason
    person.save(update_fields=["is_representative", "updated_by", "updated_at"])
