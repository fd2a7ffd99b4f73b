import datetime
import functools
import logging
import time

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from . import crypto
from .scope import scope_for, union_scope_for

logger = logging.getLogger(__name__)


class ScopeRule:
    """Where a record of a model sits in the data scope (数据范围), declared once by the model.

    Each anchor is a (unit field, user field) pair: a record is inside a user's scope when the unit its unit
    field names lies inside the scope (the unit, or under one of its subtrees), or — for a "仅本人" scope — when
    its user field names the user. A record with several anchors is inside when any one of them is. A lookup
    path ("pairing__owner_unit", "pairing__official") works for either field; the user field may be None.
    `permission` ("app_label.Model") names the model whose permissions and grants decide, when it is not the
    model itself (a person's tags and transfers follow the ledger's scope).

    A BusinessModel whose jurisdiction is one unit and one user sets `scope_unit_field` / `scope_user_field`
    (defaults: owner_unit, created_by); a model that needs more declares `scope_rule = ScopeRule(...)`.
    `visible_to` applies the rule as a query, `user.can` in memory: one rule, one place.
    """

    def __init__(self, *anchors, permission=""):
        if not anchors:
            raise ValueError("A scope rule needs at least one (unit field, user field) anchor.")
        self.anchors = tuple((unit_field, user_field) for unit_field, user_field in anchors)
        self.permission = permission

    def __repr__(self):
        return f"ScopeRule{self.anchors!r}" + (f" by {self.permission}" if self.permission else "")

    def permission_model(self, model):
        return apps.get_model(self.permission) if self.permission else model

    def chosen(self, via):
        """The anchors to apply: all of them, or those whose unit field is `via` (one side of a transfer)."""
        if via is None:
            return self.anchors
        anchors = tuple(a for a in self.anchors if a[0] == via)
        if not anchors:
            raise ValueError(f"{self!r} has no anchor on {via!r}.")
        return anchors

    def q(self, scope, via=None):
        """The records inside `scope`, as a Q over the model."""
        anchors = self.chosen(via)
        query = scope.q(*anchors[0])
        for anchor in anchors[1:]:
            query |= scope.q(*anchor)
        return query

    def admits(self, scope, obj, via=None):
        """Whether `obj` (saved or not) is inside `scope`, judged on its attributes as `q` judges its row. A
        related unit is loaded only when its path is needed (an id inside the scope's single units is not)."""
        if scope.everything_:
            return True
        if scope.is_empty:
            return False
        for unit_field, user_field in self.chosen(via):
            unit_id = _follow(obj, unit_field, as_id=True)
            if scope.covers_unit_id(unit_id, lambda unit_field=unit_field: _follow(obj, unit_field)):
                return True
            if user_field and scope.user_ids and _follow(obj, user_field, as_id=True) in scope.user_ids:
                return True
        return False


def _follow(obj, path, as_id=False):
    """The value of the lookup path `path` ("pairing__official") on `obj`; with `as_id`, the last foreign key's
    id (not the related object). None where a link of the path is empty."""
    *links, last = path.split("__")
    for name in links:
        if getattr(obj, obj._meta.get_field(name).attname) is None:  # an unsaved record not linked yet
            return None
        obj = getattr(obj, name)
    if as_id:
        return getattr(obj, obj._meta.get_field(last).attname)
    return getattr(obj, last)


@functools.cache
def scope_rule(model):
    """The ScopeRule of `model`: its declared `scope_rule`, else its one (scope_unit_field, scope_user_field)."""
    return getattr(model, "scope_rule", None) or ScopeRule((model.scope_unit_field, model.scope_user_field))


def _scope(user, model, action):
    return scope_for(user, scope_rule(model).permission_model(model), action)


def _unit_model():
    return apps.get_model("org", "Unit")


