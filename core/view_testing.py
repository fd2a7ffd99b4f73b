"""The view-test base of every model (in the spirit of NetBox's utilities/testing/views.py ViewTestCases).

Domain-free: no app is imported here. The users, their roles and the units come from a domain layer
(accounts.testing.CountyViewTestData for business models, AdminViewTestData for the admin pages) through
`create_role_cases()`; core only knows what a role case says: its user, the actions its role grants, the
fixture objects it must see and those it must not reach.

A test class combines the domain layer with one mixin per route kind it has:

    GetObject ("detail"), ListObjects ("list"), CreateObject ("add"), EditObject ("edit"),
    DeleteObject ("delete"), ExportObjects ("export"), Autocomplete ("autocomplete");
    PrimaryObject = the first six.

What every class gets:

- the routes: every URL name under `url_prefix` ("app:model" → "app:model_<kind>") must be one the class
  declares — a kind mixin, `other_routes` (routes tested by the model's own tests and the URL security walk),
  `route_names` (kinds whose route is named otherwise) — and every declared one must exist: a missing route
  fails, an undeclared one fails, nothing is skipped;
- the successful operations, by `cls.user` (the domain layer's editor for the model): the detail and the list
  show the object; create posts `form_data(unit)` and finds one new object equal to it (foreign keys, many-to-
  many, encrypted fields: stored encrypted, read back equal) and its audit event; edit posts `edit_data(obj)`,
  finds the fields changed and an audit event naming them; delete removes the object (`assert_deleted`) with
  its audit event; export downloads a workbook with the object, audited;
- anonymous → the login page on every route, nothing changed;
- one test per role case and route kind (`test_<role>_<kind>`), the expectation following from the role case
  alone: a role lacking the kind's action (`required_action`) gets 403 on GET and POST, the page never naming
  the record, nothing changed (rows and audit log); a role holding it gets the objects it sees (list, detail,
  export, search, autocomplete) and 404 for those it must not reach (detail, edit, delete, GET and POST,
  nothing changed), never finds them in lists, searches, exports or pickers, creates in its own unit (the new
  record then visible to it) and cannot create in a unit it must not reach.

A new model's view tests, for example those of a suggestion (建言) with the six standard pages (the whole
class; a model without some page lists the kind mixins it has instead of PrimaryObject):

    from accounts.testing import CountyViewTestData
    from core.view_testing import ViewTestCases

    class SuggestionViewTests(CountyViewTestData, ViewTestCases.PrimaryObject):
        model = Suggestion
        url_prefix = "cases:suggestion"
        other_routes = ("answer",)  # the answer form: tested in test_suggestions
        validation_excluded_fields = ("title",)  # made from the text when left empty

        @classmethod
        def make_object(cls, unit):
            return Suggestion.objects.create(owner_unit=unit, title=f"{unit.name}的建议", text="修缮村道")

        def form_data(self, unit):
            return {"title": "关于村级养老的建议", "text": "建设日间照料中心", "owner_unit": unit.pk}

That is some fifty tests: every route as each of the seven role cases, anonymous, the routes' completeness,
and the create, edit and delete with their audit events. A test named like a generated one (`test_leader_edit`)
in the class body replaces it, with a reason. Model-specific behaviour (a delete refused while records refer to
it, review steps) stays in the model's own tests.
"""

import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.shortcuts import resolve_url
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from .fields import EncryptedCharField
from .models import AuditEvent
from .security_testing import app_urls, response_text

# The order kinds are tested and reported in, and the business action each needs by default.
KIND_ACTIONS = {"list": "view", "detail": "view", "add": "add", "edit": "change", "delete": "delete",
                "export": "export", "autocomplete": "view"}
OBJECT_KINDS = ("detail", "edit", "delete")  # routes of one object (its pk in the URL)
WRITE_KINDS = ("add", "edit", "delete")  # routes whose POST changes something


