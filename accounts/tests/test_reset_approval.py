"""A password reset by the security administrator is no way around the grant approval: they are shown the new
password, so the account's business grants wait for an approver to confirm the person before they apply again."""

from django.urls import reverse

from accounts import approval
from accounts.models import Grant
from accounts.testing import PASSWORD, create_user
from core.audit_review import grouped
from core.models import AuditEvent, Notification

from .test_grant_approval import REVIEW_LIST, ApprovalTestCase, fresh, review_url

SUSPENDED = "该账号的业务授权已暂停，须经授权审批人确认后恢复"


class ResetSuspendsBusinessGrantsTests(ApprovalTestCase):
    def reset(self, account):
        return self.as_user(self.secadmin).post(reverse("accounts:user_password", args=[account.pk]), follow=True)

    def test_a_reset_puts_the_business_grants_back_to_pending_until_an_approver_confirms(self):
        officer = create_user("t_officer", self.org.town1, "town_officer", "leader")
        self.assertEqual(self.visible(officer), ["东溪记录"])
        form = self.as_user(self.secadmin).get(reverse("accounts:user_password", args=[officer.pk]))
        self.assertContains(form, "重置后将暂停，须经授权审批人确认本人身份后恢复")

        page = self.reset(officer)
        self.assertTemplateUsed(page, "accounts/password_issued.html")
        self.assertContains(page, SUSPENDED)
        self.assertContains(page, "“镇街统战委员”")
        new_password = page.context["password"]

        # With the password the security administrator was shown, the account opens nothing.
        client = self.client_class()
        client.post(reverse("login"), {"username": "t_officer", "password": new_password})
        client.post(reverse("password_change"), {"old_password": new_password, "new_password1": "Wq8#nTz3xR",
                                                 "new_password2": "Wq8#nTz3xR"})
        self.assertEqual(client.get(reverse("sample:samplerecord_list")).status_code, 403)
        self.assertEqual(self.visible(officer), [])
        grants = list(officer.grants.order_by("role__name"))
        self.assertEqual({(g.status, g.request_note, g.requested_by) for g in grants},
                         {(Grant.Status.PENDING, approval.NOTE_AFTER_RESET, self.secadmin)})

        # Every grant is an audit event with the reason, and a request in the auditor's daily review.
        events = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE).order_by("id")
        self.assertEqual([approval.grant_operation(e) for e in events], [approval.OP_AFTER_RESET] * 2)
        self.assertEqual(events[0].changes["状态"], ["已生效", "待审批"])
        self.assertEqual(events[0].changes["申请说明"], ["", approval.NOTE_AFTER_RESET])
        self.assertEqual({g.key: n for g, n, _ in grouped(events)}["grant_requests"], 2)

        # The approvers hear of it, and see why on their page.
        told = Notification.objects.filter(recipient=self.dept_leader).order_by("id")
        self.assertEqual(len(told), 2)
        self.assertIn(approval.NOTE_AFTER_RESET, told[0].body)
        self.assertTrue(Notification.objects.filter(recipient=self.town_approver).exists())  # town_officer in town1
        listing = self.as_user(self.dept_leader).get(REVIEW_LIST)
        self.assertContains(listing, approval.NOTE_AFTER_RESET, count=2)
        self.assertContains(self.as_user(self.dept_leader).get(review_url(grants[0])), approval.NOTE_AFTER_RESET)
        detail = self.as_user(self.secadmin).get(reverse("accounts:user_detail", args=[officer.pk]))
        self.assertContains(detail, approval.NOTE_AFTER_RESET)

        for grant in grants:
            self.decide(self.dept_leader, grant, "approve", "已电话确认本人")
        self.assertEqual(self.visible(officer), ["东溪记录"])

    def test_a_changed_request_keeps_the_reason(self):
        officer = create_user("t_officer", self.org.town1, "town_officer")
        self.reset(officer)
        grant = officer.grants.get()
        self.as_user(self.secadmin).post(reverse("accounts:grant_edit", args=[grant.pk]),
                                         {"role": grant.role_id, "unit": self.org.village1.pk})
        grant.refresh_from_db()
        self.assertEqual((grant.status, grant.unit, grant.request_note),
                         (Grant.Status.PENDING, self.org.village1, approval.NOTE_AFTER_RESET))

    def test_a_reset_of_an_approver_suspends_their_approver_grant_too(self):
        page = self.reset(self.town_approver)
        self.assertContains(page, SUSPENDED)
        grant = self.town_approver.grants.get()
        self.assertEqual(grant.status, Grant.Status.PENDING)
        self.assertFalse(approval.may_approve_any(fresh(self.town_approver)))
        # Even once they have chosen their own password, they approve nothing until another approver confirms them.
        type(self.town_approver).objects.filter(pk=self.town_approver.pk).update(must_change_password=False)
        self.assertEqual(self.as_user(fresh(self.town_approver)).get(REVIEW_LIST).status_code, 403)
        # Another approver restores it.
        self.assertEqual(approval.approvers_for(grant), [self.dept_leader])
        self.decide(self.dept_leader, grant, "approve")
        self.assertTrue(approval.may_approve_any(fresh(self.town_approver)))

    def test_without_another_approver_the_page_says_how_to_add_one(self):
        page = self.reset(self.dept_leader)
        self.assertContains(page, SUSPENDED)
        self.assertContains(page, "bootstrap_accounts --add-approver")

    def test_admin_roles_and_pending_requests_are_left_alone(self):
        auditor = create_user("t_auditor", self.org.county, "auditor")
        page = self.reset(auditor)
        self.assertNotContains(page, SUSPENDED)
        self.assertEqual(auditor.grants.get().status, Grant.Status.APPROVED)
        self.assertTrue(fresh(auditor).is_admin_of("audit"))

        newcomer = create_user("t_new", self.org.town1)
        pending = self.request_grant(newcomer, "town_officer")
        form = self.as_user(self.secadmin).get(reverse("accounts:user_password", args=[newcomer.pk]))
        self.assertNotContains(form, "重置后将暂停")
        self.assertNotContains(self.reset(newcomer), SUSPENDED)
        pending.refresh_from_db()
        self.assertEqual((pending.status, pending.request_note), (Grant.Status.PENDING, ""))
        self.assertEqual(self.operations(), [approval.OP_REQUEST])

    def test_the_owner_changing_their_own_password_changes_nothing(self):
        officer = create_user("t_officer", self.org.town1, "town_officer")
        client = self.as_user(officer)
        response = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "Wq8#nTz3xR",
                                                             "new_password2": "Wq8#nTz3xR"})
        self.assertEqual(response.status_code, 302)
        officer.refresh_from_db()
        self.assertTrue(officer.check_password("Wq8#nTz3xR"))
        self.assertEqual(officer.grants.get().status, Grant.Status.APPROVED)
        self.assertEqual(self.visible(officer), ["东溪记录"])
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.ROLE).exists())
        self.assertFalse(Notification.objects.exists())

    def test_a_unit_change_tells_the_approver_why_too(self):
        officer = create_user("t_officer", self.org.town1, "town_officer", full_name="新同事")
        self.as_user(self.secadmin).post(reverse("accounts:user_edit", args=[officer.pk]), {
            "full_name": "新同事", "unit": self.org.town2.pk, "phone": "", "is_active": "on",
        })
        grant = officer.grants.get()
        self.assertEqual(grant.status, Grant.Status.PENDING)
        self.assertEqual(grant.request_note, "所属单位由“东溪镇”变更为“西岭镇”，待重新审批")
        self.assertContains(self.as_user(self.dept_leader).get(REVIEW_LIST), grant.request_note)

