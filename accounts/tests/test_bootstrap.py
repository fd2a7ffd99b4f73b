"""`manage.py bootstrap_accounts`: the first accounts of a fresh install — the three separated administrators and a
grant approver, each with its built-in role and an initial password printed once — and `--add-approver`."""

import io

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, TestCase
from django.urls import reverse

from accounts import approval
from accounts.models import Grant, Role
from accounts.testing import create_user
from core.audit_review import grouped
from core.models import AuditEvent, Notification
from core.tests.sample.models import SampleRecord
from org.models import Unit
from org.testing import build_county

User = get_user_model()
ROLES = {"sysadmin": "sysadmin", "secadmin": "secadmin", "auditor": "auditor", "approver": "grant_approver"}


def bootstrap(*args):
    """The command's stdout; a refusal raises CommandError."""
    out = io.StringIO()
    call_command("bootstrap_accounts", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def printed_passwords(output):
    """{username: password} from the table the command prints ("角色  用户名  初始密码")."""
    rows = {}
    for line in output.splitlines():
        cells = line.split()
        if len(cells) == 3 and User.objects.filter(username=cells[1]).exists():
            rows[cells[1]] = cells[2]
    return rows


NEW_PASSWORD = "Qz7#pLm4vK"  # noqa: S105 -- what the owners choose at first login in these tests


def signed_in(username, password, new_password=NEW_PASSWORD):
    """A client signed in with the printed password, which it changes first, as the owner of the account must."""
    client = Client()
    client.post(reverse("login"), {"username": username, "password": password})
    assert client.get(reverse("workbench")).url == reverse("password_change")
    client.post(reverse("password_change"), {"old_password": password, "new_password1": new_password,
                                             "new_password2": new_password})
    assert client.get(reverse("workbench")).status_code == 200
    return client


class RefusalMixin:
    def assertRefused(self, *args, message):
        """The command exits 2 with `message` in its error and changes nothing."""
        before = (User.objects.count(), Grant.objects.count(), Unit.objects.count(), AuditEvent.objects.count())
        with self.assertRaises(CommandError) as caught:
            bootstrap(*args)
        self.assertEqual(caught.exception.returncode, 2)
        self.assertIn(message, str(caught.exception))
        self.assertEqual(
            (User.objects.count(), Grant.objects.count(), Unit.objects.count(), AuditEvent.objects.count()), before)


class FreshInstallTests(RefusalMixin, TestCase):
    def test_an_empty_tree_needs_a_root_name(self):
        self.assertRefused(message="组织机构为空：请用 --root-name")
        self.assertRefused("--unit", "330999", message="--unit 无从指定")
        self.assertRefused("--root-name", "某某县", "--division-code", "33099",
                           message="区划代码须为6位、9位或12位数字")

    def test_creates_the_root_and_four_accounts_with_their_roles_and_passwords_printed_once(self):
        output = bootstrap("--root-name", "某某县", "--division-code", "330999")
        root = Unit.objects.get()
        self.assertEqual((root.name, root.division_code, root.depth, root.type), ("某某县", "330999", 1, "county"))

        users = {user.username: user for user in User.objects.select_related("unit")}
        self.assertEqual(set(users), set(ROLES))
        passwords = printed_passwords(output)
        self.assertEqual(set(passwords), set(ROLES))
        self.assertEqual(len(set(passwords.values())), 4)
        for username, code in ROLES.items():
            user, password = users[username], passwords[username]
            grant = user.grants.get()
            self.assertEqual((grant.role.code, grant.status), (code, Grant.Status.APPROVED))
            self.assertEqual(user.unit, root)
            self.assertTrue(user.must_change_password)
            self.assertTrue(user.check_password(password))
            validate_password(password, user)
            self.assertEqual(output.count(password), 1)
        self.assertIn("首次登录须修改密码", output)
        self.assertIn("没有其他人可以审批", output)
        self.assertTrue(users["sysadmin"].is_admin_of("system"))
        self.assertTrue(users["secadmin"].is_admin_of("security"))
        self.assertTrue(users["auditor"].is_admin_of("audit"))
        self.assertTrue(approval.may_approve_any(users["approver"]))
        self.assertEqual(users["approver"].admin_kind, "")

        # Every unit, account and grant it wrote is an audit event of "manage.py"; no password in any of them.
        events = list(AuditEvent.objects.order_by("id"))
        self.assertEqual({event.username for event in events}, {"manage.py"})
        self.assertEqual([(e.action, e.object_label) for e in events], [
            (AuditEvent.Action.CREATE, "某某县"),
            *[pair for username, code in ROLES.items() for pair in (
                (AuditEvent.Action.ACCOUNT, username),
                (AuditEvent.Action.ROLE, f"{username} · {Role.objects.get(code=code).name}"),
            )],
        ])
        self.assertEqual({approval.grant_operation(e) for e in events if e.object_type == "授权"},
                         {approval.OP_BOOTSTRAP})
        approver_event = events[-1]
        self.assertIn("没有其他人可以审批", approver_event.changes["说明"][1])
        self.assertFalse(any(p in str(e.changes) for e in events for p in passwords.values()))
        # The auditor's daily review shows them in a group of their own.
        counts = {group.key: count for group, count, _ in grouped(events)}
        self.assertEqual((counts["accounts"], counts["grant_bootstrap"]), (4, 4))

    def test_the_approver_approves_a_grant_the_security_administrator_then_requests(self):
        output = bootstrap("--root-name", "某某县")
        passwords = printed_passwords(output)
        root = Unit.objects.get()
        town = Unit.objects.add_child(root, instance=Unit(name="东溪镇", type=Unit.Type.TOWN))
        SampleRecord.objects.create(name="东溪记录", owner_unit=town)

        secadmin = signed_in("secadmin", passwords["secadmin"])
        secadmin.post(reverse("accounts:user_add"), {"username": "newcomer", "full_name": "新同事", "unit": town.pk})
        newcomer = User.objects.get(username="newcomer")
        secadmin.post(reverse("accounts:grant_add", args=[newcomer.pk]),
                      {"role": Role.objects.get(code="town_officer").pk})
        grant = Grant.objects.get(user=newcomer)
        self.assertEqual(grant.status, Grant.Status.PENDING)
        approver = User.objects.get(username="approver")
        self.assertTrue(Notification.objects.filter(recipient=approver, url__contains=str(grant.pk)).exists())

        reviewer = signed_in("approver", passwords["approver"])
        self.assertContains(reviewer.get(reverse("accounts:grant_review_list")), "newcomer")
        reviewer.post(reverse("accounts:grant_review", args=[grant.pk]), {"decision": "approve", "note": "同意"})
        grant.refresh_from_db()
        self.assertEqual((grant.status, grant.decided_by), (Grant.Status.APPROVED, approver))
        fresh = User.objects.get(pk=newcomer.pk)
        self.assertEqual([r.name for r in SampleRecord.objects.visible_to(fresh)], ["东溪记录"])

    def test_usernames_come_from_the_options(self):
        bootstrap("--root-name", "某某县", "--sysadmin", "xt_admin", "--secadmin", "aq_admin", "--auditor", "sj_admin",
                  "--approver", "bld_zheng")
        held = {g.user.username: g.role.code for g in Grant.objects.select_related("user", "role")}
        self.assertEqual(held, {"xt_admin": "sysadmin", "aq_admin": "secadmin", "sj_admin": "auditor",
                                "bld_zheng": "grant_approver"})

    def test_bad_usernames_are_refused(self):
        self.assertRefused("--root-name", "某某县", "--sysadmin", "same", "--auditor", "SAME", message="用户名不能重复")
        self.assertRefused("--root-name", "某某县", "--approver", "部 领导",
                           message="--approver 的用户名“部 领导”不可用")


class ExistingTreeTests(RefusalMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def test_the_accounts_sit_at_the_existing_root(self):
        self.assertRefused("--root-name", "另一县", message="组织机构已有顶级单位（测试县），不再新建")
        bootstrap()
        self.assertEqual(set(User.objects.values_list("unit", flat=True)), {self.org.county.pk})
        self.assertEqual(Unit.objects.filter(depth=1).count(), 1)

    def test_several_roots_need_a_unit(self):
        Unit.objects.add_root(instance=Unit(name="另一县", type=Unit.Type.COUNTY, division_code="330997"))
        self.assertRefused(message="组织机构有多个顶级单位")
        self.assertRefused("--unit", "999999", message="找不到单位“999999”")
        bootstrap("--unit", "330997")
        self.assertEqual(set(User.objects.values_list("unit__name", flat=True)), {"另一县"})

    def test_a_second_run_is_refused(self):
        bootstrap()
        self.assertRefused(
            message="已有启用的三员管理员账号（系统管理员 sysadmin、安全管理员 secadmin、审计管理员 auditor）")
        # Other usernames do not get round it, nor does a single admin left.
        User.objects.filter(username__in=["sysadmin", "auditor"]).update(is_active=False)
        self.assertRefused("--secadmin", "secadmin2", "--sysadmin", "s2", "--auditor", "a2", "--approver", "p2",
                           message="安全管理员 secadmin")

    def test_an_admin_made_on_screen_counts_too(self):
        create_user("t_auditor", self.org.county, "auditor")
        self.assertRefused(message="审计管理员 t_auditor")
        User.objects.filter(username="t_auditor").update(is_active=False)
        bootstrap()
        self.assertEqual(User.objects.filter(grants__role__admin_kind__gt="", is_active=True).count(), 3)


class AddApproverTests(RefusalMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        bootstrap()

    def test_adds_one_approver_in_force_and_audited_as_such(self):
        before = set(User.objects.values_list("username", flat=True))
        self.assertRefused("--add-approver", message="用户名已被使用：approver。请用 --approver 指定其他用户名")
        self.assertRefused("--add-approver", "--approver", "leader2", "--sysadmin", "x",
                           message="--add-approver 只新建授权审批人账号，不能同时指定 --sysadmin")
        output = bootstrap("--add-approver", "--approver", "leader2")
        self.assertEqual(set(User.objects.values_list("username", flat=True)) - before, {"leader2"})
        added = User.objects.get(username="leader2")
        grant = added.grants.get()
        self.assertEqual((grant.role.code, grant.status, added.unit), ("grant_approver", Grant.Status.APPROVED,
                                                                       self.org.county))
        self.assertTrue(added.must_change_password)
        password = printed_passwords(output)["leader2"]
        self.assertTrue(added.check_password(password))
        validate_password(password, added)
        self.assertEqual(output.count(password), 1)
        self.assertIn("首次登录须修改密码", output)
        self.assertIn("未经其他审批人审批", output)
        event = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE).latest("id")
        self.assertEqual((event.username, approval.grant_operation(event)), ("manage.py", approval.OP_ADD_APPROVER))
        self.assertIn("--add-approver", event.changes["说明"][1])

    def test_restores_approval_when_the_only_approver_was_suspended(self):
        """The security administrator reset the only approver's password: their own approver grant waits, and
        nobody could approve it until another approver is added."""
        secadmin = User.objects.get(username="secadmin")
        secadmin.must_change_password = False
        secadmin.save()
        client = Client()
        client.force_login(secadmin)
        approver = User.objects.get(username="approver")
        page = client.post(reverse("accounts:user_password", args=[approver.pk]), follow=True)
        self.assertContains(page, "bootstrap_accounts --add-approver")
        grant = approver.grants.get()
        self.assertEqual(grant.status, Grant.Status.PENDING)
        self.assertEqual(approval.approvers_for(grant), [])

        output = bootstrap("--add-approver", "--approver", "leader2")
        added = User.objects.get(username="leader2")
        self.assertEqual(approval.approvers_for(grant), [added])
        reviewer = signed_in("leader2", printed_passwords(output)["leader2"])
        reviewer.post(reverse("accounts:grant_review", args=[grant.pk]), {"decision": "approve"})
        grant.refresh_from_db()
        self.assertEqual((grant.status, grant.decided_by), (Grant.Status.APPROVED, added))

