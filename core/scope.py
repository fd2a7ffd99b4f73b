"""The data scope (数据范围) of a user for one action on one model: how it is computed and how it is applied.

This module is core's and accounts' only. Every other module reaches business data through the scoped manager
(core.models: `Model.objects.visible_to(user, action)`, `units_in_scope`, `unit_in_scope`, `scope_top_units`,
…) and `user.can(action, obj)`; it never holds a Scope. Ruff's banned-api rule (TID251, pyproject.toml) refuses
an import of this module elsewhere, and core/tests/test_scope_boundary.py refuses what an import rule cannot see:
a call of `scope_for`, `covers_unit`, `units_q`, `top_units` … on an object.

`scope_for(user, model, action)` is the one function computing a scope. Its implementation belongs to accounts
(roles and grants), which registers it when the app is ready (`register_scope_provider`): core imports no app.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
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

    @property
    def has_units(self):
        """Whether the scope reaches records by their unit, not only the user's own ("仅本人")."""
        return bool(self.everything_ or self.subtree_paths or self.unit_ids)

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

    def covers_subtree(self, unit):
        """Whether the records of `unit` and of every unit below it fall inside the scope by jurisdiction (a
        drill-down below `unit` stays inside): "everything", or `unit` inside one of the scope's subtrees."""
        if self.everything_:
            return True
        return unit is not None and any(unit.path.startswith(p) for p in self.subtree_paths)

    def covers_unit_id(self, unit_id, load_unit):
        """`covers_unit` for a unit known by its id: `load_unit()` is called only when the path is needed."""
        if self.everything_:
            return True
        if unit_id is None:
            return False
        if unit_id in self.unit_ids:
            return True
        return bool(self.subtree_paths) and self.covers_unit(load_unit())


def _outermost(paths):
    """Drop paths that lie inside another path of the set: their subtree is already covered."""
    return frozenset(p for p in paths if not any(p != o and p.startswith(o) for o in paths))


# --- the one function computing a scope ------------------------------------------------------------------

_provider = None


def register_scope_provider(provider):
    """Install `provider(user, model, action) -> Scope`, the computation of scopes (accounts' roles and grants).
    Called once, by accounts when it is ready."""
    global _provider
    _provider = provider


def scope_for(user, model, action):
    """The scope in which `user` may perform `action` on the records of `model` (nothing for no user or an
    anonymous one). `model` is the model whose permissions decide (a ScopeRule's `permission_model`)."""
    if user is None or not user.is_authenticated:
        return Scope.nothing()
    if _provider is None:
        raise ImproperlyConfigured("No data scope provider is registered (the accounts app registers it).")
    return _provider(user, model, action)


def union_scope_for(user, models, action):
    """The union of `user`'s scopes for `action` over several models (e.g. every business model)."""
    return Scope.union(scope_for(user, model, action) for model in models)
