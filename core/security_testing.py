"""The URL security walk: every URL of an app, requested as every actor, against a permission matrix.

Domain-free (no app is imported here): an app's test module declares

- `app`: the app label whose URLs are walked. They come from the resolver (`app_urls`), nested includes too;
- `matrix`: {URL name: Rule}. A URL the resolver has and the matrix lacks fails the test, and so does an
  entry for a URL that no longer exists;
- `actors`: who walks (Actor: the business actions their roles grant, their admin kind, the placements they
  see and those they must not see), usually given by a domain layer such as accounts.testing;
- `build_targets(places)`: for each target kind a rule names ("person", "pairing", …), one Target per placement
  (an object of that kind in that unit / of that owner), or `{ANYWHERE: Target}` for unscoped objects
  (categories, units, holidays) — and `build_actor_targets(actor, user)` for objects that belong to one user
  (their notifications, their import jobs): {kind: (inside, outside)}.

Each URL becomes one test method; every (actor, inside/outside, GET/POST) is a subTest naming all three. The
expected status follows from the rule and the actor alone:

    anonymous                      → 302 to the login page (public pages: as a permitted user)
    the actor lacks the need       → 403
    the actor has it, outside      → 404 (an object in another jurisdiction does not exist for them)
    the actor has it, inside       → the rule's `get` (200 by default) or, for POST, `post_ok`

A rule states the exceptions a view really has in `overrides` (GET) and `post_overrides`, with a reason.
Besides the status, every response body (HTML, JSON, SVG, and the text inside xlsx/docx downloads) is checked
for leaks: it must not contain the tag of any placement the actor must not see (each fixture object carries
its placement's tag in its name), nor any of the class's `secrets` (e.g. clear ID numbers, which no GET may
show), nor, for an actor whose roles lack an action, the strings `secrets_without[action]` (e.g. the day of
birth, for who may not see sensitive values).
"""

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from urllib.parse import unquote, urlencode

from django.apps import apps
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client, TestCase, override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

ANYWHERE = "*"  # the placement of an unscoped target: the same object for every actor, never "outside"
LOGIN = "login"  # expected: a redirect to the login page
SKIP = "skip"  # expected: not requested (a valid action the actor may perform; the walk never performs one)
# What an empty POST is to a view: harmless (an invalid form, a refusal) / the action itself (a valid delete,
# publish, sign-out …), only sent where it must be refused.
FORM, ACTION = "form", "action"


@dataclass(frozen=True)
class Redirect:
    """Expected: a 302 (never to the login page), to the URL named `to` when given: its path, whatever the
    query and fragment; reversed with `kwargs`, else with none, else with the request's own kwargs."""

    to: str = ""
    kwargs: dict = field(default_factory=dict)

    def __str__(self):
        return f"302→{self.to}" if self.to else "302"


@dataclass(frozen=True)
class Need:
    """What a view requires: a business `action` on `model` (optionally over the whole county: the actor's
    scope covers the root unit), one admin kind, a signed-in user, or nothing (public)."""

    kind: str  # "action", "admin", "signed_in", "public"
    model: type | None = None
    action: str | tuple = ""
    admin_kind: str = ""
    county_wide: bool = False

    def __str__(self):
        if self.kind == "action":
            label = self.model._meta.label if self.model is not None else "any model"
            return f"{self.action} {label}" + (" (county-wide)" if self.county_wide else "")
        return self.admin_kind or self.kind


