import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from accounts.testing import create_user
from org.testing import build_county
from people.choices import Status, Tier
from people.forms import (
    AttachmentForm,
    IdNumberSearchForm,
    PersonForm,
    SocialPositionForm,
    StatusForm,
    TransferForm,
)
from people.identity import check_digit
from people.lookups import registered_elsewhere
from people.models import Category, Person

from .test_views import make_id


class PersonFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town1_user = create_user("f_town1", cls.org.town1, "town_officer")
        cls.existing = Person.objects.create(name="张三", id_number=make_id(seq="111"), owner_unit=cls.org.village1)
        cls.hidden = Person.objects.create(name="王五", id_number=make_id(seq="222"), owner_unit=cls.org.village2)

    def form(self, instance=None, **data):
        base = {"name": "李四", "owner_unit": self.org.village1.pk, "tier": Tier.VILLAGE}
        base.update(data)
        return PersonForm(base, instance=instance, user=self.town1_user)

    def test_gender_and_birth_date_are_filled_from_the_id_number(self):
        form = self.form(id_number=make_id(birth="19840229", seq="051"))
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual((form.cleaned_data["gender"], form.cleaned_data["birth_date"]),
                         ("M", datetime.date(1984, 2, 29)))

    def test_typed_gender_and_birth_date_are_checked_against_the_id_number(self):
        number = make_id(birth="19900510", seq="062")  # even: female
        self.assertTrue(self.form(id_number=number, gender="F", birth_date="1990-05-10").is_valid())
        form = self.form(id_number=number, gender="M", birth_date="1990-05-11")
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["gender"], ["性别与身份证号不符"])
        self.assertEqual(form.errors["birth_date"], ["出生日期与身份证号不符"])

    def test_id_number_is_normalised_and_checked(self):
        full = "33099819700101007" + check_digit("33099819700101007")
        fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in full)
        form = self.form(id_number=" " + fullwidth.lower() + " ")
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["id_number"], full)
        for bad, message in [
            ("330998700101001", "15位旧号码"), ("3309981970010100", "应为18位"),
            ("990998197001010071", "省级行政区划代码"), ("330998197013010071", "不是有效日期"),
        ]:
            form = self.form(id_number=bad)
            self.assertFalse(form.is_valid())
            self.assertIn(message, form.errors["id_number"][0], bad)

    def test_phone_is_normalised_and_checked(self):
        form = self.form(phone="+86 138-0000-1111")
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["phone"], "13800001111")
        self.assertIn("联系电话应为", self.form(phone="1380000111").errors["phone"][0])
        # A landline needs its area code, as the message says.
        self.assertTrue(self.form(phone="0571-8888 6666").is_valid())
        self.assertIn("带区号的固定电话", self.form(phone="88886666").errors["phone"][0])

    def test_duplicate_id_links_only_to_a_visible_person(self):
        visible = self.form(id_number=self.existing.id_number)
        self.assertFalse(visible.is_valid())
        self.assertIn(f'href="{self.existing.get_absolute_url()}"', visible.errors["id_number"][0])
        hidden = self.form(id_number=self.hidden.id_number)
        self.assertFalse(hidden.is_valid())
        self.assertEqual(hidden.errors["id_number"], [registered_elsewhere("西岭村")])
        self.assertNotIn("王五", str(hidden.errors))
        # The person's own number is not a duplicate of itself.
        self.assertTrue(self.form(instance=self.existing, name="张三", id_number=self.existing.id_number).is_valid())

    def test_unit_choices_are_the_users_units(self):
        choices = set(self.form().fields["owner_unit"].queryset)
        self.assertEqual(choices, {self.org.town1, self.org.village1})
        form = self.form(owner_unit=self.org.town2.pk)
        self.assertFalse(form.is_valid())
        self.assertIn("owner_unit", form.errors)
        self.assertEqual(dict(self.form().fields["owner_unit"].choices)[self.org.village1.pk], "东溪镇 / 东溪村")

    def test_disabled_categories_are_not_offered_unless_already_held(self):
        disabled = Category.objects.get(code="10")
        disabled.is_active = False
        disabled.save()
        self.assertNotIn(disabled, self.form().fields["categories"].queryset)
        self.existing.categories.add(disabled)
        self.assertIn(disabled, self.form(instance=self.existing).fields["categories"].queryset)

    def test_edit_keeps_stored_values_unless_cleared(self):
        person = Person.objects.create(name="赵六", id_number=make_id(seq="333"), phone="13700001111",
                                       owner_unit=self.org.village1)
        form = self.form(instance=person, name="赵六")
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual((form.cleaned_data["id_number"], form.cleaned_data["phone"]),
                         (person.id_number, "13700001111"))
        self.assertNotIn(person.id_number, form.as_p())
        form = self.form(instance=person, name="赵六", clear_phone="on", clear_id_number="on")
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual((form.cleaned_data["id_number"], form.cleaned_data["phone"]), ("", ""))
        self.assertNotIn("clear_phone", self.form().fields)

    def test_tags_are_created_from_text(self):
        form = self.form(tag_names="重点、 新人，重点")
        self.assertTrue(form.is_valid(), form.errors)
        form.instance.owner_unit = self.org.village1
        person = form.save()
        self.assertEqual(sorted(t.name for t in person.tags.all()), ["新人", "重点"])

    def test_name_spaces(self):
        for typed, expected in [(" 张 三 ", "张三"), ("John  Smith", "John Smith")]:
            form = self.form(name=typed)
            self.assertTrue(form.is_valid(), form.errors)
            self.assertEqual(form.cleaned_data["name"], expected)
        self.assertFalse(self.form(name="   ").is_valid())


class SmallFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def test_status_must_change_and_needs_date_and_reason(self):
        person = Person.objects.create(name="甲", owner_unit=self.org.village1)
        form = StatusForm({"status": Status.ACTIVE, "date": "", "reason": ""}, person=person)
        self.assertFalse(form.is_valid())
        self.assertEqual(set(form.errors), {"status", "date", "reason"})
        self.assertIn("当前已是“在册”", form.errors["status"][0])

    def test_transfer_destination_excludes_current_unit(self):
        form = TransferForm(exclude_unit=self.org.village1)
        self.assertNotIn(self.org.village1, form.fields["to_unit"].queryset)
        self.assertIn(self.org.village2, form.fields["to_unit"].queryset)

    def test_social_position_term(self):
        form = SocialPositionForm({"kind": "npc", "level": "county", "term_start": "2022-01-01",
                                   "term_end": "2021-01-01"})
        self.assertEqual(form.errors["term_end"], ["任期结束不能早于任期开始"])

    def test_id_search_form(self):
        self.assertFalse(IdNumberSearchForm({"id_number": "123"}).is_valid())
        self.assertTrue(IdNumberSearchForm({"id_number": make_id()}).is_valid())

    def test_attachment_signatures(self):
        ok = AttachmentForm(files={"file": SimpleUploadedFile("a.docx", b"PK\x03\x04rest")})
        self.assertTrue(ok.is_valid(), ok.errors)
        renamed = AttachmentForm(files={"file": SimpleUploadedFile("a.pdf", b"PK\x03\x04rest")})
        self.assertIn("文件内容与扩展名", renamed.errors["file"][0])
        empty = AttachmentForm(files={"file": SimpleUploadedFile("a.pdf", b"")})
        self.assertFalse(empty.is_valid())
