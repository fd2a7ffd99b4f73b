"""The ledger list: search and filters, its query count, search by ID number, bulk actions."""

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.choices import Affiliation, Status, Tier
from people.models import Category, Tag, Transfer

from .test_views import LedgerTestCase, make_id, make_person


class SearchAndFilterTests(LedgerTestCase):
    def test_search_by_pinyin_initials_and_name(self):
        make_person(self.org.village1, "张珊珊")
        make_person(self.org.village1, "李四")
        for term, expected in [
            ("zhangsan", ["张三"]), ("zhang", ["张三", "张珊珊"]), ("zs", ["张三", "张珊珊"]),
            ("ZSS", ["张珊珊"]),
            ("zhang san", ["张三"]), ("Zhang San", ["张三"]),
            ("张", ["张三", "张珊珊"]), ("三", ["张三"]), ("ls", ["李四"]), ("xx", []),
        ]:
            self.assertEqual(self.names(self.listing(self.town1_user, q=term)), expected, term)

    def test_search_never_reaches_outside_scope(self):
        self.assertEqual(self.names(self.listing(self.town1_user, q="wxl")), [])
        self.assertEqual(self.names(self.listing(self.town1_user, q="王西岭")), [])
        self.assertEqual(self.names(self.listing(self.county_staff, q="wxl")), ["王西岭"])

    def test_status_defaults_to_active_with_a_visible_choice(self):
        make_person(self.org.village1, "退出者", status=Status.EXITED)
        self.assertEqual(self.names(self.listing(self.town1_user)), ["张三"])
        everyone = self.listing(self.town1_user, status="all")
        self.assertEqual(self.names(everyone), ["张三", "退出者"])
        self.assertEqual(self.names(self.listing(self.town1_user, status=Status.EXITED)), ["退出者"])
        self.assertContains(everyone, "全部状态")

    def test_category_filter_includes_sub_types(self):
        parent = Category.objects.get(code="06")
        child = Category.objects.create(code="0601", name="个体工商户", parent=parent)
        other = Category.objects.get(code="04")
        a = make_person(self.org.village1, "甲")
        a.categories.add(parent)
        b = make_person(self.org.village1, "乙")
        b.categories.add(child, other)
        make_person(self.org.village1, "丙").categories.add(other)
        self.assertEqual(self.names(self.listing(self.town1_user, category=parent.pk)), ["乙", "甲"])
        self.assertEqual(self.names(self.listing(self.town1_user, category=child.pk)), ["乙"])

    def test_affiliation_ethnicity_age_representative_tier_and_unit_filters(self):
        today = datetime.date.today()
        make_person(self.org.village1, "民革甲", affiliation=Affiliation.RCCK, ethnicity="03",
                    birth_date=today.replace(year=today.year - 30), is_representative=True, tier=Tier.COUNTY)
        make_person(self.org.village1, "群众乙", affiliation=Affiliation.MASSES, ethnicity="01",
                    birth_date=today.replace(year=today.year - 60))
        make_person(self.org.town1, "镇里丙", affiliation=Affiliation.JIUSAN)
        user = self.town1_user
        self.assertEqual(self.names(self.listing(user, affiliation="dp")), ["民革甲", "镇里丙"])
        self.assertEqual(self.names(self.listing(user, affiliation=Affiliation.MASSES)), ["群众乙"])
        self.assertEqual(self.names(self.listing(user, ethnicity="minority")), ["民革甲"])
        self.assertEqual(self.names(self.listing(user, age_min=30, age_max=30)), ["民革甲"])
        self.assertEqual(self.names(self.listing(user, age_min=31)), ["群众乙"])
        self.assertEqual(self.names(self.listing(user, age_max=59)), ["民革甲"])
        self.assertEqual(self.names(self.listing(user, representative="1")), ["民革甲"])
        self.assertEqual(self.names(self.listing(user, tier=Tier.COUNTY)), ["民革甲"])
        self.assertEqual(self.names(self.listing(user, unit=self.org.village1.pk)), ["张三", "民革甲", "群众乙"])

    def test_unit_filter_offers_only_units_in_scope(self):
        response = self.listing(self.town1_user, unit=self.org.village2.pk)
        self.assertTrue(response.context["filter"].errors)
        self.assertEqual(self.names(response), [])
        self.assertNotContains(response, "西岭村")

    def test_sort_by_name_uses_pinyin(self):
        make_person(self.org.village1, "阿明")
        make_person(self.org.village1, "周一")
        self.assertEqual(
            [r.record.name for r in self.listing(self.town1_user, sort="name").context["table"].page.object_list],
            ["阿明", "张三", "周一"],
        )

    def test_list_masks_phone_and_never_shows_id_number(self):
        response = self.listing(self.town1_user)
        self.assertContains(response, "138****5678")
        self.assertNotContains(response, "13812345678")
        self.assertNotContains(response, self.p1.id_number)


