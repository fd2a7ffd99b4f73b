"""The org tree over the REST API: the units of the token user's data scope."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from core.api.errors import responses
from core.cache import business_models
from core.models import subtree_in_scope, top_units_in_scope

from .models import Unit

router = Router(tags=["单位"])


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    type: str
    type_label: str
    division_code: str | None
    parent_id: int | None
    depth: int
    is_active: bool

    @staticmethod
    def resolve_type_label(unit):
        return unit.get_type_display()


def units_visible_to(user):
    """The units the user works in: the outermost units of their scopes over every business model, each with
    the units below it where the scope reaches them. In tree order; parent ids filled in."""
    models = business_models()
    units = []
    for top in top_units_in_scope(user, models, "view", fallback=user.unit):
        if subtree_in_scope(user, models, "view", top):
            units.extend(Unit.objects.get_tree(top))
        else:
            units.append(top)
    by_path = {unit.path: unit for unit in Unit.objects.filter(
        path__in={unit.path[:-Unit.steplen] for unit in units if unit.depth > 1})}
    by_path.update({unit.path: unit for unit in units})
    for unit in units:
        parent = by_path.get(unit.path[:-Unit.steplen]) if unit.depth > 1 else None
        unit.parent_id = parent.pk if parent is not None else None
    return sorted({unit.pk: unit for unit in units}.values(), key=lambda unit: unit.path)


@router.get("/", response=responses(list[UnitOut]), summary="单位树（本人数据范围内，按树的顺序）")
def list_units(request):
    return units_visible_to(request.user)


@router.get("/{int:unit_id}/", response=responses(UnitOut), summary="单位")
def get_unit(request, unit_id: int):
    """One unit of `units_visible_to`: an outermost unit of the scopes, or a unit below one whose subtree the
    scopes cover; 404 for any other."""
    unit = get_object_or_404(Unit, pk=unit_id)
    models = business_models()
    tops = top_units_in_scope(request.user, models, "view", fallback=request.user.unit)
    if not any(unit.pk == top.pk or (unit.path.startswith(top.path) and subtree_in_scope(
            request.user, models, "view", top)) for top in tops):
        raise Http404
    unit.parent_id = Unit.objects.filter(path=unit.path[:-Unit.steplen]).values_list("pk", flat=True).first() \
        if unit.depth > 1 else None
    return unit
