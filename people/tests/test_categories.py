"""The category pages (统战成员类别) of the system administrator: who may use them, the statutory categories'
protections, sub-types (add, edit, delete), unique spellings, audit events, and how the rest of the ledger
(person form, list filter, importer) treats disabled categories and sub-types."""

from django.test import TestCase
from django.urls import reverse

from accounts.testing import create_user
from core.models import AuditEvent
from org.testing import build_county
from people import choices
from people.forms import PersonForm
from people.forms.categories import CODE_FIXED, NO_SEPARATORS, STATUTORY_NAME_FIXED
from people.importers import import_ledger
from people.models import Category, Person
from people.views.categories import deletion_problems

from .test_importer import ledger, make_id, person, problems_of

LIST = reverse("people:category_list")
ADD = reverse("people:category_add")


def edit_url(category):
    return reverse("people:category_edit", kwargs={"pk": category.pk})


def delete_url(category):
    return reverse("people:category_delete", kwargs={"pk": category.pk})


def statutory(code):
    return Category.objects.get(code=code)


def config_events():
    return AuditEvent.objects.filter(action=AuditEvent.Action.CONFIG, object_type="people.Category").order_by("id")


class CategoryTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.sysadmin = create_user("c_sysadmin", cls.org.county, "sysadmin")
        cls.secadmin = create_user("c_secadmin", cls.org.county, "secadmin")
        cls.auditor = create_user("c_auditor", cls.org.county, "auditor")
        cls.town_officer = create_user("c_town1", cls.org.town1, "town_officer")
        cls.county_staff = create_user("c_county", cls.org.county, "county_staff")
        cls.private = statutory("06")  # 非公有制经济人士
        cls.subtype = Category.objects.create(code="0601", name="个体工商户", parent=cls.private, synonyms="个体户",
                                              sort_order=6)

    def setUp(self):
        self.client.force_login(self.sysadmin)

    def add_person(self, name, *categories, unit=None, seq="101"):
        someone = Person.objects.create(name=name, id_number=make_id(seq=int(seq)),
                                        owner_unit=unit or self.org.village1)
        someone.categories.set(categories)
        return someone

    def post_edit(self, category, **changes):
        data = {"name": category.name, "synonyms": category.synonyms, "sort_order": category.sort_order,
                "is_active": "on" if category.is_active else ""}
        data.update(changes)
        data = {k: v for k, v in data.items() if v is not None and v != ""}
        return self.client.post(edit_url(category), data)

    def post_add(self, parent, name, **extra):
        data = {"parent": parent.pk if parent is not None else "", "name": name, "is_active": "on"}
        data.update(extra)
        return self.client.post(ADD, {k: v for k, v in data.items() if v != ""})


# --- access -------------------------------------------------------------------------------------------------


class AccessTests(CategoryTestCase):
    def urls(self):
        return [LIST, ADD, edit_url(self.private), edit_url(self.subtype), delete_url(self.subtype)]

    def test_anonymous_is_sent_to_login(self):
        self.client.logout()
        for url in self.urls():
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertTrue(response["Location"].startswith(reverse("login")), url)

    def test_the_system_administrator_gets_every_page(self):
        for url in self.urls():
            self.assertEqual(self.client.get(url).status_code, 200, url)

    def test_everyone_else_is_forbidden_even_county_staff(self):
        for user in (self.secadmin, self.auditor, self.town_officer, self.county_staff):
            self.client.force_login(user)
            for url in self.urls():
                self.assertEqual(self.client.get(url).status_code, 403, f"{user} {url}")
            self.assertEqual(self.post_add(self.private, "私营企业主").status_code, 403, user)
            self.assertEqual(self.client.post(delete_url(self.subtype)).status_code, 403, user)
            self.assertEqual(self.post_edit(self.private, is_active="").status_code, 403, user)
        self.assertFalse(Category.objects.filter(name="私营企业主").exists())
        self.assertTrue(Category.objects.filter(pk=self.subtype.pk).exists())
        self.assertTrue(statutory("06").is_active)
        self.assertFalse(config_events().exists())

    def test_the_menu_item_is_shown_to_the_system_administrator_only(self):
        self.assertContains(self.client.get(reverse("workbench")), LIST)
        for user in (self.county_staff, self.secadmin):
            self.client.force_login(user)
            self.assertNotContains(self.client.get(reverse("workbench")), LIST)


# --- the list -----------------------------------------------------------------------------------------------


