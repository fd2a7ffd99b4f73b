"""The activities' public surface for other apps and the REST API (with activities.models):

- `add_photos`: store photos already checked and re-encoded by core.images (the form's PhotosField), audited —
  the activity page and the API's upload share it;
- the sign-up of members of the ledger (本人报名) to activities published for it. "Open to a person": published
  for sign-up (`signup_open`), not started yet, before its deadline, and organised by the person's unit or a unit
  above it (a village's member sees the activities of their village, town and county). A full activity stays
  listed, marked full.
"""

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from core import audit
from core.models import AuditEvent
from people.services import visible_people

from .models import Activity, Photo, SignUp


class SignUpRefused(Exception):
    """Why a sign-up cannot be made (a message for the member)."""


def open_for_signup(unit, now=None):
    """The activities a person of `unit` may sign up for, soonest first; each with `signed_up_total`, its
    current count of sign-ups (see `is_full`)."""
    now = now or timezone.now()
    units = [*type(unit).objects.get_ancestors(unit), unit]
    return (Activity.objects.filter(signup_open=True, start__gt=now, owner_unit__in=units)
            .exclude(signup_deadline__lt=now).select_related("owner_unit", "activity_type")
            .annotate(signed_up_total=Count("signups", filter=Q(signups__status=SignUp.Status.SIGNED_UP)))
            .order_by("start", "pk"))


def is_full(activity, signed_up):
    """Whether `activity` has no place left when `signed_up` members are signed up for it."""
    return activity.signup_capacity is not None and signed_up >= activity.signup_capacity


def signed_up_activity_ids(person):
    return set(SignUp.objects.filter(person=person, status=SignUp.Status.SIGNED_UP)
               .values_list("activity_id", flat=True))


def sign_up(activity, person):
    """Sign `person` up for `activity` (one of `open_for_signup`); raises SignUpRefused when full."""
    with transaction.atomic():
        # Taking the activity's row first serialises sign-ups for the last places.
        Activity.objects.select_for_update().filter(pk=activity.pk).first()
        if is_full(activity, activity.signups.filter(status=SignUp.Status.SIGNED_UP).count()):
            raise SignUpRefused("报名名额已满")
        try:
            with transaction.atomic():
                signup, created = SignUp.objects.get_or_create(activity=activity, person=person)
        except IntegrityError:  # signed up meanwhile (a double tap)
            signup, created = SignUp.objects.get(activity=activity, person=person), False
        if not created and signup.status != SignUp.Status.SIGNED_UP:
            signup.status, signup.signed_up_at = SignUp.Status.SIGNED_UP, timezone.now()
            signup.save(update_fields=["status", "signed_up_at"])
    return signup


def cancel_signup(activity, person):
    """Withdraw `person`'s sign-up; returns whether there was one to withdraw."""
    return bool(SignUp.objects.filter(activity=activity, person=person, status=SignUp.Status.SIGNED_UP)
                .update(status=SignUp.Status.CANCELLED))


def add_photos(activity, processed, user):
    """Store `processed` (core.images.ProcessedImage, from PhotosField) as photos of `activity`, uploaded by
    `user`, in one transaction with one audit event. Returns the photos."""
    photos = []
    with transaction.atomic():
        for item in processed:
            photo = Photo(activity=activity, uploaded_by=user)
            photo.image.save(item.image.name, item.image, save=False)
            photo.thumbnail.save(item.thumbnail.name, item.thumbnail, save=False)
            photo.save()
            photos.append(photo)
        audit.record(AuditEvent.Action.UPDATE, obj=activity, changes={"上传照片": f"{len(processed)}张"})
    return photos


def visible_participants(activity, user):
    """(participants, hidden): the participants of `activity` that `user` may see in the ledger
    (people.visibility), by pinyin, and how many others took part — counted, never named."""
    participants = list(activity.participants.filter(pk__in=visible_people(user).values("pk"))
                        .select_related("owner_unit").order_by("name_pinyin", "pk"))
    return participants, activity.participants.count() - len(participants)
