from functools import cached_property

from django.contrib.auth.models import AbstractUser, Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.scope import Scope, scope_for


class Role(models.Model):
    class DataScope(models.TextChoices):
        ALL = "all", "全部"
        UNIT_AND_BELOW = "subtree", "本单位及以下"
        UNIT = "unit", "本单位"
        SELF = "self", "仅本人"
        CUSTOM = "custom", "自定义单位"

    class AdminKind(models.TextChoices):
        NONE = "", "业务角色"
        SYSTEM = "system", "系统管理员"
        SECURITY = "security", "安全管理员"
        AUDIT = "audit", "审计管理员"

    name = models.CharField("角色名称", max_length=50, unique=True)
    code = models.SlugField("代码", max_length=50, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    admin_kind = models.CharField("管理员类别", max_length=10, choices=AdminKind.choices, blank=True, default="")
    data_scope = models.CharField(
        "数据范围", max_length=10, choices=DataScope.choices, default=DataScope.UNIT_AND_BELOW
    )
    permissions = models.ManyToManyField(Permission, verbose_name="业务权限", blank=True)
    is_builtin = models.BooleanField("内置角色", default=False, editable=False)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        default_permissions = ()
        ordering = ["admin_kind", "name"]

    def __str__(self):
        return self.name

    def clean_permissions(self, permissions):
        """An admin role reads no business data (三员分立), so it carries no business permission."""
        if self.admin_kind and permissions:
            raise ValidationError("三员角色不能授予业务数据权限。")


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=50, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name="所属单位", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    must_change_password = models.BooleanField("须修改初始密码", default=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        default_permissions = ()

    def __str__(self):
        return self.full_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        # Cached grants hold no password data, but a new password starts a fresh request anyway.
        self.__dict__.pop("_grants", None)

    @cached_property
    def _grants(self):
        """The grants in force: a grant waiting for approval (or rejected) gives nothing."""
        return list(
            self.grants.filter(status=Grant.Status.APPROVED)
            .select_related("role", "unit").prefetch_related("role__permissions__content_type", "units")
        )

    @property
    def admin_kind(self):
        """The separated admin role this account holds, or "" for a business account."""
        for grant in self._grants:
            if grant.role.admin_kind:
                return grant.role.admin_kind
        return ""

    def is_admin_of(self, kind):
        return self.is_active and self.admin_kind == kind

    def holds_role(self, code):
        """Whether a grant in force gives this user the role `code` (e.g. "member", 本人自助)."""
        return any(grant.role.code == code for grant in self._grants)

    def has_action(self, model, action):
        """Whether any role lets this user perform `action` on `model` somewhere."""
        return not scope_for(self, model, action).is_empty

    def can(self, action, obj):
        """Whether this user may perform `action` on `obj` (a business record, saved or not yet): `obj` is among
        `type(obj).objects.visible_to(self, action)`, judged in memory by the model's scope rule."""
        return type(obj)._default_manager.permits(self, action, obj)

    def _scope_for(self, model, action):
        """The union of the data scopes of every role granting `action` on `model` (core.scope.scope_for asks
        this; apps ask `visible_to` and `can`). Kept on the user object while its grants and unit (the anchor of
        a grant without one) stay those it was computed from."""
        if not self.is_active:
            return Scope.nothing()
        grants = self._grants
        computed = self.__dict__.get("_scopes")
        if computed is None or computed[0] is not grants or computed[1] != self.unit_id:
            computed = self.__dict__["_scopes"] = (grants, self.unit_id, {})
        key = (model._meta.label_lower, action)
        if key not in computed[2]:
            computed[2][key] = self._compute_scope(grants, model, action)
        return computed[2][key]

    def _compute_scope(self, grants, model, action):
        codename = f"{action}_{model._meta.model_name}"
        app_label = model._meta.app_label
        scopes = []
        for grant in grants:
            role = grant.role
            if role.admin_kind:
                continue
            if not any(p.codename == codename and p.content_type.app_label == app_label
                       for p in role.permissions.all()):
                continue
            scopes.append(grant.scope(self))
        return Scope.union(scopes)


def provide_scope(user, model, action):
    """core.scope's provider (registered by AccountsConfig.ready): the scope of `user`'s grants."""
    return user._scope_for(model, action)


class Grant(models.Model):
    """A role held by a user. The data scope is anchored at `unit` (the user's unit when empty).

    三员分立: the security administrator creates accounts and asks for business roles, but a grant of a business
    role takes effect only once a second person, holding the "approve grants" right (内置角色“授权审批”, a
    department leader), has approved it (accounts.approval). The security administrator's pages therefore create
    such grants PENDING; a user's scope ignores every grant that is not APPROVED. Grants of the three admin roles
    take effect at once, as before. The default status is APPROVED for grants written by code — the demo loader,
    tests — which no person asked for on screen.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已生效"
        REJECTED = "rejected", "已驳回"

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="grants")
    role = models.ForeignKey(Role, verbose_name="角色", on_delete=models.PROTECT, related_name="grants")
    unit = models.ForeignKey(
        "org.Unit", verbose_name="授权单位", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text="留空则为用户所属单位",
    )
    units = models.ManyToManyField(
        "org.Unit", verbose_name="自定义单位", blank=True, related_name="+",
        help_text="数据范围为“自定义单位”时使用，每个单位含其下级",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.APPROVED,
                              db_index=True)
    requested_by = models.ForeignKey(
        User, verbose_name="申请人", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    requested_at = models.DateTimeField("申请时间", null=True, blank=True)
    # Why a grant that was in force waits again (a password reset, a move to another unit): the approver reads it.
    request_note = models.CharField("申请说明", max_length=200, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name="审批人", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "授权"
        verbose_name_plural = "授权"
        default_permissions = ()
        # Held through the built-in role “授权审批” (accounts.roles); not a business permission.
        permissions = [("approve_grant", "审批授权")]
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="grant_unique_user_role")]

    def __str__(self):
        return f"{self.user} · {self.role}"

    def clean(self):
        if not self.role_id or not self.user_id:
            return
        others = Grant.objects.filter(user_id=self.user_id).exclude(pk=self.pk).select_related("role")
        same = next((g for g in others if g.role_id == self.role_id), None)
        if same is not None and same.status == Grant.Status.REJECTED:
            raise ValidationError(f"该账号对角色“{self.role}”的授权申请已被驳回；"
                                  "如需重新申请，请在用户详情页修改该申请或先删除它。")
        if same is not None and same.status == Grant.Status.PENDING:
            raise ValidationError(f"该账号对角色“{self.role}”的授权申请正在等待审批。")
        if same is not None:
            raise ValidationError(f"该账号已持有角色“{self.role}”。")
        if self.role.admin_kind and others.exists():
            raise ValidationError("三员分立：管理员账号只能持有一个管理员角色，且不能兼任业务角色。")
        if not self.role.admin_kind and any(g.role.admin_kind for g in others):
            raise ValidationError("三员分立：该账号已是管理员，不能再授予业务角色。")

    @property
    def is_effective(self):
        return self.status == Grant.Status.APPROVED

    @property
    def needs_approval(self):
        """A business role (any role but the three admin roles) takes effect only once approved."""
        return not self.role.admin_kind

    def reach(self):
        """The units whose data this grant opens, for deciding who may approve it: every root for "全部", the
        anchor for "本单位（及以下）", the chosen units for "自定义", the account's own unit for "仅本人"."""
        from org.models import Unit

        kind = self.role.data_scope
        if kind == Role.DataScope.ALL:
            return list(Unit.objects.get_root_nodes())
        if kind == Role.DataScope.CUSTOM:
            return list(self.units.all())
        anchor = self.user.unit if kind == Role.DataScope.SELF else (self.unit or self.user.unit)
        return [anchor] if anchor is not None else []

    @property
    def scope_label(self):
        """The data scope in words, e.g. "本单位及以下（东溪镇）"."""
        kind = self.role.data_scope
        label = self.role.get_data_scope_display()
        if kind == Role.DataScope.CUSTOM:
            return f"{label}（{'、'.join(u.name for u in self.units.all())}）"
        if kind in (Role.DataScope.UNIT, Role.DataScope.UNIT_AND_BELOW):
            anchor = self.unit or self.user.unit
            return f"{label}（{anchor or '未设置单位'}）"
        return label

    def scope(self, user):
        anchor = self.unit or user.unit
        kind = self.role.data_scope
        if kind == Role.DataScope.ALL:
            return Scope.everything()
        if kind == Role.DataScope.SELF:
            return Scope(user_ids=frozenset([user.pk]))
        if kind == Role.DataScope.CUSTOM:
            return Scope(subtree_paths=frozenset(u.path for u in self.units.all()))
        if anchor is None:
            return Scope.nothing()
        if kind == Role.DataScope.UNIT:
            return Scope(unit_ids=frozenset([anchor.pk]))
        return Scope(subtree_paths=frozenset([anchor.path]))


class ApiToken(models.Model):
    """A personal access token (访问令牌) for the REST API: it acts as its user, with the user's roles and scope.

    Only a SHA-256 digest of the secret is stored (the secret has 256 random bits, so no salt or slow hash is
    needed to make the digest useless); the secret is shown once, when the token is made."""

    user = models.ForeignKey(User, verbose_name="所属账号", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("令牌名称", max_length=50)
    prefix = models.CharField("令牌前缀", max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    can_write = models.BooleanField("允许写入", default=False)
    created_by = models.ForeignKey(
        User, verbose_name="创建人", on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    last_used_ip = models.GenericIPAddressField("最近使用地址", null=True, blank=True)

    class Meta:
        verbose_name = "访问令牌"
        verbose_name_plural = "访问令牌"
        ordering = ["-created_at", "-id"]
        default_permissions = ()

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now() and self.user.is_active

    @property
    def status_label(self):
        if self.revoked_at is not None:
            return "已吊销"
        if self.expires_at <= timezone.now():
            return "已过期"
        return "有效"
