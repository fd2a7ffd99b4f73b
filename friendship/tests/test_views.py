import datetime

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.testing import CountyViewTestData, create_user
from core.models import AuditEvent
from core.testing import export_text
from core.view_testing import ViewTestCases
from friendship import services
from friendship.models import Contact, FollowUp, Pairing
from org.testing import build_county
from representatives.models import Representative

from .helpers import make_contact, make_follow_up, make_pairing, make_representative

D = datetime.date


def today():
    return timezone.localdate()


class PairingViewTests(CountyViewTestData, ViewTestCases.PrimaryObject):
    model = Pairing
    url_prefix = "friendship:pairing"
    other_routes = ("contact_add",)

    @classmethod
    def make_object(cls, unit):
        return make_pairing(unit)

    def search_term(self, obj):
        return obj.representative.person.name

    def form_data(self, unit):
        official = self.owner_at(unit)
        representative = make_representative(unit, "钱新人")
        if official is not None:  # an official (仅本人) pairs themselves with a representative they entered
            Representative.objects.filter(pk=representative.pk).update(created_by=official)
        return {
            "representative": representative.pk, "official": official.pk if official else "",
            "official_name": "" if official else "孙干部", "official_post": "副县长", "contacts_per_year": "2",
            "start_date": "2025-01-01", "end_date": "", "owner_unit": unit.pk,
        }


class ContactViewTests(CountyViewTestData, ViewTestCases.PrimaryObject):
    model = Contact
    url_prefix = "friendship:contact"

    @classmethod
    def make_object(cls, unit):
        return make_contact(make_pairing(unit), D(2025, 3, 1), summary=f"{unit.name}走访内容")

    @classmethod
    def make_own_object(cls, user):
        return make_contact(make_pairing(user.unit, user), D(2025, 3, 1), summary="本人走访内容")

    def search_term(self, obj):
        return obj.pairing.representative.person.name

    def export_texts(self, obj):
        # The export has one column per field: the summary and the representative, not str(contact).
        return [obj.summary, obj.pairing.representative.person.name]

    def form_data(self, unit):
        return {"pairing": make_pairing(unit, self.owner_at(unit)).pk, "date": "2025-03-02", "form": "visit",
                "place": "", "summary": "座谈了解情况", "issues": ""}

    def edit_data(self, obj):
        # A contact stays with its pairing: the edit form has no pairing field.
        return {"date": "2025-03-03", "form": "talk", "place": "村委会", "summary": "谈心谈话", "issues": "用工难"}


class FollowUpViewTests(CountyViewTestData, ViewTestCases.PrimaryObject):
    model = FollowUp
    url_prefix = "friendship:followup"
    route_names = {"add": "friendship:followup_create"}
    other_routes = ("close",)
    refused_create_status = 404  # made on a contact's page: a contact outside the scope does not exist

    @classmethod
    def make_object(cls, unit):
        contact = make_contact(make_pairing(unit), D(2025, 3, 1), issues=f"{unit.name}道路需要修缮")
        return make_follow_up(contact)

    def add_url(self, unit):
        contact = make_contact(make_pairing(unit, self.owner_at(unit)), D(2025, 3, 1), issues="缺少技术工人")
        return reverse("friendship:followup_create", kwargs={"contact": contact.pk})

    def form_data(self, unit):
        return {"description": "协调技术工人培训", "assignee": getattr(self.acting_user, "pk", ""),
                "due_date": f"{today() + datetime.timedelta(days=20):%Y-%m-%d}"}


class FriendshipTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.county_staff = create_user("c_staff", cls.org.county, "county_staff")
        cls.town1_user = create_user("town01", cls.org.town1, "town_officer", full_name="赵镇委")
        cls.official = create_user("official01", cls.org.county, "pairing_official", full_name="王联络")
        cls.other_official = create_user("official02", cls.org.county, "pairing_official", full_name="李联络")

    def setUp(self):
        self.own = make_pairing(self.org.village1, self.official, name="张三", start=D(2024, 1, 1))
        self.others = make_pairing(self.org.village1, self.other_official, name="李四", start=D(2024, 1, 1))
        self.elsewhere = make_pairing(self.org.village2, name="王五", start=D(2024, 1, 1))


