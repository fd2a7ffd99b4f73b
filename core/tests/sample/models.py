from django.db import models
from django.urls import reverse

from core.fields import EncryptedCharField
from core.models import BusinessModel


class SampleRecord(BusinessModel):
    """A minimal business record: exercises core's scoping, generic views, export and encryption in tests."""

    name = models.CharField("名称", max_length=50)
    phone = EncryptedCharField("联系电话", hash_field="phone_hash", mask="phone")
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = "样例记录"
        verbose_name_plural = "样例记录"
        default_permissions = ("view", "add", "change", "delete", "export", "import", "view_sensitive")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("sample:samplerecord_detail", kwargs={"pk": self.pk})
