"""The scheme pages (考核细则) and the holiday pages (节假日): who may do what, and that the changes work.

Scope conventions as in core.view_testing.ViewTestCases: anonymous → login; no role (and the system
administrator, 三员分立) → 403; a scheme outside the user's scope → 404 and absent from the list. Schemes are
changed with the "manage" action, which only county staff hold: a town officer gets 403 on every change page.
"""

import datetime
from decimal import Decimal as D

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.testing import create_user
from core.models import AuditEvent
from core.navigation import menu_for
from duties.models import CalendarYear, Holiday, Indicator, Scheme, Submission
from duties.workbench import has_assessed_unit
from org.models import Unit
from org.testing import build_county


def scheme_urls(scheme, indicator):
    pk = scheme.pk
    return {
        "detail": reverse("duties:scheme_detail", args=[pk]),
        "edit": reverse("duties:scheme_edit", args=[pk]),
        "delete": reverse("duties:scheme_delete", args=[pk]),
        "copy": reverse("duties:scheme_copy", args=[pk]),
        "export": reverse("duties:scheme_export", args=[pk]),
        "indicator_import": reverse("duties:scheme_indicator_import", args=[pk]),
        "category_add": reverse("duties:indicator_category_add", args=[pk]),
        "item_add": reverse("duties:indicator_item_add", args=[pk]),
        "indicator_edit": reverse("duties:indicator_edit", args=[pk, indicator.pk]),
        "indicator_delete": reverse("duties:indicator_delete", args=[pk, indicator.pk]),
    }


POST_ONLY = ("publish", "move")
GLOBAL = {"list": reverse("duties:scheme_list"), "add": reverse("duties:scheme_add"),
          "import": reverse("duties:scheme_import")}


