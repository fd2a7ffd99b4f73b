"""The exact search by ID number and the reveal of a person's sensitive fields."""

from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError

from ..identity import (
    id_number_problem,
    normalize_id_number,
)


class IdNumberSearchForm(forms.Form):
    id_number = forms.CharField(
        label="身份证号", max_length=30, error_messages={"required": "请输入完整的身份证号"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "form-control", "spellcheck": "false",
                                      "placeholder": "完整18位身份证号（每次查找记入审计日志）"}),
    )

    def clean_id_number(self):
        value = normalize_id_number(self.cleaned_data["id_number"])
        problem = id_number_problem(value)
        if problem:
            raise ValidationError(problem)
        return value


class RevealForm(forms.Form):
    password = forms.CharField(
        label="登录密码", strip=False, error_messages={"required": "请输入您的登录密码"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )

    def password_confirmed(self, request):
        """Whether the (valid) form holds the signed-in user's own password. Checked through authenticate, so
        that a wrong one counts towards the account's lockout like a failed sign-in."""
        user = authenticate(request, username=request.user.get_username(), password=self.cleaned_data["password"])
        return user is not None and user.pk == request.user.pk
