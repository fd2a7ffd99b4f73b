import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

CHARACTER_CLASSES = (
    ("大写字母", re.compile(r"[A-Z]")),
    ("小写字母", re.compile(r"[a-z]")),
    ("数字", re.compile(r"\d")),
    ("符号", re.compile(r"[^A-Za-z0-9]")),
)


class CharacterClassValidator:
    """At least `min_classes` of: upper case, lower case, digits, symbols (等保 password complexity)."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = sum(1 for _, pattern in CHARACTER_CLASSES if pattern.search(password))
        if present < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_character_classes")

    def get_help_text(self):
        names = "、".join(name for name, _ in CHARACTER_CLASSES)
        return f"密码须包含{names}中的至少{self.min_classes}类。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message (its zh-hans catalogue lacks this plural form)."""

    def get_error_message(self):
        return f"密码太短，至少需要{self.min_length}个字符。"

    def get_help_text(self):
        return f"密码至少{self.min_length}个字符。"
