import datetime
import itertools
import re

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.testing import PASSWORD, AdminViewTestData, CountyViewTestData, create_user
from core.models import AuditEvent
from core.tests.test_images import jpeg_bytes
from core.view_testing import ViewTestCases
from org.models import Unit
from org.testing import build_county
from people.choices import Affiliation, Status, Tier
from people.forms import BIRTH_FROM_ID
from people.identity import check_digit
from people.models import Attachment, Category, Person, Tag, Transfer

NAMES = {"东溪村": "李东明", "西岭村": "王西岭", "东溪镇": "赵东镇", "西岭镇": "钱西镇"}


def make_id(birth="19800101", seq="123", area="330998"):
    """A valid ID number (the check digit computed); the third digit of `seq` odd means male."""
    first17 = f"{area}{birth}{seq}"
    return first17 + check_digit(first17)


_serial = itertools.count(1)


def make_person(unit, name=None, **fields):
    """A person with a unique valid ID number (birth dates from 1950 on, sequence 500) and mobile number."""
    n = next(_serial)
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=n)
    fields.setdefault("id_number", make_id(birth=birth.strftime("%Y%m%d"), seq="500"))
    fields.setdefault("phone", f"137{n:08d}")
    return Person.objects.create(name=name or NAMES.get(unit.name, "孙测试"), owner_unit=unit, **fields)


