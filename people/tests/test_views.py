import datetime
import itertools
import re

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from accounts.testing import AdminViewTestData, CountyViewTestData, create_user
from core.models import AuditEvent
from core.view_testing import ViewTestCases
from org.models import Unit
from org.testing import build_county
from people.choices import Tier
from people.identity import check_digit
from people.models import Attachment, Category, Person, Transfer

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