class ListTests(CategoryTestCase):
    def test_statutory_categories_in_order_with_their_sub_types_below(self):
        rows = self.client.get(LIST).context["rows"]
        codes = [(r["category"].code, r["depth"]) for r in rows]
        expected = [(code, 0) for code, _, _ in choices.STATUTORY_CATEGORIES]
        expected.insert(6, ("0601", 1))
        self.assertEqual(codes, expected)

    def test_columns_and_states(self):
        self.post_edit(statutory("09"), is_active="")
        response = self.client.get(LIST)
        for header in ("名称", "代码", "别名", "状态", "使用情况"):
            self.assertContains(response, f">{header}</th>")
        self.assertContains(response, "个体户")
        self.assertContains(response, "启用")
        self.assertContains(response, "停用")

    def test_only_in_use_is_shown_never_people_or_head_counts(self):
        other = statutory("03")
        self.add_person("甲乙丙", self.private, self.subtype, seq="101")
        self.add_person("丁戊己", self.subtype, unit=self.org.village2, seq="103")
        self.add_person("庚辛壬", other, seq="105")
        response = self.client.get(LIST)
        in_use = {r["category"].code: r["in_use"] for r in response.context["rows"]}
        self.assertEqual((in_use["06"], in_use["0601"], in_use["03"], in_use["01"]), (True, True, True, False))
        self.assertNotIn("count", response.context["rows"][0])
        self.assertContains(response, "在用")
        self.assertContains(response, "未使用")
        self.assertNotContains(response, "人数")
        for name in ("甲乙丙", "丁戊己", "庚辛壬"):
            self.assertNotContains(response, name)
        edit = self.client.get(reverse("people:category_edit", kwargs={"pk": self.subtype.pk}))
        self.assertContains(edit, "在用")
        self.assertNotContains(edit, "人数")


# --- statutory categories ----------------------------------------------------------------------------------


class StatutoryTests(CategoryTestCase):
    def test_cannot_be_renamed(self):
        category = statutory("02")
        response = self.post_edit(category, name="无党派人士（改）")
        self.assertContains(response, STATUTORY_NAME_FIXED)
        self.assertEqual(statutory("02").name, "无党派人士")
        self.assertFalse(config_events().exists())

    def test_the_same_name_in_another_spelling_is_not_a_rename(self):
        response = self.post_edit(statutory("02"), name=" 无党派人士 ", synonyms="无党派、民主人士")
        self.assertRedirects(response, f"{LIST}#category-{statutory('02').pk}")
        self.assertEqual(statutory("02").name, "无党派人士")

    def test_cannot_be_re_coded(self):
        response = self.post_edit(statutory("02"), code="99")
        self.assertContains(response, CODE_FIXED)
        self.assertFalse(Category.objects.filter(code="99").exists())
        response = self.post_edit(self.subtype, code="0699")
        self.assertContains(response, CODE_FIXED)
        self.assertEqual(Category.objects.get(pk=self.subtype.pk).code, "0601")

    def test_sort_order_of_a_statutory_category_is_not_editable(self):
        self.post_edit(statutory("02"), sort_order=99, synonyms="无党派")
        self.assertEqual(statutory("02").sort_order, 2)

    def test_synonyms_are_edited_and_audited(self):
        response = self.post_edit(statutory("09"), synonyms="港胞，香港居民 / 港人")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(statutory("09").synonyms, "港胞、香港居民、港人")
        event = config_events().get()
        self.assertEqual(event.object_id, str(statutory("09").pk))
        self.assertEqual(event.changes, {"操作": "修改", "别名": ["港胞", "港胞、香港居民、港人"]})
        self.assertEqual(event.username, "c_sysadmin")

    def test_disabling_disables_its_sub_types_and_enabling_does_not_bring_them_back(self):
        second = Category.objects.create(code="0602", name="私营企业主", parent=self.private, sort_order=6)
        response = self.post_edit(self.private, is_active="")
        self.assertEqual(response.status_code, 302)
        self.assertFalse(statutory("06").is_active)
        self.assertFalse(Category.objects.filter(parent=self.private, is_active=True).exists())
        events = list(config_events())
        self.assertEqual([e.object_id for e in events], [str(self.private.pk), str(self.subtype.pk), str(second.pk)])
        self.assertEqual(events[0].changes, {"操作": "停用", "启用": ["是", "否"]})
        self.assertEqual(events[1].changes["启用"], ["是", "否"])
        self.assertIn("随法定类别“非公有制经济人士”停用", events[1].changes["操作"])

        self.post_edit(statutory("06"), is_active="on")
        self.assertTrue(statutory("06").is_active)
        self.assertFalse(Category.objects.get(pk=self.subtype.pk).is_active)
        self.assertEqual(config_events().last().changes, {"操作": "启用", "启用": ["否", "是"]})

    def test_cannot_be_deleted(self):
        category = statutory("10")
        response = self.client.get(delete_url(category))
        self.assertContains(response, "是法定类别，不能删除")
        self.assertNotContains(response, "确认删除")
        response = self.client.post(delete_url(category))
        self.assertContains(response, "是法定类别，不能删除")
        self.assertTrue(Category.objects.filter(pk=category.pk).exists())
        self.assertFalse(config_events().exists())