class OwnScopeTests(FriendshipTestCase):
    """An official (结对联系干部, 仅本人) sees and records only their own pairings."""

    def test_lists_show_only_own_pairings_and_contacts(self):
        mine = make_contact(self.own, D(2025, 3, 1), summary="我的走访")
        make_contact(self.others, D(2025, 3, 2), summary="别人的走访")
        self.client.force_login(self.official)
        pairings = self.client.get(reverse("friendship:pairing_list"))
        self.assertEqual([r.record.pk for r in pairings.context["table"].rows], [self.own.pk])
        contacts = self.client.get(reverse("friendship:contact_list"))
        self.assertEqual([r.record.pk for r in contacts.context["table"].rows], [mine.pk])
        self.assertEqual(self.client.get(self.others.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(reverse("friendship:pairing_contact_add", args=[self.others.pk]))
                         .status_code, 404)
        # Town staff see the jurisdiction's: both village pairings, not the other town's.
        self.client.force_login(self.town1_user)
        pairings = self.client.get(reverse("friendship:pairing_list"))
        self.assertEqual(sorted(r.record.pk for r in pairings.context["table"].rows),
                         sorted([self.own.pk, self.others.pk]))

    def test_official_records_a_contact_from_the_pairing(self):
        self.client.force_login(self.official)
        url = reverse("friendship:pairing_contact_add", args=[self.own.pk])
        form = self.client.get(url)
        self.assertContains(form, f'value="{today():%Y-%m-%d}"')  # the date defaults to today
        self.assertContains(form, 'class="btn-check"')
        self.assertNotContains(form, 'name="pairing"')
        response = self.client.post(url, {"date": f"{today():%Y-%m-%d}", "form": "talk", "place": "茶厂",
                                          "summary": "谈企业用工", "issues": "缺少技术工人"})
        contact = Contact.objects.get(summary="谈企业用工")
        self.assertRedirects(response, contact.get_absolute_url())
        self.assertEqual((contact.pairing, contact.owner_unit, contact.created_by),
                         (self.own, self.org.village1, self.official))
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(contact.pk),
                                                  object_type="friendship.Contact").exists())
        detail = self.client.get(contact.get_absolute_url())
        self.assertContains(detail, "转为跟进事项")
        self.assertContains(detail, "缺少技术工人")

    def test_contact_form_errors_are_named(self):
        self.client.force_login(self.official)
        url = reverse("friendship:pairing_contact_add", args=[self.own.pk])
        response = self.client.post(url, {"date": f"{today() + datetime.timedelta(days=1):%Y-%m-%d}",
                                          "summary": ""})
        self.assertEqual(response.status_code, 200)
        for message in ("联系日期不能晚于今天", "请选择联系形式", "请填写主要内容"):
            self.assertContains(response, message)
        response = self.client.post(url, {"date": "2023-05-01", "form": "visit", "summary": "早于结对"})
        self.assertContains(response, "联系日期早于结对开始日期（2024-01-01）")
        self.assertFalse(Contact.objects.exists())

    def test_official_pairs_only_themselves(self):
        self.client.force_login(self.official)
        form = self.client.get(reverse("friendship:pairing_add")).context["form"]
        self.assertEqual(list(form.fields["official"].queryset), [self.official])
        self.assertEqual(form.initial["official"], self.official.pk)
        self.assertEqual(list(form.fields["representative"].queryset), [])  # 仅本人: none they registered
        rep = make_representative(self.org.village1, "赵六")
        rep.created_by = self.official
        rep.save()
        data = {"representative": rep.pk, "official": self.official.pk, "official_name": "", "official_post": "",
                "contacts_per_year": "2", "start_date": "2025-01-01", "end_date": "", "owner_unit": self.org.county.pk}
        response = self.client.post(reverse("friendship:pairing_add"), data)
        pairing = Pairing.objects.get(representative=rep)
        self.assertRedirects(response, pairing.get_absolute_url())
        self.assertEqual(pairing.official, self.official)

    def test_official_cannot_use_another_officials_account(self):
        self.client.force_login(self.official)
        rep = make_representative(self.org.village1, "赵六")
        data = {"representative": rep.pk, "official": self.other_official.pk, "official_name": "",
                "official_post": "", "contacts_per_year": "2", "start_date": "2025-01-01", "end_date": "",
                "owner_unit": self.org.county.pk}
        response = self.client.post(reverse("friendship:pairing_add"), data)
        self.assertContains(response, "请选择您数据范围内的用户")
        self.assertFalse(Pairing.objects.filter(representative=rep).exists())

    def test_official_sees_own_pairings_on_the_workbench(self):
        make_contact(self.others, D(2025, 1, 2))
        self.client.force_login(self.official)
        page = self.client.get(reverse("workbench"))
        self.assertContains(page, "我的结对联系")
        self.assertContains(page, "张三")
        self.assertNotContains(page, "李四")
        self.assertContains(page, reverse("friendship:pairing_contact_add", args=[self.own.pk]))
        if services.expected_contacts(2, self.own.start_date, None, today()):
            self.assertContains(page, "1个进度落后")
        else:
            self.assertContains(page, "进度均正常")
        self.client.force_login(self.town1_user)  # no own pairings: the jurisdiction's figures instead
        page = self.client.get(reverse("workbench"))
        self.assertNotContains(page, "我的结对联系")
        self.assertContains(page, "联谊交友（")


