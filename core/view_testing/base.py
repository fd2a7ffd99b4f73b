"""The view-test base: configuration, the hooks a test class fills in, fixtures, URLs and assertions."""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from core.fields import EncryptedCharField
from core.models import AuditEvent
from core.security_testing import app_urls

from .cases import KIND_ACTIONS, OBJECT_KINDS, compare_values, role_test, stored_value
from .role_checks import RoleChecks


@override_settings(SESSION_SAVE_EVERY_REQUEST=False)  # sessions are reused across a class's tests
class Base(RoleChecks, TestCase):
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
                    setattr(cls, name, role_test(role, kind))

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
            actual, expected = compare_values(instance, model_field, value)
            if actual != expected:
                problems.append(f"{name}: saved {actual!r}, posted {expected!r}")
            if isinstance(model_field, EncryptedCharField) and value:
                stored = stored_value(instance, model_field)
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
