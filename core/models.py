from django.conf import settings
from django.db import models


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, action="view"):
        """The records `user` may perform `action` on: the one entry point to business data."""
        if user is None or not user.is_authenticated:
            return self.none()
        scope = user.scope_for(self.model, action)
        if scope.is_empty:
            return self.none()
        return self.filter(scope.q(self.model.scope_unit_field, self.model.scope_user_field))


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


BUSINESS_PERMISSIONS = ("view", "add", "change", "delete", "export", "import", "view_sensitive")


class BusinessModel(models.Model):
    """Every business record belongs to one unit (its jurisdiction) and remembers who made it."""

    owner_unit = models.ForeignKey(
        "org.Unit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+", editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+", editable=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    objects = ScopedManager()

    scope_unit_field = "owner_unit"
    scope_user_field = "created_by"

    class Meta:
        abstract = True
        default_permissions = BUSINESS_PERMISSIONS


class AuditEvent(models.Model):
    """One line of the tamper-evident audit log (安全审计). Rows are only ever appended."""

    class Action(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKOUT = "lockout", "账号锁定"
        LOGOUT = "logout", "退出"
        PASSWORD_CHANGE = "password_change", "修改密码"
        ACCOUNT = "account", "账号变更"
        ROLE = "role", "角色与授权变更"
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"
        REVEAL = "reveal", "查看敏感信息"
        CONFIG = "config", "配置变更"
        DENIED = "denied", "越权访问"

    timestamp = models.DateTimeField("时间", db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.DO_NOTHING, db_constraint=False,
        null=True, blank=True, related_name="+",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name="单位", on_delete=models.DO_NOTHING, db_constraint=False,
        null=True, blank=True, related_name="+",
    )
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    request_id = models.CharField("请求编号", max_length=32, blank=True, db_index=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices, db_index=True)
    success = models.BooleanField("成功", default=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_label = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    prev_hash = models.CharField("前一哈希", max_length=64, unique=True)  # one successor per event: no forks
    hash = models.CharField("哈希", max_length=64, unique=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        default_permissions = ()
        ordering = ["-id"]

    def __str__(self):
        return f"{self.timestamp:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()}"
