"""The jurisdiction (管辖范围) a dashboard user looks at, and where they may drill down to.

A user's jurisdiction is the union of their view scopes over every business model: its outermost units are
the top of their dashboard (the county for department staff, their town for a town officer, their own unit
for a "仅本人" scope). The figures themselves are always computed with the user (core.metrics), so they
count only records the user may see; the jurisdiction only decides which units the dashboard offers.
"""

from functools import cached_property

from django.apps import apps
from django.http import Http404

from core.cache import business_models
from core.exports import may_export
from core.models import subtree_in_scope, top_units_in_scope
from core.text import is_number

# Unit types that divide the land (县区 → 镇街 → 村社): shown one by one in the charts "by unit"; other
# children (成员单位、园区、企业 …) are summed into one row unless they are all there is.
AREA_TYPES = ("county", "town", "village")
MAX_SINGLE_ROWS = 40  # beyond this many children the remaining ones are summed into one row
ROOT_LABEL = "全部管辖范围"


def unit_model():
    return apps.get_model("org", "Unit")


def ledger_model():
    """The ledger's people (people.Person), by label as the menu names it: the health check and the report
    templates are the ledger's, so its permissions and scope are theirs. The dashboard imports no other app."""
    return apps.get_model("people", "Person")


class Jurisdiction:
    def __init__(self, user):
        self.user = user
        self.models = business_models()
        self.tops = top_units_in_scope(user, self.models, "view", fallback=user.unit if user.unit_id else None)

    @property
    def is_empty(self):
        return not self.tops

    @cached_property
    def apps(self):
        """The labels of the apps with a business model the user may view: figures of other apps (all zero for
        this user) are not shown, e.g. the ledger's to an official who only keeps their own pairings."""
        return frozenset(m._meta.app_label for m in self.models if self.user.has_action(m, "view"))

    @cached_property
    def exportable_apps(self):
        """The apps (of `apps`) whose figures the user may download: "export" on their records, as for the
        records themselves (core.views.may_export)."""
        return frozenset(app for app in self.apps
                         if may_export(self.user, [m for m in self.models if m._meta.app_label == app]))

    def covers(self, unit):
        """Whether the dashboard may show `unit`: it lies in a top unit's subtree (or is a top unit)."""
        return any(unit.path.startswith(top.path) for top in self.tops) and self._drillable(unit)

    def _drillable(self, unit):
        if self._reaches_below(unit):
            return True
        return any(unit.pk == top.pk for top in self.tops)  # a single-unit or "仅本人" scope: the unit itself

    def _reaches_below(self, unit):
        """Whether the jurisdiction holds `unit`'s whole subtree, so that drilling below it stays inside."""
        return subtree_in_scope(self.user, self.models, "view", unit)

    def resolve(self, reference):
        """The unit named by `reference` (an id from the query string), or None for the top of the jurisdiction;
        Http404 when it does not exist or lies outside the jurisdiction (the same answer for both)."""
        if reference in (None, ""):
            return self.tops[0] if len(self.tops) == 1 else None
        if not is_number(str(reference)):
            raise Http404("单位不存在或不在您的管辖范围内。")
        unit = unit_model().objects.filter(pk=int(reference)).first()
        if unit is None or not self.covers(unit):
            raise Http404("单位不存在或不在您的管辖范围内。")
        return unit

    def units_for(self, unit):
        """The subtree roots a view of `unit` covers (the whole jurisdiction for None)."""
        return (unit,) if unit is not None else tuple(self.tops)

    def trail(self, unit):
        """Breadcrumbs from the top of the jurisdiction down to `unit`: [(label, unit or None)]."""
        crumbs = [(ROOT_LABEL, None)] if len(self.tops) > 1 else []
        if unit is None:
            return crumbs
        top = next(t for t in self.tops if unit.path.startswith(t.path))
        chain = [a for a in unit_model().objects.get_ancestors(unit) if a.depth >= top.depth] + [unit]
        return crumbs + [(u.name, u) for u in chain]

    def children(self, unit, policy="areas"):
        """(shown, others): the units a chart "by unit" under `unit` shows one row each for, and the other
        children (summed into one row with the unit's own records). For None, the top units.

        Policy "areas": the children that divide the land (镇街 under a county, 村社 under a town) are shown;
        the other children (成员单位、园区 …) are summed; when there are no such children, every child is
        shown (up to MAX_SINGLE_ROWS). Policy "others": those other children, shown (none when "areas" already
        shows every child). Policy "all": every child is shown. Children outside the user's scope are not the
        user's to see: under a single-unit scope there are none.
        """
        if unit is None:
            return (list(self.tops) if policy != "others" else []), []
        if not self._reaches_below(unit):
            return [], []
        children = sorted(unit_model().objects.filter(path__startswith=unit.path, depth=unit.depth + 1),
                          key=lambda u: (not u.is_active, u.sort_order, u.name))
        if policy == "all":
            return children, []
        shown = [c for c in children if c.type in AREA_TYPES and c.is_active]
        if policy == "others":
            return ([c for c in children if c not in shown and c.is_active] if shown else []), []
        if not shown:
            shown = [c for c in children if c.is_active][:MAX_SINGLE_ROWS]
        return shown, [c for c in children if c not in shown]


def residual_label(unit, others):
    """The row of a chart "by unit" holding the unit's own records and those of the children not shown."""
    if not others:
        return f"{unit.name}本级"
    return f"本级及其他单位（{len(others)}个）"
