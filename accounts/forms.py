import re

import django_filters
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Q

from core.text import is_number
from org.models import Unit

from . import services, tokens
from .models import Grant, Role, User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续5次错误后账号将锁定15分钟。",
        "inactive": "该账号已停用，请联系安全管理员。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"class": "form-control", "autocomplete": "username",
                                                     "placeholder": "用户名", "autofocus": True})
        self.fields["password"].widget.attrs.update({"class": "form-control", "autocomplete": "current-password",
                                                     "placeholder": "密码"})


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
        # The page states the rules once, in plain words, instead of Django's bullet list.
        self.fields["new_password1"].help_text = ""


# --- the security administrator's forms ----------------------------------------------------------------

class StyledFormMixin:
    """Tabler classes on every widget, since includes/form_fields.html renders fields as they come."""

    def style_fields(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def active_units():
    return Unit.objects.filter(is_active=True).order_by("path")


class UnitChoiceField(forms.ModelChoiceField):
    """Units in tree order, indented by depth, searchable with Tom Select."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", active_units())
        kwargs.setdefault("empty_label", "请选择单位")
        kwargs.setdefault("widget", forms.Select(attrs={"data-tom-select": ""}))
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return "　" * (obj.depth - 1) + obj.name


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", active_units())
        kwargs.setdefault("widget", forms.SelectMultiple(attrs={"data-tom-select": "",
                                                                "placeholder": "输入名称搜索，可多选"}))
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return "　" * (obj.depth - 1) + obj.name


PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")


class UserCreateForm(StyledFormMixin, forms.ModelForm):
    """A new account. Its initial password is generated (services.issue_password), never typed by the security
    administrator, shown once and changed by its owner at first login."""

    class Meta:
        model = User
        fields = ["username", "full_name", "unit", "phone"]
        field_classes = {"unit": UnitChoiceField}
        help_texts = {"username": "登录用的账号名：字母、数字或 @ . + - _，不超过150个字符。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["unit"].required = True
        self.style_fields()

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("该用户名已被使用。")
        return username

    def clean_phone(self):
        return _clean_phone(self.cleaned_data.get("phone"))

    def save(self, commit=True):
        user = super().save(commit=False)
        self.issued_password = services.issue_password(user)
        if commit:
            user.save()
        return user


class UserEditForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "unit", "phone", "is_active"]
        field_classes = {"unit": UnitChoiceField}
        labels = {"is_active": "账号启用"}
        help_texts = {"is_active": "停用后该账号立即退出并不能再登录；记录和审计日志保留。"}

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["full_name"].required = True
        self.fields["unit"].required = True
        self.style_fields()

    def clean_phone(self):
        return _clean_phone(self.cleaned_data.get("phone"))

    def clean_is_active(self):
        active = self.cleaned_data.get("is_active")
        if not active and self.actor is not None and self.instance.pk == self.actor.pk:
            raise ValidationError("不能停用自己的账号。")
        return active


def _clean_phone(value):
    value = (value or "").strip()
    if value and not PHONE_RE.fullmatch(value):
        raise ValidationError("联系电话格式不正确：只能包含数字、空格和 + - ( )，5至20位。")
    return value


class PasswordResetForm(forms.Form):
    """A confirmation only: the new password is generated, never typed (services.issue_password)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class RoleSelect(forms.Select):
    """Role options carry their data scope, so the page can say which unit fields apply."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-scope"] = "admin" if instance.admin_kind else instance.data_scope
        return option


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.admin_kind:
            return f"{obj.name}（三员管理员）"
        return f"{obj.name}（{obj.get_data_scope_display()}）"


class GrantForm(StyledFormMixin, forms.ModelForm):
    """A role for one user; the instance must already carry that user (Grant.clean reads it)."""

    class Meta:
        model = Grant
        fields = ["role", "unit", "units"]
        field_classes = {"role": RoleChoiceField, "unit": UnitChoiceField, "units": UnitMultipleChoiceField}
        widgets = {"role": RoleSelect}
        labels = {"unit": "授权单位"}
        help_texts = {
            "unit": "仅用于数据范围为“本单位”或“本单位及以下”的角色；留空则为用户所属单位。",
            "units": "仅用于数据范围为“自定义单位”的角色；每个单位含其全部下级。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.order_by("admin_kind", "name")
        self.fields["role"].empty_label = "请选择角色"
        self.fields["unit"].empty_label = "（用户所属单位）"
        self.style_fields()

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role is None:
            return cleaned
        scope = role.data_scope
        if role.admin_kind or scope not in (Role.DataScope.UNIT, Role.DataScope.UNIT_AND_BELOW):
            cleaned["unit"] = None
        elif cleaned.get("unit") is None and self.instance.user.unit_id is None:
            self.add_error("unit", "该用户未设置所属单位，请指定授权单位。")
        if role.admin_kind or scope != Role.DataScope.CUSTOM:
            cleaned["units"] = Unit.objects.none()
        elif not cleaned.get("units"):
            self.add_error("units", "数据范围为“自定义单位”的角色须至少选择一个单位。")
        return cleaned


class GrantDecisionForm(forms.Form):
    """The approver's answer to a pending grant: which button was pressed, and an optional note."""

    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        choices=[(APPROVE, "批准"), (REJECT, "驳回")], widget=forms.HiddenInput,
        error_messages={"required": "请选择批准或驳回。", "invalid_choice": "请选择批准或驳回。"},
    )
    note = forms.CharField(label="审批意见", max_length=200, required=False, strip=True,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control",
                                                        "placeholder": "可不填；驳回时建议说明理由"}))