@dataclass(frozen=True)
class Rule:
    need: Need
    target: str | None = None  # the kind of object the URL's kwargs (and query) point at
    get: object = 200  # GET when permitted and inside; 405 for POST-only views; None: any status but 500
    method_first: bool = False  # the view refuses other methods before it checks anything (require_POST)
    post: str | None = None  # None: POST not walked; FORM: an empty POST is harmless; ACTION: never sent allowed
    post_ok: object = 200  # an empty POST when permitted and inside (FORM only); None: any status but 500
    post_data: dict = field(default_factory=dict)  # the body of the POST when not empty (still not a valid one);
    # the target's `data` is added to it
    outside: object = 404  # when permitted but the object is outside the scope
    query: dict = field(default_factory=dict)  # added to every request of this URL
    overrides: dict = field(default_factory=dict)  # actor name → status, or (inside, outside), for GET
    post_overrides: dict = field(default_factory=dict)
    why: str = ""  # the reason for overrides, shown in failures
    also: tuple = ()  # further rules for the same URL, e.g. with another query
    post_need: Need | None = None  # what a POST requires, when more than a GET (default: `need`)


def needs(model, action, target=None, *, county_wide=False, post_action="", **options):
    """A view requiring `action` (or a tuple of actions, all of them) on `model` (model None: on any business
    model); `post_action` when its POST requires another action on the same model."""
    if post_action:
        options["post_need"] = Need("action", model=model, action=post_action, county_wide=county_wide)
    return Rule(Need("action", model=model, action=action, county_wide=county_wide), target=target, **options)


def post_only(model, action, target=None, **options):
    """A POST-only view changing something: GET → 405 once allowed in; the empty POST is only sent where it must
    be refused (anonymous, no permission, outside)."""
    options.setdefault("get", 405)
    options.setdefault("post", ACTION)
    return needs(model, action, target, **options)


def admin(kind, target=None, **options):
    return Rule(Need("admin", admin_kind=kind), target=target, **options)


def signed_in(target=None, **options):
    return Rule(Need("signed_in"), target=target, **options)


def public(target=None, **options):
    return Rule(Need("public"), target=target, **options)


@dataclass(frozen=True)
class Actor:
    """One walker: what their roles grant (business actions on every business model, or an admin kind), and
    the placements inside their scope (`sees`) and outside it (`unseen`), nearest first: the first of each
    that a target kind has is the inside / outside object."""

    name: str
    signed_in: bool = True
    actions: frozenset = frozenset()
    admin_kind: str = ""
    county_wide: bool = False
    sees: tuple = ()
    unseen: tuple = ()

    def permits(self, need):
        if need.kind == "public":
            return True
        if not self.signed_in:
            return False
        if need.kind == "signed_in":
            return True
        if need.kind == "admin":
            return self.admin_kind == need.admin_kind
        wanted = need.action if isinstance(need.action, tuple) else (need.action,)
        if self.admin_kind or not set(wanted) <= self.actions:
            return False
        if need.model is not None and not set(wanted) <= model_actions(need.model):
            return False
        return self.county_wide or not need.county_wide


@dataclass(frozen=True)
class Target:
    """What a URL is built with: its kwargs and query parameters; and `data`, added to the body of its POSTs (ids
    of fixture objects, e.g. a selection to export)."""

    kwargs: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)


def model_actions(model):
    """The actions a model has permissions for (its default permissions and the custom "<action>_<model>")."""
    suffix = f"_{model._meta.model_name}"
    custom = {codename.removesuffix(suffix) for codename, _ in model._meta.permissions if codename.endswith(suffix)}
    return set(model._meta.default_permissions) | custom


# --- the resolver ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UrlInfo:
    name: str  # with its namespaces, e.g. "people:person_detail"
    route: str
    kwargs: tuple
    app: str  # the label of the app the URL belongs to


