"""本人自助: a person of the ledger with an account of their own (role 统战成员, no business permission), the
invitations that open such an account, and the changes they ask for in their record.

The link between an account and a person lives here, not in accounts: accounts imports no business app.
"""


from django.conf import settings
from django.db import models
from django.utils import timezone

from core.fields import EncryptedCharField
from core.models import ScopedManager, ScopeRule


class MemberLink(models.Model):
    """An account (holding the built-in role "member") that is a person of the ledger: one account per person."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE,
                                related_name="member_link")
    person = models.OneToOneField("people.Person", verbose_name="台账人员", on_delete=models.CASCADE,
                                  related_name="member_link")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="开通人", on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField("开通时间", auto_now_add=True)

    objects = ScopedManager()
    # Whoever may change the person manages their account (invites, resets).
    scope_rule = ScopeRule(("person__owner_unit", "person__created_by"), permission="people.Person")

    class Meta:
        verbose_name = "自助账号"
        verbose_name_plural = "自助账号"
        default_permissions = ()

    def __str__(self):
        return f"{self.person} · {self.user.username}"


class Invitation(models.Model):
    """A one-time link with which a member sets their own password: expires, works once, and a newer one
    replaces it."""

    link = models.ForeignKey(MemberLink, verbose_name="自助账号", on_delete=models.CASCADE,
                             related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField("有效期至")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    revoked = models.BooleanField("已作废", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="邀请人", on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField("邀请时间", auto_now_add=True)

    class Meta:
        verbose_name = "邀请链接"
        verbose_name_plural = "邀请链接"
        default_permissions = ()

    def __str__(self):
        return f"{self.link} · {self.expires_at:%Y-%m-%d}"

    @property
    def usable(self):
        return not self.revoked and self.used_at is None and self.expires_at > timezone.now()


class ChangeRequest(models.Model):
    """A member asking for a change of one item of their record (本人申报): the managing unit (who may change the
    person) approves it — the change is applied like an edit of the record, its history reading "本人申报：…" —
    or rejects it with a reason."""

    class Item(models.TextChoices):
        PHONE = "phone", "联系电话"
        ADDRESS = "address", "住址"
        WORKPLACE = "workplace", "工作单位"
        POSITION = "position", "职务/职称"
        EDUCATION = "education", "学历"
        DEGREE = "degree", "学位"
        SOCIAL_POSITION = "social_position", "新增社会职务"

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "未通过"

    person = models.ForeignKey("people.Person", verbose_name="台账人员", on_delete=models.CASCADE,
                               related_name="change_requests")
    item = models.CharField("申报事项", max_length=20, choices=Item.choices)
    old_value = models.CharField("原内容", max_length=300, blank=True)
    # What the member typed: {field name: value as text} (a social position has several fields); a new phone
    # number is kept encrypted at rest like the record's own, in `new_phone`.
    new_values = models.JSONField("申报内容", default=dict)
    new_phone = EncryptedCharField("新联系电话", mask="phone")
    new_display = models.CharField("新内容", max_length=300)
    note = models.CharField("说明", max_length=200, blank=True)
    attachment = models.FileField("证明材料", upload_to="selfservice/%Y/%m/", blank=True)
    attachment_name = models.CharField("证明材料文件名", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申报人", on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    requested_at = models.DateTimeField("申报时间", default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_reason = models.CharField("审核意见", max_length=200, blank=True)

    objects = ScopedManager()
    scope_rule = ScopeRule(("person__owner_unit", "person__created_by"), permission="people.Person")

    class Meta:
        verbose_name = "本人申报"
        verbose_name_plural = "本人申报"
        ordering = ["-requested_at", "-id"]
        default_permissions = ()

    def __str__(self):
        return f"{self.person}：{self.get_item_display()}"

    @property
    def values(self):
        """The declared values as the person's fields take them."""
        return {"phone": self.new_phone} if self.item == self.Item.PHONE else dict(self.new_values)
