"""The sidebar: apps register their menu items here, and each user sees only what a role lets them use."""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse


@dataclass(frozen=True)
class MenuItem:
    group: str
    label: str
    url_name: str
    icon: str = "ti-point"
    model: str = ""  # "app_label.ModelName": shown to users holding `action` on it
    action: str = "view"
    admin_kind: str = ""  # shown to the holder of this separated admin role instead
    # With neither model nor admin_kind, an item is shown to every signed-in user.
    order: int = 100
    # (user) -> bool: whether the page has anything for the user's scope, for a page that would only say "没有数据"
    # to a role holding the action (a unit's duty list when no unit of the scope is assessed). The app's own cheap
    # check, asked once per request (kept on the user object) after the role check.
    usable: Callable | None = None

    def visible_to(self, user):
        if not user.is_authenticated:
            return False
        if self.admin_kind:
            return user.is_admin_of(self.admin_kind)
        if self.model and not user.has_action(apps.get_model(self.model), self.action):
            return False
        return self.usable is None or _usable(self.usable, user)

    @property
    def url(self):
        return reverse(self.url_name)


def _usable(check, user):
    answers = user.__dict__.setdefault("_menu_usable", {})
    if check not in answers:
        answers[check] = bool(check(user))
    return answers[check]


GROUP_ORDER = [
    "工作台", "统战成员", "代表人士", "工作开展", "考核督查", "统计分析", "统计报表",
    "系统管理", "安全管理", "安全审计",
]
_items: list[MenuItem] = []


def register_menu(*items):
    _items.extend(items)


def menu_for(user):
    """[(group, [items])] in a stable order, empty groups left out."""
    visible = [i for i in _items if i.visible_to(user)]
    groups = []
    for group in GROUP_ORDER + sorted({i.group for i in visible} - set(GROUP_ORDER)):
        entries = sorted((i for i in visible if i.group == group), key=lambda i: (i.order, i.label))
        if entries:
            groups.append((group, entries))
    return groups
