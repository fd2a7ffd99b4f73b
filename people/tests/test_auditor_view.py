"""三员分立 for the ledger: the audit administrator sees what was done to which person record by whom, never the
person's name, address or the search terms used to find them (core.audit_display)."""

from django.test import TestCase
from django.urls import reverse

from accounts.testing import create_user
from core.models import AuditEvent
from core.testing import export_text
from org.testing import build_county
from people.models import Category

from .test_views import make_person, person_form_data

NAME = "欧阳明月"
NEW_NAME = "欧阳晓月"
ADDRESS = "东溪村幸福路8号"
SEARCH = "欧阳"


class AuditorSeesNoPersonalValuesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.staff = create_user("t_staff", cls.org.county, "county_staff")
        cls.auditor = create_user("t_auditor", cls.org.county, "auditor")
        cls.person = make_person(cls.org.village1, NAME)

    def setUp(self):
        staff = self.client_class()
        staff.force_login(self.staff)
        data = person_form_data(self.org.village1, name=NEW_NAME, address=ADDRESS,
                                categories=[Category.objects.get(code="04").pk])
        response = staff.post(reverse("people:person_edit", kwargs={"pk": self.person.pk}), data)
        self.assertEqual(response.status_code, 302)
        response = staff.get(reverse("people:person_export"), {"q": SEARCH})
        self.assertEqual(response.status_code, 200)
        b"".join(response.streaming_content)
        self.client.force_login(self.auditor)

    def assertNothingPersonal(self, text):
        for secret in (NAME, NEW_NAME, ADDRESS, SEARCH, "幸福路"):
            self.assertNotIn(secret, text)

    def test_the_events_are_recorded_with_the_values(self):
        update = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(self.person.pk))
        self.assertEqual(update.changes["姓名"], [NAME, NEW_NAME])
        export = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
        self.assertIn(SEARCH, str(export.changes))

    def test_list_detail_and_export_show_field_names_and_ids_but_no_personal_values(self):
        listing = self.client.get(reverse("audit:event_list"))
        self.assertNothingPersonal(listing.content.decode())
        self.assertContains(listing, "姓名: 欧* → 欧*")
        self.assertContains(listing, f"#{self.person.pk}")
        for event in AuditEvent.objects.exclude(action=AuditEvent.Action.LOGIN):
            detail = self.client.get(reverse("audit:event_detail", args=[event.pk]))
            self.assertNothingPersonal(detail.content.decode())
        update = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(self.person.pk))
        detail = self.client.get(reverse("audit:event_detail", args=[update.pk]))
        self.assertContains(detail, "<td>住址</td>", html=False)
        self.assertContains(detail, "统战成员")
        self.assertNothingPersonal(export_text(self.client.get(reverse("audit:event_export"))))
