"""Every URL of accounts (sign-in, password, and the security administrator's pages) as every demo role."""

from django.test import SimpleTestCase
from django.utils import timezone

from accounts.demo import ACCOUNTS as DEMO_ACCOUNTS
from accounts.models import Grant, Role, User
from accounts.testing import DEMO_ACTORS, DemoRolesMatrixTestCase
from accounts.tokens import issue_token
from core.security_testing import ACTION, ANYWHERE, FORM, SKIP, Redirect, Target, admin, needs, public, signed_in

SIGNED_IN = [actor.name for actor in DEMO_ACTORS if actor.signed_in]

MATRIX = {
    # A signed-in user opening the sign-in page is sent to the workbench.
    "login": public(post=FORM, overrides={name: Redirect("workbench") for name in SIGNED_IN},
                    post_overrides={name: Redirect("workbench") for name in SIGNED_IN},
                    why="already signed in"),
    # POST only (Django refuses GET before anything else); signing out is never sent by the walk.
    "logout": public(get=405, method_first=True, post=ACTION),
    "password_change": signed_in(post=FORM),
    # Accounts, roles and grants: the security administrator's alone (三员分立).
    "accounts:user_list": admin("security"),
    "accounts:user_add": admin("security", post=FORM),
    "accounts:user_export": admin("security"),
    "accounts:user_detail": admin("security", "account"),
    "accounts:user_edit": admin("security", "account", post=FORM),
    # An empty form issues a generated password: never sent when allowed.
    "accounts:user_password": admin("security", "account", post=ACTION),
    # The generated password, shown once after the redirect (here: none waits in the session, so the page only
    # says it was issued).
    "accounts:password_issued": admin("security", "account", post=FORM, post_ok=405),
    "accounts:user_unlock": admin("security", "account", get=405, post=ACTION),
    "accounts:user_deactivate": admin("security", "account", get=405, post=ACTION),
    "accounts:user_activate": admin("security", "account", get=405, post=ACTION),
    "accounts:grant_add": admin("security", "account", post=FORM),
    "accounts:grant_edit": admin("security", "grant", post=FORM),
    "accounts:grant_delete": admin("security", "grant", get=405, post=ACTION),
    # Grant approval (授权审批): a business account holding the approve-grants right (dept_leader), never one of
    # the three admins. An empty POST decides nothing (the form asks to approve or reject). dept_leader sits at
    # the county, so every unit's request is inside; a request outside a town approver's scope (404) is tested in
    # accounts/tests/test_grant_approval.py.
    "accounts:grant_review_list": needs(Grant, "approve", post=FORM, post_ok=405),
    "accounts:grant_review": needs(Grant, "approve", "grant_request", post=FORM),
    "accounts:role_list": admin("security"),
    "accounts:role_add": admin("security", post=FORM),
    "accounts:role_detail": admin("security", "role"),
    "accounts:role_edit": admin("security", "role", post=FORM),
    "accounts:role_delete": admin("security", "role", get=405, post=ACTION),
    # Access tokens (访问令牌): everyone's own ("inside"); another account's ("outside") is 404, except for the
    # security administrator, who manages every token (安全管理 → 访问令牌). An empty POST creates nothing (the form
    # asks for a name).
    "accounts:token_list": signed_in(),
    "accounts:token_add": signed_in(post=FORM),
    "accounts:token_admin_list": admin("security"),
    "accounts:token_admin_add": admin("security", post=FORM),
    "accounts:token_created": signed_in("token", overrides={"secadmin": 200},
                                        why="the security administrator manages every token"),
    "accounts:token_revoke": signed_in("token", post=ACTION, overrides={"secadmin": 200},
                                       post_overrides={"secadmin": SKIP},
                                       why="the security administrator manages every token"),
}


class AccountsUrlSecurityTests(DemoRolesMatrixTestCase):
    app = "accounts"
    matrix = MATRIX

    @classmethod
    def build_targets(cls, places):
        account = User.objects.create_user(username="walk_target", unit=places["village1"].unit,
                                           must_change_password=False)
        role = Role.objects.create(name="自定义角色", code="walk_custom", data_scope=Role.DataScope.UNIT)
        grant = Grant.objects.create(user=account, role=role)
        # In each unit, an account whose business role the security administrator asked for: pending.
        liaison = Role.objects.get(code="village_liaison")
        requests = {}
        for name, place in places.items():
            if place.owner is not None:
                continue  # "own" is a record of the county's, not a unit of its own
            requested = User.objects.create_user(username=f"walk_{name}", unit=place.unit,
                                                 must_change_password=False)
            pending = Grant.objects.create(user=requested, role=liaison, status=Grant.Status.PENDING,
                                           requested_by=cls.users["secadmin"], requested_at=timezone.now())
            requests[name] = Target({"pk": pending.pk})
        return {"account": {ANYWHERE: Target({"pk": account.pk})}, "grant": {ANYWHERE: Target({"pk": grant.pk})},
                "role": {ANYWHERE: Target({"pk": role.pk})}, "grant_request": requests}

    @classmethod
    def build_actor_targets(cls, actor, user):
        """A token of the actor's own (inside) and one of another account's (outside); the anonymous visitor
        gets someone's."""
        owner = User.objects.get(username="walk_target")
        foreign = Target({"pk": issue_token(owner, name="他人的令牌")[0].pk})
        if user is None:
            return {"token": (foreign, None)}
        return {"token": (Target({"pk": issue_token(user, name="本人的令牌")[0].pk}), foreign)}


class DemoActorsTests(SimpleTestCase):
    """The walkers follow the role table: actions and admin kinds from BUILTIN_ROLES, scopes from where the
    demo accounts sit."""

    def actor(self, name):
        return next(a for a in DEMO_ACTORS if a.name == name)

    def test_actions_and_admin_kinds_come_from_the_built_in_roles(self):
        self.assertEqual(self.actor("leader").actions, frozenset({"view"}))
        self.assertIn("view_sensitive", self.actor("county_staff").actions)
        self.assertNotIn("view_sensitive", self.actor("town01").actions)
        self.assertEqual((self.actor("auditor").admin_kind, self.actor("auditor").actions), ("audit", frozenset()))
        # The grant approver: no business action, only its extra permission (accounts.approve_grant).
        self.assertEqual(self.actor("dept_leader").actions, frozenset({"approve"}))
        self.assertEqual(self.actor("dept_leader").admin_kind, "")
        self.assertEqual({a.name for a in DEMO_ACTORS} - {"anonymous", "member01", "self01"},
                         {username for username, *_ in DEMO_ACCOUNTS})

    def test_scopes_follow_the_unit_and_the_data_scope(self):
        self.assertEqual(self.actor("town01").sees, ("village1", "town1"))
        self.assertEqual(self.actor("town01").unseen[0], "village2")
        self.assertEqual(self.actor("village0101").sees, ("village1",))
        self.assertEqual(self.actor("village0101").unseen[0], "town1")  # 本村: not the town above it
        self.assertEqual(self.actor("official01").sees, ("own",))  # 仅本人
        self.assertEqual(self.actor("member01").sees, ("member",))
        self.assertEqual((self.actor("self01").actions, self.actor("self01").sees), (frozenset(), ()))  # 统战成员
        self.assertEqual(self.actor("leader").unseen, ())
        self.assertTrue(self.actor("leader").county_wide)
        self.assertFalse(self.actor("town01").county_wide)
        self.assertEqual(self.actor("sysadmin").sees, ())