class ScopedQuerySet(models.QuerySet):
    """The one door to business data: `visible_to(user, action)`, and what pages, forms and drill-downs ask about
    the same scope — which units a record may belong to, which units head the user's jurisdiction. The methods
    after `visible_to` answer for the model (its scope rule), whatever this queryset's filter. Anything beyond
    these goes through `user.can(action, obj)`."""

    def visible_to(self, user, action="view", *, via=None):
        """The records `user` may perform `action` on: the one entry point to business data. `via` applies one
        anchor of the model's scope rule only (a transfer's receiving side: `via="to_unit"`)."""
        rule = scope_rule(self.model)
        scope = scope_for(user, rule.permission_model(self.model), action)
        if scope.is_empty:
            return self.none()
        return self.filter(rule.q(scope, via))

    def permits(self, user, action, obj):
        """Whether `obj` (a record of this model, saved or not yet) is among the records `user` may `action`,
        judged in memory on its attributes — what `visible_to(user, action).filter(pk=obj.pk).exists()` says of
        a saved one, without the query. `user.can(action, obj)` asks this."""
        rule = scope_rule(self.model)
        return rule.admits(scope_for(user, rule.permission_model(self.model), action), obj)

    def units_in_scope(self, user, action="view"):
        """The units (an org.Unit queryset) a record of this model may belong to and stay inside what `user` may
        `action`. A "仅本人" scope follows the record's creator, not a unit: it adds none."""
        scope = _scope(user, self.model, action)
        if scope.is_empty:
            return _unit_model().objects.none()
        return _unit_model().objects.filter(scope.units_q())

    def unit_in_scope(self, user, action, unit):
        """Whether a record of this model belonging to `unit` would be inside what `user` may `action` by
        jurisdiction (in memory; `unit` in `units_in_scope`)."""
        return _scope(user, self.model, action).covers_unit(unit)

    def scope_has_units(self, user, action="view"):
        """Whether `user` reaches records of this model by their unit (本单位, 本单位及以下, 自定义, 全部), not only
        their own ("仅本人")."""
        return _scope(user, self.model, action).has_units

    def scope_top_units(self, user, action="view", fallback=None):
        """The outermost units of `user`'s scope for `action` on this model (see `top_units_in_scope`)."""
        return top_units_in_scope(user, [self.model], action, fallback)

    def scope_includes(self, user, action, other_action):
        """Whether every record `user` may `other_action` is certainly one they may `action` too: the scope of
        `action` is everything, or the same as that of `other_action` (e.g. view_sensitive as wide as view)."""
        scope = _scope(user, self.model, action)
        return scope.everything_ or (not scope.is_empty and scope == _scope(user, self.model, other_action))


def top_units_in_scope(user, models, action="view", fallback=None):
    """The outermost units of the union of `user`'s scopes for `action` over `models`, in tree order: the
    root(s) for "全部", the anchors of subtrees and single units otherwise, and `fallback` (usually the user's
    own unit) for a "仅本人" scope with no unit. Where a dashboard or a drill-down starts."""
    scope = union_scope_for(user, [scope_rule(m).permission_model(m) for m in models], action)
    return scope.top_units(fallback=fallback) if not scope.is_empty else []


def subtree_in_scope(user, models, action, unit):
    """Whether the records of `unit` and of every unit below it are inside the union of `user`'s scopes for
    `action` over `models` — whether a drill-down may go below `unit`."""
    scope = union_scope_for(user, [scope_rule(m).permission_model(m) for m in models], action)
    return scope.covers_subtree(unit)


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
        REVIEW = "review", "审计日审"
        LOOKUP = "lookup", "身份证号查询"

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


