"""Every URL of activities, plans, photos and sign-in as every demo role, inside and outside their scope."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.testing import DemoRolesMatrixTestCase
from activities.models import Activity, ActivityType, Frequency, Photo, Plan, SignIn
from core.security_testing import ACTION, FORM, Redirect, Target, needs, post_only, public
from core.testing import PNG
from people.models import Person

MATRIX = {
    "activities:activity_list": needs(Activity, "view"),
    "activities:activity_export": needs(Activity, "export"),
    "activities:activity_add": needs(Activity, "add", post=FORM),
    "activities:activity_detail": needs(Activity, "view", "activity"),
    "activities:activity_edit": needs(Activity, "change", "activity", post=FORM),
    "activities:activity_delete": needs(Activity, "delete", "activity", post=ACTION),
    "activities:calendar": needs(Activity, "view"),
    "activities:photo": needs(Activity, "view", "photo"),
    "activities:photo_thumb": needs(Activity, "view", "photo"),
    "activities:photo_delete": post_only(Activity, "change", "photo"),
    "activities:plan_list": needs(Plan, "view"),
    "activities:plan_add": needs(Plan, "add", post=FORM),
    "activities:plan_detail": needs(Plan, "view", "plan"),
    "activities:plan_edit": needs(Plan, "change", "plan", post=FORM),
    "activities:plan_delete": needs(Plan, "delete", "plan", post=ACTION),
    # 应开展与已开展, drilled down to a unit (?unit=): a unit outside the scope does not exist.
    "activities:due": needs(Plan, "view", also=(needs(Plan, "view", "unit"),)),
    "activities:due_export": needs(Plan, "export", also=(needs(Plan, "export", "unit"),)),
    # Sign-in: the QR page and image are for who may change the activity; the list (GET only: a POST is refused
    # before the activity is looked up) for who may see it. Confirming or ignoring sign-ins (adding the matched
    # people to the participants) is a change: an empty POST decides nothing and goes back to the activity.
    "activities:signin_qr": needs(Activity, "change", "activity", post=FORM,
                                  post_ok=Redirect("activities:signin_qr")),
    "activities:signin_qr_svg": needs(Activity, "change", "activity"),
    "activities:signin_list": needs(Activity, "view", "activity", post=FORM, post_ok=405),
    "activities:signin_confirm": post_only(Activity, "change", "activity", post=FORM,
                                           post_ok=Redirect("activities:activity_detail")),
    # The phone page behind the QR code: no login, the token is the key.
    "activities:signin": public("signin", post=FORM),
}


class ActivityUrlSecurityTests(DemoRolesMatrixTestCase):
    app = "activities"
    matrix = MATRIX

    @classmethod
    def build_targets(cls, places):
        kind = ActivityType.objects.order_by("sort_order").first()
        now = timezone.now()
        activities, photos, plans, tokens = {}, {}, {}, {}
        for name, place in places.items():
            plan = Plan.objects.create(owner_unit=place.unit, created_by=place.owner, title=f"{place.tag}计划",
                                       activity_type=kind, frequency=Frequency.MONTH, year=now.year)
            activity = Activity.objects.create(
                owner_unit=place.unit, created_by=place.owner, title=f"{place.tag}活动", activity_type=kind,
                start=now - datetime.timedelta(hours=1), end=now + datetime.timedelta(hours=2),
                place=f"{place.tag}礼堂", content="宣讲政策", plan=plan, signin_open=True)
            person = Person.objects.create(name=f"{place.tag}参加人", owner_unit=place.unit)
            activity.participants.add(person)
            SignIn.objects.create(activity=activity, person=person, name=person.name, phone_last4="1234")
            photo = Photo.objects.create(activity=activity, image=ContentFile(PNG, name="p.png"),
                                         thumbnail=ContentFile(PNG, name="t.png"), caption=f"{place.tag}照片")
            activities[name] = Target({"pk": activity.pk})
            photos[name] = Target({"pk": photo.pk})
            plans[name] = Target({"pk": plan.pk})
            tokens[name] = Target({"token": activity.signin_token})
        return {"activity": activities, "photo": photos, "plan": plans, "signin": tokens,
                "unit": cls.unit_targets(places)}
