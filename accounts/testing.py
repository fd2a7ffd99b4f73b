"""Test support of accounts, for the tests of every app: users holding built-in roles (`create_user`, all with
`PASSWORD`), signing in through the login page in a browser (`browser_login`), the demo roles as walkers of the
URL security matrix (core.security_testing), and the users and units of the view-test base (core.view_testing:
CountyViewTestData, AdminViewTestData, at the end).

One user per demo account (accounts.demo.ACCOUNTS) plus a member-unit liaison and an anonymous visitor, each
holding their built-in role in the small county of org.testing.build_county. What each may do and see is
derived from the role table (accounts.roles.BUILTIN_ROLES): the actions of the role, its data scope anchored
at the user's unit, its admin kind — never from the code under test. A permission a role carries besides its
business actions (accounts.roles.EXTRA_PERMISSIONS, e.g. "approve_grant" of the grant approver) is one more
action of the actor ("approve"), which only a model with that permission (Grant) has.

Placements are where fixture objects live: a unit of the county, or "own" (a county record kept by the
pairing official themselves, the one their "仅本人" scope reaches). Every fixture object carries its
placement's tag in its name or title, so a page showing a record it should not is caught by its tag.
"""

from dataclasses import dataclass, replace

from django.contrib.auth import get_user_model

from core.security_testing import Actor, Target, UrlMatrixTestCase
from core.view_testing import RoleCase
from org.testing import build_county

from .demo import ACCOUNTS as DEMO_ACCOUNTS
from .models import Grant, Role
from .roles import BUILTIN_ROLES, EXTRA_PERMISSIONS
from .tokens import issue_token

PASSWORD = "Tongxin#2026"


def create_user(username, unit, *role_codes, password=PASSWORD, **extra):
    user = get_user_model().objects.create_user(
        username=username, password=password, unit=unit, must_change_password=False, **extra
    )
    for code in role_codes:
        Grant.objects.create(user=user, role=Role.objects.get(code=code))
    return user