class PermissionMatrixField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class RoleForm(StyledFormMixin, forms.ModelForm):
    """A custom business role. Admin roles (三员) are built in and never made here."""

    class Meta:
        model = Role
        fields = ["name", "code", "description", "data_scope", "permissions"]
        field_classes = {"permissions": PermissionMatrixField}
        help_texts = {
            "code": "英文字母、数字、下划线或连字符，创建后用于导入和接口，如 park_liaison。",
            "data_scope": "“本单位”“本单位及以下”以授权时指定的单位（默认为用户所属单位）为准；"
                          "“自定义单位”在授权时选择单位。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = services.business_permissions()
        self.fields["permissions"].required = False
        self.style_fields()

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Role.objects.filter(code__iexact=code).exclude(pk=self.instance.pk).exists():
            raise ValidationError("该代码已被其他角色使用。")
        return code

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Role.objects.filter(name=name).exclude(pk=self.instance.pk).exists():
            raise ValidationError("已有同名角色。")
        return name

    def clean(self):
        """A role already granted may lose rights but not gain any: widening it would widen every grant of it
        without the approval each of them needed (三员分立)."""
        cleaned = super().clean()
        role = self.instance
        if not role.pk or not role.grants.exists():
            return cleaned
        permissions = cleaned.get("permissions")
        if permissions is not None and set(permissions) - set(role.permissions.all()):
            self.add_error("permissions", "该角色已授予用户，不能增加权限（扩大授权须逐一审批）。"
                                          "如需更多权限，请新建角色并重新授权。")
        scope = cleaned.get("data_scope")
        if scope and scope != role.data_scope:
            self.add_error("data_scope", "该角色已授予用户，不能改变数据范围。如需不同的范围，请新建角色并重新授权。")
        return cleaned

    def matrix(self):
        if self.is_bound:
            selected = [v for v in self.data.getlist(self.add_prefix("permissions")) if is_number(str(v))]
        elif self.instance.pk:
            selected = self.instance.permissions.values_list("pk", flat=True)
        else:
            selected = []
        return services.permission_matrix(selected)

    def save(self, commit=True):
        role = super().save(commit=False)
        role.admin_kind = ""
        if commit:
            role.save()
            self.save_m2m()
        return role


# --- the user list's filters ------------------------------------------------------------------------------

class UserFilterSet(django_filters.FilterSet):
    STATUS_CHOICES = [
        ("active", "启用"), ("inactive", "停用"), ("locked", "已锁定"), ("must_change", "待修改初始密码"),
        ("grant_pending", "有待审批的授权"),
    ]

    q = django_filters.CharFilter(
        label="搜索", method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control", "placeholder": "用户名或姓名"}),
    )
    unit = django_filters.ModelChoiceFilter(
        label="所属单位（含下级）", method="filter_unit", queryset=Unit.objects.order_by("path"),
        widget=forms.Select(attrs={"class": "form-select"}), empty_label="全部",
    )
    role = django_filters.ModelChoiceFilter(
        label="角色", field_name="grants__role", queryset=Role.objects.order_by("admin_kind", "name"),
        widget=forms.Select(attrs={"class": "form-select"}), empty_label="全部", distinct=True,
    )
    status = django_filters.ChoiceFilter(
        label="状态", method="filter_status", choices=STATUS_CHOICES, empty_label="全部",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = User
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))

    def filter_unit(self, queryset, name, unit):
        return queryset.filter(unit__path__startswith=unit.path)

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(is_active=True)
        if value == "inactive":
            return queryset.filter(is_active=False)
        if value == "locked":
            return queryset.filter(username__in=services.locked_usernames())
        if value == "must_change":
            return queryset.filter(must_change_password=True)
        if value == "grant_pending":
            return queryset.filter(pk__in=Grant.objects.filter(status=Grant.Status.PENDING).values("user_id"))
        return queryset