class SchemeFixtures(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        cls.county_staff = create_user("d_county", org.county, "county_staff")
        cls.town1_user = create_user("d_town1", org.town1, "town_officer")
        cls.town2_user = create_user("d_town2", org.town2, "town_officer")
        cls.leader = create_user("d_leader", org.county, "leader")
        cls.no_role_user = create_user("d_norole", org.town1)
        cls.sysadmin = create_user("d_sysadmin", org.county, "sysadmin")
        cls.scheme = Scheme.objects.create(year=2026, title="2026年度统战工作考核细则", owner_unit=org.county,
                                           unit_types=[Unit.Type.TOWN], periods=["quarter", "year"])
        cls.category = Indicator.objects.create(scheme=cls.scheme, text="基础工作", sort_order=1)
        cls.item = Indicator.objects.create(scheme=cls.scheme, parent=cls.category, text="建立统战成员台账",
                                            points=5, sort_order=1)
        # A town's own scheme (towns may one day assess their villages): only in town1's scope.
        cls.town_scheme = Scheme.objects.create(year=2026, title="东溪镇村级考核细则", owner_unit=org.town1,
                                                unit_types=[Unit.Type.VILLAGE])


class SchemeAccessTests(SchemeFixtures):
    def all_urls(self):
        return {**GLOBAL, **scheme_urls(self.scheme, self.item)}

    def test_anonymous_is_sent_to_login(self):
        for kind, url in self.all_urls().items():
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, kind)
            self.assertTrue(response["Location"].startswith(reverse("login")), kind)

    def test_user_without_permission_is_forbidden(self):
        for user in (self.no_role_user, self.sysadmin):
            self.client.force_login(user)
            for kind, url in self.all_urls().items():
                response = self.client.get(url)
                self.assertEqual(response.status_code, 403, f"{user} {kind}")
                self.assertNotContains(response, str(self.scheme), status_code=403)
            response = self.client.post(reverse("duties:scheme_publish", args=[self.scheme.pk]))
            self.assertEqual(response.status_code, 403)

    def test_town_user_cannot_create_or_change_schemes(self):
        self.client.force_login(self.town1_user)
        manage = {k: v for k, v in self.all_urls().items() if k not in ("list", "detail", "export")}
        for kind, url in manage.items():
            self.assertEqual(self.client.get(url).status_code, 403, kind)
            self.assertEqual(self.client.post(url, {"year": 2026, "title": "镇里自建", "unit_types": ["town"]})
                             .status_code, 403, kind)
        for name, args in [("scheme_publish", [self.scheme.pk]),
                           ("indicator_move", [self.scheme.pk, self.item.pk])]:
            self.assertEqual(self.client.post(reverse(f"duties:{name}", args=args), {"direction": "up"}).status_code,
                             403, name)
        # even the town's own scheme: "manage" is the county's
        self.assertEqual(self.client.get(reverse("duties:scheme_edit", args=[self.town_scheme.pk])).status_code, 403)
        self.assertEqual(Scheme.objects.count(), 2)
        self.assertFalse(Scheme.objects.filter(title="镇里自建").exists())

    def test_county_scheme_is_not_visible_to_a_town(self):
        self.client.force_login(self.town1_user)
        listing = self.client.get(GLOBAL["list"])
        self.assertEqual(listing.status_code, 200)
        self.assertNotContains(listing, str(self.scheme))
        self.assertContains(listing, str(self.town_scheme))
        self.assertNotContains(listing, "新增考核细则")
        self.assertEqual(self.client.get(reverse("duties:scheme_detail", args=[self.scheme.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("duties:scheme_export", args=[self.scheme.pk])).status_code, 404)
        search = self.client.get(GLOBAL["list"], {"q": "统战工作"})
        self.assertEqual(list(search.context["table"].data), [])
        # the other town sees neither
        self.client.force_login(self.town2_user)
        self.assertEqual(list(self.client.get(GLOBAL["list"]).context["table"].data), [])
        self.assertEqual(self.client.get(reverse("duties:scheme_detail", args=[self.town_scheme.pk])).status_code,
                         404)

    def test_county_staff_sees_everything_and_gets_every_page(self):
        self.client.force_login(self.county_staff)
        listing = self.client.get(GLOBAL["list"])
        self.assertContains(listing, str(self.scheme))
        self.assertContains(listing, str(self.town_scheme))
        self.assertContains(listing, "新增考核细则")
        for kind, url in self.all_urls().items():
            response = self.client.get(url)
            response.getvalue()  # read to the end: the client then closes a download as a WSGI server would
            self.assertEqual(response.status_code, 200, kind)

    def test_leader_reads_but_does_not_manage(self):
        self.client.force_login(self.leader)
        self.assertContains(self.client.get(GLOBAL["list"]), str(self.scheme))
        detail = self.client.get(reverse("duties:scheme_detail", args=[self.scheme.pk]))
        self.assertContains(detail, "建立统战成员台账")
        self.assertNotContains(detail, "新增类别")
        self.assertNotContains(detail, reverse("duties:scheme_edit", args=[self.scheme.pk]))
        self.assertEqual(self.client.get(GLOBAL["add"]).status_code, 403)

    def test_menu(self):
        def labels(user):
            return [item.label for _, items in menu_for(user) for item in items]

        self.assertIn("考核细则", labels(self.county_staff))
        self.assertNotIn("考核细则", labels(self.town1_user))
        self.assertIn("节假日", labels(self.sysadmin))
        self.assertNotIn("节假日", labels(self.county_staff))
        self.client.force_login(self.county_staff)
        self.assertContains(self.client.get(GLOBAL["list"]), "考核督查")


class AssessedUnitTests(SchemeFixtures):
    """The menu's "is a unit of my scope assessed" check: right per scope, asked once per request, and as cheap
    for ten years of schemes as for one."""

    def answers(self, *users):
        # Fresh user objects: the answer is kept on the user object for the rest of the request.
        return [has_assessed_unit(User.objects.get(pk=user.pk)) for user in users]

    def queries(self, user):
        user = User.objects.get(pk=user.pk)
        Submission.objects.units_in_scope(user).exists()  # the scope itself is loaded (and cached) beforehand
        with CaptureQueriesContext(connection) as captured:
            has_assessed_unit(user)
        with self.assertNumQueries(0):
            has_assessed_unit(user)
        return len(captured)

    def test_answer_follows_published_schemes_and_scope(self):
        village_user = create_user("d_village1", self.org.village1, "village_liaison")
        self.assertEqual(self.answers(village_user, self.town1_user, self.town2_user), [False, False, False])
        Scheme.objects.filter(pk=self.town_scheme.pk).update(status=Scheme.Status.PUBLISHED)
        self.assertEqual(self.answers(village_user, self.town1_user, self.town2_user), [True, True, False])
        Scheme.objects.filter(pk=self.scheme.pk).update(status=Scheme.Status.PUBLISHED)
        self.assertEqual(self.answers(village_user, self.town1_user, self.town2_user), [True, True, True])

    def test_queries_do_not_grow_with_the_schemes(self):
        Scheme.objects.filter(pk=self.scheme.pk).update(status=Scheme.Status.PUBLISHED)
        one = self.queries(self.town2_user)
        for year in (2023, 2024, 2025):
            Scheme.objects.create(year=year, title=f"{year}年度统战工作考核细则", owner_unit=self.org.county,
                                  unit_types=[Unit.Type.TOWN], status=Scheme.Status.PUBLISHED)
        self.assertEqual(self.queries(self.town2_user), one)
        self.assertLessEqual(one, 2)


class SchemeEditTests(SchemeFixtures):
    def setUp(self):
        self.client.force_login(self.county_staff)

    def test_create_scheme(self):
        response = self.client.post(GLOBAL["add"], {
            "year": 2027, "title": "2027年度统战工作考核细则", "unit_types": ["town", "member"],
            "units": [self.org.village1.pk], "periods": ["quarter", "half"], "description": "试行"})
        scheme = Scheme.objects.get(title="2027年度统战工作考核细则")
        self.assertRedirects(response, scheme.get_absolute_url())
        self.assertEqual((scheme.owner_unit, scheme.status, scheme.created_by), (self.org.county, "draft",
                                                                                  self.county_staff))
        self.assertEqual(scheme.unit_types, ["town", "member"])
        self.assertEqual(list(scheme.covered_units()), [self.org.town1, self.org.village1, self.org.town2,
                                                        self.org.member])
        self.assertTrue(AuditEvent.objects.filter(action="create", object_type="duties.Scheme",
                                                  object_id=str(scheme.pk)).exists())
        detail = self.client.get(scheme.get_absolute_url())
        self.assertContains(detail, "共 4 个单位")
        self.assertContains(detail, "季度、半年")

    def test_create_scheme_errors_in_chinese(self):
        response = self.client.post(GLOBAL["add"], {"year": 2026, "title": "2026年度统战工作考核细则"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "2026年已有名为“2026年度统战工作考核细则”的考核细则。")
        self.assertContains(response, "请选择考核单位类型，或另行指定考核单位。")
        response = self.client.post(GLOBAL["add"], {"year": 2026, "title": ""})
        self.assertContains(response, "请填写考核细则名称")
        self.assertEqual(Scheme.objects.count(), 2)

    def test_edit_scheme_is_audited(self):
        url = reverse("duties:scheme_edit", args=[self.scheme.pk])
        self.assertContains(self.client.get(url), "2026年度统战工作考核细则")
        response = self.client.post(url, {"year": 2026, "title": "2026年度考核细则（修订）", "unit_types": ["town"],
                                          "periods": ["year"]})
        self.assertRedirects(response, self.scheme.get_absolute_url())
        self.scheme.refresh_from_db()
        self.assertEqual(self.scheme.title, "2026年度考核细则（修订）")
        event = AuditEvent.objects.filter(action="update", object_id=str(self.scheme.pk)).latest("id")
        self.assertIn("名称", event.changes)

    def test_publish_and_withdraw(self):
        empty = Scheme.objects.create(year=2026, title="空细则", owner_unit=self.org.county, unit_types=["town"])
        response = self.client.post(reverse("duties:scheme_publish", args=[empty.pk]), follow=True)
        self.assertContains(response, "考核细则中还没有考核事项，不能发布。")
        empty.refresh_from_db()
        self.assertEqual(empty.status, "draft")
        self.client.post(reverse("duties:scheme_publish", args=[self.scheme.pk]))
        self.scheme.refresh_from_db()
        self.assertEqual(self.scheme.status, "published")
        self.assertIsNotNone(self.scheme.published_at)
        self.assertEqual(self.client.get(reverse("duties:scheme_publish", args=[self.scheme.pk])).status_code, 405)
        self.client.post(reverse("duties:scheme_publish", args=[self.scheme.pk]))
        self.scheme.refresh_from_db()
        self.assertEqual(self.scheme.status, "draft")

    def test_delete(self):
        url = reverse("duties:scheme_delete", args=[self.scheme.pk])
        Scheme.objects.filter(pk=self.scheme.pk).update(status="published")
        self.assertContains(self.client.get(url), "已发布的考核细则不能删除")
        self.client.post(url)
        self.assertTrue(Scheme.objects.filter(pk=self.scheme.pk).exists())
        Scheme.objects.filter(pk=self.scheme.pk).update(status="draft")
        Submission.objects.create(indicator=self.item, owner_unit=self.org.town1, period_key="2026")
        self.assertContains(self.client.get(url), "已有报送材料")
        self.client.post(url)
        self.assertTrue(Scheme.objects.filter(pk=self.scheme.pk).exists())
        Submission.objects.all().delete()
        self.assertRedirects(self.client.post(url), GLOBAL["list"])
        self.assertFalse(Scheme.objects.filter(pk=self.scheme.pk).exists())
        self.assertFalse(Indicator.objects.filter(pk=self.item.pk).exists())

    def test_copy_to_next_year(self):
        url = reverse("duties:scheme_copy", args=[self.scheme.pk])
        page = self.client.get(url)
        self.assertContains(page, "2027年度统战工作考核细则")
        response = self.client.post(url, {"year": 2027, "title": "2027年度统战工作考核细则"})
        copy = Scheme.objects.get(year=2027)
        self.assertRedirects(response, copy.get_absolute_url())
        self.assertEqual([i.text for i in copy.items()], ["建立统战成员台账"])
        self.assertEqual(copy.copied_from, self.scheme)
        # the same name again is refused
        response = self.client.post(url, {"year": 2027, "title": "2027年度统战工作考核细则"})
        self.assertContains(response, "请换一个名称")
        self.assertEqual(Scheme.objects.filter(year=2027).count(), 1)


class IndicatorTreeTests(SchemeFixtures):
    def setUp(self):
        self.client.force_login(self.county_staff)
        self.urls = scheme_urls(self.scheme, self.item)

    def item_data(self, **overrides):
        data = {"parent": self.category.pk, "text": "每季度开展同心大讲堂", "points": "4", "method": "done",
                "unit_points": "", "score_min": "0", "evidence_required": "活动照片、签到表", "frequency": "quarter",
                "deadline": "", "deadline_days": "", "deadline_anchor": "start", "applies_to": "common",
                "metric_key": "", "metric_params": "", "rule_comparison": "gte", "rule_threshold": "",
                "rule_mapping": "threshold"}
        data.update(overrides)
        return data

    def test_add_category_and_items(self):
        response = self.client.post(self.urls["category_add"], {"text": "重点工作"})
        category = Indicator.objects.get(text="重点工作")
        self.assertRedirects(response, f"{self.scheme.get_absolute_url()}#indicator-{category.pk}")
        self.assertEqual((category.parent, category.sort_order), (None, 2))
        page = self.client.get(f"{self.urls['item_add']}?parent={category.pk}")
        self.assertContains(page, f'<option value="{category.pk}" selected>重点工作</option>', html=True)
        response = self.client.post(self.urls["item_add"], self.item_data(
            parent=category.pk, metric_key="activities.held_of_type", metric_params="活动类型=同心大讲堂",
            rule_threshold="1"))
        item = Indicator.objects.get(text="每季度开展同心大讲堂")
        self.assertRedirects(response, f"{self.scheme.get_absolute_url()}#indicator-{item.pk}")
        self.assertEqual((item.parent, item.points, item.frequency), (category, D("4"), "quarter"))
        self.assertEqual(item.metric_params, {"activity_type": "同心大讲堂"})
        detail = self.client.get(self.scheme.get_absolute_url())
        self.assertContains(detail, "二、")
        self.assertContains(detail, "2.1")
        self.assertContains(detail, "开展活动（指定类型：同心大讲堂）≥1")
        self.assertContains(detail, "完成得4分，未完成不得分")
        self.assertContains(detail, "9 分")  # 5 + 4

    def test_specific_item_for_named_units(self):
        response = self.client.post(self.urls["item_add"], self.item_data(
            text="东溪镇特色工作", applies_to="specific", units=[self.org.town1.pk], method="review",
            score_min="1", frequency="year", deadline="2026-11-30"))
        item = Indicator.objects.get(text="东溪镇特色工作")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(list(item.units.all()), [self.org.town1])
        self.assertEqual(self.scheme.items_for(self.org.town2), [self.item])
        self.assertContains(self.client.get(self.scheme.get_absolute_url()), "个性：东溪镇")

    def test_item_errors_in_chinese(self):
        cases = [
            ({"method": "per_occurrence"}, "“按次计分”须填写每次分值。"),
            ({"method": "review", "score_min": "9"}, "最低分不能大于分值。"),
            ({"applies_to": "specific"}, "个性事项须指定适用单位。"),
            ({"units": [self.org.town1.pk]}, "共性事项按单位类型适用"),
            ({"deadline": "2026-03-31"}, "截止日期只用于每年（一次）的事项"),
            ({"metric_key": "activities.held_of_type", "metric_params": "活动类型=讲座", "rule_threshold": "1"},
             "未知的活动类型：讲座"),
            ({"metric_key": "activities.held"}, "请填写达标值。"),
            ({"metric_key": "activities.held", "metric_params": "讲座", "rule_threshold": "1"},
             "应写成“名称=值”"),
            ({"text": ""}, "请填写考核事项"),
            ({"points": ""}, "请填写分值"),
        ]
        for overrides, message in cases:
            response = self.client.post(self.urls["item_add"], self.item_data(**overrides))
            self.assertEqual(response.status_code, 200, message)
            self.assertContains(response, message, msg_prefix=str(overrides))
        self.assertEqual(self.scheme.indicators.count(), 2)

    def test_parent_from_another_scheme_is_refused(self):
        other = Indicator.objects.create(scheme=self.town_scheme, text="别的类别")
        response = self.client.post(self.urls["item_add"], self.item_data(parent=other.pk))
        self.assertContains(response, "选择一个有效的选项")
        self.assertFalse(Indicator.objects.filter(text="每季度开展同心大讲堂").exists())

    def test_edit_item_and_category(self):
        page = self.client.get(self.urls["indicator_edit"])
        self.assertContains(page, "建立统战成员台账")
        response = self.client.post(self.urls["indicator_edit"], self.item_data(text="建立并动态更新台账",
                                                                                 frequency="year", points="6"))
        self.assertEqual(response.status_code, 302)
        self.item.refresh_from_db()
        self.assertEqual((self.item.text, self.item.points), ("建立并动态更新台账", D("6")))
        event = AuditEvent.objects.filter(action="update", object_type="duties.Indicator").latest("id")
        self.assertIn("分值", event.changes)
        url = reverse("duties:indicator_edit", args=[self.scheme.pk, self.category.pk])
        self.client.post(url, {"text": "基础性工作"})
        self.category.refresh_from_db()
        self.assertEqual(self.category.text, "基础性工作")

    def test_indicator_of_another_scheme_is_not_found(self):
        other = Indicator.objects.create(scheme=self.town_scheme, text="别的类别")
        url = reverse("duties:indicator_edit", args=[self.scheme.pk, other.pk])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_move(self):
        second = Indicator.objects.create(scheme=self.scheme, parent=self.category, text="第二项", points=1,
                                          sort_order=2)
        third = Indicator.objects.create(scheme=self.scheme, parent=self.category, text="第三项", points=1,
                                         sort_order=3)
        url = reverse("duties:indicator_move", args=[self.scheme.pk, third.pk])
        self.client.post(url, {"direction": "up"})
        self.assertEqual([i.text for i in self.scheme.items()], ["建立统战成员台账", "第三项", "第二项"])
        self.client.post(url, {"direction": "up"})
        self.client.post(url, {"direction": "up"})  # already first: nothing happens
        self.assertEqual([i.text for i in self.scheme.items()], ["第三项", "建立统战成员台账", "第二项"])
        self.client.post(reverse("duties:indicator_move", args=[self.scheme.pk, self.item.pk]), {"direction": "down"})
        self.assertEqual([i.text for i in self.scheme.items()], ["第三项", "第二项", "建立统战成员台账"])
        self.assertEqual(second.pk, self.scheme.items()[1].pk)

    def test_delete_item_and_category(self):
        Submission.objects.create(indicator=self.item, owner_unit=self.org.town1, period_key="2026")
        self.assertContains(self.client.get(self.urls["indicator_delete"]), "不能删除")
        self.client.post(self.urls["indicator_delete"])
        self.assertTrue(Indicator.objects.filter(pk=self.item.pk).exists())
        category_url = reverse("duties:indicator_delete", args=[self.scheme.pk, self.category.pk])
        self.client.post(category_url)
        self.assertTrue(Indicator.objects.filter(pk=self.category.pk).exists())  # its item has a submission
        Submission.objects.all().delete()
        self.assertContains(self.client.get(category_url), "其下的 1 个考核事项将一并删除")
        self.client.post(category_url)
        self.assertFalse(Indicator.objects.filter(scheme=self.scheme).exists())


class HolidayPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.sysadmin = create_user("h_sys", cls.org.county, "sysadmin")
        cls.staff = create_user("h_staff", cls.org.county, "county_staff")

    def test_only_the_system_administrator(self):
        urls = [reverse("duties:holiday_list"), reverse("duties:holiday_add")]
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 302)
        self.client.force_login(self.staff)
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(reverse("duties:holiday_reset"), {"year": 2026}).status_code, 403)

    def test_official_year(self):
        self.client.force_login(self.sysadmin)
        page = self.client.get(reverse("duties:holiday_list"), {"year": 2026})
        self.assertContains(page, "2026年的节假日按国务院办公厅公布的安排导入")
        self.assertContains(page, "2026-10-01")
        self.assertContains(page, "国庆节")
        self.assertContains(page, "调休上班")

    def test_year_not_in_the_official_calendar_says_so(self):
        self.client.force_login(self.sysadmin)
        page = self.client.get(reverse("duties:holiday_list"), {"year": 2027})
        self.assertContains(page, "2027年尚未导入官方节假日安排")
        self.assertContains(page, "chinese-calendar 目前只收录到2026年")
        self.assertEqual(CalendarYear.objects.get(year=2027).source, "weekends")

    def test_add_edit_delete_and_reset(self):
        self.client.force_login(self.sysadmin)
        response = self.client.post(reverse("duties:holiday_add"), {"date": "2027-10-01", "name": "国庆节"})
        self.assertRedirects(response, f"{reverse('duties:holiday_list')}?year=2027")
        holiday = Holiday.objects.get(date=datetime.date(2027, 10, 1))
        self.assertFalse(holiday.is_workday)
        self.assertTrue(CalendarYear.objects.get(year=2027).edited)
        self.assertTrue(AuditEvent.objects.filter(action="config", object_type="duties.Holiday").exists())
        response = self.client.post(reverse("duties:holiday_add"), {"date": "2027-10-01", "name": "重复"})
        self.assertContains(response, "该日期已在节假日表中")
        response = self.client.post(reverse("duties:holiday_add"), {"date": "2027-10-04", "is_workday": "on"})
        self.assertContains(response, "调休上班只用于周六、周日")
        self.client.post(reverse("duties:holiday_edit", args=[holiday.pk]), {"date": "2027-10-01", "name": "国庆"})
        holiday.refresh_from_db()
        self.assertEqual(holiday.name, "国庆")
        self.client.post(reverse("duties:holiday_delete", args=[holiday.pk]))
        self.assertFalse(Holiday.objects.filter(pk=holiday.pk).exists())
        # an official year edited, then reset
        self.client.get(reverse("duties:holiday_list"), {"year": 2026})
        day = Holiday.objects.get(date=datetime.date(2026, 10, 7))
        self.client.post(reverse("duties:holiday_delete", args=[day.pk]))
        page = self.client.get(reverse("duties:holiday_list"), {"year": 2026})
        self.assertContains(page, "此后已由系统管理员修改")
        self.client.post(reverse("duties:holiday_reset"), {"year": 2026})
        self.assertTrue(Holiday.objects.filter(date=datetime.date(2026, 10, 7)).exists())
        self.assertFalse(CalendarYear.objects.get(year=2026).edited)
        response = self.client.post(reverse("duties:holiday_reset"), {"year": 2027}, follow=True)
        self.assertContains(response, "chinese-calendar 没有2027年的官方节假日安排")


class SchemeFormDefaultsTests(SchemeFixtures):
    def test_new_scheme_defaults(self):
        from django.utils import timezone

        self.client.force_login(self.county_staff)
        form = self.client.get(GLOBAL["add"]).context["form"]
        self.assertEqual(form["year"].value(), timezone.localdate().year)
        self.assertEqual(form["unit_types"].value(), ["town", "member"])
        self.assertEqual(form["periods"].value(), ["quarter", "year"])
