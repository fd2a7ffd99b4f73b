"""Pairings (结对联系) and their contacts (联系记录) over the REST API, on the pages' paths, filters and forms.

Two routers: `pairings_router` (/api/v1/pairings/, with a pairing's contacts under it, like the pairing page's
"记录联系") and `contacts_router` (/api/v1/contacts/). An official holding the "仅本人" scope reaches only the
pairings he is the official of, and their contacts, exactly as on the pages (the models' scope rules)."""

import datetime as dt

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from core.api.errors import responses
from core.api.filters import apply_filters, filter_schema
from core.api.forms import save_form
from core.api.pagination import StablePagination
from core.api.schemas import Ref
from core.api.scoping import get_visible, require_action, visible

from . import services
from .filtersets import ContactFilterSet, PairingFilterSet
from .forms import ContactForm, PairingForm
from .models import Contact, Pairing

pairings_router = Router(tags=["结对联系"])
contacts_router = Router(tags=["联系记录"])
PairingFilters = filter_schema(PairingFilterSet, "PairingFilters")
ContactFilters = filter_schema(ContactFilterSet, "ContactFilters")


class PairingOut(Schema):
    """A pairing and its progress this year (or in the year of the `year` filter): contacts made, contacts owed
    by the day progress is measured on (`progress_on`), and whether it is behind (进度落后). `representative_id`
    only when the token user may see the representative's profile (an official sees it through the pairing)."""

    id: int
    representative_id: int | None
    representative_name: str
    official: Ref | None
    official_name: str
    official_post: str
    owner_unit: Ref
    contacts_per_year: int
    start_date: dt.date
    end_date: dt.date | None
    progress_on: dt.date
    contacts_made: int
    expected: int
    behind: bool

    @staticmethod
    def resolve_representative_id(pairing, context):
        rep = pairing.representative
        return rep.pk if context["request"].user.can("view", rep) else None

    @staticmethod
    def resolve_representative_name(pairing):
        return pairing.representative.person.name

    @staticmethod
    def resolve_official(pairing):
        if pairing.official is None:
            return None
        return {"id": pairing.official.pk, "name": pairing.official.full_name or pairing.official.username}

    @staticmethod
    def resolve_official_name(pairing):
        return pairing.official_display

    @staticmethod
    def resolve_progress_on(pairing, context):
        return context["request"].progress_on


class ContactOut(Schema):
    id: int
    pairing_id: int
    representative_name: str
    official_name: str
    owner_unit: Ref
    date: dt.date
    form: str
    form_label: str
    place: str
    summary: str
    issues: str

    @staticmethod
    def resolve_representative_name(contact):
        return contact.pairing.representative.person.name

    @staticmethod
    def resolve_official_name(contact):
        return contact.pairing.official_display

    @staticmethod
    def resolve_form_label(contact):
        return contact.get_form_display()


class PairingIn(Schema):
    """The pairing form's fields: `representative` (id of a representative the token user sees, not exited),
    the official as an account (`official`, a user id in the token user's scope) or by `official_name` and
    `official_post`, `contacts_per_year` (1–52), `start_date`, `end_date` (optional), `owner_unit` (id). An update
    sends only what it changes."""

    representative: int | None = None
    official: int | None = None
    official_name: str | None = None
    official_post: str | None = None
    contacts_per_year: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    owner_unit: int | None = None


class ContactIn(Schema):
    """The contact form's fields: `date` (not after today, not before the pairing's start), `form` (visit, talk,
    forum, phone, online), `summary` (主要内容), `place` and `issues` (反映的问题或建议) optional. An update
    sends only what it changes; the pairing of a contact never changes."""

    date: dt.date | None = None
    form: str | None = None
    place: str | None = None
    summary: str | None = None
    issues: str | None = None


class NewContactIn(ContactIn):
    """A contact of any pairing the token user sees: `pairing` is its id."""

    pairing: int | None = None


def _contacts(request, action="view"):
    return visible(request, Contact, action).select_related(
        "owner_unit", "pairing__official", "pairing__representative__person")


def _contact(request, contact_id):
    return get_visible(request, _contacts(request), contact_id)


