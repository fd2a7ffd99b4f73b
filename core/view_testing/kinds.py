"""The route kinds: one mixin each, with the successful operation of its route."""

import json

from core.fields import EncryptedCharField
from core.models import AuditEvent

from .base import Base


class ViewTestCases:
    """The mixins; kept inside a class so that the test runner does not collect them by themselves."""

    Base = Base

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