class PairingPageTests(FriendshipTestCase):
    def test_create_with_a_cadre_without_account_is_audited(self):
        self.client.force_login(self.town1_user)
        rep = make_representative(self.org.village1, "赵六")
        data = {"representative": rep.pk, "official": "", "official_name": "", "official_post": "镇长",
                "contacts_per_year": "2", "start_date": "2025-01-01", "end_date": "2024-12-31",
                "owner_unit": self.org.town1.pk}
        response = self.client.post(reverse("friendship:pairing_add"), data)
        self.assertContains(response, "请选择联系干部的账号，或填写联系干部姓名")
        data.update(official_name="钱镇长")
        response = self.client.post(reverse("friendship:pairing_add"), data)
        self.assertContains(response, "结束日期不能早于开始日期")
        data.update(end_date="")
        response = self.client.post(reverse("friendship:pairing_add"), data)
        pairing = Pairing.objects.get(representative=rep)
        self.assertRedirects(response, pairing.get_absolute_url())
        self.assertEqual(str(pairing), "钱镇长 ↔ 赵六")
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(pairing.pk),
                                                  object_type="friendship.Pairing").exists())
        response = self.client.post(reverse("friendship:pairing_edit", args=[pairing.pk]),
                                    {**data, "contacts_per_year": "4"})
        self.assertRedirects(response, pairing.get_absolute_url())
        event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(pairing.pk))
        self.assertIn("每年联系次数", event.changes)

    def test_representative_choices_stay_in_scope(self):
        self.client.force_login(self.town1_user)
        form = self.client.get(reverse("friendship:pairing_add")).context["form"]
        names = {r.person.name for r in form.fields["representative"].queryset}
        self.assertIn("张三", names)
        self.assertNotIn("王五", names)
        officials = set(form.fields["official"].queryset)
        self.assertIn(self.town1_user, officials)
        self.assertNotIn(self.official, officials)  # a county account is outside the town's scope

    def test_duplicate_active_pairing_is_refused(self):
        self.client.force_login(self.county_staff)
        data = {"representative": self.own.representative.pk, "official": self.official.pk, "official_name": "",
                "official_post": "", "contacts_per_year": "2", "start_date": "2025-01-01", "end_date": "",
                "owner_unit": self.org.village1.pk}
        response = self.client.post(reverse("friendship:pairing_add"), data)
        self.assertContains(response, "已有有效的结对")

    def test_detail_shows_progress_and_contacts(self):
        make_contact(self.own, today(), summary="今年的走访", issues="")
        self.client.force_login(self.official)
        page = self.client.get(self.own.get_absolute_url())
        self.assertContains(page, "今年的走访")
        self.assertContains(page, "记录联系")
        self.assertEqual(page.context["object"].contacts_made, 1)

    def test_delete_with_contacts_is_refused(self):
        make_contact(self.own, D(2025, 3, 1))
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("friendship:pairing_delete", args=[self.own.pk]), follow=True)
        self.assertContains(response, "仍有联系记录关联，不能删除")
        self.assertTrue(Pairing.objects.filter(pk=self.own.pk).exists())
        empty = make_pairing(self.org.village1)
        response = self.client.post(reverse("friendship:pairing_delete", args=[empty.pk]))
        self.assertRedirects(response, reverse("friendship:pairing_list"))
        self.assertFalse(Pairing.objects.filter(pk=empty.pk).exists())

    def test_filters_progress_year_search_and_official(self):
        this_year = today().year
        make_contact(self.others, D(this_year, 1, 1))
        make_contact(self.others, today())
        self.client.force_login(self.town1_user)
        url = reverse("friendship:pairing_list")

        def listed(**params):
            return sorted(r.record.pk for r in self.client.get(url, params).context["table"].rows)

        self.assertEqual(listed(q="zs"), [self.own.pk])
        self.assertEqual(listed(q="张"), [self.own.pk])
        self.assertEqual(listed(q="李联络"), [self.others.pk])
        self.assertEqual(listed(official=self.other_official.pk), [self.others.pk])
        self.assertEqual(listed(unit=self.org.town1.pk), sorted([self.own.pk, self.others.pk]))
        own_owes = services.expected_contacts(2, self.own.start_date, None, today()) > 0
        self.assertEqual(listed(progress="on_track"), [self.others.pk] if own_owes
                         else sorted([self.own.pk, self.others.pk]))
        self.assertEqual(listed(progress="behind"), [self.own.pk] if own_owes else [])
        # Last year: both owed 2 by its 31 December and had none.
        self.assertEqual(listed(year=str(this_year - 1), progress="behind"), sorted([self.own.pk, self.others.pk]))
        old = make_pairing(self.org.village1, start=D(2015, 1, 1), end=D(2016, 12, 31))
        self.assertNotIn(old.pk, listed(year=str(this_year)))
        self.assertEqual(listed(year="2016"), [old.pk])
        self.assertEqual(listed(year="abc"), [])  # not a year the filter offers

    def test_detail_lists_only_the_contacts_the_user_may_see(self):
        # Issue 11.5: a contact kept by another unit (recorded while the pairing was town02's) and a follow-up
        # kept by another unit are not listed on town01's page of the pairing.
        mine = make_contact(self.own, D(2025, 3, 1), summary="走访茶厂")
        theirs = make_contact(self.own, D(2024, 11, 2), summary="西岭的谈心记录")
        Contact.objects.filter(pk=theirs.pk).update(owner_unit=self.org.village2)
        make_follow_up(mine, description="用地问题")
        hidden = make_follow_up(mine, description="西岭跟进")
        FollowUp.objects.filter(pk=hidden.pk).update(owner_unit=self.org.village2, assignee=None)
        self.client.force_login(self.town1_user)
        page = self.client.get(self.own.get_absolute_url())
        self.assertEqual(list(page.context["contacts"]), [mine])
        self.assertContains(page, "走访茶厂")
        self.assertNotContains(page, "西岭的谈心记录")
        self.assertNotContains(page, theirs.get_absolute_url())
        self.assertContains(page, "跟进事项 1")
        # The official of the pairing sees every contact of it ("仅本人" follows the pairing's official).
        self.client.force_login(self.official)
        page = self.client.get(self.own.get_absolute_url())
        self.assertEqual(list(page.context["contacts"]), [mine, theirs])


