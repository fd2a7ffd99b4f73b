"""The ledger over the REST API: the list page's filters, the person form's validation, the page's masking."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from core import audit
from core.api.errors import responses
from core.api.filters import apply_filters, filter_schema
from core.api.forms import save_form
from core.api.pagination import StablePagination
from core.api.schemas import Ref
from core.api.schemas import label as _label
from core.api.scoping import get_visible, require_action, visible
from core.models import AuditEvent

from .filtersets import PersonFilterSet
from .forms import PersonForm
from .models import Category, Person, SocialPosition
from .privacy import SensitiveScope, birth_date_text

router = Router(tags=["统战成员"])
PersonFilters = filter_schema(PersonFilterSet, "PersonFilters")


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None


class PositionOut(Schema):
    kind: str
    kind_label: str
    level: str
    level_label: str
    title: str
    term_start: date | None
    term_end: date | None

    @staticmethod
    def resolve_kind_label(position):
        return position.get_kind_display()

    @staticmethod
    def resolve_level_label(position):
        return position.get_level_display()


class PersonListOut(Schema):
    """A row of the ledger. The birth date shows its month only ("1975-03") unless the person is inside the
    token user's view_sensitive scope; the ID number and phone only masked, in the detail."""

    id: int
    name: str
    gender: str
    gender_label: str
    ethnicity: str
    ethnicity_label: str
    birth_date: str
    workplace: str
    position: str
    education: str
    education_label: str
    affiliation: str
    affiliation_label: str
    categories: list[Ref]
    owner_unit: Ref
    tier: str
    tier_label: str
    is_representative: bool
    tags: list[str]
    status: str
    status_label: str

    resolve_gender_label = _label("gender")
    resolve_ethnicity_label = _label("ethnicity")
    resolve_education_label = _label("education")
    resolve_affiliation_label = _label("affiliation")
    resolve_tier_label = _label("tier")
    resolve_status_label = _label("status")

    @staticmethod
    def resolve_birth_date(person, context):
        return birth_date_text(person.birth_date, day=_sensitive(context["request"]).covers(person), iso=True)

    @staticmethod
    def resolve_categories(person):
        return list(person.categories.all())

    @staticmethod
    def resolve_tags(person):
        return [tag.name for tag in person.tags.all()]


class PersonOut(PersonListOut):
    id_number: str
    phone: str
    native_place: str
    address: str
    field: str
    degree: str
    degree_label: str
    affiliation_date: date | None
    notes: str
    status_date: date | None
    status_reason: str
    positions: list[PositionOut]

    resolve_degree_label = _label("degree")

    @staticmethod
    def resolve_id_number(person):
        return Person._meta.get_field("id_number").masked(person.id_number)

    @staticmethod
    def resolve_phone(person):
        return Person._meta.get_field("phone").masked(person.phone)

    @staticmethod
    def resolve_positions(person):
        return list(person.positions.all())


class SensitiveOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    birth_date: date | None


class PersonIn(Schema):
    """The person form's fields (codes as on the form; `categories` ids, `owner_unit` id). An update sends only
    what it changes; an empty `id_number` or `phone` keeps what is stored (`clear_id_number` / `clear_phone`
    remove it)."""

    name: str | None = None
    id_number: str | None = None
    clear_id_number: bool | None = None
    gender: str | None = None
    birth_date: date | None = None
    ethnicity: str | None = None
    phone: str | None = None
    clear_phone: bool | None = None
    native_place: str | None = None
    address: str | None = None
    workplace: str | None = None
    position: str | None = None
    field: str | None = None
    education: str | None = None
    degree: str | None = None
    affiliation: str | None = None
    affiliation_date: date | None = None
    categories: list[int] | None = None
    owner_unit: int | None = None
    tier: str | None = None
    is_representative: bool | None = None
    tag_names: str | None = None
    notes: str | None = None


def _sensitive(request):
    """The token user's view_sensitive scope, worked out once per request."""
    if not hasattr(request, "_sensitive_scope"):
        request._sensitive_scope = SensitiveScope(request.user)
    return request._sensitive_scope


def _people(request, action="view"):
    return visible(request, Person, action).select_related("owner_unit").prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("sort_order", "pk")), "tags")


@router.get("/", response=responses(list[PersonListOut]), summary="统战成员列表（筛选同台账列表页）")
@paginate(StablePagination)
def list_people(request, filters: Query[PersonFilters]):
    require_action(request, Person, "view")
    people = _people(request).defer("id_number", "phone", "notes", "address", "native_place", "photo")
    return apply_filters(request, PersonFilterSet, people, filters)


@router.get("/categories/", response=responses(list[CategoryOut]), summary="统战成员类别")
def list_categories(request):
    require_action(request, Person, "view")
    return list(Category.objects.filter(is_active=True).order_by("sort_order", "pk"))


@router.post("/", response=responses(PersonOut, ok_status=201), summary="新增统战成员（同新增页的校验）")
def create_person(request, payload: PersonIn):
    require_action(request, Person, "add")
    person = save_form(request, PersonForm, payload, change_reason="新增（接口）")
    return Status(201, _detail(request, person.pk))


@router.get("/{int:person_id}/", response=responses(PersonOut), summary="统战成员（敏感信息脱敏）")
def get_person(request, person_id: int):
    require_action(request, Person, "view")
    return _detail(request, person_id)


@router.patch("/{int:person_id}/", response=responses(PersonOut), summary="修改统战成员（只传要改的字段）")
def update_person(request, person_id: int, payload: PersonIn):
    require_action(request, Person, "change")
    person = get_visible(request, Person.objects.prefetch_related("categories", "tags"), person_id, "change")
    save_form(request, PersonForm, payload, instance=person, change_reason="编辑（接口）")
    return _detail(request, person_id)


@router.get("/{int:person_id}/sensitive/", response=responses(SensitiveOut),
            summary="身份证号、联系电话与出生日期原文（须有查看敏感信息权限；记入审计）")
def reveal_person(request, person_id: int):
    person = get_visible(request, Person, person_id, "view")
    if not request.user.can("view_sensitive", person):
        raise PermissionDenied("您无权查看该成员的敏感信息。")
    fields = [label for label, value in (("身份证号", person.id_number), ("联系电话", person.phone)) if value]
    audit.record(AuditEvent.Action.REVEAL, obj=person, changes={"字段": fields})
    return person


def _detail(request, person_id):
    return get_visible(request, _people(request).prefetch_related(
        Prefetch("positions", queryset=SocialPosition.objects.order_by("pk"))), person_id)
