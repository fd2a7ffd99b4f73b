from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from core.models import BusinessModel


class Pairing(BusinessModel):
    """An official paired with a representative (联谊交友, 对口联系), with a yearly number of contacts.

    The official is an account when they use Tongxin themselves, or a cadre recorded by name and post.
    Officials see their own pairings through the "仅本人" data scope, which follows `official`.
    """

    official = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="联系干部（账号）", on_delete=models.PROTECT, null=True, blank=True,
        related_name="pairings",
    )
    official_name = models.CharField("联系干部姓名", max_length=50, blank=True, help_text="干部没有账号时填写")
    official_post = models.CharField("联系干部职务", max_length=100, blank=True)
    representative = models.ForeignKey(
        "representatives.Representative", verbose_name="联系对象", on_delete=models.PROTECT, related_name="pairings"
    )
    contacts_per_year = models.PositiveSmallIntegerField("每年联系次数", default=2)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)

    scope_user_field = "official"

    class Meta:
        verbose_name = "结对联系"
        verbose_name_plural = "结对联系"
        ordering = ["-start_date", "-id"]
        default_permissions = ("view", "add", "change", "delete", "export", "import", "view_sensitive")

    def __str__(self):
        return f"{self.official_display} ↔ {self.representative}"

    def get_absolute_url(self):
        return reverse("friendship:pairing_detail", kwargs={"pk": self.pk})

    @property
    def official_display(self):
        if self.official_id:
            return str(self.official)
        return self.official_name

    def clean(self):
        if not self.official_id and not self.official_name.strip():
            raise ValidationError("请选择联系干部的账号，或填写联系干部姓名。")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "结束日期不能早于开始日期。"})


class Contact(BusinessModel):
    """A contact made within a pairing: a visit, a talk, a forum, a call."""

    class Form(models.TextChoices):
        VISIT = "visit", "走访"
        TALK = "talk", "谈心谈话"
        FORUM = "forum", "座谈"
        PHONE = "phone", "电话"
        ONLINE = "online", "线上"

    pairing = models.ForeignKey(Pairing, verbose_name="结对", on_delete=models.PROTECT, related_name="contacts")
    date = models.DateField("日期")
    form = models.CharField("形式", max_length=10, choices=Form.choices)
    place = models.CharField("地点", max_length=100, blank=True)
    summary = models.TextField("主要内容")
    issues = models.TextField("反映的问题或建议", blank=True)

    scope_user_field = "pairing__official"

    class Meta:
        verbose_name = "联系记录"
        verbose_name_plural = "联系记录"
        ordering = ["-date", "-id"]
        default_permissions = ("view", "add", "change", "delete", "export", "import", "view_sensitive")
        indexes = [models.Index(fields=["pairing", "date"], name="contact_pairing_date")]

    def __str__(self):
        return f"{self.date} {self.get_form_display()}：{self.pairing.representative}"

    def get_absolute_url(self):
        return reverse("friendship:contact_detail", kwargs={"pk": self.pk})


class FollowUp(BusinessModel):
    """An issue raised in a contact, kept until someone resolves it (a later module may take it over)."""

    class Status(models.TextChoices):
        OPEN = "open", "办理中"
        DONE = "done", "已办结"

    contact = models.ForeignKey(
        Contact, verbose_name="来源联系记录", on_delete=models.PROTECT, related_name="follow_ups"
    )
    description = models.TextField("问题")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="责任人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="follow_ups",
    )
    due_date = models.DateField("办理期限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    result = models.TextField("办理结果", blank=True)
    closed_at = models.DateField("办结日期", null=True, blank=True)

    scope_user_field = "assignee"

    class Meta:
        verbose_name = "跟进事项"
        verbose_name_plural = "跟进事项"
        ordering = ["status", "due_date"]
        default_permissions = ("view", "add", "change", "delete", "export", "import", "view_sensitive")

    def __str__(self):
        return self.description[:30]

    def get_absolute_url(self):
        return reverse("friendship:followup_detail", kwargs={"pk": self.pk})