class FollowUpTests(FriendshipTestCase):
    def setUp(self):
        super().setUp()
        self.contact = make_contact(self.own, D(2025, 3, 1), issues="村道破损，需要修缮")

    def test_issue_becomes_a_follow_up(self):
        self.client.force_login(self.town1_user)
        detail = self.client.get(self.contact.get_absolute_url())
        form = detail.context["follow_up_form"]
        self.assertEqual(form.initial["description"], "村道破损，需要修缮")
        due = today() + datetime.timedelta(days=10)
        response = self.client.post(reverse("friendship:followup_create", args=[self.contact.pk]), {
            "description": "村道破损，需要修缮", "assignee": self.town1_user.pk, "due_date": f"{due:%Y-%m-%d}"})
        follow_up = FollowUp.objects.get()
        self.assertRedirects(response, follow_up.get_absolute_url())
        self.assertEqual((follow_up.contact, follow_up.owner_unit, follow_up.assignee, follow_up.status),
                         (self.contact, self.org.village1, self.town1_user, FollowUp.Status.OPEN))
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.CREATE,
                                                  object_type="friendship.FollowUp").exists())

    def test_follow_up_form_refuses_past_due_dates_and_strangers(self):
        self.client.force_login(self.town1_user)
        stranger = create_user("town02", self.org.town2, "town_officer")
        response = self.client.post(reverse("friendship:followup_create", args=[self.contact.pk]), {
            "description": "x", "assignee": stranger.pk, "due_date": "2020-01-01"})
        self.assertContains(response, "办理期限不能早于今天")
        self.assertContains(response, "请选择您数据范围内的用户")
        self.assertFalse(FollowUp.objects.exists())
        other_contact = make_contact(self.elsewhere, D(2025, 3, 1), issues="x")
        response = self.client.get(reverse("friendship:followup_create", args=[other_contact.pk]))
        self.assertEqual(response.status_code, 404)

    def test_official_assigns_to_themselves(self):
        self.client.force_login(self.official)
        form = self.client.get(self.contact.get_absolute_url()).context["follow_up_form"]
        self.assertEqual(list(form.fields["assignee"].queryset), [self.official])
        due = today() + datetime.timedelta(days=5)
        self.client.post(reverse("friendship:followup_create", args=[self.contact.pk]), {
            "description": "修路", "assignee": self.official.pk, "due_date": f"{due:%Y-%m-%d}"})
        follow_up = FollowUp.objects.get()
        self.assertEqual(follow_up.assignee, self.official)
        listing = self.client.get(reverse("friendship:followup_list"))
        self.assertEqual([r.record for r in listing.context["table"].rows], [follow_up])

    def test_mine_all_and_overdue(self):
        mine = make_follow_up(self.contact, self.town1_user, description="我的事项")
        late = make_follow_up(self.contact, self.county_staff, due=today() - datetime.timedelta(days=1),
                              description="逾期事项")
        make_follow_up(self.contact, self.county_staff, due=today() - datetime.timedelta(days=3),
                       description="已办结事项", status=FollowUp.Status.DONE, result="已修好", closed_at=today())
        self.client.force_login(self.town1_user)
        url = reverse("friendship:followup_list")

        def listed(**params):
            return [r.record.description for r in self.client.get(url, params).context["table"].rows]

        self.assertEqual(sorted(listed()), sorted(["我的事项", "逾期事项", "已办结事项"]))
        self.assertEqual(listed(whose="mine"), ["我的事项"])
        self.assertEqual(listed(status="overdue"), ["逾期事项"])
        page = self.client.get(url)
        self.assertContains(page, 'data-overdue="1"', count=1)
        self.assertContains(page, "已逾期")
        del mine, late

    def test_close_with_result(self):
        follow_up = make_follow_up(self.contact, self.town1_user)
        self.client.force_login(self.town1_user)
        url = reverse("friendship:followup_close", args=[follow_up.pk])
        response = self.client.post(url, {"result": "", "closed_at": f"{today():%Y-%m-%d}"}, follow=True)
        self.assertContains(response, "请填写办理结果")
        response = self.client.post(url, {"result": "已协调交通部门修缮", "closed_at": f"{today():%Y-%m-%d}"})
        self.assertRedirects(response, follow_up.get_absolute_url())
        follow_up.refresh_from_db()
        self.assertEqual((follow_up.status, follow_up.result, follow_up.closed_at),
                         (FollowUp.Status.DONE, "已协调交通部门修缮", today()))
        event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(follow_up.pk))
        self.assertIn("办理结果", event.changes)
        other = make_follow_up(make_contact(self.elsewhere, D(2025, 3, 1)))
        response = self.client.post(reverse("friendship:followup_close", args=[other.pk]),
                                    {"result": "x", "closed_at": f"{today():%Y-%m-%d}"})
        self.assertEqual(response.status_code, 404)

    def test_contact_with_follow_ups_is_not_deleted(self):
        make_follow_up(self.contact, self.town1_user)
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("friendship:contact_delete", args=[self.contact.pk]), follow=True)
        self.assertContains(response, "仍有跟进事项关联，不能删除")
        self.assertTrue(Contact.objects.filter(pk=self.contact.pk).exists())


