from django.conf import settings
from django.db import models


class ReportTemplate(models.Model):
    """A Word template (.docx) a county uploaded for its work reports (工作汇报), instead of the built-in one.

    Configuration, not business data: it holds placeholders, no figures. At most one template per county
    (`unit`, the root of the org tree it serves) is active; reports of the county's units use it.
    """

    name = models.CharField("模板名称", max_length=100)
    file = models.FileField("模板文件", upload_to="dashboard/report_templates/%Y/")
    unit = models.ForeignKey("org.Unit", verbose_name="适用单位", on_delete=models.PROTECT, related_name="+")
    notes = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "工作汇报模板"
        verbose_name_plural = "工作汇报模板"
        ordering = ["-uploaded_at", "-id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=models.Q(is_active=True),
                                    name="report_template_one_active_per_unit"),
        ]

    def __str__(self):
        return self.name
