"""Every URL of 本人自助 as every demo role (the member "self01" among them), inside and outside their scope.

The member's pages find their person through the account's link, never through an id: every other signed-in
actor gets 403 there. The unit's pages follow the ledger's "change" scope.
"""

import datetime

from django.utils import timezone

from accounts.testing import DEMO_ACTORS, DemoRolesMatrixTestCase
from activities.models import Activity, ActivityType
from core.security_testing import ACTION, FORM, Target, needs, public, signed_in
from people.models import Person
from selfservice import services
from selfservice.models import ChangeRequest, MemberLink

MEMBER = "self01"
# The member's pages: theirs only; every other signed-in actor is refused.
NOT_MEMBERS = {a.name: 403 for a in DEMO_ACTORS if a.signed_in and a.name != MEMBER}


def member_page(target=None, **options):
    return signed_in(target, overrides={**NOT_MEMBERS, **options.pop("overrides", {})},
                     post_overrides={**NOT_MEMBERS, **options.pop("post_overrides", {})},
                     why="only a member with a linked person", **options)


MATRIX = {
    "selfservice:home": member_page(),
    "selfservice:record": member_page(),
    "selfservice:change_items": member_page(),
    # An empty POST: the form asks for the new value; nothing is recorded.
    "selfservice:change": member_page("item", post=FORM),
    "selfservice:activities": member_page(),
    # Open to the member: the village's town's activity. Another town's is 404 (see build_actor_targets).
    "selfservice:signup": member_page("open_activity", get=405, post=ACTION, overrides={MEMBER: (405, 405)}),
    "selfservice:signup_cancel": member_page("open_activity", get=405, post=ACTION,
                                             overrides={MEMBER: (405, 405)}),
    # The one-time link: the token is the key (an unknown one: the "expired" page, 404).
    "selfservice:invitation": public("token", get=404, post=FORM, post_ok=404),
    "selfservice_review:invite": needs(Person, "change", "person", post=FORM),
    "selfservice_review:request_list": needs(Person, "change"),
    "selfservice_review:request_review": needs(Person, "change", "change_request", post=FORM),
    "selfservice_review:request_attachment": needs(Person, "change", "change_request", get=404),
}


class SelfServiceUrlSecurityTests(DemoRolesMatrixTestCase):
    app = "selfservice"
    matrix = MATRIX

    @classmethod
    def build_targets(cls, places):
        people, requests = {}, {}
        for name, place in places.items():
            person = Person.objects.create(name=place.tag, owner_unit=place.unit, workplace=f"{place.tag}公司",
                                           created_by=place.owner)
            people[name] = Target({"pk": person.pk})
            change = ChangeRequest.objects.create(person=person, item=ChangeRequest.Item.WORKPLACE,
                                                  old_value=f"{place.tag}公司", new_values={"workplace": "新公司"},
                                                  new_display="新公司")
            requests[name] = Target({"pk": change.pk})
        member = cls.users[MEMBER]
        own = Person.objects.create(name="本人甲", owner_unit=cls.org.village1)
        MemberLink.objects.create(user=member, person=own)
        return {"person": people, "change_request": requests,
                "item": {"*": Target({"item": ChangeRequest.Item.WORKPLACE})},
                "token": {"*": Target({"token": "no-such-token"})}}

    @classmethod
    def build_actor_targets(cls, actor, user):
        kind = ActivityType.objects.get_or_create(name="同心大讲堂")[0]
        start = timezone.now() + datetime.timedelta(days=7)

        def activity(unit, title):
            return Activity.objects.create(title=title, activity_type=kind, start=start, owner_unit=unit,
                                           end=start + datetime.timedelta(hours=2), place="礼堂", content="讲座",
                                           signup_open=True)
        if not hasattr(cls, "open_activities"):
            # The member's town's activity is shown to them on purpose (no tag); another town's, named with its
            # tag, must never be.
            cls.open_activities = (activity(cls.org.town1, "本镇讲座"), activity(cls.org.town2, "栾戊镇讲座"))
        inside, outside = cls.open_activities
        return {"open_activity": (Target({"pk": inside.pk}), Target({"pk": outside.pk}))}


def test_member_sees_nothing_through_visible_to(db):
    """The member role carries no business permission: no business model gives them a record."""
    from django.apps import apps

    from accounts.testing import create_user
    from core.models import BusinessModel
    from org.testing import build_county

    org = build_county()
    user = create_user("self02", org.village1, "member")
    person = Person.objects.create(name="本人乙", owner_unit=org.village1, created_by=user)
    MemberLink.objects.create(user=user, person=person)
    assert services.link_of(user).person == person
    for model in (m for m in apps.get_models() if issubclass(m, BusinessModel)):
        for action in ("view", "change", "export"):
            assert not model.objects.visible_to(user, action).exists(), (model, action)
    assert not ChangeRequest.objects.visible_to(user, "change").exists()
    assert not user.can("view", person)