class IdLookup(models.Model):
    """One ID-number lookup of a user that told them a number is not registered (core.lookups): what the
    guessing limit needs over its sliding hour, and never a number. `misses` packs, per number missed,
    the first 8 bytes of the keyed hash of its visible identity (region, birth date, gender) and the first
    4 of the keyed hash of the number itself. Rows older than the window are deleted as new ones are written.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="+")
    at = models.DateTimeField("时间")
    source = models.CharField("来源", max_length=20)
    misses = models.BinaryField("未命中", default=b"")
    targeted = models.PositiveIntegerField("针对性未命中", default=0)

    class Meta:
        verbose_name = "身份证号查询"
        verbose_name_plural = "身份证号查询"
        default_permissions = ()
        indexes = [
            models.Index(fields=["user", "at"], name="idlookup_user_at"),
            models.Index(fields=["at"], name="idlookup_at"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M:%S} {self.source}"


class ImportJob(models.Model):
    """A background import (ledger, units, ...): who uploaded what into which unit, its progress and outcome.

    The uploaded bytes live in `data` only while the job needs them (check, preview, confirm), encrypted
    (`ImportJob.seal`, core.crypto with a key of its own), and are cleared when the job ends (done, failed,
    cancelled) and at the latest `UPLOAD_LIFETIME` after the upload, whatever its state (`expire_stale`, run
    by the import pages and by `manage.py expire_import_uploads`): nothing of an upload is kept on disk or
    in the database. A job is shown to nobody but the user who created it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        CHECKING = "checking", "正在检查"
        CHECKED = "checked", "待确认"
        IMPORTING = "importing", "正在导入"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"
        EXPIRED = "expired", "已过期"

    RUNNING = (Status.QUEUED, Status.CHECKING, Status.IMPORTING)
    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED, Status.EXPIRED)
    UPLOAD_PURPOSE = "import-upload"
    UPLOAD_LIFETIME = datetime.timedelta(hours=2)

    kind = models.CharField("类型", max_length=50, db_index=True)  # e.g. "people.person"
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.SET_NULL, null=True, related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    file_size = models.PositiveBigIntegerField("文件大小", default=0)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    stage = models.CharField("阶段", max_length=50, blank=True)
    progress_done = models.PositiveIntegerField("已处理", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    options = models.JSONField("选项", default=dict, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    message = models.TextField("说明", blank=True)
    data = models.BinaryField("上传内容", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        default_permissions = ()
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def is_running(self):
        return self.status in self.RUNNING

    @property
    def is_finished(self):
        return self.status in self.FINISHED

    @property
    def percent(self):
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @classmethod
    def seal(cls, data):
        """The uploaded bytes as `data` keeps them: encrypted."""
        return crypto.encrypt_bytes(data, cls.UPLOAD_PURPOSE)

    def upload(self):
        """The uploaded bytes (None once cleared, or if what is kept cannot be decrypted)."""
        if self.data is None:
            return None
        try:
            return crypto.decrypt_bytes(bytes(self.data), self.UPLOAD_PURPOSE)
        except crypto.TamperedValue:
            logger.warning("The upload of import job %s cannot be decrypted", self.pk)
            return None

    def set_status(self, status, *, expected=None, **fields):
        """Move to `status`, writing only what changes; a finished job drops the upload. With `expected`,
        only if the job is still in that status (e.g. not cancelled meanwhile): returns whether it moved."""
        changes = {"status": status, "stage": "", "updated_at": timezone.now(), **fields}
        if status in self.FINISHED:
            changes.update(data=None, finished_at=timezone.now())
        rows = ImportJob.objects.filter(pk=self.pk)
        if expected is not None:
            rows = rows.filter(status=expected)
        moved = bool(rows.update(**changes))
        if moved:
            for name, value in changes.items():
                setattr(self, name, value)
        return moved

    def progress_reporter(self, interval=0.5):
        """A `progress(done, total, stage)` callable writing progress at most every `interval` seconds."""
        state = {"at": 0.0}
        job_id = self.pk

        def report(done, total, stage=""):
            now = time.monotonic()
            if now - state["at"] < interval and done < total:
                return
            state["at"] = now
            ImportJob.objects.filter(pk=job_id).update(
                progress_done=done, progress_total=total, stage=stage, updated_at=timezone.now()
            )
        return report

    @classmethod
    def expire_stale(cls, idle=datetime.timedelta(hours=2), running=datetime.timedelta(hours=24)):
        """Drop the uploads of jobs left waiting (a preview never confirmed), stuck (a worker that died) or
        older than `UPLOAD_LIFETIME`. A job still importing keeps its state (its task read the upload when it
        started) but not its upload. Returns how many jobs lost their upload."""
        now = timezone.now()
        old = models.Q(created_at__lt=now - cls.UPLOAD_LIFETIME)
        importing = models.Q(status=cls.Status.IMPORTING)
        with_upload = cls.objects.filter(data__isnull=False)
        expired = with_upload.filter(
            (models.Q(updated_at__lt=now - idle) | old) & ~importing | models.Q(updated_at__lt=now - running)
        ).update(data=None, status=cls.Status.EXPIRED, finished_at=now, updated_at=now)
        return expired + with_upload.filter(old & importing).update(data=None)


class Notification(models.Model):
    """An in-app message to one user (站内通知): reminders, notices. Shown only to its recipient.

    `key` makes a notification idempotent: a job that runs twice (a reminder, a notice) finds the one it
    already sent under the same key instead of sending another (see core.notifications.notify).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    key = models.CharField("去重标识", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        default_permissions = ()
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~models.Q(key=""), name="notification_once_per_key"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class DataVersion(models.Model):
    """One row whose token changes whenever business data changes: cached figures are keyed by it
    (core.cache). Kept in the database, not in the cache, so every process — web workers, the task
    worker, a management command — sees the same version whatever cache backend is configured."""

    token = models.CharField("版本", max_length=32)
    changed_at = models.DateTimeField("变更时间", default=timezone.now)

    class Meta:
        verbose_name = "数据版本"
        verbose_name_plural = "数据版本"
        default_permissions = ()

    def __str__(self):
        return self.token


class IdempotencyKey(models.Model):
    """A create form already carried out for this user: the same submission sent again (a draft resent when the
    network came back, a second tap) finds the record made the first time instead of making another
    (core.idempotency). Written in the transaction that creates the record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="+")
    key = models.UUIDField("提交标识")
    content_type = models.ForeignKey("contenttypes.ContentType", verbose_name="记录类型", on_delete=models.CASCADE,
                                     related_name="+")
    object_id = models.PositiveBigIntegerField("记录编号")
    created_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "表单提交标识"
        verbose_name_plural = "表单提交标识"
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self):
        return str(self.key)
