from django.db import models
from django.urls import reverse

from core.fields import EncryptedCharField
from core.models import BusinessModel, ScopedManager, ScopeRule


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


class SampleHandover(models.Model):
    """A record with two anchors judged by another model's permissions (core.models.ScopeRule): seen from the unit
    it leaves and from the unit it reaches, where the sample record's creator also sees it."""

    record = models.ForeignKey(SampleRecord, verbose_name="记录", on_delete=models.CASCADE, related_name="+")
    from_unit = models.ForeignKey("org.Unit", verbose_name="移出单位", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("org.Unit", verbose_name="移入单位", on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()
    scope_rule = ScopeRule(("from_unit", None), ("to_unit", "record__created_by"), permission="sample.SampleRecord")

    class Meta:
        verbose_name = "样例移交"
        verbose_name_plural = "样例移交"
        default_permissions = ()

    def __str__(self):
        return f"{self.record}：{self.from_unit} → {self.to_unit}"
