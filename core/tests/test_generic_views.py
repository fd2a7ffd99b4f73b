from accounts.testing import CountyViewTestData
from core.tests.sample.models import SampleRecord
from core.view_testing import ViewTestCases


class SampleRecordViewTests(CountyViewTestData, ViewTestCases.PrimaryObject, ViewTestCases.Autocomplete):
    model = SampleRecord
    url_prefix = "sample:samplerecord"

    @classmethod
    def make_object(cls, unit):
        return SampleRecord.objects.create(name=f"记录-{unit.name}", phone="13812345678", owner_unit=unit)

    def form_data(self, unit):
        return {"name": "新样例", "phone": "13900001111", "owner_unit": unit.pk}


    def test_edit_that_moves_record_out_of_scope_is_rolled_back(self):
        from unittest import mock

        from core.forms import ScopedModelForm
        from core.models import AuditEvent
        from core.tests.sample import views as sample_views

        self.client.force_login(self.user)
        # A form that forgets to limit the unit choices: the transaction-level check must still hold.
        unrestricted = type("Unrestricted", (sample_views.SampleRecordForm,), {
            "__init__": lambda self, *a, user=None, **kw: super(ScopedModelForm, self).__init__(*a, **kw)
        })
        with mock.patch.object(sample_views.SampleRecordEditView, "form_class", unrestricted):
            response = self.client.post(
                self.url("edit", self.inside),
                {"name": "改名", "phone": "13812345678", "owner_unit": self.org.town2.pk},
            )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "不在您的数据范围内")
        self.inside.refresh_from_db()
        self.assertEqual(self.inside.owner_unit, self.org.village1)
        self.assertEqual(self.inside.name, "记录-东溪村")
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, success=False).exists())

    def test_edit_within_scope_is_saved_and_audited_with_masked_phone(self):
        from core.models import AuditEvent

        self.client.force_login(self.user)
        response = self.client.post(
            self.url("edit", self.inside), {"name": "新名称", "phone": "13900009999", "owner_unit": self.org.town1.pk}
        )
        self.assertEqual(response.status_code, 302)
        self.inside.refresh_from_db()
        self.assertEqual((self.inside.name, self.inside.owner_unit), ("新名称", self.org.town1))
        event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, success=True).get()
        self.assertEqual(event.changes["联系电话"], ["138****5678", "139****9999"])
        self.assertNotIn("13900009999", str(event.changes))

    def test_form_refuses_unit_outside_scope(self):
        self.client.force_login(self.user)
        response = self.client.post(
            self.url("edit", self.inside), {"name": "x", "phone": "", "owner_unit": self.org.town2.pk}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["owner_unit"])
        self.inside.refresh_from_db()
        self.assertEqual(self.inside.owner_unit, self.org.village1)

    def test_create_sets_creator_and_is_audited(self):
        from core.models import AuditEvent

        self.client.force_login(self.user)
        response = self.client.post(self.url("add"), {"name": "新建", "phone": "", "owner_unit": self.org.village1.pk})
        self.assertEqual(response.status_code, 302)
        record = SampleRecord.objects.get(name="新建")
        self.assertEqual(record.created_by, self.user)
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(record.pk)).exists())

    def test_delete_is_audited(self):
        from core.models import AuditEvent

        self.client.force_login(self.user)
        response = self.client.post(self.url("delete", self.inside))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(SampleRecord.objects.filter(pk=self.inside.pk).exists())
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, object_label="记录-东溪村").exists())

    def test_export_masks_sensitive_values_and_is_audited(self):
        from core.models import AuditEvent
        from core.testing import export_text

        self.client.force_login(self.user)
        text = export_text(self.client.get(self.url("export"), {"q": "东溪"}))
        self.assertIn("138****5678", text)
        self.assertNotIn("13812345678", text)
        event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
        self.assertEqual(event.changes["行数"], 1)
        self.assertEqual(event.changes["筛选条件"], {"q": "东溪"})

    def test_export_neutralises_formula_cells(self):
        from core.testing import export_text

        SampleRecord.objects.create(name="=HYPERLINK(\"x\")", owner_unit=self.org.village1)
        self.client.force_login(self.user)
        text = export_text(self.client.get(self.url("export")))
        self.assertIn("'=HYPERLINK", text)