def _pairings(request, on=None):
    """The pairings the user sees, with their progress on `on` (today by default), noted for the answer."""
    request.progress_on = on or services.progress_date()
    queryset = visible(request, Pairing).select_related(
        "owner_unit", "official", "representative__person", "representative__owner_unit")
    return services.with_progress(queryset, request.progress_on)


# --- pairings --------------------------------------------------------------------------------------------

@pairings_router.get("/", response=responses(list[PairingOut]), summary="结对联系列表（筛选同列表页，含今年联系进度）")
@paginate(StablePagination)
def list_pairings(request, filters: Query[PairingFilters]):
    require_action(request, Pairing, "view")
    # As on the page: progress is measured in the chosen year (a year the filter does not offer is refused).
    on = services.progress_date(services.chosen_year(filters.year))
    return apply_filters(request, PairingFilterSet, _pairings(request, on), filters)


@pairings_router.post("/", response=responses(PairingOut, ok_status=201), summary="新增结对联系（同新增页的校验）")
def create_pairing(request, payload: PairingIn):
    require_action(request, Pairing, "add")
    pairing = save_form(request, PairingForm, payload)
    return Status(201, get_visible(request, _pairings(request), pairing.pk))


@pairings_router.get("/{int:pairing_id}/", response=responses(PairingOut), summary="结对联系（含今年联系进度）")
def get_pairing(request, pairing_id: int):
    require_action(request, Pairing, "view")
    return get_visible(request, _pairings(request), pairing_id)


@pairings_router.patch("/{int:pairing_id}/", response=responses(PairingOut),
                       summary="修改结对联系（只传要改的字段；结对结束请填写结束日期）")
def update_pairing(request, pairing_id: int, payload: PairingIn):
    require_action(request, Pairing, "change")
    pairing = get_visible(request, Pairing.objects.select_related("representative"), pairing_id, "change")
    save_form(request, PairingForm, payload, instance=pairing)
    return get_visible(request, _pairings(request), pairing_id)


@pairings_router.get("/{int:pairing_id}/contacts/", response=responses(list[ContactOut]),
                     summary="该结对的联系记录（本人数据范围内的）")
@paginate(StablePagination)
def list_pairing_contacts(request, pairing_id: int):
    require_action(request, Contact, "view")
    pairing = get_visible(request, Pairing, pairing_id)
    return _contacts(request).filter(pairing=pairing).order_by("-date", "-id")


@pairings_router.post("/{int:pairing_id}/contacts/", response=responses(ContactOut, ok_status=201),
                      summary="记录联系（同结对页的“记录联系”：手机上的主要流程）")
def create_pairing_contact(request, pairing_id: int, payload: ContactIn):
    require_action(request, Contact, "add")
    pairing = get_visible(request, Pairing.objects.select_related("representative__person", "official"), pairing_id)
    contact = save_form(request, ContactForm, payload, pairing=pairing)
    return Status(201, _contact(request, contact.pk))


# --- contacts --------------------------------------------------------------------------------------------

@contacts_router.get("/", response=responses(list[ContactOut]), summary="联系记录列表（筛选同列表页）")
@paginate(StablePagination)
def list_contacts(request, filters: Query[ContactFilters]):
    require_action(request, Contact, "view")
    return apply_filters(request, ContactFilterSet, _contacts(request), filters)


@contacts_router.post("/", response=responses(ContactOut, ok_status=201),
                      summary="新增联系记录（选择结对，同新增页的校验）")
def create_contact(request, payload: NewContactIn):
    require_action(request, Contact, "add")
    contact = save_form(request, ContactForm, payload)
    return Status(201, _contact(request, contact.pk))


@contacts_router.get("/{int:contact_id}/", response=responses(ContactOut), summary="联系记录")
def get_contact(request, contact_id: int):
    require_action(request, Contact, "view")
    return _contact(request, contact_id)


@contacts_router.patch("/{int:contact_id}/", response=responses(ContactOut),
                       summary="修改联系记录（只传要改的字段）")
def update_contact(request, contact_id: int, payload: ContactIn):
    require_action(request, Contact, "change")
    contact = get_visible(request, Contact.objects.select_related("owner_unit", "pairing"), contact_id, "change")
    save_form(request, ContactForm, payload, instance=contact)
    return _contact(request, contact_id)
