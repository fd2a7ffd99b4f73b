"""Activities over the REST API: the list page's filters, the activity form's validation, the page's photos.

Participants are named only where the token user may see them (people.services.visible_people), as on the
activity's page and in its export; the others are counted. Photos are uploaded through the form's own photo
field (core.images: checked by content, re-encoded without metadata) and served only by the scoped photo
pages, whose URLs the detail gives.
"""

from datetime import datetime
from types import SimpleNamespace

from django import forms
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from core.api.errors import FormInvalid, responses
from core.api.filters import apply_filters, filter_schema
from core.api.forms import save_form
from core.api.pagination import StablePagination
from core.api.schemas import Ref
from core.api.scoping import get_visible, require_action, visible

from .filtersets import ActivityFilterSet
from .forms import ActivityForm, PhotosField
from .models import Activity
from .services import add_photos, visible_participants

router = Router(tags=["活动"])
ActivityFilters = filter_schema(ActivityFilterSet, "ActivityFilters")


class ActivityListOut(Schema):
    id: int
    title: str
    activity_type: Ref
    start: datetime
    end: datetime
    place: str
    owner_unit: Ref
    planned: bool
    occurrence: str
    participant_count: int
    other_participants: int
    photo_count: int

    @staticmethod
    def resolve_planned(activity):
        return activity.plan_id is not None


class ParticipantOut(Schema):
    id: int
    name: str
    owner_unit: Ref


class PhotoOut(Schema):
    id: int
    caption: str
    uploaded_at: datetime
    url: str
    thumbnail_url: str


class ActivityOut(ActivityListOut):
    """An activity. `participants`: those of the ledger the token user may see; `hidden_participants`: how many
    others took part. `plan`: the plan it fulfils, when the user may see that plan."""

    content: str
    outcome: str
    co_organisers: list[Ref]
    plan: Ref | None
    participants: list[ParticipantOut]
    hidden_participants: int
    photos: list[PhotoOut]
    signin_open: bool


class ActivityIn(Schema):
    """The activity form's fields (`activity_type`, `owner_unit`, `plan` ids; `participants`, `co_organisers`
    lists of ids). An update sends only what it changes; `title` left empty is made from the date and type, `end`
    left empty is two hours after `start`, as on the page."""

    activity_type: int | None = None
    title: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    place: str | None = None
    owner_unit: int | None = None
    participants: list[int] | None = None
    other_participants: int | None = None
    content: str | None = None
    outcome: str | None = None
    plan: int | None = None
    co_organisers: list[int] | None = None


class PhotoUploadForm(forms.Form):
    """The photo field of the activity form, alone: the same checks, the same messages."""

    photos = PhotosField(label="活动照片")

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if not photos:
            raise forms.ValidationError("请选择要上传的照片。")
        return photos


def _activities(request, action="view"):
    return visible(request, Activity, action).select_related("owner_unit", "activity_type").with_counts()


@router.get("/", response=responses(list[ActivityListOut]), summary="活动列表（筛选同活动列表页）")
@paginate(StablePagination)
def list_activities(request, filters: Query[ActivityFilters]):
    require_action(request, Activity, "view")
    return apply_filters(request, ActivityFilterSet, _activities(request), filters)


@router.post("/", response=responses(ActivityOut, ok_status=201), summary="记录活动（同活动登记页的校验）")
def create_activity(request, payload: ActivityIn):
    require_action(request, Activity, "add")
    activity = save_form(request, ActivityForm, payload)
    return Status(201, _detail(request, activity.pk))


@router.get("/{int:activity_id}/", response=responses(ActivityOut), summary="活动（参加人员仅列本人可见的）")
def get_activity(request, activity_id: int):
    require_action(request, Activity, "view")
    return _detail(request, activity_id)


@router.patch("/{int:activity_id}/", response=responses(ActivityOut), summary="修改活动（只传要改的字段）")
def update_activity(request, activity_id: int, payload: ActivityIn):
    require_action(request, Activity, "change")
    activity = get_visible(request, Activity, activity_id, "change")
    values = payload.dict(exclude_unset=True)
    # The page's picker holds only the participants the user may see, and the form keeps the others by itself.
    if "participants" not in values:
        values["participants"] = [person.pk for person in visible_participants(activity, request.user)[0]]
    save_form(request, ActivityForm, values, instance=activity)
    return _detail(request, activity_id)


@router.get("/{int:activity_id}/photos/", response=responses(list[PhotoOut]), summary="活动照片")
def list_photos(request, activity_id: int):
    require_action(request, Activity, "view")
    activity = get_visible(request, Activity, activity_id)
    return [_photo(request, photo) for photo in activity.photos.all()]


@router.post("/{int:activity_id}/photos/", response=responses(list[PhotoOut], ok_status=201),
             summary="上传活动照片（multipart，字段 photos，可多张；同活动页的图片检查）")
def upload_photos(request, activity_id: int, photos: File[list[UploadedFile]]):
    require_action(request, Activity, "change")
    activity = get_visible(request, Activity, activity_id, "change")
    form = PhotoUploadForm(data={}, files=_files("photos", photos))
    if not form.is_valid():
        raise FormInvalid(form, "照片未上传。")
    saved = add_photos(activity, form.cleaned_data["photos"], request.user)
    return Status(201, [_photo(request, photo) for photo in saved])


def _files(name, uploads):
    return MultiValueDict({name: list(uploads)})


def _photo(request, photo):
    return {
        "id": photo.pk, "caption": photo.caption, "uploaded_at": photo.uploaded_at,
        "url": request.build_absolute_uri(reverse("activities:photo", args=[photo.pk])),
        "thumbnail_url": request.build_absolute_uri(reverse("activities:photo_thumb", args=[photo.pk])),
    }


def _detail(request, activity_id):
    activity = get_visible(request, _activities(request).select_related("plan"), activity_id)
    participants, hidden = visible_participants(activity, request.user)
    plan = activity.plan if activity.plan_id and request.user.can("view", activity.plan) else None
    return SimpleNamespace(**{  # read like the list's activities (resolvers included)
        **{name: getattr(activity, name) for name in (
            "id", "title", "activity_type", "start", "end", "place", "owner_unit", "occurrence", "participant_count",
            "other_participants", "photo_count", "content", "outcome", "signin_open", "plan_id")},
        "co_organisers": list(activity.co_organisers.order_by("path")),
        "plan": {"id": plan.pk, "name": str(plan)} if plan is not None else None,
        "participants": participants,
        "hidden_participants": hidden,
        "photos": [_photo(request, photo) for photo in activity.photos.all()],
    })