@dataclass(frozen=True)
class RoleCase:
    """A user the views are checked against. `sees` and `hidden` name fixture objects ("inside", "outside",
    "own"): the first seen one is the object its pages are opened on."""

    name: str
    user: object
    actions: frozenset
    unit: object  # where it creates records
    sees: tuple = ()
    hidden: tuple = ()


@contextmanager
def quiet_request_log():
    """Refusals (403/404) are expected here by the dozen: their warnings would bury real problems."""
    log = logging.getLogger("django.request")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def _role_test(role, kind):
    def test(self):
        self.check_role(role, kind)

    test.__name__ = f"test_{role}_{kind}"
    test.__doc__ = f"{role} on the {kind} route: what the role grants, inside and outside its scope."
    return test


class ViewTestCases:
    """The mixins; kept inside a class so that the test runner does not collect them by themselves."""

    @override_settings(SESSION_SAVE_EVERY_REQUEST=False)  # sessions are reused across a class's tests
    class Base(TestCase):
        model = None
        url_prefix = ""  # "app:model": the routes are named "app:model_<kind>"; "app:": a namespace of one model
        route_names = {}  # kind → full URL name, for a route named otherwise (e.g. "add" → "app:unit_add_child")
        other_routes = ()  # further route names under url_prefix (suffixes), tested by the model's own tests
        route_actions = {}  # kind → the action it needs, where not KIND_ACTIONS's
        role_names = ()  # the role cases, by name: set by the domain layer
        audit_actions = {"add": AuditEvent.Action.CREATE, "edit": AuditEvent.Action.UPDATE,
                         "delete": AuditEvent.Action.DELETE}
        audit_object_type = None  # the object type its audit events name, when not the model's label
        validation_excluded_fields = ()  # form fields the view transforms (a default filled in, a hash)
        create_form_page = True  # GET on the add route shows a form (else 405: POST only, e.g. an upload)
        delete_confirm_page = True  # GET on the delete route shows a confirmation page (else 405: POST only)
        refused_export_audited = True  # a refused export leaves a "denied" event (core.views.deny_export)
        refused_create_status = 200  # a create in a unit outside the scope: the form again, with an error (404
        # for a nested create: the parent is outside the scope too)
        acting_user = None  # who is signed in (`login`)

        def __init_subclass__(cls, **kwargs):
            super().__init_subclass__(**kwargs)
            if "__test__" not in cls.__dict__:
                cls.__test__ = cls.model is not None
            if cls.model is None:
                return
            for role in cls.role_names:
                for kind in cls.kinds():
                    name = f"test_{role}_{kind}"
                    if not hasattr(cls, name):
                        setattr(cls, name, _role_test(role, kind))

        # Hooks ------------------------------------------------------------------------------------------------

        @classmethod
        def create_role_cases(cls):
            """Set `cls.user` (the editor), `cls.inside_unit` (where the editor's objects live),
            `cls.outside_unit` and `cls.own_records_user` (whose own record is the "own" object); return the
            RoleCases named in `role_names`. Given by the domain layer."""
            raise NotImplementedError("combine the test class with a domain layer, e.g. accounts.testing")

        @classmethod
        def make_object(cls, unit):
            """A saved object of `model` belonging to `unit`, with a name (`object_text`) of its own."""
            raise NotImplementedError

        @classmethod
        def make_own_object(cls, user):
            """An object kept by `user` themselves (what a "仅本人" scope reaches): made in the user's unit, owned
            through the model's `scope_user_field`."""
            obj = cls.make_object(user.unit)
            owner_field = getattr(cls.model, "scope_user_field", "")
            if not owner_field or "__" in owner_field:
                raise NotImplementedError(f"{cls.__name__}: make_own_object must say how {user} owns an object")
            cls.model._base_manager.filter(pk=obj.pk).update(**{owner_field: user})
            obj.refresh_from_db()
            return obj

        def form_data(self, unit):
            """The POST that creates an object in `unit` (the create form), sent by `self.acting_user`: objects it
            needs (a person to pick) must be ones that user may pick."""
            raise NotImplementedError

        def edit_data(self, obj):
            """The POST that changes `obj` (it must change at least one field)."""
            return self.form_data(self.object_unit(obj))

        def object_unit(self, obj):
            return getattr(obj, "owner_unit", None)

        def owner_at(self, unit):
            """The signed-in user when `unit` is their own, else None: whom a record a create needs (a pairing,
            a person to pick) should belong to, so that the "仅本人" user's own unit holds their own records and
            every other unit somebody else's."""
            user = self.acting_user
            return user if user is not None and user.unit_id == unit.pk else None

        def object_text(self, obj):
            """What identifies `obj` on its pages and in lists."""
            return str(obj)

        def export_texts(self, obj):
            """What identifies `obj` in an export."""
            return [self.object_text(obj)]

        def search_term(self, obj):
            return self.object_text(obj)

        def url_kwargs(self, kind, obj=None):
            return {"pk": obj.pk} if obj is not None else None

        def required_action(self, kind):
            return self.route_actions.get(kind, KIND_ACTIONS[kind])

        def audit_object(self, obj):
            """The object whose audit event records a change of `obj` (a parent, for a record kept on it)."""
            return obj

        def assert_deleted(self, obj):
            self.assertFalse(self.model._base_manager.filter(pk=obj.pk).exists(), f"{obj} still exists")

        def state(self):
            """What a refused request must leave as it was: the model's rows and the successful audit events."""
            rows = list(self.model._base_manager.order_by("pk").values())
            events = AuditEvent.objects.filter(success=True, action__in=set(self.audit_actions.values())).count()
            return rows, events

        # Fixtures ---------------------------------------------------------------------------------------------

        @classmethod
        def kinds(cls):
            declared = {c.__dict__["route_kind"] for c in cls.__mro__ if "route_kind" in c.__dict__}
            return [k for k in KIND_ACTIONS if k in declared]

        @classmethod
        def setUpTestData(cls):
            super().setUpTestData()
            cases = cls.create_role_cases()
            cls.roles = {case.name: case for case in cases}
            if set(cls.roles) != set(cls.role_names):
                raise AssertionError(f"role cases {sorted(cls.roles)} differ from role_names {cls.role_names}")
            wanted = {name for case in cases for name in (*case.sees, *case.hidden)}
            cls.objects = {"inside": cls.make_object(cls.inside_unit)}
            if "outside" in wanted:
                cls.objects["outside"] = cls.make_object(cls.outside_unit)
            if "own" in wanted:
                cls.objects["own"] = cls.make_own_object(cls.own_records_user)
            cls.inside = cls.objects["inside"]
            cls.outside = cls.objects.get("outside")
            # One session per user for the whole class (rolled back with each test's changes).
            cls.sessions = {}
            users = {case.user.pk: case.user for case in cases} | {cls.user.pk: cls.user}
            for user in users.values():
                client = Client()
                client.force_login(user)
                cls.sessions[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value

        def login(self, user):
            self.acting_user = user
            if user.pk in self.sessions:
                self.client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[user.pk]
            else:
                self.client.force_login(user)

        # URLs ---------------------------------------------------------------------------------------------------

        def route_name(self, kind):
            return self.route_names.get(kind) or f"{self.name_stem()}{kind}"

        def name_stem(self):
            return self.url_prefix if self.url_prefix.endswith(":") else f"{self.url_prefix}_"

        def url(self, kind, obj=None):
            return reverse(self.route_name(kind), kwargs=self.url_kwargs(kind, obj))

        def add_url(self, unit):
            """The create page for a record of `unit`; a nested create (a record made on a parent's page) builds
            it on a parent in `unit`."""
            return self.url("add")

        def url_for(self, kind, obj, unit):
            """The URL of `kind`: on `obj` for a route of one object, for a record of `unit` for "add"."""
            if kind == "add":
                return self.add_url(unit)
            return self.url(kind, obj if kind in OBJECT_KINDS else None)

        def test_routes_are_declared(self):
            names = set(app_urls()[0])
            declared = {self.route_name(kind) for kind in (*self.kinds(), *self.other_routes)}
            under_prefix = {n for n in names if n.startswith(self.name_stem())}
            problems = [f"route {n} is declared but the resolver has no such URL (声明的网址不存在)"
                        for n in sorted(declared - names)]
            problems += [f"route {n} exists but {type(self).__name__} does not declare it: add its ViewTestCases "
                         f"mixin, or name it in other_routes where its own tests cover it (网址未声明)"
                         for n in sorted(under_prefix - declared)]
            self.assertTrue(self.kinds(), "the class has no route kind mixin")
            self.assertFalse(problems, "\n".join(problems))

        # Assertions ---------------------------------------------------------------------------------------------

        def assertStatus(self, response, expected, where=""):
            """NetBox's assertHttpStatus: on a form page that should have redirected, name the form's errors."""
            if response.status_code != expected:
                detail = ""
                context = getattr(response, "context", None)
                if context is not None and context.get("form") is not None and hasattr(context["form"], "errors"):
                    detail = f": form errors {context['form'].errors.as_data()}"
                self.fail(f"{where}: expected {expected}, got {response.status_code}{detail}")

        def assertInstanceEqual(self, instance, data, exclude=()):
            """The saved `instance` (read back from the database) holds what the form `data` says, for every key
            of `data` that is a model field: foreign keys by id, many-to-many as sets of ids, dates and times
            parsed, encrypted values decrypted and stored as ciphertext."""
            instance = type(instance)._base_manager.get(pk=instance.pk)
            problems = []
            for name, value in data.items():
                if name in exclude or name in self.validation_excluded_fields:
                    continue
                try:
                    model_field = instance._meta.get_field(name)
                except FieldDoesNotExist:
                    continue  # a form-only value (a reason, a formset's management form)
                if model_field.auto_created and not model_field.concrete:
                    continue  # a reverse relation of the same name
                actual, expected = _compare_values(instance, model_field, value)
                if actual != expected:
                    problems.append(f"{name}: saved {actual!r}, posted {expected!r}")
                if isinstance(model_field, EncryptedCharField) and value:
                    stored = _stored_value(instance, model_field)
                    if value in stored or not stored:
                        problems.append(f"{name}: not stored encrypted ({stored!r})")
            self.assertFalse(problems, f"{instance}: " + "; ".join(problems))

        def assertAudited(self, action, obj, user, since):
            """Exactly one successful `action` event about `obj` after event id `since`, by `user`."""
            target = self.audit_object(obj)
            label = self.audit_object_type or target._meta.label
            events = list(AuditEvent.objects.filter(id__gt=since, action=action, success=True,
                                                    object_type=label, object_id=str(target.pk)))
            self.assertEqual(len(events), 1, f"{action} events about {label} {target.pk}: {events}")
            self.assertEqual(events[0].user_id, user.pk, f"{action} event by {events[0].username}, not {user}")
            return events[0]

        def last_event_id(self):
            return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

        def new_objects(self, before):
            return list(self.model._base_manager.exclude(pk__in=before))

        def post_data(self, kind, obj, unit):
            if kind == "add":
                return self.form_data(unit)
            if kind == "edit":
                return self.edit_data(obj)
            return {}

        def listed(self, response):
            """The records of the list's table, when the page has one."""
            table = response.context.get("table") if response.context is not None else None
            return None if table is None else [getattr(row, "pk", row) for row in table.data]

        # Anonymous and the role cases ----------------------------------------------------------------------------

        def test_anonymous_is_sent_to_login(self):
            login = resolve_url(settings.LOGIN_URL)
            for kind in self.kinds():
                url = self.url_for(kind, self.inside, self.inside_unit)
                methods = ("GET", "POST") if kind in WRITE_KINDS else ("GET",)
                for method in methods:
                    data = self.post_data(kind, self.inside, self.inside_unit) if method == "POST" else None
                    before = self.state()
                    response = self.client.post(url, data) if data is not None else self.client.get(url)
                    where = f"anonymous {method} {kind}"
                    self.assertStatus(response, 302, where)
                    self.assertEqual(response["Location"].split("?")[0], login, where)
                    self.assertEqual(self.state(), before, f"{where} changed something")

        def check_role(self, role, kind):
            case = self.roles[role]
            seen = [self.objects[n] for n in case.sees]
            hidden = [self.objects[n] for n in case.hidden]
            self.login(case.user)
            with quiet_request_log():
                if self.required_action(kind) not in case.actions:
                    self.check_refused(case, kind, seen[0] if seen else self.inside)
                else:
                    getattr(self, f"check_{kind}")(case, seen, hidden)

        def check_refused(self, case, kind, obj):
            """A role without the kind's action: 403 on GET and POST, naming nothing, changing nothing."""
            url = self.url_for(kind, obj, case.unit)
            since = self.last_event_id()
            response = self.client.get(url)
            self.assertStatus(response, 403, f"{case.name} GET {kind}")
            self.assertNotContains(response, self.object_text(obj), status_code=403)
            if kind == "export" and self.refused_export_audited:
                denied = AuditEvent.objects.filter(id__gt=since, action=AuditEvent.Action.DENIED, success=False)
                self.assertEqual([e.user_id for e in denied], [case.user.pk], f"{case.name}'s refused export audited")
            if kind in WRITE_KINDS:
                data = self.post_data(kind, obj, case.unit)
                before = self.state()
                self.assertStatus(self.client.post(url, data), 403, f"{case.name} POST {kind}")
                self.assertEqual(self.state(), before, f"{case.name}'s refused POST {kind} changed something")

        def check_hidden_post(self, case, kind, obj):
            """POST on the route of an object the role must not reach: 404, nothing changed."""
            data = self.post_data(kind, obj, case.unit)
            before = self.state()
            response = self.client.post(self.url(kind, obj), data)
            self.assertStatus(response, 404, f"{case.name} POST {kind} on {obj} (outside its scope)")
            self.assertEqual(self.state(), before, f"{case.name}'s POST {kind} outside its scope changed something")

        def check_list(self, case, seen, hidden):
            response = self.client.get(self.url("list"))
            self.assertStatus(response, 200, f"{case.name} list")
            listed = self.listed(response)
            for obj in seen:
                self.assertContains(response, self.object_text(obj))
            for obj in hidden:
                self.assertNotContains(response, self.object_text(obj))
                if listed is not None:
                    self.assertNotIn(obj.pk, listed)
            if hidden:  # searched for by name, the nearest hidden object stays hidden
                obj = hidden[0]
                # As the page's own search box asks: the results alone (the box would echo the term).
                search = self.client.get(self.url("list"), {"q": self.search_term(obj)}, headers={"HX-Request": "true"})
                self.assertStatus(search, 200, f"{case.name} list searched for {obj}")
                self.assertNotContains(search, self.object_text(obj))
                if self.listed(search) is not None:
                    self.assertNotIn(obj.pk, self.listed(search))

        def check_detail(self, case, seen, hidden):
            if seen:
                response = self.client.get(self.url("detail", seen[0]))
                self.assertStatus(response, 200, f"{case.name} detail of {seen[0]}")
                self.assertContains(response, self.object_text(seen[0]))
            for obj in hidden:
                response = self.client.get(self.url("detail", obj))
                self.assertStatus(response, 404, f"{case.name} detail of {obj} (outside its scope)")
                self.assertNotContains(response, self.object_text(obj), status_code=404)

        def check_edit(self, case, seen, hidden):
            if seen:
                self.assertStatus(self.client.get(self.url("edit", seen[0])), 200, f"{case.name} edit of {seen[0]}")
            for obj in hidden:
                self.assertStatus(self.client.get(self.url("edit", obj)), 404, f"{case.name} edit of {obj}")
                self.check_hidden_post(case, "edit", obj)

        def check_delete(self, case, seen, hidden):
            status = 200 if self.delete_confirm_page else 405
            if seen:
                self.assertStatus(self.client.get(self.url("delete", seen[0])), status,
                                  f"{case.name} delete page of {seen[0]}")
            for obj in hidden:
                if self.delete_confirm_page:
                    self.assertStatus(self.client.get(self.url("delete", obj)), 404, f"{case.name} delete of {obj}")
                self.check_hidden_post(case, "delete", obj)

        def check_add(self, case, seen, hidden):
            url = self.add_url(case.unit)
            self.assertStatus(self.client.get(url), 200 if self.create_form_page else 405, f"{case.name} add")
            if case.user.pk != self.user.pk:  # the editor's create is test_create_object
                data = self.form_data(case.unit)
                before = list(self.model._base_manager.values_list("pk", flat=True))
                self.assertStatus(self.client.post(url, data), 302, f"{case.name} add in {case.unit}")
                created = self.new_objects(before)
                self.assertEqual(len(created), 1, f"{case.name} add created {created}")
                if "detail" in self.kinds():
                    self.assertStatus(self.client.get(self.url("detail", created[0])), 200,
                                      f"{case.name} detail of the record it created")
            for unit in {self.object_unit(obj) for obj in hidden} - {None, case.unit}:
                url, data = self.add_url(unit), self.form_data(unit)
                before = self.state()
                response = self.client.post(url, data)
                self.assertStatus(response, self.refused_create_status, f"{case.name} add in {unit}")
                self.assertEqual(self.state(), before, f"{case.name} created a record in {unit}")

        def check_export(self, case, seen, hidden):
            text = self.export_text()
            for obj in seen:
                for part in self.export_texts(obj):
                    self.assertIn(part, text, f"{case.name}'s export lacks {obj}")
            for obj in hidden:
                for part in self.export_texts(obj):
                    self.assertNotIn(part, text, f"{case.name}'s export shows {obj} (outside its scope)")

        def check_autocomplete(self, case, seen, hidden):
            if seen:
                self.assertIn(seen[0].pk, self.autocomplete(seen[0]), f"{case.name} picker lacks {seen[0]}")
            for obj in hidden:
                self.assertNotIn(obj.pk, self.autocomplete(obj), f"{case.name} picker offers {obj}")

        def export_text(self):
            response = self.client.get(self.url("export"))
            self.assertStatus(response, 200, "export")
            return response_text(response)

        def autocomplete(self, obj):
            response = self.client.get(self.url("autocomplete"), {"q": self.search_term(obj)})
            self.assertStatus(response, 200, "autocomplete")
            return [row["value"] for row in response.json()["results"]]

    # The kinds ------------------------------------------------------------------------------------------------

    class GetObject(Base):
        route_kind = "detail"

        def test_get_object(self):
            self.login(self.user)
            response = self.client.get(self.url("detail", self.inside))
            self.assertStatus(response, 200, "detail")
            self.assertContains(response, self.object_text(self.inside))

    class ListObjects(Base):
        route_kind = "list"

        def test_list_objects(self):
            self.login(self.user)
            response = self.client.get(self.url("list"))
            self.assertStatus(response, 200, "list")
            self.assertContains(response, self.object_text(self.inside))
            search = self.client.get(self.url("list"), {"q": self.search_term(self.inside)})
            self.assertContains(search, self.object_text(self.inside))

    class CreateObject(Base):
        route_kind = "add"

        def test_create_object(self):
            self.login(self.user)
            url = self.add_url(self.inside_unit)
            self.assertStatus(self.client.get(url), 200 if self.create_form_page else 405, "add form")
            data = self.form_data(self.inside_unit)
            before = list(self.model._base_manager.values_list("pk", flat=True))
            since = self.last_event_id()
            self.assertStatus(self.client.post(url, data), 302, "add")
            created = self.new_objects(before)
            self.assertEqual(len(created), 1, f"add created {created}")
            self.assertInstanceEqual(created[0], data)
            self.assertAudited(self.audit_actions["add"], created[0], self.user, since)

    class EditObject(Base):
        route_kind = "edit"

        def test_edit_object(self):
            self.login(self.user)
            obj = self.inside
            self.assertStatus(self.client.get(self.url("edit", obj)), 200, "edit form")
            data = self.edit_data(obj)
            concrete = [f for f in obj._meta.concrete_fields if f.name in data]
            before = {f.name: getattr(obj, f.attname) for f in concrete}
            since = self.last_event_id()
            self.assertStatus(self.client.post(self.url("edit", obj), data), 302, "edit")
            self.assertInstanceEqual(obj, data)
            obj.refresh_from_db()
            changed = {str(f.verbose_name) for f in concrete if getattr(obj, f.attname) != before[f.name]}
            self.assertTrue(changed, "edit_data changes nothing: make it differ from make_object")
            event = self.assertAudited(self.audit_actions["edit"], obj, self.user, since)
            self.assert_changes_audited(event, changed, data)

        def assert_changes_audited(self, event, changed, data):
            """The update event names every changed field, and never a sensitive value in clear."""
            self.assertLessEqual(changed, set(event.changes), f"audited changes {event.changes}")
            text = json.dumps(event.changes, ensure_ascii=False)
            for f in self.model._meta.concrete_fields:
                if isinstance(f, EncryptedCharField) and data.get(f.name):
                    self.assertNotIn(data[f.name], text, f"{f.name} in clear in the audit log")

    class DeleteObject(Base):
        route_kind = "delete"

        def test_delete_object(self):
            self.login(self.user)
            obj = self.inside
            if self.delete_confirm_page:
                response = self.client.get(self.url("delete", obj))
                self.assertStatus(response, 200, "delete confirmation")
                self.assertContains(response, self.object_text(obj))
            since = self.last_event_id()
            self.assertStatus(self.client.post(self.url("delete", obj)), 302, "delete")
            self.assert_deleted(obj)
            self.assertAudited(self.audit_actions["delete"], obj, self.user, since)

    class ExportObjects(Base):
        route_kind = "export"

        def test_export_objects(self):
            self.login(self.user)
            since = self.last_event_id()
            text = self.export_text()
            for part in self.export_texts(self.inside):
                self.assertIn(part, text)
            label = self.audit_object_type or self.model._meta.label
            events = AuditEvent.objects.filter(id__gt=since, action=AuditEvent.Action.EXPORT, object_type=label)
            self.assertEqual([e.user_id for e in events], [self.user.pk], "the export is audited once, by its user")

    class Autocomplete(Base):
        route_kind = "autocomplete"

        def test_autocomplete(self):
            self.login(self.user)
            self.assertIn(self.inside.pk, self.autocomplete(self.inside))

    class PrimaryObject(GetObject, ListObjects, CreateObject, EditObject, DeleteObject, ExportObjects):
        """A model with the full set of pages: list, detail, add, edit, delete, export."""


def _compare_values(instance, model_field, value):
    """(saved, posted) in comparable form."""
    if model_field.many_to_many:
        posted = value if isinstance(value, list | tuple) else [value]
        return (sorted(getattr(instance, model_field.name).values_list("pk", flat=True)),
                sorted(int(v) for v in posted if v not in ("", None)))
    actual = getattr(instance, model_field.attname)
    if model_field.is_relation:
        return actual, None if value in ("", None) else int(value)
    if isinstance(value, list | tuple):
        return sorted(map(str, actual or [])), sorted(map(str, value))
    if value in ("", None):
        return actual, None if model_field.null else ("" if isinstance(model_field, models.CharField | models.TextField)
                                                      else model_field.get_default())
    if isinstance(model_field, models.BooleanField):
        return actual, value in (True, "on", "true", "True", "1", 1)
    if isinstance(model_field, EncryptedCharField):
        return actual, model_field.normalize(value) if model_field.normalize else value
    posted = model_field.to_python(value)
    if isinstance(model_field, models.DateTimeField) and timezone.is_naive(posted):
        posted = timezone.make_aware(posted)
    return actual, posted


def _stored_value(instance, model_field):
    """The column as the database holds it (the ciphertext of an encrypted field)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(model_field.column)} FROM {quote(instance._meta.db_table)} "  # noqa: S608
                       f"WHERE {quote(instance._meta.pk.column)} = %s", [instance.pk])
        return cursor.fetchone()[0] or ""

