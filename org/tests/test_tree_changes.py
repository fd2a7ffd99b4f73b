"""Moving, deactivating, activating and deleting units through the pages."""

from django.urls import reverse

from accounts.models import Grant, Role
from core.models import AuditEvent
from core.tests.sample.models import SampleRecord
from org.models import Unit

from .test_pages import OrgTestCase


class MoveTests(OrgTestCase):
    def move(self, unit, parent):
        return self.client.post(self.url("org:unit_move", unit), {"parent": parent.pk if parent else ""})

    def test_move_subtree_under_other_parent(self):
        record = SampleRecord.objects.create(name="记录", phone="13812345678", owner_unit=self.org.village1)
        response = self.move(self.org.town1, self.org.town2)
        self.assertEqual(response.status_code, 302)
        town1, village1, town2 = self.unit(self.org.town1), self.unit(self.org.village1), self.unit(self.org.town2)
        self.assertEqual(Unit.objects.get_parent(town1), town2)
        self.assertEqual(Unit.objects.get_parent(village1), town1)
        self.assertEqual((town1.depth, village1.depth), (3, 4))
        self.assertTrue(village1.path.startswith(town2.path))
        self.assertEqual(Unit.objects.get(pk=self.org.county.pk).numchild, 2)
        self.assertEqual(town2.numchild, 2)
        self.assertEqual(Unit.objects.find_problems(), ([], [], [], [], []))
        # Records stay with their unit; the scope follows the new path.
        self.assertEqual(SampleRecord.objects.filter(owner_unit__path__startswith=town2.path).get(), record)
        event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(town1.pk)).get()
        self.assertEqual(event.changes["上级单位"], ["测试县", "西岭镇"])
        self.assertEqual(event.changes["随之移动的单位数"], 2)

    def test_move_to_top_level(self):
        self.move(self.org.member, None)
        member = self.unit(self.org.member)
        self.assertEqual(member.depth, 1)
        self.assertIsNone(Unit.objects.get_parent(member))

    def test_move_under_own_descendant_is_refused(self):
        response = self.move(self.org.town1, self.org.village1)
        self.assertContains(response, "不能把单位移动到它自己的下级单位“东溪村”之下。")
        response = self.move(self.org.town1, self.org.town1)
        self.assertContains(response, "不能把单位移动到它自己之下。")
        self.assertEqual(Unit.objects.get_parent(self.unit(self.org.town1)), self.org.county)
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists())

    def test_move_form_offers_only_allowed_parents(self):
        response = self.client.get(self.url("org:unit_move", self.org.town1))
        html = response.content.decode()
        self.assertIn(f'value="{self.org.town2.pk}"', html)
        self.assertNotIn(f'value="{self.org.village1.pk}"', html)

    def test_same_parent_is_reported(self):
        self.assertContains(self.move(self.org.town1, self.org.county), "单位未移动")

    def test_active_unit_cannot_move_under_inactive_parent(self):
        Unit.objects.filter(pk=self.org.town2.pk).update(is_active=False)
        self.assertContains(self.move(self.org.member, self.org.town2), "已停用")


class DeactivateTests(OrgTestCase):
    def deactivate(self, unit, **data):
        return self.client.post(self.url("org:unit_deactivate", unit), data)

    def test_deactivate_leaf_without_records(self):
        response = self.deactivate(self.org.member)
        self.assertEqual(response.status_code, 302)
        self.assertFalse(self.unit(self.org.member).is_active)
        event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(self.org.member.pk))
        self.assertEqual(event.changes["启用"], ["是", "否"])

    def test_refused_while_subtree_has_records_and_accounts(self):
        for i in range(12):
            SampleRecord.objects.create(name=f"记录{i}", phone="13812345678", owner_unit=self.org.village1)
        from accounts.testing import create_user

        for i in range(3):
            create_user(f"t_liaison{i}", self.org.village1, "village_liaison")
        response = self.deactivate(self.org.town1, include_descendants="on")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "该单位及下级仍有账号、业务数据（样例记录），不能停用。")
        # The system administrator learns that the unit is in use, not how many people or records it holds.
        for figure in ("12 条", "12条", "3 个账号", "3个账号"):
            self.assertNotContains(response, figure)
        self.assertTrue(self.unit(self.org.town1).is_active)
        self.assertTrue(self.unit(self.org.village1).is_active)

    def test_records_alone_block(self):
        SampleRecord.objects.create(name="记录", phone="13812345678", owner_unit=self.org.member)
        response = self.deactivate(self.org.member)
        self.assertContains(response, "该单位仍有业务数据（样例记录），不能停用。")
        self.assertTrue(self.unit(self.org.member).is_active)

    def test_disabled_accounts_do_not_block(self):
        from accounts.testing import create_user

        create_user("t_gone", self.org.member, is_active=False)
        self.assertEqual(self.deactivate(self.org.member).status_code, 302)
        self.assertFalse(self.unit(self.org.member).is_active)

    def test_active_children_block_unless_deactivated_with_it(self):
        response = self.deactivate(self.org.town1)
        self.assertContains(response, "该单位还有 1 个启用的下级单位（东溪村）")
        self.assertContains(response, "同时停用全部下级单位")
        self.assertTrue(self.unit(self.org.town1).is_active)
        response = self.deactivate(self.org.town1, include_descendants="on")
        self.assertEqual(response.status_code, 302)
        self.assertFalse(self.unit(self.org.town1).is_active)
        self.assertFalse(self.unit(self.org.village1).is_active)

    def test_edit_form_applies_the_same_rules(self):
        SampleRecord.objects.create(name="记录", phone="13812345678", owner_unit=self.org.village2)
        data = {"name": "西岭村", "type": "village", "division_code": "330998002001", "sort_order": "0"}
        response = self.client.post(self.url("org:unit_edit", self.org.village2), data)
        self.assertContains(response, "该单位仍有业务数据（样例记录），不能停用。")
        self.assertTrue(self.unit(self.org.village2).is_active)

    def test_reactivate_needs_an_active_parent(self):
        self.deactivate(self.org.town1, include_descendants="on")
        response = self.client.post(self.url("org:unit_activate", self.org.village1), {})
        self.assertContains(response, "上级单位“东溪镇”已停用，请先启用上级单位。")
        self.assertFalse(self.unit(self.org.village1).is_active)
        self.client.post(self.url("org:unit_activate", self.org.town1), {})
        self.assertTrue(self.unit(self.org.town1).is_active)
        self.assertFalse(self.unit(self.org.village1).is_active)
        self.client.post(self.url("org:unit_activate", self.org.town1), {"include_descendants": "on"})
        self.assertTrue(self.unit(self.org.village1).is_active)


