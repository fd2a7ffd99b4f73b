"""Data scopes (数据范围) as `Model.objects.visible_to(user, action)` applies them.

County layout (org.testing.build_county): 测试县 → 东溪镇 → 东溪村; 测试县 → 西岭镇 → 西岭村; 测试县 → 县教育局.
One sample record sits in every unit, named after it.
"""

from django.contrib.auth.models import AnonymousUser, Permission
from django.test import TestCase

from accounts.models import Grant, Role
from accounts.testing import create_user
from core.scope import Scope
from core.tests.sample.models import SampleRecord
from org.testing import build_county

ALL_UNITS = {"测试县", "东溪镇", "东溪村", "西岭镇", "西岭村", "县教育局"}


def make_role(code, data_scope, actions=("view",)):
    role = Role.objects.create(name=f"测试-{code}", code=code, data_scope=data_scope)
    role.permissions.set(Permission.objects.filter(
        content_type__app_label="sample", codename__in=[f"{a}_samplerecord" for a in actions],
    ))
    return role


class ScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        for unit in (cls.org.county, cls.org.town1, cls.org.village1, cls.org.town2, cls.org.village2,
                     cls.org.member):
            SampleRecord.objects.create(name=unit.name, owner_unit=unit)
        cls.roles = {kind: make_role(f"r_{kind}", kind) for kind in Role.DataScope.values}

    def user(self, unit, *grants, username="u"):
        """A user in `unit` holding (role, anchor unit or None, custom units) grants."""
        user = create_user(username, unit)
        for role, anchor, units in grants:
            grant = Grant.objects.create(user=user, role=role, unit=anchor)
            grant.units.set(units)
        return type(user).objects.get(pk=user.pk)

    def visible(self, user, action="view"):
        return set(SampleRecord.objects.visible_to(user, action).values_list("name", flat=True))

    def test_all(self):
        user = self.user(self.org.village1, (self.roles["all"], None, []))
        self.assertEqual(self.visible(user), ALL_UNITS)

    def test_unit_and_below(self):
        user = self.user(self.org.town1, (self.roles["subtree"], None, []))
        self.assertEqual(self.visible(user), {"东溪镇", "东溪村"})

    def test_unit_only(self):
        user = self.user(self.org.town1, (self.roles["unit"], None, []))
        self.assertEqual(self.visible(user), {"东溪镇"})

    def test_self_only(self):
        user = self.user(self.org.town1, (self.roles["self"], None, []))
        mine = SampleRecord.objects.create(name="我的记录", owner_unit=self.org.town2, created_by=user)
        other = create_user("colleague", self.org.town1)
        SampleRecord.objects.create(name="同事的记录", owner_unit=self.org.town1, created_by=other)
        self.assertEqual(self.visible(user), {mine.name})

    def test_custom_units_cover_their_subtrees(self):
        user = self.user(self.org.village1, (self.roles["custom"], None, [self.org.town2, self.org.member]))
        self.assertEqual(self.visible(user), {"西岭镇", "西岭村", "县教育局"})

    def test_custom_without_units_sees_nothing(self):
        user = self.user(self.org.town1, (self.roles["custom"], None, []))
        self.assertEqual(self.visible(user), set())

    def test_union_of_several_grants(self):
        user = self.user(
            self.org.village1,
            (self.roles["unit"], None, []),  # 东溪村
            (self.roles["custom"], None, [self.org.member]),  # 县教育局
            (self.roles["subtree"], self.org.town2, []),  # 西岭镇 and 西岭村
        )
        self.assertEqual(self.visible(user), {"东溪村", "县教育局", "西岭镇", "西岭村"})

    def test_union_with_all_is_all(self):
        user = self.user(self.org.village1, (self.roles["unit"], None, []), (self.roles["all"], None, []))
        self.assertEqual(self.visible(user), ALL_UNITS)

    def test_anchor_unit_replaces_the_users_unit(self):
        user = self.user(self.org.town1, (self.roles["subtree"], self.org.town2, []))
        self.assertEqual(self.visible(user), {"西岭镇", "西岭村"})
        user = self.user(self.org.town1, (self.roles["unit"], self.org.village2, []), username="u2")
        self.assertEqual(self.visible(user), {"西岭村"})

    def test_no_unit_and_no_anchor_sees_nothing(self):
        user = self.user(None, (self.roles["subtree"], None, []))
        self.assertEqual(self.visible(user), set())

    def test_scope_is_per_action(self):
        viewer = make_role("r_viewer_change", Role.DataScope.UNIT, actions=("change",))
        user = self.user(self.org.town1, (self.roles["all"], None, []), (viewer, None, []))
        self.assertEqual(self.visible(user, "view"), ALL_UNITS)
        self.assertEqual(self.visible(user, "change"), {"东溪镇"})
        self.assertEqual(self.visible(user, "delete"), set())
        self.assertFalse(user.has_action(SampleRecord, "delete"))

    def test_inactive_user_sees_nothing(self):
        user = self.user(self.org.county, (self.roles["all"], None, []))
        user.is_active = False
        user.save()
        self.assertEqual(self.visible(user), set())
        self.assertFalse(user.has_action(SampleRecord, "view"))

    def test_anonymous_and_no_user_see_nothing(self):
        self.assertFalse(SampleRecord.objects.visible_to(AnonymousUser()).exists())
        self.assertFalse(SampleRecord.objects.visible_to(None).exists())

    def test_user_without_roles_sees_nothing(self):
        self.assertEqual(self.visible(self.user(self.org.county)), set())

    def test_admin_roles_see_nothing(self):
        for code in ("sysadmin", "secadmin", "auditor"):
            admin = create_user(f"t_{code}", self.org.county, code)
            self.assertEqual(self.visible(admin), set(), code)
            # Even with business permissions wrongly attached to the role.
            role = Role.objects.get(code=code)
            role.permissions.add(*self.roles["all"].permissions.all())
            admin = type(admin).objects.get(pk=admin.pk)
            self.assertEqual(self.visible(admin), set(), code)

    def test_a_moved_subtree_follows_its_new_parent(self):
        user = self.user(self.org.town2, (self.roles["subtree"], None, []))
        Unit = type(self.org.village1)
        Unit.objects.move(Unit.objects.get(pk=self.org.village1.pk), Unit.objects.get(pk=self.org.town2.pk),
                          "last-child")
        user = type(user).objects.get(pk=user.pk)
        self.assertEqual(self.visible(user), {"西岭镇", "西岭村", "东溪村"})


class ScopeUnionTests(TestCase):
    def test_nested_subtrees_collapse_to_the_outermost(self):
        scope = Scope.union([Scope(subtree_paths=frozenset({"0001"})), Scope(subtree_paths=frozenset({"00010002"}))])
        self.assertEqual(scope.subtree_paths, frozenset({"0001"}))

    def test_union_keeps_units_and_users(self):
        scope = Scope.union([Scope(unit_ids=frozenset({1})), Scope(user_ids=frozenset({7}))])
        self.assertEqual((scope.unit_ids, scope.user_ids), (frozenset({1}), frozenset({7})))
        self.assertFalse(scope.is_empty)

    def test_empty_union_is_nothing(self):
        self.assertTrue(Scope.union([]).is_empty)
        self.assertTrue(Scope.union([Scope.nothing(), Scope.nothing()]).is_empty)
        self.assertTrue(Scope.union([Scope.nothing(), Scope.everything()]).everything_)