def person_form_data(unit, **overrides):
    data = {
        "name": "周新建", "id_number": "", "gender": "", "birth_date": "", "ethnicity": "01", "phone": "",
        "native_place": "", "address": "", "education": "", "degree": "", "workplace": "", "position": "",
        "field": "", "affiliation": "", "affiliation_date": "", "owner_unit": unit.pk, "tier": Tier.VILLAGE,
        "notes": "", "tag_names": "",
        "positions-TOTAL_FORMS": "0", "positions-INITIAL_FORMS": "0",
        "positions-MIN_NUM_FORMS": "0", "positions-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


class PersonViewTests(CountyViewTestData, ViewTestCases.PrimaryObject, ViewTestCases.Autocomplete):
    """The common contract of core's view-test base, for the ledger."""

    model = Person
    url_prefix = "people:person"
    other_routes = ("find", "bulk_transfer", "bulk_tag", "reveal", "status", "tier", "transfer", "photo",
                    "export_full", "template", "import", "import_errors", "import_job", "import_status")

    @classmethod
    def make_object(cls, unit):
        return make_person(unit)

    def form_data(self, unit):
        return person_form_data(unit)

    def edit_data(self, obj):
        # An empty ID number or phone keeps the stored one (the form shows them masked): type new ones.
        return person_form_data(obj.owner_unit, name="周改名", id_number=make_id(seq="771"), gender="M",
                                birth_date="1980-01-01", phone="13911112222")


class TransferViewTests(CountyViewTestData, ViewTestCases.ListObjects):
    """Arrivals: a transfer is listed where the receiving unit is in the user's scope."""

    model = Transfer
    url_prefix = "people:transfer"
    # Transfers follow units only: a "仅本人" scope reaches none of them (people.views.TransferListView).
    role_sees = {"pairing_official": ()}

    @classmethod
    def make_object(cls, unit):
        return Transfer.objects.create(person=make_person(unit), from_unit=Unit.objects.get_root(unit), to_unit=unit,
                                       date=datetime.date(2025, 3, 1), reason=f"{unit.name}调入原因")

    def object_text(self, obj):
        return obj.reason


class AttachmentViewTests(CountyViewTestData, ViewTestCases.GetObject, ViewTestCases.CreateObject,
                          ViewTestCases.DeleteObject):
    """A person's files: uploaded and removed with "change" on the person, downloaded with "view"; each change is
    an update of the person in the audit log."""

    model = Attachment
    url_prefix = "people:attachment"
    route_names = {"add": "people:attachment_upload", "detail": "people:attachment_download"}
    route_actions = {"add": "change", "delete": "change"}
    audit_actions = {"add": AuditEvent.Action.UPDATE, "delete": AuditEvent.Action.UPDATE}
    validation_excluded_fields = ("file",)  # stored under a random name (the original name is `name`)
    create_form_page = delete_confirm_page = False  # forms on the person's page
    refused_create_status = 404  # on a person outside the scope

    @classmethod
    def make_object(cls, unit):
        return cls.attach(make_person(unit))

    @classmethod
    def make_own_object(cls, user):
        return cls.attach(make_person(user.unit, "孙本人", created_by=user))

    @classmethod
    def attach(cls, person):
        content = cls.content(person).encode()
        return Attachment.objects.create(person=person, name=f"{person.owner_unit.name}任职文件.pdf",
                                         file=SimpleUploadedFile("a.pdf", content), size=len(content))

    @staticmethod
    def content(person):
        return f"%PDF-1.4 {person.owner_unit.name}{person.name}任职文件"

    def object_text(self, obj):
        return self.content(obj.person)  # what the download holds

    def object_unit(self, obj):
        return obj.person.owner_unit

    def audit_object(self, obj):
        return obj.person

    def url_kwargs(self, kind, obj=None):
        return {"pk": obj.person_id, "attachment": obj.pk}

    def add_url(self, unit):
        person = make_person(unit, "孙上传", created_by=self.owner_at(unit))
        return reverse("people:attachment_upload", kwargs={"pk": person.pk})

    def form_data(self, unit):
        return {"file": SimpleUploadedFile("聘书.pdf", "%PDF-1.4 聘书".encode())}


class CategoryViewTests(AdminViewTestData, ViewTestCases.ListObjects, ViewTestCases.CreateObject,
                        ViewTestCases.EditObject, ViewTestCases.DeleteObject):
    """Sub-types of the statutory categories: the system administrator's configuration."""

    model = Category
    url_prefix = "people:category"
    admin_kind = "system"
    audit_actions = {"add": AuditEvent.Action.CONFIG, "edit": AuditEvent.Action.CONFIG,
                     "delete": AuditEvent.Action.CONFIG}

    @classmethod
    def make_object(cls, unit):
        parent = Category.objects.get(code="06")
        return Category.objects.create(code="0698", name="测试子类", parent=parent, sort_order=9)

    def form_data(self, unit):
        return {"parent": Category.objects.get(code="06").pk, "name": "个体工商户", "synonyms": "个体户",
                "sort_order": "2", "is_active": "on"}

    def edit_data(self, obj):
        return {"name": "小微企业主", "synonyms": "小微业主", "sort_order": "5", "is_active": "on"}


class LedgerTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.county_staff = create_user("c_staff", cls.org.county, "county_staff")
        cls.town1_user = create_user("town01", cls.org.town1, "town_officer")
        cls.town2_user = create_user("town02", cls.org.town2, "town_officer")
        cls.leader = create_user("c_leader", cls.org.county, "leader")

    def setUp(self):
        cache.clear()
        self.p1 = make_person(self.org.village1, "张三", id_number=make_id(seq="111"), phone="13812345678")
        self.p2 = make_person(self.org.village2, "王西岭", id_number=make_id(seq="222"), phone="13987654321")

    def listing(self, user, **params):
        self.client.force_login(user)
        response = self.client.get(reverse("people:person_list"), params)
        self.assertEqual(response.status_code, 200)
        return response

    def names(self, response):
        return sorted(row.record.name for row in response.context["table"].page.object_list)


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


class RevealTests(LedgerTestCase):
    def url(self, person):
        return reverse("people:person_reveal", kwargs={"pk": person.pk})

    def test_town_officer_cannot_reveal(self):
        self.client.force_login(self.town1_user)
        detail = self.client.get(self.p1.get_absolute_url())
        self.assertNotContains(detail, "reveal-modal")
        self.assertNotContains(detail, self.p1.id_number)
        self.assertContains(detail, "330998************")
        self.assertEqual(self.client.post(self.url(self.p1), {"password": PASSWORD}).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists())

    def test_county_staff_reveals_with_password_and_is_audited(self):
        self.client.force_login(self.county_staff)
        detail = self.client.get(self.p1.get_absolute_url())
        self.assertContains(detail, "reveal-modal")
        self.assertNotContains(detail, self.p1.id_number)
        wrong = self.client.post(self.url(self.p1), {"password": "wrong-password"}, HTTP_HX_REQUEST="true")
        self.assertContains(wrong, "密码不正确")
        self.assertNotContains(wrong, self.p1.id_number)
        failed = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL, success=False)
        self.assertEqual(failed.object_id, str(self.p1.pk))
        right = self.client.post(self.url(self.p1), {"password": PASSWORD}, HTTP_HX_REQUEST="true")
        self.assertContains(right, self.p1.id_number)
        self.assertContains(right, "13812345678")
        event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL, success=True)
        self.assertEqual((event.object_id, event.changes), (str(self.p1.pk), {"字段": ["身份证号", "联系电话"]}))
        self.assertEqual(event.username, "c_staff")

    def test_no_reveal_response_is_cached(self):
        self.client.force_login(self.county_staff)
        for response in (self.client.get(self.url(self.p1)),
                         self.client.post(self.url(self.p1), {"password": "wrong-password"}),
                         self.client.post(self.url(self.p1), {"password": PASSWORD}, HTTP_HX_REQUEST="true")):
            self.assertEqual(response.status_code, 200)
            self.assertIn("no-store", response["Cache-Control"])
            self.assertIn("private", response["Cache-Control"])

    def test_reveal_without_htmx_renders_a_page(self):
        self.client.force_login(self.county_staff)
        response = self.client.post(self.url(self.p1), {"password": PASSWORD})
        self.assertContains(response, self.p1.id_number)
        self.assertContains(response, "<html", html=False)

    def test_reveal_outside_scope_is_not_found(self):
        from django.contrib.auth.models import Permission

        from accounts.models import Grant, Role

        role = Role.objects.create(name="镇敏感信息", code="town_sensitive", data_scope=Role.DataScope.UNIT_AND_BELOW)
        role.permissions.set(Permission.objects.filter(codename__in=["view_person", "view_sensitive_person"]))
        sensitive_town = create_user("t_sens", self.org.town1)
        Grant.objects.create(user=sensitive_town, role=role)
        self.client.force_login(sensitive_town)
        self.assertEqual(self.client.post(self.url(self.p2), {"password": PASSWORD}).status_code, 404)
        self.assertEqual(self.client.post(self.url(self.p1), {"password": PASSWORD}).status_code, 200)


