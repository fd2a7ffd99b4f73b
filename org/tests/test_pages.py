"""The org tree pages: who may use them, the tree itself, and the unit forms."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.testing import create_user
from core.models import AuditEvent
from org.models import Unit
from org.testing import build_county

PAGES = [
    ("org:tree", False),
    ("org:unit_add_root", False),
    ("org:import", False),
    ("org:import_template", False),
    ("org:unit_add_child", True),
    ("org:unit_edit", True),
    ("org:unit_move", True),
    ("org:unit_deactivate", True),
    ("org:unit_activate", True),
    ("org:unit_delete", True),
]


class OrgTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.sysadmin = create_user("t_sysadmin", cls.org.county, "sysadmin")
        cls.secadmin = create_user("t_secadmin", cls.org.county, "secadmin")
        cls.auditor = create_user("t_auditor", cls.org.county, "auditor")
        cls.staff = create_user("t_staff", cls.org.county, "county_staff")

    def setUp(self):
        self.client.force_login(self.sysadmin)

    def unit(self, obj):
        return Unit.objects.get(pk=obj.pk)

    def url(self, name, unit=None):
        if name == "org:unit_add_child":
            return reverse(name, kwargs={"parent_pk": unit.pk})
        return reverse(name, kwargs={"pk": unit.pk} if unit is not None else None)


class AccessTests(OrgTestCase):
    def page_urls(self):
        return [self.url(name, self.org.town1 if needs_unit else None) for name, needs_unit in PAGES]

    def test_anonymous_is_sent_to_login(self):
        self.client.logout()
        for url in [*self.page_urls(), reverse("org:import_job", args=[1])]:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertTrue(response["Location"].startswith(reverse("login")), url)

    def test_business_user_and_other_admins_are_forbidden(self):
        for user in (self.staff, self.secadmin, self.auditor):
            self.client.force_login(user)
            for url in self.page_urls():
                self.assertEqual(self.client.get(url).status_code, 403, f"{user.username} {url}")
            response = self.client.post(self.url("org:unit_deactivate", self.org.village1), {})
            self.assertEqual(response.status_code, 403)
        self.assertTrue(self.unit(self.org.village1).is_active)

    def test_system_admin_gets_every_page(self):
        for url in self.page_urls():
            response = self.client.get(url)
            response.getvalue()  # read to the end: the client then closes a download as a WSGI server would
            self.assertEqual(response.status_code, 200, url)

    def test_menu_shows_org_items_to_system_admin_only(self):
        response = self.client.get(reverse("workbench"))
        self.assertContains(response, reverse("org:tree"))
        self.client.force_login(self.secadmin)
        self.assertNotContains(self.client.get(reverse("workbench")), reverse("org:import"))


class TreeTests(OrgTestCase):
    def test_tree_lists_units_nested_and_ordered(self):
        response = self.client.get(reverse("org:tree"))
        html = response.content.decode()
        for unit in (self.org.county, self.org.town1, self.org.village1, self.org.member):
            self.assertIn(f'id="unit-{unit.pk}"', html)
        # Siblings by sort order, then name: 东溪镇 (1), 西岭镇 (2), 县教育局 (50).
        self.assertLess(html.index("东溪镇"), html.index("西岭镇"))
        self.assertLess(html.index("西岭镇"), html.index("县教育局"))
        # The village is nested inside its town's list item.
        town = html.index(f'id="unit-{self.org.town1.pk}"')
        self.assertLess(town, html.index("东溪村"))
        self.assertLess(html.index("东溪村"), html.index(f'id="unit-{self.org.town2.pk}"'))
        self.assertContains(response, "330998001")
        self.assertContains(response, "镇街")
        self.assertEqual(html.count("<ul"), html.count("</ul>"))
        self.assertEqual(html.count('<li class="org-node'), 6)

    def test_inactive_unit_is_marked(self):
        Unit.objects.filter(pk=self.org.village2.pk).update(is_active=False)
        self.assertContains(self.client.get(reverse("org:tree")), "已停用")

    def test_search_keeps_matches_with_their_ancestors(self):
        response = self.client.get(reverse("org:tree"), {"q": "330998002001"})
        html = response.content.decode()
        self.assertIn("西岭村", html)
        self.assertIn("西岭镇", html)
        self.assertIn("测试县", html)
        self.assertNotIn("东溪镇", html)
        self.assertNotIn("县教育局", html)
        self.assertContains(self.client.get(reverse("org:tree"), {"q": "没有这个"}), "没有找到")

    def test_tree_query_count_does_not_grow_with_the_tree(self):
        self.client.get(reverse("org:tree"))  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as small:
            self.client.get(reverse("org:tree"))
        town = self.unit(self.org.town2)
        for i in range(30):
            Unit.objects.add_child(self.unit(town), instance=Unit(name=f"新村{i}", type=Unit.Type.VILLAGE))
        with CaptureQueriesContext(connection) as big:
            response = self.client.get(reverse("org:tree"))
        self.assertContains(response, "新村29")
        self.assertEqual(len(big), len(small))
        whole_tree = [q["sql"] for q in big.captured_queries if 'FROM "org_unit" ORDER BY' in q["sql"]]
        self.assertEqual(len(whole_tree), 1, whole_tree)

    def test_large_tree_starts_folded(self):
        town = self.unit(self.org.town2)
        for i in range(60):
            Unit.objects.add_child(self.unit(town), instance=Unit(name=f"村{i:02}", type=Unit.Type.VILLAGE))
        self.assertContains(self.client.get(reverse("org:tree")), 'data-collapse-from="1"')


class UnitFormTests(OrgTestCase):
    def post_child(self, parent, **fields):
        data = {"name": "新单位", "short_name": "", "type": "village", "division_code": "", "sort_order": "0",
                "is_active": "on", **fields}
        return self.client.post(self.url("org:unit_add_child", parent), data)

    def test_create_child_is_saved_under_parent_and_audited(self):
        response = self.post_child(self.org.town1, name="新华村", division_code="３３０９９８００１００２")
        unit = Unit.objects.get(name="新华村")
        self.assertRedirects(response, f"{reverse('org:tree')}#unit-{unit.pk}", fetch_redirect_response=False)
        self.assertEqual(Unit.objects.get_parent(unit), self.org.town1)
        self.assertEqual(unit.division_code, "330998001002")
        event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_id=str(unit.pk))
        self.assertEqual(event.changes["名称"], ["", "新华村"])
        self.assertEqual(event.changes["上级单位"], ["", "东溪镇"])

    def test_create_root(self):
        data = {"name": "另一县", "type": "county", "division_code": "330997", "sort_order": "0", "is_active": "on"}
        self.client.post(reverse("org:unit_add_root"), data)
        self.assertEqual(Unit.objects.get(name="另一县").depth, 1)

    def test_bad_division_code_is_refused_in_chinese(self):
        for code in ("12345", "1234567", "33099800100a", "3309980010011"):
            response = self.post_child(self.org.town1, division_code=code)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "区划代码须为6位、9位或12位数字")
        self.assertFalse(Unit.objects.filter(name="新单位").exists())

    def test_duplicate_division_code_names_the_unit_using_it(self):
        response = self.post_child(self.org.town1, division_code="330998002001")
        self.assertContains(response, "区划代码“330998002001”已被“西岭镇 / 西岭村”使用。")
        self.assertNotContains(response, "已存在")
        self.assertFalse(Unit.objects.filter(name="新单位").exists())

    def test_duplicate_name_under_same_parent_is_refused(self):
        response = self.post_child(self.org.town1, name="东溪村")
        self.assertContains(response, "上级单位“东溪镇”下已有名为“东溪村”的单位。")

    def test_required_fields_are_reported(self):
        response = self.post_child(self.org.town1, name="", type="")
        self.assertContains(response, "这个字段是必填项")

    def test_active_child_under_inactive_parent_is_refused(self):
        Unit.objects.filter(pk=self.org.town2.pk).update(is_active=False)
        response = self.post_child(self.org.town2)
        self.assertContains(response, "上级单位“西岭镇”已停用")
        self.post_child(self.org.town2, is_active="")
        self.assertFalse(Unit.objects.get(name="新单位").is_active)

    def test_edit_keeps_own_code_and_audits_changes(self):
        data = {"name": "东溪镇", "short_name": "东溪", "type": "town", "division_code": "330998001",
                "sort_order": "5", "is_active": "on"}
        response = self.client.post(self.url("org:unit_edit", self.org.town1), data)
        self.assertEqual(response.status_code, 302)
        town = self.unit(self.org.town1)
        self.assertEqual((town.short_name, town.sort_order), ("东溪", 5))
        event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).latest("id")
        self.assertEqual(event.changes, {"简称": ["", "东溪"], "排序": ["1", "5"]})

    def test_edit_can_clear_division_code(self):
        data = {"name": "东溪镇", "type": "town", "division_code": " ", "sort_order": "1", "is_active": "on"}
        self.client.post(self.url("org:unit_edit", self.org.town1), data)
        self.assertIsNone(self.unit(self.org.town1).division_code)
