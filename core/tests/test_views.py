"""The common contract of core's view-test base (core.view_testing) for core's own records with pages: a user's
notifications and the audit log (the auditor's). Their behaviour is tested in test_notifications and
test_audit_views."""

from accounts.testing import AdminViewTestData, CountyViewTestData
from core import audit
from core.models import AuditEvent, Notification
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