def app_urls():
    """{qualified name: UrlInfo} of every named URL of the active URLconf, and the routes of unnamed ones.

    A URL belongs to the app of the nearest enclosing include of a URLconf module (people.urls and what it
    includes → people); a URL outside any module include belongs to the app of its view's module.
    """
    found, unnamed = {}, []

    def app_of(module_name):
        config = apps.get_containing_app_config(module_name)
        return config.label if config is not None else ""

    def walk(patterns, namespaces, route, kwargs, owner):
        for entry in patterns:
            part = str(entry.pattern)
            names = _converter_names(entry.pattern)
            if isinstance(entry, URLResolver):
                module = entry.urlconf_name
                inner_owner = owner
                if not isinstance(module, list | tuple):
                    inner_owner = app_of(module if isinstance(module, str) else module.__name__)
                inner_ns = [*namespaces, entry.namespace] if entry.namespace else namespaces
                walk(entry.url_patterns, inner_ns, route + part, kwargs + names, inner_owner)
            elif isinstance(entry, URLPattern):
                view = getattr(entry.callback, "view_class", entry.callback)
                app = owner or app_of(view.__module__)
                if not entry.name:
                    unnamed.append((app, route + part))
                    continue
                name = ":".join([*namespaces, entry.name])
                found.setdefault(name, UrlInfo(name, route + part, kwargs + names, app))

    walk(get_resolver().url_patterns, [], "/", (), "")
    return found, unnamed


def _converter_names(pattern):
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return tuple(converters)
    return tuple(getattr(pattern, "regex", re.compile("")).groupindex)


def urls_of(app_label):
    found, unnamed = app_urls()
    return {n: u for n, u in found.items() if u.app == app_label}, [r for a, r in unnamed if a == app_label]


# --- response text (for the leak checks) -----------------------------------------------------------------

OFFICE_TYPES = ("spreadsheetml", "wordprocessingml", "presentationml")