class CoverageViewTests(FriendshipTestCase):
    def test_rows_are_the_children_of_the_top_unit(self):
        self.client.force_login(self.county_staff)
        page = self.client.get(reverse("friendship:coverage"))
        labels = [r.label for r in page.context["rows"]]
        self.assertEqual(labels, ["东溪镇", "西岭镇", "县教育局", "测试县（本级）", "合计"])
        self.assertEqual([r.pairings for r in page.context["rows"]], [2, 1, 0, 0, 3])
        self.client.force_login(self.town1_user)
        page = self.client.get(reverse("friendship:coverage"))
        self.assertEqual([(r.label, r.pairings) for r in page.context["rows"]],
                         [("东溪村", 2), ("东溪镇（本级）", 0), ("合计", 2)])

    def test_export(self):
        self.client.force_login(self.county_staff)
        text = export_text(self.client.get(reverse("friendship:coverage_export"), {"year": "2016"}))
        self.assertIn("东溪镇", text)
        self.assertIn("合计", text)
        self.assertIn("联系率（%）", text)
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_label__contains="联系覆盖率")
                        .exists())
        self.client.force_login(self.official)  # no export action
        self.assertEqual(self.client.get(reverse("friendship:coverage_export")).status_code, 403)

    def test_no_permission(self):
        self.client.force_login(create_user("nobody", self.org.town1))
        self.assertEqual(self.client.get(reverse("friendship:coverage")).status_code, 403)


