"""What the security administrator's pages do besides rendering: passwords, lockouts, the permission
matrix and the audit trail of account, role and grant changes."""

import secrets

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Sum
from django.utils import timezone

from core import audit
from core.models import AuditEvent

from .roles import ALL_ACTIONS, business_models

ACTION_LABELS = {
    "view": "查看",
    "add": "新增",
    "change": "修改",
    "delete": "删除",
    "export": "导出",
    "import": "导入",
    "view_sensitive": "查看敏感信息",
}
assert tuple(ACTION_LABELS) == ALL_ACTIONS

# Characters that are easy to read out over the phone: no 0/O, 1/l/I.
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
_SYMBOLS = "#@%+=?"


def generate_password(length=12):
    """A random password holding all four character classes."""
    pools = [_LOWER, _UPPER, _DIGITS, _SYMBOLS]
    chars = [secrets.choice(pool) for pool in pools]
    alphabet = "".join(pools)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def issue_password(user):
    """Give `user` a fresh random password that passes the password rules (similarity to the username and
    name included), to be changed at first login. Returns it: the caller shows it once and keeps it nowhere."""
    # Longer on each try, so a stricter configured length rule is met too.
    for length in range(12, 65, 4):
        password = generate_password(length)
        try:
            password_validation.validate_password(password, user)
        except ValidationError:
            continue
        user.set_password(password)
        user.must_change_password = True
        return password
    raise ImproperlyConfigured("无法生成符合密码规则的初始密码，请检查 AUTH_PASSWORD_VALIDATORS 设置。")


# --- lockout (django-axes) ---------------------------------------------------------------------------

def failure_counts(usernames=None):
    """{username: failed logins still inside the cool-off window}."""
    attempts = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - get_cool_off())
    if usernames is not None:
        attempts = attempts.filter(username__in=list(usernames))
    rows = attempts.values("username").annotate(failures=Sum("failures_since_start"))
    return {row["username"]: row["failures"] or 0 for row in rows}


def locked_usernames(usernames=None):
    limit = settings.AXES_FAILURE_LIMIT
    return {name for name, failures in failure_counts(usernames).items() if failures >= limit}


# --- permission matrix -------------------------------------------------------------------------------

def extra_codenames(model):
    """Permissions a business model declares beyond the common actions (Meta.permissions), e.g.
    certify_county_representative."""
    return [codename for codename, _ in model._meta.permissions]


def business_permissions():
    """The permissions a business role may carry: the standard actions on every business model, and the
    model-specific ones its Meta declares."""
    models = business_models()
    if not models:
        return Permission.objects.none()
    content_types = ContentType.objects.get_for_models(*models).values()
    codenames = [f"{action}_{m._meta.model_name}" for m in models for action in ALL_ACTIONS]
    codenames += [codename for m in models for codename in extra_codenames(m)]
    return Permission.objects.filter(content_type__in=content_types, codename__in=codenames)


def permission_matrix(selected_ids):
    """Rows (one per business model) of cells (one per action) for the role pages.

    Each cell is a dict with the permission id (None when the model has no such action),
    whether it is selected, and labels for screen readers. A model's own extra permissions
    (e.g. 认定县级党外代表人士) are listed in the row's `extras`, in the same form.
    """
    models = sorted(business_models(), key=lambda m: (str(m._meta.app_config.verbose_name),
                                                      str(m._meta.verbose_name)))
    by_key = {
        (p.content_type.app_label, p.codename): p
        for p in business_permissions().select_related("content_type")
    }
    selected = {int(i) for i in selected_ids}
    rows = []
    for model in models:
        opts = model._meta
        cells = []
        for action, label in ACTION_LABELS.items():
            perm = by_key.get((opts.app_label, f"{action}_{opts.model_name}"))
            cells.append({
                "action": action, "label": label, "id": perm.pk if perm else None,
                "checked": bool(perm and perm.pk in selected),
            })
        extras = []
        for codename, name in opts.permissions:
            perm = by_key.get((opts.app_label, codename))
            if perm is not None:
                extras.append({"action": codename.removesuffix(f"_{opts.model_name}"), "label": str(name),
                               "id": perm.pk, "checked": perm.pk in selected})
        rows.append({
            "label": str(opts.verbose_name), "group": str(opts.app_config.verbose_name), "cells": cells,
            "extras": extras, "any": any(c["checked"] for c in cells + extras),
        })
    return rows


def permission_label(permission):
    model = permission.content_type.model_class()
    name = str(model._meta.verbose_name) if model else permission.content_type.model
    action = permission.codename.removesuffix(f"_{permission.content_type.model}")
    return f"{name}·{ACTION_LABELS.get(action, permission.name)}"


# --- audit trail ----------------------------------------------------------------------------------------

def _yes_no(value):
    return "是" if value else "否"


def account_values(user):
    """The audited view of an account. Never contains the password or its hash."""
    return {
        "用户名": user.username,
        "姓名": user.full_name,
        "所属单位": user.unit.name if user.unit_id else "",
        "联系电话": user.phone,
        "账号启用": _yes_no(user.is_active),
        "须修改初始密码": _yes_no(user.must_change_password),
    }


def role_values(role):
    permissions = role.permissions.select_related("content_type") if role.pk else []
    return {
        "角色名称": role.name,
        "代码": role.code,
        "说明": role.description,
        "数据范围": role.get_data_scope_display(),
        "业务权限": "、".join(sorted(permission_label(p) for p in permissions)),
    }


def grant_values(grant):
    return {
        "用户": grant.user.username,
        "角色": grant.role.name,
        "授权单位": grant.unit.name if grant.unit_id else "",
        "自定义单位": "、".join(sorted(u.name for u in grant.units.all())) if grant.pk else "",
        "状态": grant.get_status_display(),
    }


def diff(before, after):
    """{label: [old, new]} for every value that differs; a creation passes an empty `before`, a deletion
    an empty `after`."""
    keys = list(after) + [key for key in before if key not in after]
    return {
        key: [before.get(key, ""), after.get(key, "")]
        for key in keys
        if before.get(key, "") != after.get(key, "")
    }


def record_account(user, changes, *, success=True):
    return audit.record(AuditEvent.Action.ACCOUNT, obj=user, object_type="账号", label=user.username,
                        changes=changes, success=success)


def record_role(role, changes):
    return audit.record(AuditEvent.Action.ROLE, obj=role, object_type="角色", label=role.name, changes=changes)


def record_grant(grant, changes):
    return audit.record(AuditEvent.Action.ROLE, obj=grant, object_type="授权",
                        label=f"{grant.user.username} · {grant.role.name}", changes=changes)