def response_text(response):
    """The text a response shows: the decoded body, or the XML parts of an xlsx/docx; "" for other binaries."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if any(kind in content_type for kind in OFFICE_TYPES):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                             if n.endswith(".xml") or n.endswith(".rels"))
    if content_type.startswith(("text/", "application/json", "image/svg")) or not content_type:
        return _unescaped(body.decode(response.charset or "utf-8", "replace"))
    return ""


def _unescaped(text):
    """`text` plus what it says in JSON escapes (JsonResponse and json_script write 栾 as \\u683e) and in
    percent-encoded links, so that a name hidden in either is still found."""
    parts = [text]
    if "\\u" in text:
        parts.append(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text))
    if "%" in text:
        parts.append(unquote(text))
    return "\n".join(parts)


# --- the test case -----------------------------------------------------------------------------------------

@override_settings(SESSION_SAVE_EVERY_REQUEST=False)  # the sessions' expiry is not what the walk is about
class UrlMatrixTestCase(TestCase):
    """Base of each app's tests/test_security.py (see the module docstring)."""

    app = ""
    matrix = {}
    actors = ()
    secrets = ()  # strings no walked response may contain (set in setUpTestData)
    secrets_without = {}  # {action: strings} no response to an actor lacking `action` may contain
    __test__ = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.app:
            return
        cls.__test__ = True
        for name in cls.matrix:
            method = f"test_url_{name.replace(':', '__')}"
            setattr(cls, method, _url_test(name))

    # Hooks -----------------------------------------------------------------------------------------------

    @classmethod
    def create_users(cls):
        """{actor name: user} for the signed-in actors."""
        raise NotImplementedError

    @classmethod
    def placements(cls):
        """{placement name: an object with a `tag`}; passed to build_targets."""
        raise NotImplementedError

    @classmethod
    def build_targets(cls, places):
        """{kind: {placement name or ANYWHERE: Target}}."""
        return {}

    @classmethod
    def build_actor_targets(cls, actor, user):
        """{kind: (inside Target or None, outside Target or None)} for objects belonging to `user`."""
        return {}

    # Data --------------------------------------------------------------------------------------------------

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.users = cls.create_users()
        cls.places = cls.placements()
        cls.targets = cls.build_targets(cls.places)
        cls.actor_targets = {a.name: cls.build_actor_targets(a, cls.users.get(a.name)) for a in cls.actors}
        # One session per signed-in actor for the whole class (rolled back with each test's changes).
        cls.sessions = {}
        for actor in cls.actors:
            if actor.signed_in:
                client = Client()
                client.force_login(cls.users[actor.name])
                cls.sessions[actor.name] = client.cookies[settings.SESSION_COOKIE_NAME].value

    # The completeness of the matrix -------------------------------------------------------------------------

    def test_matrix_covers_every_url(self):
        urls, unnamed = urls_of(self.app)
        problems = [f"new URL {name} ({urls[name].route}) has no entry in the permission matrix of "
                    f"{type(self).__module__} (新增的网址 {name} 没有写入权限矩阵)"
                    for name in sorted(set(urls) - set(self.matrix))]
        problems += [f"matrix entry {name} names no URL of the app {self.app} (权限矩阵中的网址 {name} 已不存在)"
                     for name in sorted(set(self.matrix) - set(urls))]
        problems += [f"URL {route} has no name: name it to give it a matrix entry" for route in unnamed]
        self.assertFalse(problems, "\n".join(problems))

    def test_targets_match_url_kwargs(self):
        urls, _ = urls_of(self.app)
        problems = []
        for name, first in self.matrix.items():
            if name not in urls:
                continue
            for rule in (first, *first.also):
                if rule.target is None:
                    if urls[name].kwargs:
                        problems.append(f"{name} takes {urls[name].kwargs}: its rule needs a target")
                elif rule.target not in self.targets and not any(rule.target in t
                                                                 for t in self.actor_targets.values()):
                    problems.append(f"{name}: no fixture builds target kind {rule.target!r}")
        self.assertFalse(problems, "\n".join(problems))

    # The walk ------------------------------------------------------------------------------------------------

    def walk(self, name):
        # Every refusal would log a warning with its traceback: thousands of them say nothing here.
        request_log = logging.getLogger("django.request")
        level = request_log.level
        request_log.setLevel(logging.ERROR)
        try:
            self._walk(name)
        finally:
            request_log.setLevel(level)

    def _walk(self, name):
        first = self.matrix[name]
        for rule in (first, *first.also):
            for actor in self.actors:
                for side, place, target in self.choose(actor, rule.target):
                    for method in ["GET"] + (["POST"] if rule.post else []):
                        expected = self.expected(rule, actor, side, method)
                        if expected == SKIP:
                            continue
                        labels = {"query": "&".join(f"{k}={v}" for k, v in rule.query.items())} if rule.query else {}
                        with self.subTest(url=name, actor=actor.name, side=side, method=method, **labels):
                            self.check_request(name, rule, actor, place, target, method, expected)

    def choose(self, actor, kind):
        """[(side, placement, Target)]: the inside and outside objects of `kind` for `actor` (those that exist)."""
        if kind is None:
            return [("-", None, Target())]
        own = self.actor_targets.get(actor.name, {})
        if kind in own:
            inside, outside = own[kind]
            return [(s, None, t) for s, t in (("inside", inside), ("outside", outside)) if t is not None]
        by_place = self.targets[kind]
        if ANYWHERE in by_place:
            return [("-", None, by_place[ANYWHERE])]
        chosen = []
        for side, preference in (("inside", actor.sees), ("outside", actor.unseen)):
            place = next((p for p in preference if p in by_place), None)
            if place is not None:
                chosen.append((side, place, by_place[place]))
        return chosen

    def expected(self, rule, actor, side, method):
        if method == "GET" and rule.method_first:
            return 405
        overrides = rule.overrides if method == "GET" else rule.post_overrides
        if actor.name in overrides:
            value = overrides[actor.name]
            if isinstance(value, tuple):
                return value[0] if side in ("inside", "-") else value[1]
            return value
        need = rule.post_need if method == "POST" and rule.post_need is not None else rule.need
        if not actor.permits(need):
            return LOGIN if not actor.signed_in else 403
        ok = rule.get if method == "GET" else (rule.post_ok if rule.post == FORM else SKIP)
        if ok == 405:
            return 405  # the method is refused before the object is looked up
        if side == "outside" and need.kind != "public":
            return rule.outside  # a public page (a sign-in link) works for everyone who has it
        return ok

    def check_request(self, name, rule, actor, place, target, method, expected):
        url = reverse(name, kwargs=self.url_kwargs(name, target) or None)
        query = {**rule.query, **target.query}
        if query:
            url += "?" + urlencode(query, doseq=True)
        # Each actor on a device of their own (per-address limits, e.g. of a public form, are per person).
        client = Client(REMOTE_ADDR=f"192.0.2.{[a.name for a in self.actors].index(actor.name) + 1}")
        if actor.signed_in:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[actor.name]
        response = client.get(url) if method == "GET" else client.post(url, {**rule.post_data, **target.data})
        status = response.status_code
        need = rule.post_need if method == "POST" and rule.post_need is not None else rule.need
        where = f"{method} {url} as {actor.name} (the view needs: {need})"
        if rule.why and (actor.name in rule.overrides or actor.name in rule.post_overrides):
            where += f" ({rule.why})"
        if expected is None:
            self.assertLess(status, 500, where)
        elif expected == LOGIN:
            self.assertEqual(status, 302, f"{where}: expected a redirect to the login page, got {status}")
            self.assertEqual(response["Location"].split("?")[0], resolve_url(settings.LOGIN_URL), where)
        elif isinstance(expected, Redirect):
            self.assertEqual(status, 302, f"{where}: expected {expected}, got {status}")
            self.assertNotEqual(response["Location"].split("?")[0], resolve_url(settings.LOGIN_URL), where)
            if expected.to:
                self.assertEqual(response["Location"].split("?")[0].split("#")[0],
                                 _reverse_any(expected.to, expected.kwargs, target.kwargs), where)
        else:
            self.assertEqual(status, expected, f"{where}: expected {expected}, got {status}")
        self.check_leaks(response, actor, place, expected, where)

    def url_kwargs(self, name, target):
        """The target's kwargs; a single one is renamed to the URL's single kwarg (`pk` → `pairing`)."""
        if not hasattr(type(self), "_url_kwargs"):
            type(self)._url_kwargs = {n: u.kwargs for n, u in urls_of(self.app)[0].items()}
        wanted = self._url_kwargs.get(name, ())
        if len(wanted) == 1 and len(target.kwargs) == 1 and wanted[0] not in target.kwargs:
            return {wanted[0]: next(iter(target.kwargs.values()))}
        return target.kwargs

    def check_leaks(self, response, actor, place, expected, where):
        text = response_text(response)
        if not text:
            return
        allowed = expected not in (403, 404, LOGIN)
        for unseen in actor.unseen:
            if unseen not in self.places or (allowed and unseen == place):
                continue
            tag = self.places[unseen].tag
            if tag in text:
                self.fail(f"{where}: shows {tag!r}, a record of {unseen} (outside the actor's scope): "
                          f"…{_around(text, tag)}…")
        for secret in self.secrets:
            if secret in text:
                self.fail(f"{where}: shows the secret {secret!r}: …{_around(text, secret)}…")
        for action, secrets in self.secrets_without.items():
            if action in actor.actions:
                continue
            for secret in secrets:
                if secret in text:
                    self.fail(f"{where}: shows {secret!r}, a secret without {action}: …{_around(text, secret)}…")


def _reverse_any(name, *candidates):
    for kwargs in (*[c for c in candidates if c], None):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return reverse(name)  # raises, naming the URL


def _around(text, found, width=80):
    at = text.index(found)
    return text[max(0, at - width):at + len(found) + width].replace("\n", " ")


def _url_test(name):
    def test(self):
        self.walk(name)

    test.__name__ = f"test_url_{name.replace(':', '__')}"
    test.__doc__ = f"{name}: every actor, inside and outside their scope, gets what the matrix says."
    return test