class RemindPairingsTests(FriendshipTestCase):
    """remind_pairings: a notification for each official (with an account) whose pairing is behind; once a month."""

    def run_command(self, day):
        from io import StringIO

        out = StringIO()
        call_command("remind_pairings", "--date", day, stdout=out)
        return out.getvalue()

    def test_creates_the_expected_notifications_once(self):
        from core.models import Notification

        # On 2 July 2025 a pairing of 2 a year owes 1: own (0 contacts) and others (0) are behind,
        # elsewhere is behind too but its official has no account.
        on_track = make_pairing(self.org.village1, self.official, name="周七", start=D(2024, 1, 1))
        make_contact(on_track, D(2025, 5, 1))
        make_pairing(self.org.village1, self.official, name="吴八", start=D(2025, 7, 1))  # owes nothing yet
        inactive = create_user("gone", self.org.county, "pairing_official", is_active=False)
        make_pairing(self.org.village1, inactive, name="郑九", start=D(2024, 1, 1))
        output = self.run_command("2025-07-02")
        self.assertIn("新发送提醒2条", output)
        rows = sorted(Notification.objects.values_list("recipient__username", "title", "url", "key"))
        self.assertEqual(rows, sorted([
            ("official01", "您与张三的联系进度落后：今年已联系0次，应至少1次", self.own.get_absolute_url(),
             f"pairing-behind:{self.own.pk}:2025-07"),
            ("official02", "您与李四的联系进度落后：今年已联系0次，应至少1次", self.others.get_absolute_url(),
             f"pairing-behind:{self.others.pk}:2025-07"),
        ]))
        self.assertIn("新发送提醒0条", self.run_command("2025-07-02"))
        self.assertIn("新发送提醒0条", self.run_command("2025-07-20"))
        self.assertEqual(Notification.objects.count(), 2)
        # Next month, still behind: one more each.
        make_contact(self.others, D(2025, 8, 1))
        self.assertIn("新发送提醒1条", self.run_command("2025-08-02"))
        self.assertEqual(Notification.objects.filter(recipient=self.official).count(), 2)

    def test_bad_date(self):
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "日期格式应为YYYY-MM-DD"):
            call_command("remind_pairings", "--date", "2025-13-01")


class OfficialEditsOwnPairingTests(FriendshipTestCase):
    def test_official_edits_their_pairing_and_contact(self):
        contact = make_contact(self.own, D(2025, 3, 1), summary="初次走访")
        self.client.force_login(self.official)
        data = {"representative": self.own.representative.pk, "official": self.official.pk, "official_name": "",
                "official_post": "县委常委", "contacts_per_year": "4", "start_date": "2024-01-01", "end_date": "",
                "owner_unit": self.org.village1.pk}
        response = self.client.post(reverse("friendship:pairing_edit", args=[self.own.pk]), data)
        self.assertRedirects(response, self.own.get_absolute_url())
        self.own.refresh_from_db()
        self.assertEqual(self.own.contacts_per_year, 4)
        response = self.client.post(reverse("friendship:contact_edit", args=[contact.pk]), {
            "date": "2025-03-02", "form": "phone", "place": "", "summary": "电话回访", "issues": ""})
        self.assertRedirects(response, contact.get_absolute_url())
        contact.refresh_from_db()
        self.assertEqual((contact.form, contact.summary, contact.pairing), ("phone", "电话回访", self.own))
        others = make_contact(self.others, D(2025, 3, 1))
        self.assertEqual(self.client.get(reverse("friendship:contact_edit", args=[others.pk])).status_code, 404)
