"""The demo of 本人自助 on a small demo county: member01 linked to a person of town01's village, one pending request,
one activity open to them."""

import io

from django.test import TestCase

from accounts.models import User
from activities import services as activity_services
from core.demo import DemoContext, discover, loader
from selfservice import demo
from selfservice.models import ChangeRequest, MemberLink

people_demo = loader("people")


class SelfServiceDemoTests(TestCase):
    def test_member01_has_a_pending_request_and_an_activity_open_to_them(self):
        ctx = DemoContext(io.StringIO(), verbosity=0)
        for module in discover():
            if module.order < people_demo.ORDER:
                module.load(ctx)
        people_demo.load(ctx, count=300)
        demo.load(ctx)
        link = MemberLink.objects.select_related("person__owner_unit", "user").get(user__username="member01")
        town = User.objects.get(username="town01").unit
        self.assertTrue(link.person.owner_unit.path.startswith(town.path))
        self.assertTrue(link.user.holds_role("member"))
        self.assertTrue(link.user.check_password(demo.PASSWORD))
        self.assertEqual(ChangeRequest.objects.filter(person=link.person, status="pending").count(), 1)
        self.assertEqual(activity_services.open_for_signup(link.person.owner_unit).count(), 1)
        self.assertTrue(demo.has_data())
