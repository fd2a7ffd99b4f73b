from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续5次错误后账号将锁定15分钟。",
        "inactive": "该账号已停用，请联系安全管理员。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"class": "form-control", "autocomplete": "username",
                                                     "placeholder": "用户名"})
        self.fields["password"].widget.attrs.update({"class": "form-control", "autocomplete": "current-password",
                                                     "placeholder": "密码"})


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
