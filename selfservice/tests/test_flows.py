"""本人自助 end to end in the test client: opening an account (one-time link, initial password), a change request
approved or rejected (the record, its history, the notification), bad input, and the sign-up."""

import datetime
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.testing import create_user
from activities.models import Activity, ActivityType, SignUp
from core.models import AuditEvent, Notification
from org.testing import build_county
from people.models import Person
from selfservice import services
from selfservice.forms import InviteForm
from selfservice.models import ChangeRequest, Invitation, MemberLink

NEW_PASSWORD = "Xin#Mima2026"


class SelfServiceFlowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.officer = create_user("town01", cls.org.town1, "town_officer")
        cls.other_officer = create_user("town02", cls.org.town2, "town_officer")
        cls.person = Person.objects.create(name="王秀英", owner_unit=cls.org.village1, workplace="东溪小学",
                                           phone="13800001111", id_number="")
        cls.neighbour = Person.objects.create(name="赵邻居", owner_unit=cls.org.village1, workplace="邻居公司")

    def invite(self, method, username="wangxiuying"):
        self.client.force_login(self.officer)
        return self.client.post(reverse("selfservice_review:invite", args=[self.person.pk]),
                                {"username": username, "method": method})

    def member_client(self):
        link = MemberLink.objects.get(person=self.person)
        client = self.client_class()
        client.force_login(link.user)
        return client, link

    def open_account(self):
        link = services.create_account(self.person, "wangxiuying", self.officer)
        link.user.must_change_password = False
        link.user.save()
        return self.member_client()

    # --- invitations ---------------------------------------------------------------------------------------

    def test_invitation_link_works_once_and_sets_the_password(self):
        response = self.invite("link")
        url = response.context["issued"]["url"]
        user = User.objects.get(username="wangxiuying")
        self.assertTrue(user.holds_role("member"))
        self.assertFalse(user.has_usable_password())
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT, username="town01").exists())
        # The token is not stored in clear.
        token = url.rstrip("/").rsplit("/", 1)[1]
        self.assertFalse(Invitation.objects.filter(token_hash=token).exists())
        anonymous = self.client_class()
        self.assertContains(anonymous.get(url), "wangxiuying")
        response = anonymous.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)
        user.refresh_from_db()
        self.assertTrue(user.check_password(NEW_PASSWORD))
        self.assertFalse(user.must_change_password)
        # Used: the same link is dead.
        self.assertEqual(anonymous.get(url).status_code, 404)
        self.assertEqual(anonymous.post(url, {"new_password1": "Other#Pass2026", "new_password2": "Other#Pass2026"})
                         .status_code, 404)
        user.refresh_from_db()
        self.assertTrue(user.check_password(NEW_PASSWORD))

    def test_invitation_link_expires_and_a_newer_one_replaces_it(self):
        link = services.create_account(self.person, "wangxiuying", self.officer)
        old = services.issue_invitation(link, self.officer, now=timezone.now() - datetime.timedelta(days=8))
        self.assertIsNone(services.usable_invitation(old))  # expired
        first = services.issue_invitation(link, self.officer)
        self.assertIsNotNone(services.usable_invitation(first))
        second = services.issue_invitation(link, self.officer)
        self.assertIsNone(services.usable_invitation(first))  # replaced
        self.assertIsNotNone(services.usable_invitation(second))
        services.issue_initial_password(link, self.officer)
        self.assertIsNone(services.usable_invitation(second))  # an initial password replaces it too

    def test_initial_password_is_shown_once_and_must_be_changed(self):
        response = self.invite("password")
        password = response.context["issued"]["password"]
        user = User.objects.get(username="wangxiuying")
        self.assertTrue(user.check_password(password))
        self.assertTrue(user.must_change_password)
        self.assertEqual(response["Cache-Control"].count("no-cache") + response["Cache-Control"].count("no-store"),
                         2)

    def test_invite_refuses_a_taken_username_in_chinese(self):
        response = self.invite("link", username="town01")
        self.assertContains(response, "该用户名已被使用")
        self.assertFalse(MemberLink.objects.exists())

    def test_a_username_taken_at_the_same_moment_is_a_form_error(self):
        # Both units' forms found the name free; the other one saved first.
        with mock.patch.object(InviteForm, "clean_username", lambda form: form.cleaned_data["username"]):
            response = self.invite("link", username="town01")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors["username"], ["该用户名已被使用，请换一个"])
        self.assertFalse(MemberLink.objects.exists())
        self.assertFalse(Invitation.objects.exists())

    def test_another_town_cannot_open_the_account(self):
        self.client.force_login(self.other_officer)
        response = self.client.post(reverse("selfservice_review:invite", args=[self.person.pk]),
                                    {"username": "x1", "method": "link"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(User.objects.filter(username="x1").exists())

    # --- the member's pages --------------------------------------------------------------------------------

    def test_workbench_sends_a_member_home_and_the_record_is_masked(self):
        client, _ = self.open_account()
        self.assertRedirects(client.get("/"), reverse("selfservice:home"))
        page = client.get(reverse("selfservice:record")).content.decode()
        self.assertIn("王秀英", page)
        self.assertIn("东溪小学", page)
        self.assertNotIn("13800001111", page)
        self.assertIn("138****1111", page)
        self.assertNotIn("赵邻居", page)
        # Nothing of the ledger through its own pages.
        self.assertEqual(client.get(reverse("people:person_detail", args=[self.person.pk])).status_code, 403)
        self.assertEqual(client.get(reverse("people:person_list")).status_code, 403)
        self.assertEqual(client.get(reverse("dashboard:index")).status_code, 403)

    def test_change_request_approved_lands_in_the_record_and_its_history(self):
        client, link = self.open_account()
        proof = SimpleUploadedFile("证明.pdf", b"%PDF-1.4 proof", content_type="application/pdf")
        response = client.post(reverse("selfservice:change", args=["workplace"]),
                               {"workplace": "县第一中学", "note": "调动", "proof": proof})
        self.assertRedirects(response, reverse("selfservice:record"))
        change = ChangeRequest.objects.get()
        self.assertEqual((change.old_value, change.new_display, change.status), ("东溪小学", "县第一中学", "pending"))
        self.person.refresh_from_db()
        self.assertEqual(self.person.workplace, "东溪小学")  # not before approval

        self.client.force_login(self.officer)
        self.assertContains(self.client.get(reverse("selfservice_review:request_list")), "县第一中学")
        self.assertContains(self.client.get("/"), "待审核的本人申报")
        attachment = self.client.get(reverse("selfservice_review:request_attachment", args=[change.pk]))
        self.assertEqual(b"".join(attachment.streaming_content), b"%PDF-1.4 proof")
        response = self.client.post(reverse("selfservice_review:request_review", args=[change.pk]),
                                    {"decision": "approve"})
        self.assertRedirects(response, reverse("selfservice_review:request_list"))
        self.person.refresh_from_db()
        self.assertEqual(self.person.workplace, "县第一中学")
        latest = self.person.history.order_by("-history_date", "-history_id").first()
        self.assertEqual(latest.history_change_reason, "本人申报：工作单位改为“县第一中学”")
        self.assertEqual(latest.history_user, self.officer)
        event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_type="people.Person",
                                       object_id=str(self.person.pk))
        self.assertEqual(event.changes, {"工作单位": ["东溪小学", "县第一中学"],
                                         "原因": "本人申报：工作单位改为“县第一中学”"})
        self.assertEqual(latest.history_user, self.officer)
        detail = self.client.get(self.person.get_absolute_url()).content.decode()
        self.assertIn("本人申报：工作单位改为“县第一中学”", detail)
        change.refresh_from_db()
        self.assertEqual(change.status, ChangeRequest.Status.APPROVED)
        note = Notification.objects.get(recipient=link.user)
        self.assertIn("审核通过", note.title)

    def test_change_request_rejected_needs_a_reason_and_changes_nothing(self):
        client, link = self.open_account()
        client.post(reverse("selfservice:change", args=["education"]), {"education": "postgraduate"})
        change = ChangeRequest.objects.get()
        self.client.force_login(self.officer)
        url = reverse("selfservice_review:request_review", args=[change.pk])
        self.assertContains(self.client.post(url, {"decision": "reject", "reason": " "}), "不通过时请填写原因")
        change.refresh_from_db()
        self.assertEqual(change.status, ChangeRequest.Status.PENDING)
        self.client.post(url, {"decision": "reject", "reason": "请提供毕业证书"})
        change.refresh_from_db()
        self.person.refresh_from_db()
        self.assertEqual((change.status, change.decision_reason), ("rejected", "请提供毕业证书"))
        self.assertEqual(self.person.education, "")
        self.assertIn("请提供毕业证书", Notification.objects.get(recipient=link.user).body)
        self.assertContains(client.get(reverse("selfservice:record")), "请提供毕业证书")
        # A second decision (another tab, a colleague) is told the request is decided, and sees the decision.
        for decision in ("approve", "reject"):
            with self.subTest(decision=decision):
                again = self.client.post(url, {"decision": decision, "reason": "再次处理"})
                self.assertEqual(again.context["form"].non_field_errors(), ["该申报已审核，无需重复处理"])
                self.assertEqual(again.context["change"].status, ChangeRequest.Status.REJECTED)
        change.refresh_from_db()
        self.assertEqual(change.decision_reason, "请提供毕业证书")

    def test_bad_input_gets_a_chinese_message_and_records_nothing(self):
        client, _ = self.open_account()
        cases = [
            ("phone", {"phone": "12345"}),
            ("phone", {"phone": "13800001111"}),  # the same as registered
            ("education", {"education": "phd-from-nowhere"}),
            ("workplace", {"workplace": ""}),
            ("social_position", {"kind": "cppcc", "level": "county", "term_start": "2026-01-01",
                                 "term_end": "2020-01-01"}),
            ("workplace", {"workplace": "新单位", "proof": SimpleUploadedFile("x.exe", b"MZ")}),
            ("workplace", {"workplace": "新单位", "proof": SimpleUploadedFile("x.pdf", b"not a pdf")}),
        ]
        for item, data in cases:
            with self.subTest(item=item, data=data):
                response = client.post(reverse("selfservice:change", args=[item]), data)
                self.assertEqual(response.status_code, 200)
                errors = [e for errs in response.context["form"].errors.values() for e in errs]
                self.assertTrue(errors)
                self.assertTrue(all(any("\u4e00" <= c <= "\u9fff" for c in e) for e in errors), errors)
        self.assertFalse(ChangeRequest.objects.exists())
        self.assertEqual(client.get(reverse("selfservice:change", args=["name"])).status_code, 404)

    def test_social_position_approved_is_added_with_a_history_entry(self):
        client, _ = self.open_account()
        client.post(reverse("selfservice:change", args=["social_position"]),
                    {"kind": "cppcc", "level": "county", "title": "政协委员", "term_start": "2026-01-01"})
        change = ChangeRequest.objects.get()
        self.assertEqual(services.approve(change, self.officer), [])
        self.assertEqual([str(p) for p in self.person.positions.all()], ["县级政协委员"])
        latest = self.person.history.order_by("-history_date", "-history_id").first()
        self.assertTrue(latest.history_change_reason.startswith("本人申报：新增社会职务"))

    def test_sign_up_and_cancel(self):
        client, _ = self.open_account()
        kind = ActivityType.objects.get_or_create(name="同心大讲堂")[0]
        start = timezone.now() + datetime.timedelta(days=3)

        def activity(unit, **extra):
            return Activity.objects.create(title=f"{unit.name}讲堂", activity_type=kind, start=start, owner_unit=unit,
                                           end=start, place="礼堂", content="讲座", signup_open=True, **extra)
        town, other_town = activity(self.org.town1, signup_capacity=1), activity(self.org.town2)
        closed = activity(self.org.county, signup_deadline=timezone.now() - datetime.timedelta(hours=1))
        page = client.get(reverse("selfservice:activities")).content.decode()
        self.assertIn(town.title, page)
        self.assertNotIn(other_town.title, page)
        self.assertNotIn(closed.title, page)
        self.assertEqual(client.post(reverse("selfservice:signup", args=[other_town.pk])).status_code, 404)
        client.post(reverse("selfservice:signup", args=[town.pk]))
        self.assertEqual(SignUp.objects.get().status, SignUp.Status.SIGNED_UP)
        # The organiser sees the sign-up on the activity page.
        self.client.force_login(self.officer)
        self.assertContains(self.client.get(town.get_absolute_url()), "王秀英（东溪村）")
        client.post(reverse("selfservice:signup_cancel", args=[town.pk]))
        self.assertEqual(SignUp.objects.get().status, SignUp.Status.CANCELLED)
        # Full: another person takes the only place.
        SignUp.objects.create(activity=town, person=self.neighbour)
        response = client.post(reverse("selfservice:signup", args=[town.pk]), follow=True)
        self.assertContains(response, "报名名额已满")
        self.assertEqual(SignUp.objects.get(person=self.person).status, SignUp.Status.CANCELLED)

    def test_the_activity_list_costs_the_same_queries_for_more_activities(self):
        client, _ = self.open_account()
        kind = ActivityType.objects.get_or_create(name="同心大讲堂")[0]
        start = timezone.now() + datetime.timedelta(days=3)

        def add_activities(count):
            for n in range(count):
                activity = Activity.objects.create(
                    title=f"讲堂{Activity.objects.count()}", activity_type=kind, start=start, end=start, place="礼堂",
                    content="讲座", owner_unit=self.org.town1, signup_open=True, signup_capacity=1 + n % 2)
                SignUp.objects.create(activity=activity, person=self.neighbour)

        def queries():
            with CaptureQueriesContext(connection) as captured:
                page = client.get(reverse("selfservice:activities"))
            return len(captured), page

        add_activities(2)
        few, _ = queries()
        add_activities(4)
        many, page = queries()
        self.assertEqual(many, few)
        # Capacity 1 with the neighbour signed up is full; capacity 2 has a place left.
        full = {a.title for a in page.context["activities"] if a.full}
        self.assertEqual(full, {"讲堂0", "讲堂2", "讲堂4"})
        self.assertContains(page, "名额已满", count=3)
