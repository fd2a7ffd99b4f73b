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

from .cases import RoleCase
from .kinds import ViewTestCases

__all__ = ["RoleCase", "ViewTestCases"]