# --- sub-types ---------------------------------------------------------------------------------------------


class SubTypeTests(CategoryTestCase):
    def test_added_under_a_statutory_category_with_a_generated_code(self):
        response = self.post_add(self.private, "私营企业主", synonyms="民营企业主、私营业主")
        created = Category.objects.get(name="私营企业主")
        self.assertRedirects(response, f"{LIST}#category-{created.pk}")
        self.assertEqual((created.code, created.parent, created.is_statutory, created.is_active),
                         ("0602", self.private, False, True))
        self.assertEqual(created.sort_order, self.private.sort_order)  # left blank: the parent's number
        self.post_add(statutory("12"), "归国华侨")
        self.assertEqual(Category.objects.get(name="归国华侨").code, "1201")
        event = config_events().first()
        self.assertEqual(event.object_id, str(created.pk))
        self.assertEqual(event.changes["操作"], "新增子类")
        self.assertEqual(event.changes["上级类别"], ["", "非公有制经济人士"])
        self.assertEqual(event.changes["代码"], ["", "0602"])
        self.assertEqual(event.changes["别名"], ["", "民营企业主、私营业主"])

    def test_a_deleted_code_is_not_reused_unless_it_was_the_last(self):
        self.post_add(self.private, "私营企业主")
        Category.objects.get(code="0601").delete()
        self.post_add(self.private, "民营企业经营管理人员")
        self.assertEqual(Category.objects.get(name="民营企业经营管理人员").code, "0603")

    def test_parent_preselected_from_the_query_string(self):
        response = self.client.get(f"{ADD}?parent={self.private.pk}")
        self.assertEqual(response.context["form"].initial["parent"], self.private.pk)
        options = response.context["form"].fields["parent"].widget.choices
        self.assertEqual(len(options), 13)  # "请选择" and the 12 statutory categories, no sub-type

    def test_parent_is_required(self):
        response = self.post_add(None, "私营企业主")
        self.assertContains(response, "请选择子类所属的法定类别。")
        self.assertFalse(Category.objects.filter(name="私营企业主").exists())

    def test_a_sub_type_of_a_sub_type_is_refused(self):
        response = self.post_add(self.subtype, "流动摊贩")
        self.assertContains(response, "“个体工商户”本身是子类，不能在子类下再建子类")
        self.assertFalse(Category.objects.filter(name="流动摊贩").exists())

    def test_a_name_with_a_separator_is_refused(self):
        for name in ("个体、私营", "个体 私营", "个体/私营"):
            response = self.post_add(self.private, name)
            self.assertContains(response, NO_SEPARATORS)
        self.assertEqual(Category.objects.filter(parent=self.private).count(), 1)

    def test_no_active_sub_type_under_a_disabled_statutory_category(self):
        self.post_edit(self.private, is_active="")
        response = self.post_add(self.private, "私营企业主")
        self.assertContains(response, "所属法定类别“非公有制经济人士”已停用")
        self.post_add(self.private, "私营企业主", is_active="")  # a disabled one may be prepared
        self.assertFalse(Category.objects.get(name="私营企业主").is_active)
        response = self.post_edit(Category.objects.get(pk=self.subtype.pk), is_active="on")
        self.assertContains(response, "所属法定类别“非公有制经济人士”已停用")
        self.assertFalse(Category.objects.get(pk=self.subtype.pk).is_active)

    def test_name_synonyms_sort_and_state_are_edited_and_audited(self):
        response = self.post_edit(self.subtype, name="个体经营户", synonyms="个体户，个体工商户", sort_order=3,
                                  is_active="")
        self.assertEqual(response.status_code, 302)
        edited = Category.objects.get(pk=self.subtype.pk)
        self.assertEqual((edited.name, edited.synonyms, edited.sort_order, edited.is_active, edited.code),
                         ("个体经营户", "个体户、个体工商户", 3, False, "0601"))
        self.assertEqual(config_events().get().changes, {
            "操作": "修改", "名称": ["个体工商户", "个体经营户"], "别名": ["个体户", "个体户、个体工商户"],
            "排序": ["6", "3"], "启用": ["是", "否"],
        })

    def test_saving_without_a_change_records_nothing(self):
        self.assertEqual(self.post_edit(self.subtype).status_code, 302)
        self.assertFalse(config_events().exists())

    def test_own_name_among_the_synonyms_is_dropped_and_repeats_removed(self):
        self.post_edit(self.subtype, synonyms="个体工商户、个体户、 个体户 ,个体经营者")
        self.assertEqual(Category.objects.get(pk=self.subtype.pk).synonyms, "个体户、个体经营者")

    def test_deleted_when_nobody_is_or_was_in_it(self):
        response = self.client.get(delete_url(self.subtype))
        self.assertContains(response, "确认删除")
        response = self.client.post(delete_url(self.subtype))
        self.assertRedirects(response, f"{LIST}#category-{self.private.pk}")
        self.assertFalse(Category.objects.filter(pk=self.subtype.pk).exists())
        event = config_events().get()
        self.assertEqual(event.object_id, str(self.subtype.pk))
        self.assertEqual(event.object_label, "个体工商户")
        self.assertEqual(event.changes["操作"], "删除子类")
        self.assertEqual(event.changes["代码"], ["0601", ""])

    def test_not_deleted_while_people_are_in_it_and_neither_they_nor_their_number_are_shown(self):
        self.add_person("甲乙丙", self.subtype, seq="101")
        self.add_person("丁戊己", self.subtype, unit=self.org.village2, seq="103")
        response = self.client.get(delete_url(self.subtype))
        self.assertContains(response, "该子类在用（仍有人员属于该子类），不能删除")
        self.assertNotContains(response, "确认删除")
        response = self.client.post(delete_url(self.subtype))
        self.assertContains(response, "该子类在用（仍有人员属于该子类），不能删除")
        self.assertNotContains(response, "2 名")
        for name in ("甲乙丙", "丁戊己"):
            self.assertNotContains(response, name)
        self.assertTrue(Category.objects.filter(pk=self.subtype.pk).exists())
        self.assertEqual(Person.categories.through.objects.filter(category=self.subtype).count(), 2)
        self.assertFalse(config_events().exists())

    def test_not_deleted_while_the_ledger_history_refers_to_it(self):
        someone = self.add_person("甲乙丙", self.subtype)
        someone.categories.set([self.private])  # no longer in it, but its history says it was
        self.assertEqual(deletion_problems(self.subtype), [
            "人员的变更历史中记录过该子类，删除后这些历史将无法显示其名称；请改为停用。"
        ])
        self.client.post(delete_url(self.subtype))
        self.assertTrue(Category.objects.filter(pk=self.subtype.pk).exists())

    def test_unknown_category_is_404(self):
        self.assertEqual(self.client.get(reverse("people:category_edit", kwargs={"pk": 99999})).status_code, 404)
        self.assertEqual(self.client.post(reverse("people:category_delete", kwargs={"pk": 99999})).status_code, 404)


