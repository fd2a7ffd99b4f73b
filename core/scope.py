"""The data scope (数据范围) of a user for one action on one model, and its translation to a query."""

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    everything_: bool = False
    subtree_paths: frozenset = field(default_factory=frozenset)
    unit_ids: frozenset = field(default_factory=frozenset)
    user_ids: frozenset = field(default_factory=frozenset)

    @classmethod
    def everything(cls):
        return cls(everything_=True)

    @classmethod
    def nothing(cls):
        return cls()

    @classmethod
    def union(cls, scopes):
        scopes = list(scopes)
        if any(s.everything_ for s in scopes):
            return cls.everything()
        return cls(
            subtree_paths=_outermost(frozenset().union(*(s.subtree_paths for s in scopes))),
            unit_ids=frozenset().union(*(s.unit_ids for s in scopes)),
            user_ids=frozenset().union(*(s.user_ids for s in scopes)),
        )

    @property
    def is_empty(self):
        return not (self.everything_ or self.subtree_paths or self.unit_ids or self.user_ids)

    def q(self, unit_field, user_field):
        """A Q over a model whose jurisdiction is `unit_field` (a FK to org.Unit) and owner `user_field`."""
        if self.everything_:
            return Q()
        if self.is_empty:
            return Q(pk__in=[])
        query = Q(pk__in=[])
        for path in sorted(self.subtree_paths):
            query |= Q(**{f"{unit_field}__path__startswith": path})
        if self.unit_ids:
            query |= Q(**{f"{unit_field}__in": sorted(self.unit_ids)})
        if self.user_ids and user_field:
            query |= Q(**{f"{user_field}__in": sorted(self.user_ids)})
        return query

    def units_q(self):
        """A Q over org.Unit: the units a record may belong to and stay inside the scope.

        A "仅本人" scope follows the record's creator, not a unit, so it adds no unit here;
        forms fall back to the user's own unit for it.
        """
        if self.everything_:
            return Q()
        query = Q(pk__in=sorted(self.unit_ids))
        for path in sorted(self.subtree_paths):
            query |= Q(path__startswith=path)
        return query

    def top_units(self, fallback=None):
        """The outermost units of the scope, by path: the root(s) for "everything", the anchors of subtrees and
        single units otherwise, and `fallback` (the user's own unit) for a "仅本人" scope with no unit."""
        Unit = apps.get_model("org", "Unit")
        if self.everything_:
            return list(Unit.objects.get_root_nodes())
        tops = list(Unit.objects.filter(Q(path__in=sorted(self.subtree_paths)) | Q(pk__in=sorted(self.unit_ids))))
        if not tops and self.user_ids and fallback is not None:
            tops = [fallback]
        return sorted((t for t in tops if not any(o.pk != t.pk and t.path.startswith(o.path) for o in tops)),
                      key=lambda u: u.path)

    def covers_unit(self, unit):
        """Whether a record owned by `unit` falls inside the scope by jurisdiction."""
        if self.everything_:
            return True
        if unit is None:
            return False
        return unit.pk in self.unit_ids or any(unit.path.startswith(p) for p in self.subtree_paths)


def _outermost(paths):
    """Drop paths that lie inside another path of the set: their subtree is already covered."""
    return frozenset(p for p in paths if not any(p != o and p.startswith(o) for o in paths))
