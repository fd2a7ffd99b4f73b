"""The common contract of core's view-test base (core.view_testing) for core's own records with pages: a user's
notifications and the audit log (the auditor's). Their behaviour is tested in test_notifications and
test_audit_views."""

import importlib
import importlib.util

from django.apps import apps
from django.test import SimpleTestCase

from accounts.testing import AdminViewTestData, CountyViewTestData
from core import audit
from core.models import AuditEvent, BusinessModel, Notification
from core.view_testing import ViewTestCases


class NotificationViewTests(CountyViewTestData, ViewTestCases.ListObjects):
    """A notification is its recipient's alone: county staff, who see every business record, do not see the town
    officer's, nor the town officer theirs."""

    model = Notification
    url_prefix = "notifications:"
    other_routes = ("read", "read_all", "open")
    role_names = ("town_officer", "county_staff")
    role_sees = {"town_officer": ("inside",), "county_staff": ("outside",)}

    @classmethod
    def make_object(cls, unit):
        recipient = cls.user if unit == cls.inside_unit else cls.users["county_staff"]
        return Notification.objects.create(recipient=recipient, title=f"{recipient.username}的提醒：{unit.name}",
                                           body="请及时报送材料")


class AuditEventViewTests(AdminViewTestData, ViewTestCases.GetObject, ViewTestCases.ListObjects,
                          ViewTestCases.ExportObjects):
    """The audit log: the auditor reads and exports it; nobody edits or deletes an event (there is no route)."""

    model = AuditEvent
    url_prefix = "audit:event"
    admin_kind = "audit"

    @classmethod
    def make_object(cls, unit):
        return audit.record(AuditEvent.Action.CONFIG, user=cls.users["sysadmin"], object_type="duties.Holiday",
                            label="2026年节假日（测试事件）")

    def object_text(self, obj):
        return obj.object_label


class EveryBusinessModelTests(SimpleTestCase):
    def test_every_business_model_has_view_tests(self):
        """A business model (core.models.BusinessModel) gets its ViewTestCases class in its app's tests/test_views.py
        (the sample model of core's own tests: in test_generic_views)."""
        covered = set()
        for config in apps.get_app_configs():
            name = f"{config.name}.tests.test_views"
            if importlib.util.find_spec(f"{config.name}.tests") is None or importlib.util.find_spec(name) is None:
                continue
            module = importlib.import_module(name)
            covered |= {value.model for value in vars(module).values()
                        if isinstance(value, type) and issubclass(value, ViewTestCases.Base) and value.model}
        missing = [model._meta.label for model in apps.get_models()
                   if issubclass(model, BusinessModel) and model not in covered and model._meta.app_label != "sample"]
        self.assertFalse(missing, f"business models without view tests: {missing}")