class HistoryTests(LedgerTestCase):
    def test_history_shows_who_when_what_and_why_with_masked_values(self):
        self.client.force_login(self.town1_user)
        data = person_form_data(self.org.village1, name="张三", phone="13911112222", workplace="东溪茶厂",
                                categories=[Category.objects.get(code="04").pk])
        response = self.client.post(reverse("people:person_edit", kwargs={"pk": self.p1.pk}), data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None)
                         and response.context["form"].errors)
        self.client.post(reverse("people:person_transfer", kwargs={"pk": self.p1.pk}), {
            "to_unit": self.org.town1.pk, "date": datetime.date.today().isoformat(), "reason": "工作调动",
        })
        detail = self.client.get(self.p1.get_absolute_url())
        history = detail.context["history"]
        self.assertEqual([e.reason for e in history[:2]], ["调出至东溪镇", "编辑"])
        self.assertEqual(history[0].changes["所属单位"], ["东溪村", "东溪镇"])
        edit = history[1]
        self.assertEqual(edit.user, self.town1_user)
        self.assertEqual(edit.changes["联系电话"], ["138****5678", "139****2222"])
        self.assertEqual(edit.changes["工作单位"], ["", "东溪茶厂"])
        self.assertEqual(edit.changes["类别"], ["", "少数民族人士"])
        self.assertContains(detail, "调出至东溪镇")
        self.assertContains(detail, "139****2222")
        self.assertNotContains(detail, "13911112222")
        self.assertNotContains(detail, "13812345678")

    def test_status_and_tier_changes_need_date_and_reason_and_are_kept(self):
        self.client.force_login(self.town1_user)
        url = reverse("people:person_status", kwargs={"pk": self.p1.pk})
        refused = self.client.post(url, {"status": Status.EXITED, "date": "", "reason": ""})
        self.assertContains(refused, "请填写日期")
        self.assertContains(refused, "请填写原因")
        future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
        self.assertContains(self.client.post(url, {"status": Status.EXITED, "date": future, "reason": "x"}),
                            "不能晚于今天")
        self.client.post(url, {"status": Status.EXITED, "date": "2025-06-01", "reason": "本人申请"})
        self.p1.refresh_from_db()
        self.assertEqual((self.p1.status, self.p1.status_date, self.p1.status_reason),
                         (Status.EXITED, datetime.date(2025, 6, 1), "本人申请"))
        self.client.post(reverse("people:person_tier", kwargs={"pk": self.p1.pk}),
                         {"tier": Tier.COUNTY, "reason": "认定为县管代表人士"})
        self.p1.refresh_from_db()
        self.assertEqual(self.p1.tier, Tier.COUNTY)
        reasons = [h.history_change_reason for h in self.p1.history.all()[:2]]
        self.assertEqual(reasons, ["管理层级调整为县管：认定为县管代表人士", "状态变更为退出：本人申请"])
        event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(self.p1.pk)).first()
        self.assertEqual(event.changes["管理层级"], ["village", "county"])