class ListPerformanceTests(LedgerTestCase):
    def setUp(self):
        super().setUp()
        cats = list(Category.objects.all()[:3])
        for i in range(60):
            person = make_person(self.org.village1 if i % 2 else self.org.town1, f"批量{i}")
            person.categories.add(*cats[: 1 + i % 3])

    def queries(self, user, **params):
        self.client.force_login(user)
        self.client.get(reverse("people:person_list"))  # session and login settle before counting
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(reverse("people:person_list"), params)
        self.assertEqual(response.status_code, 200)
        return [q["sql"] for q in ctx.captured_queries], response

    def test_query_count_does_not_depend_on_page_size(self):
        for user in (self.county_staff, self.town1_user):
            counts = {}
            for size in (10, 50):
                cache.clear()
                sql, response = self.queries(user, per_page=size)
                self.assertEqual(len(response.context["table"].page.object_list), size)
                counts[size] = len(sql)
            self.assertEqual(counts[10], counts[50], user)
            filtered = {}
            for size in (10, 50):
                cache.clear()
                filtered[size] = len(self.queries(user, per_page=size, category=Category.objects.first().pk)[0])
            self.assertEqual(filtered[10], filtered[50], user)

    def test_page_turns_reuse_the_count(self):
        sql, first = self.queries(self.county_staff, per_page=10)
        self.assertContains(first, "共 62 人")
        sql, second = self.queries(self.county_staff, per_page=10, page=3)
        self.assertFalse([q for q in sql if "COUNT(" in q.upper()], sql)
        self.assertContains(second, "共 62 人")
        self.assertEqual(second.context["table"].page.number, 3)
        # A new filter is counted once, and a change to the ledger is seen at once.
        sql, third = self.queries(self.county_staff, per_page=10, q="pl")
        self.assertTrue([q for q in sql if "COUNT(" in q.upper()])
        self.assertContains(third, "共 60 人")
        make_person(self.org.village1, "批量新")
        self.assertContains(self.queries(self.county_staff, per_page=10, q="pl")[1], "共 61 人")

    def test_page_size_is_capped(self):
        for i in range(50):
            make_person(self.org.village1, f"多{i}")
        sql, response = self.queries(self.county_staff, per_page=1000)
        self.assertEqual(len(response.context["table"].page.object_list), 100)


