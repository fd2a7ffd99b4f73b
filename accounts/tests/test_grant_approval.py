"""三员分立: a business grant asked for by the security administrator takes effect only once a second person,
holding the approve-grants right (授权审批, a department leader), has approved it (accounts.approval)."""

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse

from accounts.models import Grant, Role
from accounts.testing import create_user
from core.models import AuditEvent, Notification
from core.navigation import menu_for
from core.tests.sample.models import SampleRecord
from org.testing import build_county

from .test_grant_role_admin import sample_permission

User = get_user_model()
REVIEW_LIST = reverse("accounts:grant_review_list")


def fresh(user):
    """The account as a new request sees it: grants read anew."""
    return User.objects.get(pk=user.pk)


def review_url(grant):
    return reverse("accounts:grant_review", args=[grant.pk])


class ApprovalTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.secadmin = create_user("t_secadmin", cls.org.county, "secadmin")
        cls.dept_leader = create_user("t_dept_leader", cls.org.county, "grant_approver", full_name="郑卫东")
        cls.town_approver = create_user("t_town_approver", cls.org.town1, "grant_approver")
        SampleRecord.objects.create(name="东溪记录", owner_unit=cls.org.village1)
        SampleRecord.objects.create(name="西岭记录", owner_unit=cls.org.village2)

    def as_user(self, user):
        client = self.client_class()
        client.force_login(user)
        return client

    def request_grant(self, account, role_code, **data):
        """The security administrator asks for `role_code` for `account`; returns the grant."""
        response = self.as_user(self.secadmin).post(
            reverse("accounts:grant_add", args=[account.pk]), {"role": Role.objects.get(code=role_code).pk, **data}
        )
        self.assertEqual(response.status_code, 302)
        return Grant.objects.get(user=account, role__code=role_code)

    def decide(self, approver, grant, decision, note=""):
        return self.as_user(approver).post(review_url(grant), {"decision": decision, "note": note}, follow=True)

    def visible(self, user):
        return sorted(r.name for r in SampleRecord.objects.visible_to(fresh(user)))

    def operations(self):
        return [e.changes["操作"][1] for e in AuditEvent.objects.filter(action=AuditEvent.Action.ROLE,
                                                                         object_type="授权").order_by("id")]


class RequestAndApproveTests(ApprovalTestCase):
    def test_an_account_made_and_granted_by_the_security_admin_sees_nothing_until_approved(self):
        secadmin = self.as_user(self.secadmin)
        secadmin.post(reverse("accounts:user_add"), {"username": "newcomer", "full_name": "新同事",
                                                     "unit": self.org.town1.pk})
        newcomer = User.objects.get(username="newcomer")
        page = secadmin.post(reverse("accounts:grant_add", args=[newcomer.pk]),
                             {"role": Role.objects.get(code="county_staff").pk}, follow=True)
        self.assertContains(page, "须经授权审批人（部领导）批准后生效")
        self.assertContains(page, "待审批")
        grant = Grant.objects.get(user=newcomer)
        self.assertEqual((grant.status, grant.requested_by), (Grant.Status.PENDING, self.secadmin))
        self.assertEqual(self.visible(newcomer), [])
        self.assertFalse(fresh(newcomer).has_action(SampleRecord, "view"))

        # The approver hears of it and finds it on their page.
        note = Notification.objects.get(recipient=self.dept_leader)
        self.assertIn("newcomer", note.title)
        self.assertEqual(note.url, review_url(grant))
        self.assertFalse(Notification.objects.filter(recipient=self.town_approver).exists())  # a county-wide role
        listing = self.as_user(self.dept_leader).get(REVIEW_LIST)
        self.assertContains(listing, "newcomer")
        self.assertContains(listing, review_url(grant))
        self.assertContains(self.as_user(self.dept_leader).get(review_url(grant)), 'value="approve"')

        response = self.decide(self.dept_leader, grant, "approve", "同意")
        self.assertContains(response, "已批准，即时生效")
        grant.refresh_from_db()
        self.assertEqual((grant.status, grant.decided_by, grant.decision_note),
                         (Grant.Status.APPROVED, self.dept_leader, "同意"))
        self.assertEqual(self.visible(newcomer), ["东溪记录", "西岭记录"])
        told = Notification.objects.get(recipient=self.secadmin)
        self.assertIn("已批准", told.title)
        self.assertEqual(self.operations(), ["授予角色", "批准授权"])
        approved = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE).order_by("-id").first()
        self.assertEqual(approved.username, "t_dept_leader")
        self.assertEqual(approved.changes["状态"], ["待审批", "已生效"])
        self.assertEqual(approved.changes["审批意见"], ["", "同意"])

    def test_an_admin_role_takes_effect_at_once(self):
        newcomer = create_user("t_new", self.org.county)
        grant = self.request_grant(newcomer, "auditor")
        self.assertEqual(grant.status, Grant.Status.APPROVED)
        self.assertTrue(fresh(newcomer).is_admin_of("audit"))
        self.assertFalse(Notification.objects.exists())

    def test_without_an_approver_the_request_says_it_will_wait(self):
        Grant.objects.filter(role__code="grant_approver").delete()
        newcomer = create_user("t_new", self.org.town1)
        page = self.as_user(self.secadmin).post(reverse("accounts:grant_add", args=[newcomer.pk]),
                                                {"role": Role.objects.get(code="leader").pk}, follow=True)
        self.assertContains(page, "目前没有可审批该授权的账号")


