"""What the audit administrator sees of an audit event (三员分立: the auditor reads who did what to which
record, not the business data itself).

Stored events are never changed — the hash chain covers them — so masking happens here, when an event is
shown or exported, and every page of the auditor (list, detail, export, daily review) goes through
`shown_label` and `shown_changes`. The rule, applied once:

- Who, when, from where, the action, its result, the object type and the object id: always shown.
- Field names (the keys of `changes`, nested ones too): always shown, so the auditor sees *what* changed.
- Events about configuration — object types an app registers with `register_configuration_types` (accounts,
  roles, grants, org units, categories, holidays, the audit log itself): the label and values are shown, except
  personal values (the keys in PERSONAL_KEYS: an account holder's name or phone), which are masked.
- Every other event (business records, and any object type nobody registered): the object label and every text
  value are masked. Numbers and yes/no flags the code itself records (行数, 问题数, record ids, 完整导出) and the
  values of ALWAYS_SHOWN keys (操作, 字段: which operation, which fields were revealed) stay readable.

Masks: a short Chinese text that may be a name → its first character and "*" ("张*"); a number, phone, ID
number or date → stars (a long one keeps its first 3 and last 2 characters); any other text →
"（已隐藏，共N字）"; an empty value stays empty (shown as "（空）"), so the auditor still sees a field being
filled in or cleared.
"""

import re

_configuration_types = set()

# Code-chosen values that say what happened, never whom it happened to.
ALWAYS_SHOWN = frozenset({"操作", "字段", "截断", "访问令牌"})
# Personal values that appear in configuration events (the account pages record an account holder's name and
# phone); masked there too.
PERSONAL_KEYS = frozenset({
    "姓名", "联系电话", "电话", "手机", "手机号", "身份证号", "联系人", "地址", "住址", "邮箱", "电子邮箱",
})

_NAME_LIKE = re.compile(r"[\u3400-\u9fff·]{2,5}")
_NUMBER_LIKE = re.compile(r"[\d\s\-+()/:.*年月日]+")
LONG_NUMBER = 11  # a mobile number's length: from here on the first 3 and last 2 characters stay


def register_configuration_types(*object_types):
    """Declare object types (a model label such as "org.Unit", or a free-text type such as "账号") whose events
    describe configuration, not business data: the auditor sees their labels and values."""
    _configuration_types.update(object_types)


def configuration_types():
    return frozenset(_configuration_types)


def is_configuration(event):
    return event.object_type in _configuration_types


def mask_text(value):
    """One text value as the auditor sees it of a business record."""
    text = str(value)
    if not text:
        return ""
    if _NUMBER_LIKE.fullmatch(text) and any(c.isdigit() for c in text):
        if len(text) >= LONG_NUMBER:
            return text[:3] + "*" * (len(text) - 5) + text[-2:]
        return "*" * len(text)
    if _NAME_LIKE.fullmatch(text):
        return text[0] + "*"
    return f"（已隐藏，共{len(text)}字）"


def _masked(value):
    """Every text inside `value` masked; keys, numbers, flags and the structure kept."""
    if isinstance(value, dict):
        return {key: _masked(inner) for key, inner in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(inner) for inner in value]
    if value is None or isinstance(value, (bool, int)):
        return value
    return mask_text(value)


def shown_label(event):
    """The event's object label as the auditor sees it."""
    if is_configuration(event):
        return event.object_label
    return mask_text(event.object_label)


def shown_changes(event):
    """The event's `changes` as the auditor sees them: the same shape, personal values masked."""
    changes = event.changes
    configuration = is_configuration(event)
    if not isinstance(changes, dict):
        return changes if configuration else _masked(changes)
    shown = {}
    for key, value in changes.items():
        if key in ALWAYS_SHOWN or (configuration and key not in PERSONAL_KEYS):
            shown[key] = value
        else:
            shown[key] = _masked(value)
    return shown
