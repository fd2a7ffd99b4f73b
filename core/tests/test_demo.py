"""`python manage.py load_demo`: the demo county, its accounts, and the loader discovery behind it."""

import random
from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.test import TestCase
from django.urls import reverse

from accounts.models import Grant, User
from accounts.testing import PASSWORD
from core.demo import DemoContext, discover, display_width, loader
from org.models import Unit, validate_division_code
from org.testing import build_county

# The org tree and the accounts are this file's subject; loaders that later issues add (people, records …)
# are left out here to keep these tests quick, and are tested with their apps.
FOUNDATION = ("org", "accounts")

DEMO_USERS = {
    # username -> (role code, unit type)
    "county_staff": ("county_staff", Unit.Type.COUNTY),
    "town01": ("town_officer", Unit.Type.TOWN),
    "town02": ("town_officer", Unit.Type.TOWN),
    "village0101": ("village_liaison", Unit.Type.VILLAGE),
    "leader": ("leader", Unit.Type.COUNTY),
    "official01": ("pairing_official", Unit.Type.COUNTY),
    "dept_leader": ("grant_approver", Unit.Type.COUNTY),
    "sysadmin": ("sysadmin", Unit.Type.COUNTY),
    "secadmin": ("secadmin", Unit.Type.COUNTY),
    "auditor": ("auditor", Unit.Type.COUNTY),
}


def load_demo(*args, **options):
    out = StringIO()
    with mock.patch("core.management.commands.load_demo.discover", lambda: discover(only=FOUNDATION)):
        call_command("load_demo", *args, stdout=out, **options)
    return out.getvalue()


def counts():
    return {kind: Unit.objects.filter(type=kind).count() for kind in Unit.Type.values}


def snapshot():
    return (Unit.objects.count(), User.objects.count(), Grant.objects.count())


class LoadedDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = load_demo()
        cls.county = Unit.objects.get(division_code="330999")

    def test_county_shape(self):
        self.assertEqual(self.county.name, "示范县")
        self.assertEqual(self.county.type, Unit.Type.COUNTY)
        self.assertTrue(self.county.is_root())
        n = counts()
        self.assertEqual(n[Unit.Type.COUNTY], 1)
        self.assertEqual(n[Unit.Type.TOWN], 12)
        self.assertTrue(180 <= n[Unit.Type.VILLAGE] <= 220, n)
        self.assertEqual(n[Unit.Type.MEMBER], 92)
        self.assertTrue(2 <= n[Unit.Type.PARK] <= 3, n)
        self.assertTrue(5 <= n[Unit.Type.ENTERPRISE] <= 8, n)
        self.assertTrue(4 <= n[Unit.Type.SCHOOL] <= 6, n)
        self.assertTrue(2 <= n[Unit.Type.HOSPITAL] <= 4, n)
        self.assertEqual(n[Unit.Type.OTHER], 0)
        self.assertEqual(Unit.objects.filter(is_active=False).count(), 0)
        # towns, member units and parks hang directly under the county
        children = Unit.objects.get_children(self.county)
        self.assertEqual(children.filter(type=Unit.Type.TOWN).count(), 12)
        self.assertEqual(children.filter(type=Unit.Type.MEMBER).count(), 92)
        self.assertEqual(children.filter(type=Unit.Type.PARK).count(), n[Unit.Type.PARK])

    def test_tree_is_consistent(self):
        self.assertEqual(Unit.objects.find_problems(), ([], [], [], [], []))
        for unit in Unit.objects.all():
            self.assertEqual(unit.numchild, Unit.objects.get_children(unit).count(), unit)
            self.assertEqual(unit.depth, len(unit.path) // Unit.steplen, unit)
        self.assertTrue(all(u.path.startswith(self.county.path) for u in Unit.objects.all()))

    def test_division_codes(self):
        codes = list(Unit.objects.exclude(division_code=None).values_list("division_code", flat=True))
        self.assertEqual(len(codes), len(set(codes)))
        for code in codes:
            validate_division_code(code)
        towns = Unit.objects.filter(type=Unit.Type.TOWN).order_by("division_code")
        self.assertEqual([t.division_code for t in towns], [f"330999{i:03d}" for i in range(1, 13)])
        for town in towns:
            self.assertTrue(town.short_name)
            self.assertTrue(town.name.endswith(("镇", "街道", "乡")), town.name)
            villages = Unit.objects.get_children(town).filter(type=Unit.Type.VILLAGE)
            self.assertGreater(villages.count(), 5, town)
            names = [v.name for v in villages]
            self.assertEqual(len(names), len(set(names)), town)
            for village in villages:
                self.assertRegex(village.division_code, rf"^{town.division_code}\d{{3}}$")
                self.assertTrue(village.name.endswith(("村", "社区")), village.name)
            if town.name.endswith("街道"):
                self.assertGreater(sum(n.endswith("社区") for n in names), len(names) / 2, town)
            else:
                self.assertGreater(sum(n.endswith("村") for n in names), len(names) / 2, town)
        # every village sits directly under a town
        for village in Unit.objects.filter(type=Unit.Type.VILLAGE):
            self.assertEqual(Unit.objects.get_parent(village).type, Unit.Type.TOWN)
        # units without an administrative division carry no code
        self.assertFalse(
            Unit.objects.exclude(type__in=[Unit.Type.COUNTY, Unit.Type.TOWN, Unit.Type.VILLAGE])
            .exclude(division_code=None).exists()
        )
        self.assertEqual(Unit.objects.get_parent(Unit.resolve("330999001001")).division_code, "330999001")

    def test_member_and_field_units(self):
        members = Unit.objects.filter(type=Unit.Type.MEMBER)
        self.assertEqual(len({m.name for m in members}), 92)
        self.assertEqual(len({m.short_name for m in members}), 92)
        short_names = {m.short_name for m in members}
        for expected in ("县委办", "县政府办", "县委组织部", "县委宣传部", "县教育局", "县卫健局", "县工商联",
                         "县民宗局", "县侨联", "县科协", "县法院", "县检察院", "团县委", "县妇联"):
            self.assertIn(expected, short_names)
        self.assertNotIn("县委统战部", short_names)  # the department itself works at the county unit
        self.assertEqual(sorted(m.sort_order for m in members), sorted({m.sort_order for m in members}))
        for enterprise in Unit.objects.filter(type=Unit.Type.ENTERPRISE):
            self.assertIn(Unit.objects.get_parent(enterprise).type, (Unit.Type.PARK, Unit.Type.TOWN))
        for unit in Unit.objects.exclude(type=Unit.Type.COUNTY):
            unit.clean_fields(exclude=["path"])
            self.assertTrue(unit.sort_order > 0, unit)

    def test_accounts_log_in_without_forced_password_change(self):
        accounts_demo = loader("accounts")
        self.assertEqual(set(accounts_demo.USERNAMES), set(DEMO_USERS))
        self.assertEqual(accounts_demo.PASSWORD, PASSWORD)
        for username, (role_code, unit_type) in DEMO_USERS.items():
            user = User.objects.get(username=username)
            self.assertFalse(user.must_change_password, username)
            self.assertIsNotNone(user.password_changed_at, username)
            self.assertTrue(user.is_active and not user.is_superuser and not user.is_staff, username)
            self.assertTrue(user.full_name, username)
            self.assertEqual([g.role.code for g in user.grants.all()], [role_code], username)
            self.assertTrue(all(g.is_effective for g in user.grants.all()), username)  # approved by the loader
            self.assertEqual(user.unit.type, unit_type, username)
            self.assertTrue(
                self.client.login(request=HttpRequest(), username=username, password=PASSWORD), username
            )
            response = self.client.get(reverse("workbench"))
            self.assertEqual(response.status_code, 200, username)  # no detour to the password change page
            self.client.logout()
        self.assertFalse(self.client.login(request=HttpRequest(), username="town01", password="wrong-password"))

    def test_login_through_login_page(self):
        response = self.client.post(reverse("login"), {"username": "village0101", "password": PASSWORD})
        self.assertRedirects(response, reverse("workbench"), fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("workbench")).status_code, 200)

    def test_account_placement(self):
        users = {u.username: u for u in User.objects.select_related("unit")}
        town1, town2 = users["town01"].unit, users["town02"].unit
        self.assertNotEqual(town1, town2)
        self.assertEqual(town1.division_code, "330999001")
        self.assertEqual(town2.division_code, "330999002")
        village = users["village0101"].unit
        self.assertTrue(village.is_child_of(town1))
        self.assertEqual(village.division_code, "330999001001")
        for username in ("county_staff", "leader", "sysadmin", "secadmin", "auditor"):
            self.assertEqual(users[username].unit, self.county, username)
        self.assertEqual(users["sysadmin"].admin_kind, "system")
        self.assertEqual(users["secadmin"].admin_kind, "security")
        self.assertEqual(users["auditor"].admin_kind, "audit")
        for username in ("county_staff", "town01", "town02", "village0101", "leader"):
            self.assertEqual(users[username].admin_kind, "", username)
        for grant in Grant.objects.select_related("user", "role"):
            grant.full_clean()  # 三员分立 holds for every demo grant

    def test_output_lists_progress_and_logins(self):
        self.assertIn("正在加载示范数据", self.output)
        self.assertIn("组织机构：示范县，12 个镇街", self.output)
        self.assertIn("92 个成员单位", self.output)
        self.assertIn("示范数据加载完成", self.output)
        for username in DEMO_USERS:
            self.assertIn(username, self.output)
        self.assertIn(PASSWORD, self.output)
        self.assertIn("镇街统战委员", self.output)
        self.assertIn("城关街道 城关社区", self.output)

    def test_if_empty_does_nothing_on_a_loaded_database(self):
        before = (snapshot(), counts())
        output = load_demo("--if-empty")
        self.assertEqual((snapshot(), counts()), before)
        self.assertIn("未加载示范数据", output)
        self.assertNotIn("正在加载", output)
        self.assertIn("county_staff", output)  # the logins are still shown, e.g. by `make run`

    def test_second_load_is_refused_and_changes_nothing(self):
        before = (snapshot(), counts())
        with self.assertRaisesMessage(CommandError, "示范县（区划代码 330999）已经存在"):
            load_demo()
        self.assertEqual((snapshot(), counts()), before)

    def test_existing_demo_account_is_refused(self):
        Unit.objects.filter(division_code__startswith="330999").update(division_code=None)
        Unit.objects.filter(pk=self.county.pk).update(name="别的县")
        before = snapshot()
        with self.assertRaisesMessage(CommandError, "账号已存在：auditor、county_staff"):
            load_demo()
        self.assertEqual(snapshot(), before)  # the units planned before the refusal were rolled back


