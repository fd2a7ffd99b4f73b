from core.testing import ScopedViewTestCase
from core.tests.sample.models import SampleRecord


class SampleRecordViewTests(ScopedViewTestCase):
    model = SampleRecord
    url_prefix = "sample:samplerecord"

    def make_object(self, unit):
        return SampleRecord.objects.create(name=f"样例-{unit.name}", phone="13812345678", owner_unit=unit)

    def form_data(self, unit):
        return {"name": "新样例", "phone": "13900001111", "owner_unit": unit.pk}