# --- unique spellings ---------------------------------------------------------------------------------------


class UniquenessTests(CategoryTestCase):
    def test_a_name_clashing_with_another_name(self):
        response = self.post_add(statutory("03"), " 个体工商户 ")
        self.assertContains(response, "名称“个体工商户”与类别“个体工商户”的名称重复")
        self.assertNotContains(response, "已存在")  # one message, not Django's unique check as well

    def test_a_name_clashing_with_another_categorys_synonym(self):
        response = self.post_add(statutory("12"), "归侨")
        self.assertContains(response, "名称“归侨”与类别“华侨、归侨及侨眷”的别名重复")
        self.assertFalse(Category.objects.filter(name="归侨").exists())

    def test_case_width_and_spaces_do_not_make_a_different_spelling(self):
        Category.objects.create(code="0801", name="MBA学员", parent=statutory("08"), sort_order=8)
        response = self.post_add(statutory("03"), "ｍｂａ学员")
        self.assertContains(response, "名称“ｍｂａ学员”与类别“MBA学员”的名称（“MBA学员”，视为相同写法）重复")

    def test_a_synonym_clashing_with_another_name_or_synonym(self):
        response = self.post_edit(self.subtype, synonyms="个体户、港胞、无党派人士")
        self.assertContains(response, "别名“港胞”与类别“香港同胞”的别名重复")
        self.assertContains(response, "别名“无党派人士”与类别“无党派人士”的名称重复")
        self.assertEqual(Category.objects.get(pk=self.subtype.pk).synonyms, "个体户")

    def test_a_statutory_synonym_clashing_with_a_sub_type(self):
        response = self.post_edit(statutory("07"), synonyms="新阶层、个体户")
        self.assertContains(response, "别名“个体户”与类别“个体工商户”的别名重复")

    def test_disabled_categories_count_too(self):
        self.post_edit(statutory("09"), is_active="")
        response = self.post_add(self.private, "港胞")
        self.assertContains(response, "名称“港胞”与类别“香港同胞”（已停用）的别名重复")

    def test_the_message_explains_why(self):
        response = self.post_add(statutory("12"), "侨眷")
        self.assertContains(response, "名称和别名在所有类别中不能重复，否则导入台账时无法确定人员属于哪个类别。")