class WhoMayApproveTests(ApprovalTestCase):
    def test_the_security_admin_and_the_other_admins_cannot_approve(self):
        newcomer = create_user("t_new", self.org.town1)
        grant = self.request_grant(newcomer, "town_officer")
        detail = self.as_user(self.secadmin).get(reverse("accounts:user_detail", args=[newcomer.pk]))
        self.assertContains(detail, "待审批")
        self.assertNotContains(detail, review_url(grant))
        self.assertNotContains(detail, 'value="approve"')  # no approve button
        for code in ("secadmin", "sysadmin", "auditor"):
            admin = self.secadmin if code == "secadmin" else create_user(f"t_{code}", self.org.county, code)
            client = self.as_user(admin)
            self.assertEqual(client.get(REVIEW_LIST).status_code, 403, code)
            self.assertEqual(client.get(review_url(grant)).status_code, 403, code)
            self.assertEqual(client.post(review_url(grant), {"decision": "approve"}).status_code, 403, code)
            self.assertNotIn("授权审批", [i.label for _, items in menu_for(admin) for i in items])
        grant.refresh_from_db()
        self.assertEqual(grant.status, Grant.Status.PENDING)
        self.assertEqual(self.visible(newcomer), [])
        self.assertIn("授权审批", [i.label for _, items in menu_for(self.dept_leader) for i in items])

    def test_nobody_approves_their_own_request(self):
        newcomer = create_user("t_new", self.org.town1)
        grant = Grant.objects.create(user=newcomer, role=Role.objects.get(code="leader"),
                                     status=Grant.Status.PENDING, requested_by=self.dept_leader)
        listing = self.as_user(self.dept_leader).get(REVIEW_LIST)
        self.assertContains(listing, "不能审批自己提出的授权申请。")
        self.assertNotContains(listing, f'href="{review_url(grant)}"')
        response = self.decide(self.dept_leader, grant, "approve")
        self.assertContains(response, "不能审批自己提出的授权申请。")
        grant.refresh_from_db()
        self.assertEqual(grant.status, Grant.Status.PENDING)
        self.assertEqual(self.visible(newcomer), [])

    def test_nobody_approves_a_grant_to_themselves(self):
        grant = self.request_grant(self.town_approver, "town_officer")
        self.assertEqual(grant.status, Grant.Status.PENDING)
        response = self.decide(self.town_approver, grant, "approve")
        self.assertContains(response, "不能审批授予自己的角色。")
        grant.refresh_from_db()
        self.assertEqual(grant.status, Grant.Status.PENDING)
        self.assertEqual(self.visible(self.town_approver), [])
        # Another approver may.
        self.decide(self.dept_leader, grant, "approve")
        self.assertEqual(self.visible(self.town_approver), ["东溪记录"])

    def test_an_approver_decides_only_inside_their_scope(self):
        west = create_user("t_west", self.org.town2)
        east = create_user("t_east", self.org.town1)
        outside = self.request_grant(west, "town_officer")
        too_wide = self.request_grant(east, "county_staff")  # opens the whole county: more than town1
        inside = self.request_grant(east, "town_officer")
        listing = self.as_user(self.town_approver).get(REVIEW_LIST)
        self.assertEqual([g.pk for g, _ in listing.context["pending"]], [inside.pk])
        for grant in (outside, too_wide):
            self.assertEqual(self.as_user(self.town_approver).get(review_url(grant)).status_code, 404)
            self.assertEqual(self.decide(self.town_approver, grant, "approve").status_code, 404)
            grant.refresh_from_db()
            self.assertEqual(grant.status, Grant.Status.PENDING)
        self.decide(self.town_approver, inside, "approve")
        inside.refresh_from_db()
        self.assertEqual(inside.status, Grant.Status.APPROVED)

    def test_a_decided_grant_is_not_decided_again(self):
        grant = self.request_grant(create_user("t_new", self.org.town1), "town_officer")
        self.decide(self.dept_leader, grant, "reject", "人员未到岗")
        response = self.decide(self.town_approver, grant, "approve")
        self.assertContains(response, "无需审批")
        grant.refresh_from_db()
        self.assertEqual((grant.status, grant.decided_by), (Grant.Status.REJECTED, self.dept_leader))