class DeleteTests(OrgTestCase):
    def test_unused_leaf_is_deleted_and_audited(self):
        response = self.client.post(self.url("org:unit_delete", self.org.member))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Unit.objects.filter(pk=self.org.member.pk).exists())
        self.assertEqual(Unit.objects.get(pk=self.org.county.pk).numchild, 2)
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.DELETE,
                                                  object_id=str(self.org.member.pk)).exists())

    def test_unit_with_children_is_not_deleted(self):
        response = self.client.post(self.url("org:unit_delete", self.org.town1))
        self.assertContains(response, "该单位有 1 个下级单位，不能删除。")
        self.assertTrue(Unit.objects.filter(pk=self.org.town1.pk).exists())

    def test_unit_with_account_record_or_grant_is_not_deleted(self):
        from accounts.testing import create_user

        create_user("t_old", self.org.village1, is_active=False)
        SampleRecord.objects.create(name="记录", phone="13812345678", owner_unit=self.org.village1)
        grant = Grant.objects.create(user=self.staff, role=Role.objects.get(code="leader"))
        grant.units.add(self.org.village1)
        response = self.client.post(self.url("org:unit_delete", self.org.village1))
        self.assertContains(response, "该单位仍有账号、业务数据（样例记录）、授权（自定义单位），不能删除。")
        self.assertTrue(Unit.objects.filter(pk=self.org.village1.pk).exists())

    def test_audit_events_do_not_block_deletion(self):
        from accounts.testing import create_user
        from core import audit

        user = create_user("t_member", self.org.member)
        audit.record(AuditEvent.Action.LOGIN, user=user)
        self.assertTrue(AuditEvent.objects.filter(unit=self.org.member).exists())
        user.unit = self.org.county
        user.save()
        self.client.post(self.url("org:unit_delete", self.org.member))
        self.assertFalse(Unit.objects.filter(pk=self.org.member.pk).exists())

    def test_tree_after_changes_has_consistent_paths(self):
        self.client.post(self.url("org:unit_delete", self.org.member))
        self.client.post(self.url("org:unit_move", self.org.village2), {"parent": self.org.town1.pk})
        self.assertEqual(Unit.objects.find_problems(), ([], [], [], [], []))
        self.assertEqual(self.client.get(reverse("org:tree")).status_code, 200)


class CreateRootTests(OrgTestCase):
    """`services.create_root`: a root unit from typed values (bootstrap_accounts), checked as the unit form checks
    a new unit's name and division code."""

    def test_a_root_is_created_and_audited(self):
        from org.services import create_root

        root = create_root(" 另一县 ", "３３０９９７", Unit.Type.COUNTY)
        self.assertEqual((root.name, root.division_code, root.depth, root.type), ("另一县", "330997", 1, "county"))
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_label="另一县").exists())

    def test_a_taken_name_or_division_code_is_refused(self):
        from org.services import UnitRuleError, create_root

        county = Unit.objects.get(depth=1)
        before = Unit.objects.count()
        with self.assertRaises(UnitRuleError) as refused:
            create_root(county.name, county.division_code)
        self.assertEqual(refused.exception.messages, [
            f"名称：顶级单位中已有名为“{county.name}”的单位。",
            f"区划代码：区划代码“{county.division_code}”已被“{county.name}”使用。",
        ])
        with self.assertRaisesMessage(UnitRuleError, "名称：不能超过100个字"):
            create_root("县" * 101)
        self.assertEqual(Unit.objects.count(), before)
