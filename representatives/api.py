"""The representatives (党外代表人士) over the REST API: the list page's filters and scope, the pages' forms for
creating and editing, the pipeline's steps through the stage page's form (StageForm.change_stage), and the
cultivations and assessments through their forms and representatives.services, like the profile page."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from core import audit
from core.api.errors import FormInvalid, responses
from core.api.filters import apply_filters, filter_schema
from core.api.forms import form_data, save_form
from core.api.pagination import StablePagination
from core.api.schemas import Ref, label
from core.api.scoping import get_visible, require_action, visible
from people.services import with_person_visible

from . import services
from .filtersets import RepresentativeFilterSet
from .forms import AssessmentForm, CultivationForm, RepresentativeCreateForm, RepresentativeEditForm, StageForm
from .models import Assessment, Cultivation, Kind, Representative, StageChange

router = Router(tags=["党外代表人士"])
RepresentativeFilters = filter_schema(RepresentativeFilterSet, "RepresentativeFilters")


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

    resolve_stage_label = label("stage")
    resolve_level_label = label("level")

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

    resolve_level_label = label("level")
    resolve_field_label = label("field")
    resolve_kind_label = label("kind")
    resolve_stage_label = label("stage")

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


class CultivationOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    title: str
    organiser: str
    start_date: dt.date | None
    end_date: dt.date | None
    notes: str

    resolve_kind_label = label("kind")
    resolve_status_label = label("status")


class CultivationIn(Schema):
    """The cultivation form's fields: `kind` (training, secondment, practice, other), `status` (planned unless sent;
    done),
    `title` (内容), `organiser`, `start_date`, `end_date`, `notes`. An update sends only what it changes."""

    kind: str | None = None
    status: str | None = None
    title: str | None = None
    organiser: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    notes: str | None = None


class AssessmentOut(Schema):
    id: int
    year: int
    grade: str
    grade_label: str
    notes: str

    resolve_grade_label = label("grade")


class AssessmentIn(Schema):
    """The assessment form's fields: `year` (once per year), `grade` (excellent, competent, basic, incompetent),
    `notes`. An update sends only what it changes."""

    year: int | None = None
    grade: str | None = None
    notes: str | None = None


def _representatives(request, action="view"):
    """Annotated with `person_visible`: whether the token user sees the person in the ledger (people.visibility),
    one subquery as on the list page."""
    queryset = visible(request, Representative, action).select_related("person", "owner_unit")
    return with_person_visible(queryset, request.user)


def _detail(request, rep_id):
    return get_visible(request, _representatives(request).prefetch_related(
        services.prefetch_political_positions(), "stage_changes__created_by"), rep_id)


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
    data = {"kind": Kind.OTHER, **payload.dict(exclude_unset=True)}  # preselected on the page
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
    rep = get_visible(request, Representative.objects.select_related("person", "owner_unit"), representative_id,
                      "change")
    changes = payload.dict(exclude_unset=True, exclude={"person", "date", "reason"})
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
    rep = get_visible(request, Representative.objects.select_related("person", "owner_unit"), representative_id,
                      "change")
    form = StageForm(payload.dict(), representative=rep, user=request.user)
    step = form.change_stage()
    if step is None:
        raise FormInvalid(form, "阶段变更未完成。")
    return Status(201, step)


# --- cultivations and assessments (on the profile page; writing them needs "change" on the representative) ----

def _record(request, representative_id, model, record_id=None):
    """The representative (changeable by the user) and its record `record_id` (a new one without): 404 for a
    representative outside the scope or a record of another representative."""
    rep = get_visible(request, Representative, representative_id, "change")
    if record_id is None:
        return rep, model(representative=rep)
    return rep, get_object_or_404(model, pk=record_id, representative=rep)


def _save_record(request, rep, form_class, record, payload):
    values_before = {} if record.pk is None else audit.snapshot(record, form_class._meta.fields)
    form = form_class(data=form_data(form_class(instance=record), payload.dict(exclude_unset=True)), instance=record)
    if not form.is_valid():
        raise FormInvalid(form)
    return services.save_record(form, rep, request.user, values_before)


def _delete_record(request, representative_id, model, record_id):
    require_action(request, Representative, "change")
    rep, record = _record(request, representative_id, model, record_id)
    services.delete_record(record, rep, request.user)
    return Status(204, None)


@router.get("/{int:representative_id}/cultivations/", response=responses(list[CultivationOut]), summary="培养记录")
def list_cultivations(request, representative_id: int):
    require_action(request, Representative, "view")
    return list(get_visible(request, Representative, representative_id).cultivations.all())


@router.post("/{int:representative_id}/cultivations/", response=responses(CultivationOut, ok_status=201),
             summary="新增培养记录")
def create_cultivation(request, representative_id: int, payload: CultivationIn):
    require_action(request, Representative, "change")
    rep, record = _record(request, representative_id, Cultivation)
    if payload.status is None:
        payload.status = Cultivation.Status.PLANNED  # preselected on the page
    return Status(201, _save_record(request, rep, CultivationForm, record, payload))


@router.patch("/{int:representative_id}/cultivations/{int:cultivation_id}/", response=responses(CultivationOut),
              summary="修改培养记录（只传要改的字段）")
def update_cultivation(request, representative_id: int, cultivation_id: int, payload: CultivationIn):
    require_action(request, Representative, "change")
    rep, record = _record(request, representative_id, Cultivation, cultivation_id)
    return _save_record(request, rep, CultivationForm, record, payload)


@router.post("/{int:representative_id}/cultivations/{int:cultivation_id}/done/", response=responses(CultivationOut),
             summary="培养记录标记为已完成（结束日期未填的记为今天；已完成的不变）")
def complete_cultivation(request, representative_id: int, cultivation_id: int):
    require_action(request, Representative, "change")
    rep, record = _record(request, representative_id, Cultivation, cultivation_id)
    try:
        services.complete_cultivation(record, rep, request.user)
    except ValidationError as error:
        raise HttpError(422, error.messages[0]) from error
    return record


@router.delete("/{int:representative_id}/cultivations/{int:cultivation_id}/", response=responses(None, ok_status=204),
               summary="删除培养记录")
def delete_cultivation(request, representative_id: int, cultivation_id: int):
    return _delete_record(request, representative_id, Cultivation, cultivation_id)


@router.get("/{int:representative_id}/assessments/", response=responses(list[AssessmentOut]), summary="年度考核")
def list_assessments(request, representative_id: int):
    require_action(request, Representative, "view")
    return list(get_visible(request, Representative, representative_id).assessments.all())


@router.post("/{int:representative_id}/assessments/", response=responses(AssessmentOut, ok_status=201),
             summary="登记年度考核（每年一次）")
def create_assessment(request, representative_id: int, payload: AssessmentIn):
    require_action(request, Representative, "change")
    rep, record = _record(request, representative_id, Assessment)
    return Status(201, _save_record(request, rep, AssessmentForm, record, payload))


@router.patch("/{int:representative_id}/assessments/{int:assessment_id}/", response=responses(AssessmentOut),
              summary="修改年度考核（只传要改的字段）")
def update_assessment(request, representative_id: int, assessment_id: int, payload: AssessmentIn):
    require_action(request, Representative, "change")
    rep, record = _record(request, representative_id, Assessment, assessment_id)
    return _save_record(request, rep, AssessmentForm, record, payload)


@router.delete("/{int:representative_id}/assessments/{int:assessment_id}/", response=responses(None, ok_status=204),
               summary="删除年度考核")
def delete_assessment(request, representative_id: int, assessment_id: int):
    return _delete_record(request, representative_id, Assessment, assessment_id)