# --- the rest of the ledger --------------------------------------------------------------------------------


class LedgerBehaviourTests(CategoryTestCase):
    def import_rows(self, rows):
        return import_ledger(ledger(rows), "a.xlsx", self.org.town1, self.town_officer, skip_invalid=True)

    def test_the_importer_matches_a_sub_type_by_name_and_synonyms(self):
        self.post_add(self.private, "私营企业主", synonyms="民营企业主")
        result = self.import_rows([
            person("甲乙丙", 类别="个体工商户", 身份证号=make_id(seq=101)),
            person("丁戊己", 类别="个体户、党外知识分子", 身份证号=make_id(seq=103)),
            person("庚辛壬", 类别="民营企业主", 身份证号=make_id(seq=105)),
        ])
        self.assertEqual(result.errors, [])
        names = {p.name: sorted(c.name for c in p.categories.all()) for p in Person.objects.all()}
        self.assertEqual(names, {"甲乙丙": ["个体工商户"], "丁戊己": ["个体工商户", "党外知识分子"],
                                 "庚辛壬": ["私营企业主"]})

    def test_the_importer_refuses_a_disabled_category_naming_it(self):
        self.post_edit(statutory("12"), is_active="")
        self.post_edit(self.private, is_active="")  # and with it the sub-type 个体工商户
        result = self.import_rows([
            person("甲乙丙", 类别="华侨、归侨及侨眷", 身份证号=make_id(seq=101)),
            person("丁戊己", 类别="侨眷", 身份证号=make_id(seq=103)),
            person("庚辛壬", 类别="个体户", 身份证号=make_id(seq=105)),
            person("癸子丑", 类别="香港同胞", 身份证号=make_id(seq=107)),
        ])
        self.assertEqual(problems_of(result), [
            (3, "类别", "类别“华侨、归侨及侨眷”已停用"),
            (4, "类别", "类别“侨眷”（即“华侨、归侨及侨眷”）已停用"),
            (5, "类别", "类别“个体户”（即“个体工商户”）已停用"),
        ])
        self.assertEqual(list(Person.objects.values_list("name", flat=True)), ["癸子丑"])

    def test_a_disabled_category_is_not_offered_in_the_person_form_but_kept_for_people_in_it(self):
        someone = self.add_person("甲乙丙", self.subtype)
        self.post_edit(self.private, is_active="")
        blank = PersonForm(user=self.town_officer).fields["categories"].queryset
        self.assertNotIn(self.subtype, blank)
        self.assertNotIn(self.private, blank)
        self.assertIn(statutory("01"), blank)
        kept = PersonForm(instance=someone, user=self.town_officer).fields["categories"].queryset
        self.assertIn(self.subtype, kept)
        self.assertNotIn(self.private, kept)

    def test_the_list_filter_offers_active_categories_and_takes_sub_types_along(self):
        in_parent = self.add_person("甲乙丙", self.private, seq="101")
        in_subtype = self.add_person("丁戊己", self.subtype, seq="103")
        self.add_person("庚辛壬", statutory("03"), seq="105")
        self.client.force_login(self.county_staff)
        response = self.client.get(reverse("people:person_list"), {"category": self.private.pk})
        shown = {p.pk for p in response.context["table"].data}
        self.assertEqual(shown, {in_parent.pk, in_subtype.pk})
        response = self.client.get(reverse("people:person_list"), {"category": self.subtype.pk})
        self.assertEqual({p.pk for p in response.context["table"].data}, {in_subtype.pk})

        self.client.force_login(self.sysadmin)
        self.post_edit(statutory("09"), is_active="")
        self.client.force_login(self.county_staff)
        response = self.client.get(reverse("people:person_list"))
        offered = response.context["filter"].form.fields["category"].queryset
        self.assertNotIn(statutory("09"), offered)
        self.assertIn(self.subtype, offered)
