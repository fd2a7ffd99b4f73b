"""What each role case may and may not do on each route kind, and what anonymous users get."""

from django.conf import settings
from django.shortcuts import resolve_url

from core.models import AuditEvent
from core.security_testing import response_text

from .cases import WRITE_KINDS, quiet_request_log


class RoleChecks:
    """The checks of the role cases, mixed into the base (whose fixtures and assertions they use)."""

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
