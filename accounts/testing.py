"""The demo roles as walkers of the URL security matrix (core.security_testing).

One user per demo account (accounts.demo.ACCOUNTS) plus a member-unit liaison and an anonymous visitor, each
holding their built-in role in the small county of core.testing.build_county. What each may do and see is
derived from the role table (accounts.roles.BUILTIN_ROLES): the actions of the role, its data scope anchored
at the user's unit, its admin kind — never from the code under test. A permission a role carries besides its
business actions (accounts.roles.EXTRA_PERMISSIONS, e.g. "approve_grant" of the grant approver) is one more
action of the actor ("approve"), which only a model with that permission (Grant) has.

Placements are where fixture objects live: a unit of the county, or "own" (a county record kept by the
pairing official themselves, the one their "仅本人" scope reaches). Every fixture object carries its
placement's tag in its name or title, so a page showing a record it should not is caught by its tag.
"""

from dataclasses import dataclass

from core.security_testing import Actor, Target, UrlMatrixTestCase
from core.testing import build_county, create_user

from .demo import ACCOUNTS as DEMO_ACCOUNTS
from .models import Role
from .roles import BUILTIN_ROLES, EXTRA_PERMISSIONS

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
