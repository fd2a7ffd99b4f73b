"""The representatives (党外代表人士) over the REST API: the list page's filters and scope, the pages' forms for
creating and editing, and the pipeline's steps through the stage page's form (StageForm.change_stage)."""

import datetime as dt

from django.db.models import Prefetch
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from core.api.errors import FormInvalid, responses
from core.api.filters import apply_filters, filter_schema
from core.api.forms import save_form
from core.api.pagination import StablePagination
from core.api.scoping import get_visible, require_action, visible
from people.models import SocialPosition
from people.services import with_person_visible

from . import services
from .filtersets import RepresentativeFilterSet
from .forms import RepresentativeCreateForm, RepresentativeEditForm, StageForm
from .models import Kind, Representative, StageChange

router = Router(tags=["党外代表人士"])
RepresentativeFilters = filter_schema(RepresentativeFilterSet, "RepresentativeFilters")


class Ref(Schema):
    id: int
    name: str


def _label(name):
    return staticmethod(lambda obj: getattr(obj, f"get_{name}_display")())


class StageChangeOut(Schema):
    id: int
    stage: str
    stage_label: str
    level: str
    level_label: str
    date: dt.date
    reason: str
    created_by: str
    created_at: dt.datetime

    resolve_stage_label = _label("stage")
    resolve_level_label = _label("level")

    @staticmethod
    def resolve_created_by(step):
        return str(step.created_by or "")


class RepresentativeListOut(Schema):
    """A row of the list. The person's name always shows (it is the profile's name); the person's id only when
    the token user may see the person in the ledger (`person_id` is then the id of /api/v1/people/{id}/)."""

    id: int
    name: str
    person_id: int | None
    level: str
    level_label: str
    field: str
    field_label: str
    kind: str
    kind_label: str
    stage: str
    stage_label: str
    stage_date: dt.date | None
    owner_unit: Ref

    resolve_level_label = _label("level")
    resolve_field_label = _label("field")
    resolve_kind_label = _label("kind")
    resolve_stage_label = _label("stage")

    @staticmethod
    def resolve_name(rep):
        return rep.person.name

    @staticmethod
    def resolve_person_id(rep):
        return rep.person_id if rep.person_visible else None


class RepresentativeOut(RepresentativeListOut):
    """The profile: the list's fields, the notes, the political arrangements still in term (政治安排, from the
    person's social positions: empty when the person is outside the token user's ledger scope), the stages
    the token user may move it to now (`next_stages`, as the stage page offers them) and the stage history."""

    notes: str
    political_arrangement: str
    next_stages: list[str]
    stage_changes: list[StageChangeOut]

    @staticmethod
    def resolve_political_arrangement(rep):
        if not rep.person_visible:
            return ""
        return services.current_arrangement(rep.person.positions.all())

    @staticmethod
    def resolve_next_stages(rep, context):
        request = context["request"]
        if not request.user.can("change", rep):
            return []
        return [str(stage) for stage in services.allowed_stages(request.user, rep)]

    @staticmethod
    def resolve_stage_changes(rep):
        return list(rep.stage_changes.all())


class RepresentativeIn(Schema):
    """The fields of the pages' forms (codes as on the form; `person` and `owner_unit` ids). Creating needs
    `person` (a person of the ledger in the token user's scope, 在册, not yet a representative), `level`,
    `field`, `owner_unit`, the discovery `date` and `reason` (发现依据); `kind` is "other" unless sent. An
    update sends only what it changes (level, field, kind, owner_unit, notes; never the stage: see
    POST …/stages/)."""

    person: int | None = None
    level: str | None = None
    field: str | None = None
    kind: str | None = None
    owner_unit: int | None = None
    notes: str | None = None
    date: dt.date | None = None
    reason: str | None = None


class StageIn(Schema):
    """The next step of the pipeline, as on the stage page: `stage` (cultivating, certified, exited, or
    discovered again after exiting), its `date` (not after today, not before the current stage's) and
    `reason` (依据或原因)."""

    stage: str
    date: dt.date
    reason: str


def _representatives(request, action="view"):
    """Annotated with `person_visible`: whether the token user sees the person in the ledger (people.visibility),
    one subquery as on the list page."""
    queryset = visible(request, Representative, action).select_related("person", "owner_unit")
    return with_person_visible(queryset, request.user)


def _detail(request, rep_id):
    positions = SocialPosition.objects.filter(kind__in=services.POLITICAL_KINDS)
    return get_visible(request, _representatives(request).prefetch_related(
        Prefetch("person__positions", queryset=positions), "stage_changes__created_by"), rep_id)


@router.get("/", response=responses(list[RepresentativeListOut]),
            summary="党外代表人士列表（筛选同列表页）")
@paginate(StablePagination)
def list_representatives(request, filters: Query[RepresentativeFilters]):
    require_action(request, Representative, "view")
    return apply_filters(request, RepresentativeFilterSet, _representatives(request), filters)


@router.post("/", response=responses(RepresentativeOut, ok_status=201),
             summary="列为党外代表人士（同新增页的校验，记为“发现”阶段）")
def create_representative(request, payload: RepresentativeIn):
    require_action(request, Representative, "add")
    data = {"kind": Kind.OTHER, **payload.dict(exclude_none=True)}  # preselected on the page
    rep = save_form(request, RepresentativeCreateForm, data)
    return Status(201, _detail(request, rep.pk))


@router.get("/{int:representative_id}/", response=responses(RepresentativeOut),
            summary="党外代表人士档案（含阶段变更记录）")
def get_representative(request, representative_id: int):
    require_action(request, Representative, "view")
    return _detail(request, representative_id)


@router.patch("/{int:representative_id}/", response=responses(RepresentativeOut),
              summary="修改党外代表人士档案（只传要改的字段；阶段另行变更）")
def update_representative(request, representative_id: int, payload: RepresentativeIn):
    require_action(request, Representative, "change")
    rep = get_visible(request, _representatives(request, "change"), representative_id, "change")
    changes = payload.dict(exclude_none=True, exclude={"person", "date", "reason"})
    save_form(request, RepresentativeEditForm, changes, instance=rep)
    return _detail(request, representative_id)


@router.get("/{int:representative_id}/stages/", response=responses(list[StageChangeOut]),
            summary="阶段变更记录（发现 → 培养 → 认定 → 退出）")
def list_stage_changes(request, representative_id: int):
    require_action(request, Representative, "view")
    rep = get_visible(request, Representative, representative_id)
    return list(StageChange.objects.filter(representative=rep).select_related("created_by").order_by("date", "pk"))


@router.post("/{int:representative_id}/stages/", response=responses(StageChangeOut, ok_status=201),
             summary="变更阶段（同阶段变更页：认定须有该层级的认定权限）")
def change_stage(request, representative_id: int, payload: StageIn):
    require_action(request, Representative, "change")
    rep = get_visible(request, _representatives(request, "change"), representative_id, "change")
    form = StageForm(payload.dict(), representative=rep, user=request.user)
    step = form.change_stage()
    if step is None:
        raise FormInvalid(form, "阶段变更未完成。")
    return Status(201, step)
