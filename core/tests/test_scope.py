"""Data scopes (数据范围) as `Model.objects.visible_to(user, action)` applies them.

County layout (org.testing.build_county): 测试县 → 东溪镇 → 东溪村; 测试县 → 西岭镇 → 西岭村; 测试县 → 县教育局.
One sample record sits in every unit, named after it.
"""

from unittest import mock

from django.contrib.auth.models import AnonymousUser, Permission
from django.test import TestCase

from accounts.models import Grant, Role
from accounts.testing import create_user
from core.scope import Scope
from core.tests.sample.models import SampleHandover, SampleRecord
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

    def test_a_users_scope_is_kept_while_their_grants_and_unit_stay(self):
        user = self.user(self.org.town1, (self.roles["subtree"], None, []))
        self.assertEqual(self.visible(user), {"东溪镇", "东溪村"})
        user.unit = self.org.town2
        self.assertEqual(self.visible(user), {"西岭镇", "西岭村"})
        Grant.objects.create(user=user, role=self.roles["all"])
        self.assertEqual(self.visible(user), {"西岭镇", "西岭村"})  # the grants of this request
        del user._grants
        self.assertEqual(self.visible(user), ALL_UNITS)

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


class ScopeApiTests(TestCase):
    """What pages ask of a scope besides `visible_to`: `user.can`, the units in scope, the top units — each agreeing
    with `visible_to` on the same records."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.units = [cls.org.county, cls.org.town1, cls.org.village1, cls.org.town2, cls.org.village2, cls.org.member]
        for unit in cls.units:
            SampleRecord.objects.create(name=unit.name, owner_unit=unit)
        cls.roles = {kind: make_role(f"api_{kind}", kind, actions=("view", "change")) for kind in Role.DataScope.values}

    def user(self, unit, *grants, username="api"):
        return ScopeTests.user(self, unit, *grants, username=username)

    def users_of_every_kind(self):
        """(label, user) for each data scope kind, the custom one over 西岭镇 and 县教育局."""
        custom = (self.roles["custom"], None, [self.org.town2, self.org.member])
        for kind in Role.DataScope.values:
            grant = custom if kind == "custom" else (self.roles[kind], None, [])
            user = self.user(self.org.town1, grant, username=f"api_{kind}")
            SampleRecord.objects.create(name=f"{kind}的记录", owner_unit=self.org.town2, created_by=user)
            yield kind, user

    def test_can_says_what_visible_to_says(self):
        for kind, user in self.users_of_every_kind():
            for action in ("view", "change", "delete"):
                visible = set(SampleRecord.objects.visible_to(user, action).values_list("pk", flat=True))
                for record in SampleRecord.objects.select_related("owner_unit"):
                    self.assertEqual(user.can(action, record), record.pk in visible, (kind, action, record.name))

    def test_can_judges_a_record_not_saved_yet(self):
        town = self.user(self.org.town1, (self.roles["subtree"], None, []))
        self.assertTrue(town.can("change", SampleRecord(owner_unit=self.org.village1)))
        self.assertFalse(town.can("change", SampleRecord(owner_unit=self.org.village2)))
        self.assertFalse(town.can("change", SampleRecord()))  # no unit yet: inside no unit scope
        own = self.user(self.org.town1, (self.roles["self"], None, []), username="api_own")
        self.assertTrue(own.can("change", SampleRecord(owner_unit=self.org.village2, created_by=own)))
        self.assertFalse(own.can("change", SampleRecord(owner_unit=self.org.town1)))

    def test_can_asks_no_query_once_the_scope_is_known(self):
        town = self.user(self.org.town1, (self.roles["unit"], None, []))
        records = list(SampleRecord.objects.select_related("owner_unit"))
        town.can("view", records[0])
        with self.assertNumQueries(0):
            self.assertEqual({r.name for r in records if town.can("view", r)}, {"东溪镇"})

    def test_units_in_scope_and_unit_in_scope_agree_with_visible_to(self):
        for kind, user in self.users_of_every_kind():
            units = set(SampleRecord.objects.units_in_scope(user, "view"))
            by_unit = {u for u in self.units
                       if SampleRecord.objects.visible_to(user).filter(owner_unit=u, created_by=None).exists()}
            self.assertEqual(units, by_unit, kind)
            for unit in self.units:
                self.assertEqual(SampleRecord.objects.unit_in_scope(user, "view", unit), unit in units, (kind, unit))
            self.assertEqual(SampleRecord.objects.scope_has_units(user, "view"), bool(units), kind)

    def test_top_units(self):
        cases = [
            ((self.roles["all"], None, []), [self.org.county]),
            ((self.roles["subtree"], None, []), [self.org.town1]),
            ((self.roles["custom"], None, [self.org.member, self.org.town2, self.org.village2]),
             [self.org.town2, self.org.member]),
            ((self.roles["self"], None, []), [self.org.village1]),  # the fallback
        ]
        for number, (grant, expected) in enumerate(cases):
            user = self.user(self.org.town1, grant, username=f"api_top{number}")
            tops = SampleRecord.objects.scope_top_units(user, "view", fallback=self.org.village1)
            self.assertEqual(tops, expected, grant[0].data_scope)
        nobody = self.user(self.org.town1, username="api_none")
        self.assertEqual(SampleRecord.objects.scope_top_units(nobody, "view", fallback=self.org.town1), [])

    def test_a_drill_down_goes_below_a_unit_only_inside_a_subtree(self):
        from core.models import subtree_in_scope

        town = self.user(self.org.town1, (self.roles["subtree"], None, []))
        self.assertTrue(subtree_in_scope(town, [SampleRecord], "view", self.org.town1))
        self.assertTrue(subtree_in_scope(town, [SampleRecord], "view", self.org.village1))
        self.assertFalse(subtree_in_scope(town, [SampleRecord], "view", self.org.county))
        one_unit = self.user(self.org.town1, (self.roles["unit"], None, []), username="api_unit")
        self.assertFalse(subtree_in_scope(one_unit, [SampleRecord], "view", self.org.town1))

    def test_scope_includes(self):
        wide = make_role("api_wide_view", Role.DataScope.ALL, actions=("view",))
        user = self.user(self.org.town1, (self.roles["unit"], None, []), (wide, None, []))
        self.assertFalse(SampleRecord.objects.scope_includes(user, "change", "view"))  # 东溪镇 only, of everything
        self.assertTrue(SampleRecord.objects.scope_includes(user, "view", "change"))  # everything
        same = self.user(self.org.town1, (self.roles["subtree"], None, []), username="api_same")
        self.assertTrue(SampleRecord.objects.scope_includes(same, "change", "view"))
        self.assertFalse(SampleRecord.objects.scope_includes(same, "delete", "view"))

    def test_anonymous_may_do_nothing(self):
        anonymous = AnonymousUser()
        record = SampleRecord.objects.first()
        self.assertFalse(SampleRecord.objects.permits(anonymous, "view", record))
        self.assertFalse(SampleRecord.objects.units_in_scope(anonymous).exists())
        self.assertFalse(SampleRecord.objects.unit_in_scope(anonymous, "view", record.owner_unit))

    def test_scopes_are_computed_by_the_registered_provider_only(self):
        from django.core.exceptions import ImproperlyConfigured

        from core import scope

        user = self.user(self.org.town1, (self.roles["all"], None, []))
        with mock.patch.object(scope, "_provider", None), self.assertRaises(ImproperlyConfigured):
            SampleRecord.objects.visible_to(user)


class ScopeRuleTests(TestCase):
    """A record with two anchors, judged by another model's permissions (core.tests.sample.SampleHandover)."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.role = make_role("rule_subtree", Role.DataScope.UNIT_AND_BELOW)
        cls.own = make_role("rule_self", Role.DataScope.SELF)
        cls.town1 = ScopeTests.user(cls, cls.org.town1, (cls.role, None, []), username="rule_town1")
        cls.official = ScopeTests.user(cls, cls.org.county, (cls.own, None, []), username="rule_own")
        record = SampleRecord.objects.create(name="移交的记录", owner_unit=cls.org.town2, created_by=cls.official)
        other = SampleRecord.objects.create(name="另一记录", owner_unit=cls.org.town2)
        cls.out = SampleHandover.objects.create(record=other, from_unit=cls.org.village1, to_unit=cls.org.town2)
        cls.arrival = SampleHandover.objects.create(record=record, from_unit=cls.org.town2, to_unit=cls.org.village1)
        cls.elsewhere = SampleHandover.objects.create(record=other, from_unit=cls.org.town2, to_unit=cls.org.member)

    def test_either_anchor_puts_a_record_in_scope(self):
        self.assertEqual(set(SampleHandover.objects.visible_to(self.town1)), {self.out, self.arrival})

    def test_via_applies_one_anchor(self):
        self.assertEqual(list(SampleHandover.objects.visible_to(self.town1, via="from_unit")), [self.out])
        self.assertEqual(list(SampleHandover.objects.visible_to(self.town1, via="to_unit")), [self.arrival])
        with self.assertRaises(ValueError):
            SampleHandover.objects.visible_to(self.town1, via="record")

    def test_the_user_field_follows_a_lookup_path(self):
        self.assertEqual(list(SampleHandover.objects.visible_to(self.official)), [self.arrival])

    def test_the_permissions_of_the_named_model_decide(self):
        self.assertTrue(self.town1.has_action(SampleRecord, "view"))
        viewer_of_nothing = make_role("rule_change_only", Role.DataScope.ALL, actions=("change",))
        user = ScopeTests.user(self, self.org.county, (viewer_of_nothing, None, []), username="rule_change")
        self.assertFalse(SampleHandover.objects.visible_to(user).exists())
        self.assertEqual(SampleHandover.objects.visible_to(user, "change").count(), 3)

    def test_can_agrees_with_visible_to(self):
        for user in (self.town1, self.official):
            visible = set(SampleHandover.objects.visible_to(user))
            for handover in SampleHandover.objects.all():
                self.assertEqual(user.can("view", handover), handover in visible, (user, handover))
        self.assertTrue(self.official.can("view", SampleHandover(record=SampleRecord.objects.get(
            name="移交的记录"), from_unit=self.org.town2, to_unit=self.org.member)))
        self.assertFalse(self.town1.can("view", SampleHandover(from_unit=self.org.town2, to_unit=self.org.member)))