class TransferTests(LedgerTestCase):
    def test_transfer_to_another_town_is_seen_by_the_receiving_side(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_transfer", kwargs={"pk": self.p1.pk}), {
            "to_unit": self.org.village2.pk, "date": "2025-05-01", "reason": "迁居",
        }, follow=True)
        self.assertRedirects(response, reverse("people:person_list"))
        self.assertContains(response, "已不在您的数据范围内")
        transfer = Transfer.objects.get()
        self.assertEqual((transfer.from_unit, transfer.to_unit, transfer.created_by),
                         (self.org.village1, self.org.village2, self.town1_user))
        self.assertEqual(self.client.get(self.p1.get_absolute_url()).status_code, 404)
        outgoing = self.client.get(reverse("people:transfer_list"), {"direction": "out"})
        self.assertContains(outgoing, "张三")
        self.assertNotContains(outgoing, f'href="{self.p1.get_absolute_url()}"')
        self.client.force_login(self.town2_user)
        arrivals = self.client.get(reverse("people:transfer_list"))
        self.assertContains(arrivals, f'href="{self.p1.get_absolute_url()}"')
        self.assertContains(arrivals, "迁居")
        self.assertEqual(self.client.get(self.p1.get_absolute_url()).status_code, 200)
        self.assertEqual(self.p1.history.first().history_change_reason, "调出至西岭村")

    def test_transfer_needs_change_permission_on_the_person(self):
        self.client.force_login(self.leader)
        url = reverse("people:person_transfer", kwargs={"pk": self.p1.pk})
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.town2_user)
        self.assertEqual(self.client.get(url).status_code, 404)


class TownIsolationTests(LedgerTestCase):
    def test_town02_can_neither_see_find_nor_change_a_town01_person(self):
        self.client.force_login(self.town2_user)
        pk = self.p1.pk
        listing = self.client.get(reverse("people:person_list"), {"status": "all"})
        self.assertNotContains(listing, "张三")
        self.assertEqual(self.names(self.listing(self.town2_user, q="zs")), [])
        found = self.client.post(reverse("people:person_find"), {"id_number": self.p1.id_number}, follow=True)
        self.assertContains(found, "未找到")
        self.assertEqual(self.client.get(reverse("people:person_autocomplete"), {"q": "zs"}).json()["results"], [])
        for name in ("person_detail", "person_edit", "person_delete", "person_status", "person_tier",
                     "person_transfer", "person_photo"):
            self.assertEqual(self.client.get(reverse(f"people:{name}", kwargs={"pk": pk})).status_code, 404, name)
        for name, data in [
            ("person_edit", person_form_data(self.org.town2, name="改名")),
            ("person_status", {"status": Status.EXITED, "date": "2025-01-01", "reason": "x"}),
            ("person_tier", {"tier": Tier.COUNTY, "reason": "x"}),
            ("person_transfer", {"to_unit": self.org.town2.pk, "date": "2025-01-01", "reason": "x"}),
            ("person_delete", {}),
        ]:
            self.assertEqual(self.client.post(reverse(f"people:{name}", kwargs={"pk": pk}), data).status_code, 404)
        self.client.post(reverse("people:person_bulk_transfer"), {
            "ids": [pk], "confirm": "1", "to_unit": self.org.town2.pk, "date": "2025-01-01", "reason": "x"})
        self.client.post(reverse("people:person_bulk_tag"), {"ids": [pk], "confirm": "1", "tag": "x"})
        self.p1.refresh_from_db()
        self.assertEqual((self.p1.name, self.p1.owner_unit, self.p1.status, self.p1.tags.count()),
                         ("张三", self.org.village1, Status.ACTIVE, 0))
        self.assertFalse(Transfer.objects.exists())
        self.assertEqual(self.p1.history.count(), 1)