class IdNumberSearchTests(LedgerTestCase):
    url = reverse("people:person_find")

    def test_found_inside_scope_redirects_to_the_person(self):
        self.client.force_login(self.town1_user)
        typed = " ".join(self.p1.id_number[i:i + 6] for i in range(0, 18, 6)).lower()  # spaces, lower-case x
        response = self.client.post(self.url, {"id_number": typed})
        self.assertRedirects(response, self.p1.get_absolute_url())

    def test_outside_scope_is_not_found_like_a_missing_number(self):
        self.client.force_login(self.town1_user)
        outside = self.client.post(self.url, {"id_number": self.p2.id_number}, follow=True)
        missing = self.client.post(self.url, {"id_number": make_id(seq="999")}, follow=True)
        for response in (outside, missing):
            self.assertContains(response, "未找到")
            self.assertNotContains(response, "王西岭")
        self.assertEqual(outside.redirect_chain, missing.redirect_chain)

    def test_only_by_post_and_never_in_a_url(self):
        self.client.force_login(self.town1_user)
        self.assertEqual(self.client.get(self.url, {"id_number": self.p1.id_number}).status_code, 405)
        response = self.client.post(self.url, {"id_number": self.p1.id_number})
        self.assertNotIn(self.p1.id_number, response["Location"])
        listing = self.client.get(reverse("people:person_list"))
        self.assertContains(listing, 'method="post" action="/people/find/"')

    def test_search_box_refuses_id_numbers(self):
        response = self.listing(self.town1_user, q=self.p1.id_number)
        self.assertEqual(self.names(response), [])
        self.assertContains(response, "搜索框不查身份证号")

    def test_invalid_number_is_explained(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(self.url, {"id_number": self.p1.id_number[:17] + "0"}, follow=True)
        self.assertContains(response, "校验位不正确")


class BulkActionTests(LedgerTestCase):
    def test_bulk_transfer_ignores_ids_outside_scope(self):
        self.client.force_login(self.town1_user)
        extra = make_person(self.org.village1, "孙小")
        ids = [self.p1.pk, extra.pk, self.p2.pk, 999999]
        confirm = self.client.post(reverse("people:person_bulk_transfer"), {"ids": ids})
        self.assertEqual(confirm.status_code, 200)
        self.assertContains(confirm, "其中 <strong>2</strong> 人")
        self.assertNotContains(confirm, "王西岭")
        response = self.client.post(reverse("people:person_bulk_transfer"), {
            "ids": ids, "confirm": "1", "to_unit": self.org.town1.pk, "date": datetime.date.today().isoformat(),
            "reason": "村社合并",
        }, follow=True)
        self.assertContains(response, "已处理 2 人")
        self.assertContains(response, "另有 2 条")
        self.p1.refresh_from_db()
        self.p2.refresh_from_db()
        self.assertEqual(self.p1.owner_unit, self.org.town1)
        self.assertEqual(self.p2.owner_unit, self.org.village2)
        self.assertEqual(Transfer.objects.filter(to_unit=self.org.town1).count(), 2)
        self.assertEqual(self.p1.history.first().history_change_reason, "调出至东溪镇")

    def test_ids_that_are_digits_but_not_numbers_are_ignored(self):
        # "²".isdigit() is true, int("²") fails: a crafted selection is ignored like any foreign id, no 500.
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_bulk_transfer"), {"ids": ["²", "①"]}, follow=True)
        self.assertContains(response, "请先勾选人员")
        response = self.client.post(reverse("people:person_bulk_transfer"), {"ids": ["²", self.p1.pk]})
        self.assertContains(response, "其中 <strong>1</strong> 人")

    def test_bulk_transfer_needs_date_and_reason(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_bulk_transfer"), {
            "ids": [self.p1.pk], "confirm": "1", "to_unit": self.org.town1.pk, "date": "", "reason": "",
        })
        self.assertContains(response, "请填写日期")
        self.assertContains(response, "请填写原因")
        self.p1.refresh_from_db()
        self.assertEqual(self.p1.owner_unit, self.org.village1)

    def test_bulk_tag_ignores_ids_outside_scope(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_bulk_tag"), {
            "ids": [self.p1.pk, self.p2.pk], "confirm": "1", "tag": "重点联系",
        }, follow=True)
        self.assertContains(response, "已处理 1 人")
        tag = Tag.objects.get(name="重点联系")
        self.assertEqual(list(tag.people.all()), [self.p1])
        self.assertContains(self.listing(self.town1_user, tag=tag.pk), "张三")

    def test_bulk_actions_need_change_permission(self):
        self.client.force_login(self.leader)
        response = self.client.post(reverse("people:person_bulk_tag"), {"ids": [self.p1.pk], "confirm": "1",
                                                                        "tag": "x"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Tag.objects.filter(name="x").exists())
        self.assertNotContains(self.listing(self.leader), "调动所选")