# --- access tokens of the REST API (访问令牌) ------------------------------------------------------------

def token_accounts():
    """The accounts the security administrator may make a token for: active business accounts (a service
    account is one of them, made with its roles for an integration); never one of the three administrators."""
    admins = Grant.objects.filter(role__admin_kind__gt="").values("user")
    return User.objects.filter(is_active=True).exclude(pk__in=admins).select_related("unit").order_by("username")


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = f"{obj.username}（{obj.full_name}）" if obj.full_name else obj.username
        return f"{name}，{obj.unit.name}" if obj.unit_id else name


class TokenCreateForm(StyledFormMixin, forms.Form):
    """A new token (accounts.tokens.issue_token): its name, days until it expires (at most a year), read-only or
    read-write; `for_others` (the security administrator) chooses the account it acts as."""

    account = AccountChoiceField(
        label="所属账号", queryset=User.objects.none(),
        help_text="令牌以该账号的角色和数据范围访问接口（服务账号须先在“用户管理”中创建并授予角色）",
        error_messages={"required": "请选择所属账号", "invalid_choice": "请选择启用中的业务账号"},
    )
    name = forms.CharField(label="令牌名称", max_length=50, help_text="写明用途，例如：市平台数据对接",
                           error_messages={"required": "请填写令牌名称", "max_length": "令牌名称不超过50个字"})
    days = forms.IntegerField(
        label="有效天数", min_value=1, max_value=tokens.MAX_DAYS, initial=tokens.DEFAULT_DAYS,
        help_text=f"到期后自动失效，最长 {tokens.MAX_DAYS} 天",
        error_messages={"required": "请填写有效天数", "invalid": "请填写整数天数",
                        "min_value": f"有效天数须在 1 至 {tokens.MAX_DAYS} 天之间",
                        "max_value": f"有效天数须在 1 至 {tokens.MAX_DAYS} 天之间"},
    )
    can_write = forms.BooleanField(label="允许写入（读写令牌）", required=False,
                                   help_text="不勾选为只读令牌：只能查询，不能新增或修改数据")

    def __init__(self, *args, for_others=False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_others:
            self.fields["account"].queryset = token_accounts()
        else:
            del self.fields["account"]
        self.style_fields()