class RejectAndRevokeTests(ApprovalTestCase):
    def test_rejection_gives_no_access_and_tells_the_requester_why(self):
        newcomer = create_user("t_new", self.org.town1)
        grant = self.request_grant(newcomer, "town_officer")
        response = self.decide(self.dept_leader, grant, "reject", "人员未到岗")
        self.assertContains(response, "已驳回")
        grant.refresh_from_db()
        self.assertEqual(grant.status, Grant.Status.REJECTED)
        self.assertEqual(self.visible(newcomer), [])
        told = Notification.objects.get(recipient=self.secadmin)
        self.assertIn("被驳回", told.title)
        self.assertIn("人员未到岗", told.body)
        self.assertEqual(self.operations(), ["授予角色", "驳回授权"])
        detail = self.as_user(self.secadmin).get(reverse("accounts:user_detail", args=[newcomer.pk]))
        self.assertContains(detail, "已驳回")
        self.assertContains(detail, "人员未到岗")
        # Asking again for the same role: resubmit the rejected request, not a second one.
        again = self.as_user(self.secadmin).post(reverse("accounts:grant_add", args=[newcomer.pk]),
                                                 {"role": grant.role_id})
        self.assertContains(again, "授权申请已被驳回")
        self.as_user(self.secadmin).post(reverse("accounts:grant_edit", args=[grant.pk]), {"role": grant.role_id})
        grant.refresh_from_db()
        self.assertEqual(grant.status, Grant.Status.PENDING)

    def test_revocation_takes_effect_at_once(self):
        newcomer = create_user("t_new", self.org.town1)
        grant = self.request_grant(newcomer, "town_officer")
        self.decide(self.dept_leader, grant, "approve")
        self.assertEqual(self.visible(newcomer), ["东溪记录"])
        self.as_user(self.secadmin).post(reverse("accounts:grant_delete", args=[grant.pk]))
        self.assertFalse(Grant.objects.filter(pk=grant.pk).exists())
        self.assertEqual(self.visible(newcomer), [])
        self.assertEqual(self.operations(), ["授予角色", "批准授权", "撤销角色"])


class WideningNeedsApprovalTests(ApprovalTestCase):
    def test_changing_an_approved_grant_needs_approval_again(self):
        newcomer = create_user("t_new", self.org.town1)
        grant = self.request_grant(newcomer, "town_officer")
        self.decide(self.dept_leader, grant, "approve")
        self.as_user(self.secadmin).post(reverse("accounts:grant_edit", args=[grant.pk]),
                                         {"role": grant.role_id, "unit": self.org.county.pk})
        grant.refresh_from_db()
        self.assertEqual((grant.status, grant.unit), (Grant.Status.PENDING, self.org.county))
        self.assertEqual(self.visible(newcomer), [])

    def test_moving_an_account_to_another_unit_needs_approval_again(self):
        newcomer = create_user("t_new", self.org.town1, full_name="新同事")
        grant = self.request_grant(newcomer, "town_officer")
        self.decide(self.dept_leader, grant, "approve")
        page = self.as_user(self.secadmin).post(reverse("accounts:user_edit", args=[newcomer.pk]), {
            "full_name": "新同事", "unit": self.org.town2.pk, "phone": "", "is_active": "on",
        }, follow=True)
        self.assertContains(page, "须经授权审批人重新批准后才生效")
        grant.refresh_from_db()
        self.assertEqual(grant.status, Grant.Status.PENDING)
        self.assertEqual(self.visible(newcomer), [])
        self.decide(self.dept_leader, grant, "approve")
        self.assertEqual(self.visible(newcomer), ["西岭记录"])

    def test_a_granted_role_cannot_gain_rights(self):
        role = Role.objects.create(name="园区联络员", code="park", data_scope=Role.DataScope.UNIT)
        role.permissions.set([sample_permission("view"), sample_permission("add")])
        Grant.objects.create(user=create_user("t_park", self.org.village1), role=role)
        data = {"name": role.name, "code": role.code, "description": "", "data_scope": role.data_scope}
        url = reverse("accounts:role_edit", args=[role.pk])
        secadmin = self.as_user(self.secadmin)
        response = secadmin.post(url, {**data, "permissions": [sample_permission(a).pk for a in ("view", "export")]})
        self.assertIn("不能增加权限", response.context["form"].errors["permissions"][0])
        response = secadmin.post(url, {**data, "data_scope": Role.DataScope.ALL,
                                       "permissions": [sample_permission("view").pk]})
        self.assertIn("不能改变数据范围", response.context["form"].errors["data_scope"][0])
        self.assertEqual(set(role.permissions.values_list("codename", flat=True)),
                         {"view_samplerecord", "add_samplerecord"})
        response = secadmin.post(url, {**data, "permissions": [sample_permission("view").pk]})  # narrowing is fine
        self.assertEqual(response.status_code, 302)
        self.assertEqual(list(role.permissions.values_list("codename", flat=True)), ["view_samplerecord"])


class WorkbenchTests(ApprovalTestCase):
    def test_the_approver_sees_what_waits_and_the_account_sees_its_pending_role(self):
        newcomer = create_user("t_new", self.org.town1)
        self.request_grant(newcomer, "town_officer")
        page = self.as_user(self.dept_leader).get(reverse("workbench"))
        self.assertContains(page, "待我审批的授权")
        self.assertEqual(next(w for w in page.context["widgets"] if w["title"] == "授权审批")["stats"][0]["value"], 1)
        self.assertContains(self.as_user(newcomer).get(reverse("workbench")), "尚未生效")
        overview = self.as_user(self.secadmin).get(reverse("workbench"))
        self.assertContains(overview, "授权待审批")