class EmptyDatabaseTests(TestCase):
    def test_if_empty_loads_an_empty_database(self):
        output = load_demo("--if-empty")
        self.assertIn("示范数据加载完成", output)
        self.assertEqual(counts()[Unit.Type.TOWN], 12)

    def test_quiet_at_verbosity_zero(self):
        self.assertEqual(load_demo(verbosity=0), "")
        self.assertEqual(User.objects.filter(username__in=DEMO_USERS).count(), len(DEMO_USERS))

    def test_same_county_every_time(self):
        def planned():
            units, _ = loader("org").build(random.Random(2026))
            return [(u.path, u.name, u.division_code, u.numchild) for u in units]

        self.assertEqual(planned(), planned())
        load_demo(verbosity=0)
        loaded = list(Unit.objects.order_by("path").values_list("path", "name", "division_code", "numchild"))
        self.assertEqual(sorted(planned()), loaded)

    def test_loads_beside_an_existing_county(self):
        org = build_county()
        load_demo(verbosity=0)
        demo = Unit.objects.get(division_code="330999")
        self.assertTrue(demo.is_root())
        self.assertNotEqual(demo.path, org.county.path)
        self.assertEqual(Unit.objects.find_problems(), ([], [], [], [], []))
        self.assertEqual(Unit.objects.get_descendant_count(Unit.objects.get(pk=org.county.pk)), 5)


class DiscoveryTests(TestCase):
    def test_loaders_found_in_order(self):
        modules = discover()
        labels = [m.app_label for m in modules]
        self.assertEqual(labels[:2], ["org", "accounts"])
        self.assertNotIn("core", labels)  # core.demo is the machinery, not a loader
        self.assertEqual([m.order for m in modules], sorted(m.order for m in modules))

    def test_table_aligns_chinese_text(self):
        text = DemoContext.table(["用户名", "单位"], [("town01", "城关街道"), ("leader", "示范县")])
        lines = text.splitlines()
        self.assertEqual(len(lines), 3)
        # the second column starts at the same display column on every line
        starts = {display_width(line[: line.index(cell)]) for line, cell in zip(lines, ["单位", "城关街道", "示范县"],
                                                                                  strict=True)}
        self.assertEqual(len(starts), 1)

    def test_context_random_is_seeded(self):
        self.assertEqual(DemoContext().random.random(), DemoContext().random.random())
