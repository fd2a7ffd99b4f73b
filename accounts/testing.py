"""Test support of accounts, for the tests of every app: users holding built-in roles (`create_user`, all with
`PASSWORD`), signing in through the login page in a browser (`browser_login`), the standard scoped-view test
case (`ScopedViewTestCase`, in the spirit of NetBox's ViewTestCases) and the demo roles as walkers of the URL
security matrix (core.security_testing).

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

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse

from core.security_testing import Actor, Target, UrlMatrixTestCase
from core.testing import export_text
from org.testing import build_county

from .demo import ACCOUNTS as DEMO_ACCOUNTS
from .models import Grant, Role
from .roles import BUILTIN_ROLES, EXTRA_PERMISSIONS

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
# Beyond the demo accounts: a member unit's liaison (成员单位联络员 has no demo account).
EXTRA_ACCOUNTS = [("member01", "member_liaison", "member")]
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


class ScopedViewTestCase(TestCase):
    """Subclass with `model`, `url_prefix` ("app:modelname") and `make_object(unit)`; optionally
    `form_data(unit)` for create/edit and `search_term(obj)`. Every model's views then get:
    anonymous → login, no permission → 403, permitted → 200, other jurisdiction → 404 on
    detail/edit/delete and absent from list, search, autocomplete and export.
    """

    model = None
    url_prefix = ""
    __test__ = False  # the base itself has no model; each subclass is collected

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.__test__ = True

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.county_staff = create_user("t_county", cls.org.county, "county_staff")
        cls.town1_user = create_user("t_town1", cls.org.town1, "town_officer")
        cls.town2_user = create_user("t_town2", cls.org.town2, "town_officer")
        cls.no_role_user = create_user("t_norole", cls.org.town1)
        cls.sysadmin = create_user("t_sysadmin", cls.org.county, "sysadmin")

    def setUp(self):
        self.obj1 = self.make_object(self.org.village1)
        self.obj2 = self.make_object(self.org.village2)

    def make_object(self, unit):
        raise NotImplementedError

    def form_data(self, unit):
        return None

    def search_term(self, obj):
        return str(obj)

    def url(self, kind, obj=None):
        name = f"{self.url_prefix}_{kind}"
        return reverse(name, kwargs={"pk": obj.pk} if obj is not None else None)

    def has_route(self, kind):
        from django.urls import NoReverseMatch

        try:
            self.url(kind, self.obj1 if kind in ("detail", "edit", "delete") else None)
        except NoReverseMatch:
            return False
        return True

    def kinds(self, *kinds):
        return [k for k in kinds if self.has_route(k)]

    def test_anonymous_is_sent_to_login(self):
        for kind in self.kinds("list", "add", "export", "detail", "edit", "delete"):
            obj = self.obj1 if kind in ("detail", "edit", "delete") else None
            response = self.client.get(self.url(kind, obj))
            self.assertEqual(response.status_code, 302, kind)
            self.assertTrue(response["Location"].startswith(reverse("login")), kind)

    def test_user_without_permission_is_forbidden(self):
        for user in (self.no_role_user, self.sysadmin):
            self.client.force_login(user)
            for kind in self.kinds("list", "add", "export", "detail", "edit", "delete"):
                obj = self.obj1 if kind in ("detail", "edit", "delete") else None
                response = self.client.get(self.url(kind, obj))
                self.assertEqual(response.status_code, 403, f"{user} {kind}")
                self.assertNotContains(response, str(self.obj1), status_code=403)

    def test_permitted_user_gets_pages(self):
        self.client.force_login(self.town1_user)
        for kind in self.kinds("list", "add", "detail", "edit", "delete"):
            obj = self.obj1 if kind in ("detail", "edit", "delete") else None
            self.assertEqual(self.client.get(self.url(kind, obj)).status_code, 200, kind)

    def test_other_jurisdiction_is_not_found(self):
        self.client.force_login(self.town1_user)
        for kind in self.kinds("detail", "edit", "delete"):
            self.assertEqual(self.client.get(self.url(kind, self.obj2)).status_code, 404, kind)
            if kind != "detail":
                self.assertEqual(self.client.post(self.url(kind, self.obj2), {}).status_code, 404, kind)
        self.assertTrue(self.model.objects.filter(pk=self.obj2.pk).exists())

    def test_other_jurisdiction_absent_from_list_search_and_export(self):
        self.client.force_login(self.town1_user)
        listing = self.client.get(self.url("list"))
        self.assertContains(listing, str(self.obj1))
        self.assertNotContains(listing, str(self.obj2))
        self.assertNotIn(self.obj2, list(listing.context["table"].data))
        search = self.client.get(self.url("list"), {"q": self.search_term(self.obj2)})
        self.assertEqual(list(search.context["table"].data), [])
        if self.has_route("autocomplete"):
            found = self.client.get(self.url("autocomplete"), {"q": self.search_term(self.obj2)}).json()
            self.assertEqual(found["results"], [])
        if self.has_route("export"):
            text = export_text(self.client.get(self.url("export")))
            self.assertIn(str(self.obj1), text)
            self.assertNotIn(str(self.obj2), text)

    def test_county_staff_sees_both_towns(self):
        self.client.force_login(self.county_staff)
        listing = self.client.get(self.url("list"))
        self.assertContains(listing, str(self.obj1))
        self.assertContains(listing, str(self.obj2))

    def test_cannot_create_in_other_jurisdiction(self):
        data = self.form_data(self.org.town2)
        if data is None or not self.has_route("add"):
            self.skipTest("no create form")
        self.client.force_login(self.town1_user)
        before = self.model.objects.count()
        response = self.client.post(self.url("add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.model.objects.count(), before)