def browser_login(page, base_url, username, password=PASSWORD):
    """Sign in through the real login page in a Playwright page and wait for the workbench."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")

# Where the demo accounts sit, in build_county's units.
DEMO_UNITS = {"county": "county", "town1": "town1", "town2": "town2", "village0101": "village1"}
# Beyond the demo accounts: a member unit's liaison (成员单位联络员 has no demo account), and a person of the ledger
# with a self-service account (统战成员, no business permission: every business URL refuses them).
EXTRA_ACCOUNTS = [("member01", "member_liaison", "member"), ("self01", "member", "village1")]
ACCOUNT_ROWS = [(username, role, DEMO_UNITS[place]) for username, _, role, place in DEMO_ACCOUNTS] + EXTRA_ACCOUNTS

PAIRING_OFFICIAL = next(username for username, role, _ in ACCOUNT_ROWS if role == "pairing_official")

# The unit tree of build_county: unit → parent.
PARENTS = {"county": None, "town1": "county", "town2": "county", "village1": "town1", "village2": "town2",
           "member": "county"}
# placement → the unit its records belong to ("own": the county's, kept by the pairing official)
PLACEMENT_UNITS = {"village1": "village1", "town1": "town1", "member": "member", "village2": "village2",
                   "town2": "town2", "county": "county", "own": "county"}
# Placement tags: unusual strings that appear on a page only when it shows a record of that placement.
TAGS = {"village1": "栾甲村", "town1": "栾乙镇", "member": "栾丙局", "village2": "栾丁村", "town2": "栾戊镇",
        "county": "栾己县", "own": "栾庚己"}
# Nearest first: the inside object is the deepest the actor sees; the outside one the closest they do not.
INSIDE_ORDER = ("village1", "member", "village2", "town1", "town2", "county", "own")
OUTSIDE_ORDER = ("town1", "village1", "village2", "town2", "county", "member", "own")


def _ancestors_or_self(unit):
    while unit is not None:
        yield unit
        unit = PARENTS[unit]


def _sees(scope, unit, username, placement):
    place_unit = PLACEMENT_UNITS[placement]
    if scope == Role.DataScope.ALL:
        return True
    if scope == Role.DataScope.UNIT_AND_BELOW:
        return unit in _ancestors_or_self(place_unit)
    if scope == Role.DataScope.UNIT:
        return place_unit == unit
    if scope == Role.DataScope.SELF:
        return placement == "own" and username == PAIRING_OFFICIAL
    return False


def _extra_actions(role_code):
    """The actions of the role's extra permissions: a codename is "<action>_<model name>", and model names have
    no underscore ("approve_grant" → "approve")."""
    return {codename.rsplit("_", 1)[0] for code, _, codename in EXTRA_PERMISSIONS if code == role_code}


def _actor(username, role_code, unit):
    _, _, _, admin_kind, scope, actions = next(r for r in BUILTIN_ROLES if r[0] == role_code)
    seen = set() if admin_kind else {p for p in PLACEMENT_UNITS if _sees(scope, unit, username, p)}
    return Actor(
        name=username, actions=frozenset(actions) | _extra_actions(role_code), admin_kind=admin_kind,
        county_wide=not admin_kind and (scope == Role.DataScope.ALL
                                        or (scope == Role.DataScope.UNIT_AND_BELOW and unit == "county")),
        sees=tuple(p for p in INSIDE_ORDER if p in seen),
        unseen=tuple(p for p in OUTSIDE_ORDER if p not in seen),
    )


DEMO_ACTORS = (
    Actor("anonymous", signed_in=False, unseen=OUTSIDE_ORDER),
    *(_actor(username, role, unit) for username, role, unit in ACCOUNT_ROWS),
)


@dataclass(frozen=True)
class Place:
    name: str
    unit: object  # org.Unit
    owner: object  # the pairing official for "own", else None
    tag: str


class DemoRolesMatrixTestCase(UrlMatrixTestCase):
    """UrlMatrixTestCase walked by the demo roles. `cls.org` is build_county's namespace, `cls.users` the
    users by username; `build_targets(places)` gets {placement: Place}."""

    actors = DEMO_ACTORS
    __test__ = False

    @classmethod
    def create_users(cls):
        cls.org = build_county()
        return {username: create_user(username, getattr(cls.org, unit), role)
                for username, role, unit in ACCOUNT_ROWS}

    @classmethod
    def placements(cls):
        official = cls.users[PAIRING_OFFICIAL]
        return {name: Place(name, getattr(cls.org, unit), official if name == "own" else None, TAGS[name])
                for name, unit in PLACEMENT_UNITS.items()}

    @classmethod
    def unit_targets(cls, places, param="unit"):
        """Targets naming each placement's unit in the query (`?unit=<id>`, a drill-down): "own" has no unit of
        its own, so none for it."""
        return {name: Target(query={param: place.unit.pk}) for name, place in places.items() if name != "own"}


# --- the view-test base (core.view_testing.ViewTestCases) ---------------------------------------------------

# role case, username, built-in role (None: no role at all), unit of build_county
VIEW_TEST_USERS = [
    ("town_officer", "town01", "town_officer", "town1"),
    ("county_staff", "county_staff", "county_staff", "county"),
    # In a town, unlike the demo's leader: so that there are records its read-only scope must not reach.
    ("leader", "leader", "leader", "town1"),
    ("village_liaison", "village0101", "village_liaison", "village1"),
    ("pairing_official", PAIRING_OFFICIAL, "pairing_official", "county"),
    ("no_role", "norole", None, "town1"),
    ("sysadmin", "sysadmin", "sysadmin", "county"),
    ("secadmin", "secadmin", "secadmin", "county"),
    ("auditor", "auditor", "auditor", "county"),
]
# The fixture objects of the view-test base, at the placements above: "own" is the pairing official's own record.
VIEW_TEST_PLACEMENTS = {"inside": "village1", "outside": "village2", "own": "own"}
ADMIN_EDITORS = {"system": "sysadmin", "security": "secadmin", "audit": "auditor"}


def _role_row(role_code):
    return next(row for row in BUILTIN_ROLES if row[0] == role_code)


class ViewTestUsers:
    """build_county and one user per row of VIEW_TEST_USERS (`cls.users`, by role case name)."""

    @classmethod
    def create_users(cls):
        cls.org = build_county()
        cls.users = {name: create_user(username, getattr(cls.org, unit), *([role] if role else []))
                     for name, username, role, unit in VIEW_TEST_USERS}
        cls.own_records_user = cls.users["pairing_official"]


class CountyViewTestData(ViewTestUsers):
    """The users and units of ViewTestCases for a business model: a role case for each name in `role_names`,
    derived from the built-in role table (the actions of the role; the objects its data scope reaches from the
    user's unit) — never from the code under test. The editor (`editor`, the town officer by default) performs
    the successful operations in village1 ("inside"); village2 holds the "outside" object; the pairing
    official's "own" record is the county's. `role_sees` names, for a role case, the fixture objects it sees
    where a model's scope really differs from the role's (say why); every fixture object it does not see is one
    it must not reach."""

    role_names = ("town_officer", "county_staff", "leader", "village_liaison", "pairing_official", "no_role",
                  "sysadmin")
    editor = "town_officer"
    role_sees = {}

    @classmethod
    def create_role_cases(cls):
        cls.create_users()
        cls.inside_unit, cls.outside_unit = cls.org.village1, cls.org.village2
        cls.user = cls.users[cls.editor]
        cases = [cls.role_case(name) for name in cls.role_names]
        cases = [replace(case, sees=cls.role_sees[case.name]) if case.name in cls.role_sees else case
                 for case in cases]
        # The "own" record exists where the pairing official reaches it (not for records that follow units only).
        present = {"inside", "outside"} | {"own" for case in cases if case.name == "pairing_official"
                                           and "own" in case.sees}
        return [replace(case, sees=tuple(n for n in case.sees if n in present),
                        hidden=tuple(n for n in VIEW_TEST_PLACEMENTS if n in present and n not in case.sees)
                        if case.actions else ()) for case in cases]

    @classmethod
    def role_case(cls, name):
        _, username, role_code, unit = next(row for row in VIEW_TEST_USERS if row[0] == name)
        actions, sees = frozenset(), ()
        if role_code is not None:
            _, _, _, admin_kind, scope, role_actions = _role_row(role_code)
            if not admin_kind:
                # "county_wide": the actions reach every record of the county (a county-level page needs that).
                county_wide = scope == Role.DataScope.ALL or (scope == Role.DataScope.UNIT_AND_BELOW
                                                              and unit == "county")
                actions = frozenset(role_actions) | ({"county_wide"} if county_wide else set())
                sees = tuple(n for n, place in VIEW_TEST_PLACEMENTS.items() if _sees(scope, unit, username, place))
        return RoleCase(name, cls.users[name], actions, getattr(cls.org, unit), sees=sees)


class AdminViewTestData(ViewTestUsers):
    """ViewTestCases for an admin page (三员分立): the holder of `admin_kind` ("system", "security", "audit")
    edits and sees every object (the "inside" one, made in the county); everyone else — business roles and the
    other two administrators — gets 403 on every route."""

    admin_kind = ""
    role_names = ("county_staff", "town_officer", "no_role", "sysadmin", "secadmin", "auditor")
    # An admin page refuses everyone else before it does anything (core.views.AdminRoleRequiredMixin), its export
    # too: unlike a business export, that refusal is not written to the audit log.
    refused_export_audited = False

    @classmethod
    def create_role_cases(cls):
        cls.create_users()
        cls.inside_unit, cls.outside_unit = cls.org.county, None
        cls.user = cls.users[ADMIN_EDITORS[cls.admin_kind]]
        return [cls.role_case(name) for name in cls.role_names]

    @classmethod
    def role_case(cls, name):
        _, _, role_code, unit = next(row for row in VIEW_TEST_USERS if row[0] == name)
        admin = role_code is not None and _role_row(role_code)[3] == cls.admin_kind
        return RoleCase(name, cls.users[name], frozenset({"admin"}) if admin else frozenset(),
                        getattr(cls.org, unit), sees=("inside",) if admin else ())

    def required_action(self, kind):
        return "admin"


def bearer(user, *, write=True, name="测试"):
    """Test-client headers carrying a fresh REST API access token of `user` (read-write unless `write=False`)."""
    _, secret = issue_token(user, name=name, can_write=write)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