class DuplicateIdTests(LedgerTestCase):
    def test_duplicate_visible_links_to_the_existing_person(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_add"),
                                    person_form_data(self.org.village1, id_number=self.p1.id_number))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'<a href="{self.p1.get_absolute_url()}">张三</a>', html=False)
        self.assertEqual(Person.objects.count(), 2)

    def test_duplicate_outside_scope_reveals_nothing(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_add"),
                                    person_form_data(self.org.village1, id_number=self.p2.id_number))
        # Only that it is registered and which unit to ask: neither the person nor a link.
        self.assertContains(response, "该身份证号已在台账中登记（登记单位：西岭村），请与该单位联系核实")
        self.assertNotContains(response, "王西岭")
        self.assertNotContains(response, self.p2.get_absolute_url())
        event = AuditEvent.objects.get(action=AuditEvent.Action.LOOKUP)
        self.assertEqual((event.username, event.changes["来源"], event.changes["登记单位"]),
                         ("town01", "登记查重", "西岭村"))
        self.assertEqual(event.changes["哈希"], self.p2.id_number_hash)
        self.assertNotIn(self.p2.id_number, str(event.changes) + event.object_label)


class CreateAndEditTests(LedgerTestCase):
    def test_create_derives_gender_and_birth_date_and_saves_positions(self):
        self.client.force_login(self.town1_user)
        data = person_form_data(
            self.org.village1, id_number=make_id(birth="19750315", seq="042"), phone="138 0000 1111",
            categories=[Category.objects.get(code="01").pk], tag_names="重点、新人",
            **{"positions-TOTAL_FORMS": "1", "positions-0-kind": "cppcc", "positions-0-level": "county",
               "positions-0-title": "政协委员", "positions-0-term_start": "2021-01-01",
               "positions-0-term_end": "2026-01-01"},
        )
        response = self.client.post(reverse("people:person_add"), data)
        person = Person.objects.get(name="周新建")
        self.assertRedirects(response, person.get_absolute_url())
        self.assertEqual((person.gender, person.birth_date), ("F", datetime.date(1975, 3, 15)))
        self.assertEqual(person.phone, "13800001111")
        self.assertEqual(person.created_by, self.town1_user)
        self.assertEqual(sorted(t.name for t in person.tags.all()), ["新人", "重点"])
        self.assertEqual(person.positions.get().title, "政协委员")
        self.assertEqual(person.history.last().history_change_reason, "新增")
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(person.pk)))

    def test_mismatching_gender_and_birth_date_are_refused(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_add"), person_form_data(
            self.org.village1, id_number=make_id(birth="19750315", seq="041"), gender="F", birth_date="1975-03-16"))
        self.assertContains(response, "性别与身份证号不符")
        self.assertContains(response, "出生日期与身份证号不符")
        self.assertFalse(Person.objects.filter(name="周新建").exists())

    def test_bad_id_and_phone_are_explained(self):
        self.client.force_login(self.town1_user)
        good = make_id()
        response = self.client.post(reverse("people:person_add"), person_form_data(
            self.org.village1, id_number=good[:17] + ("0" if good[17] != "0" else "1"), phone="12345"))
        self.assertContains(response, "身份证号校验位不正确")
        self.assertContains(response, "联系电话应为11位手机号码")

    def test_edit_form_never_sends_stored_sensitive_values(self):
        self.client.force_login(self.county_staff)
        response = self.client.get(reverse("people:person_edit", kwargs={"pk": self.p1.pk}))
        self.assertNotContains(response, self.p1.id_number)
        self.assertNotContains(response, "13812345678")
        self.assertContains(response, "已登记 138****5678，留空则不修改")

    def test_edit_with_blank_sensitive_inputs_keeps_them(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_edit", kwargs={"pk": self.p1.pk}),
                                    person_form_data(self.org.village1, name="张三丰"))
        self.assertEqual(response.status_code, 302)
        self.p1.refresh_from_db()
        self.assertEqual((self.p1.name, self.p1.phone, self.p1.id_number[:6]), ("张三丰", "13812345678", "330998"))
        # A birth date typed beside the stored number is refused whatever it is: comparing it with the number
        # would tell a user who may not see the birth day whether they guessed it.
        for typed in ("1999-01-01", self.p1.id_number[6:10] + "-" + self.p1.id_number[10:12] + "-"
                      + self.p1.id_number[12:14]):
            response = self.client.post(reverse("people:person_edit", kwargs={"pk": self.p1.pk}),
                                        person_form_data(self.org.village1, name="张三丰", birth_date=typed))
            self.assertContains(response, BIRTH_FROM_ID)
            self.assertNotContains(response, "出生日期与身份证号不符")

    def test_edit_can_clear_phone(self):
        self.client.force_login(self.town1_user)
        self.client.post(reverse("people:person_edit", kwargs={"pk": self.p1.pk}),
                         person_form_data(self.org.village1, name="张三", clear_phone="on"))
        self.p1.refresh_from_db()
        self.assertEqual(self.p1.phone, "")


class AttachmentTests(LedgerTestCase):
    def upload(self, name, content):
        return self.client.post(reverse("people:attachment_upload", kwargs={"pk": self.p1.pk}),
                                {"file": SimpleUploadedFile(name, content)}, follow=True)

    def test_upload_download_and_delete_inside_scope(self):
        self.client.force_login(self.town1_user)
        response = self.upload("任职文件.pdf", b"%PDF-1.4 test")
        self.assertContains(response, "任职文件.pdf")
        attachment = Attachment.objects.get()
        self.assertNotIn("任职文件", attachment.file.name)
        url = reverse("people:attachment_download", kwargs={"pk": self.p1.pk, "attachment": attachment.pk})
        download = self.client.get(url)
        self.assertEqual(b"".join(download.streaming_content), b"%PDF-1.4 test")
        self.assertIn("attachment", download["Content-Disposition"])
        self.assertEqual(AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).changes, {"附件": "任职文件.pdf"})
        self.assertEqual(self.p1.history.first().history_change_reason, "上传附件：任职文件.pdf")
        self.client.force_login(self.town2_user)
        self.assertEqual(self.client.get(url).status_code, 404)
        delete_url = reverse("people:attachment_delete", kwargs={"pk": self.p1.pk, "attachment": attachment.pk})
        self.assertEqual(self.client.post(delete_url).status_code, 404)
        self.client.force_login(self.town1_user)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(delete_url)
        self.assertFalse(Attachment.objects.exists())
        self.assertFalse(attachment.file.storage.exists(attachment.file.name))

    def test_deleting_a_person_removes_their_files(self):
        self.client.force_login(self.town1_user)
        self.upload("a.png", jpeg_bytes(size=(40, 30), fmt="PNG"))
        attachment = Attachment.objects.get()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("people:person_delete", kwargs={"pk": self.p1.pk}))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Person.objects.filter(pk=self.p1.pk).exists())
        self.assertFalse(attachment.file.storage.exists(attachment.file.name))

    def test_bad_uploads_are_refused(self):
        self.client.force_login(self.town1_user)
        self.assertContains(self.upload("a.exe", b"MZ..."), "只能上传")
        self.assertContains(self.upload("a.pdf", b"<html>"), "文件内容与扩展名")
        self.assertContains(self.upload("a.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024)), "不能超过10MB")
        self.assertFalse(Attachment.objects.exists())

    def test_media_is_not_served_directly(self):
        self.client.force_login(self.town1_user)
        self.upload("a.png", jpeg_bytes(size=(40, 30), fmt="PNG"))
        path = Attachment.objects.get().file.name
        self.assertEqual(self.client.get(f"/media/{path}").status_code, 404)


def test_no_template_has_inline_scripts():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates" / "people"
    for template in root.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert not re.search(r"\son[a-z]+=", text), template


class LedgerWorkbenchTests(TestCase):
    def test_panel_counts_only_the_users_scope(self):
        org = build_county()
        make_person(org.village1, "东一")
        make_person(org.village1, "东二", is_representative=True)
        make_person(org.village2, "西一")
        self.client.force_login(create_user("wb_town1", org.town1, "town_officer"))
        stats = {s["label"]: s["value"] for s in self.client.get(reverse("workbench")).context["widgets"][0]["stats"]}
        self.assertEqual(stats["在册人数"], 2)
        self.assertEqual(stats["其中代表人士"], 1)


class ProtectedDeleteTests(TestCase):
    def test_deleting_a_person_who_is_a_representative_is_refused_with_a_message(self):
        from representatives.models import Representative

        org = build_county()
        person = make_person(org.village1, "代表甲")
        Representative.objects.create(person=person, level="town", field="other", owner_unit=org.village1)
        self.client.force_login(create_user("del_staff", org.county, "county_staff"))
        response = self.client.post(reverse("people:person_delete", kwargs={"pk": person.pk}), follow=True)
        self.assertContains(response, "仍有党外代表人士关联，不能删除")
        self.assertTrue(Person.objects.filter(pk=person.pk).exists())
