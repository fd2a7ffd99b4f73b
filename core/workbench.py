"""Workbench (工作台): what each user's first screen is built from. Apps register three kinds of things here, and
each user sees those their roles allow in their scope:

- widgets: small panels (figures, one's own pairings);
- quick actions: the few things a role does daily (记录活动, 新增人员, 记录联系), shown first as big buttons —
  what a village liaison sees first on a phone;
- due sources: what falls due this month in the user's scope (本月到期): plan occurrences not yet held, duty-list
  items not yet submitted, follow-ups. Each answers with a few queries, whatever the size of the scope.

The county's tile grid of every menu entry (常用功能) is for those who oversee the whole tree, and for roles
with no quick action (leaders, the three administrators).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
from django.utils import timezone

DUE_SHOWN = 8  # items listed on the workbench; the rest are counted, their pages list them all


@dataclass(frozen=True)
class Widget:
    template: str
    visible: Callable  # (user) -> bool
    context: Callable = lambda request: {}  # (request) -> dict
    order: int = 100


def holds(user, model, action):
    """Whether a signed-in `user` holds `action` on `model` ("app_label.ModelName") somewhere in their scope."""
    return user.is_authenticated and user.has_action(apps.get_model(model), action)


@dataclass(frozen=True)
class QuickAction:
    """A big button: shown to users holding `action` on `model` ("app_label.ModelName")."""

    label: str
    url_name: str
    model: str
    icon: str = "ti-plus"
    action: str = "add"
    order: int = 100

    def visible_to(self, user):
        return holds(user, self.model, self.action)

    @property
    def url(self):
        return reverse(self.url_name)


@dataclass(frozen=True)
class DueItem:
    label: str
    due: datetime.date
    url: str
    source: str = ""  # filled in from the DueSource
    icon: str = ""


@dataclass(frozen=True)
class DueSource:
    """`items(user, month)` → [DueItem] due in `month` (a Month) for users holding `action` on `model`;
    `list_url_name` is the page listing all of them."""

    label: str
    model: str
    items: Callable
    list_url_name: str
    icon: str = "ti-calendar-due"
    action: str = "view"
    order: int = 100

    def visible_to(self, user):
        return holds(user, self.model, self.action)


@dataclass(frozen=True)
class Month:
    first_day: datetime.date
    last_day: datetime.date
    today: datetime.date

    @classmethod
    def of(cls, day):
        first = day.replace(day=1)
        last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        return cls(first, last, day)

    def overlaps(self, first_day, last_day):
        return first_day <= self.last_day and last_day >= self.first_day


_widgets: list[Widget] = []
_quick_actions: list[QuickAction] = []
_due_sources: list[DueSource] = []
# (who, URL name): a user for whom `who(user)` holds starts somewhere else than the workbench (a person of the
# ledger: their self-service home).
_homes: list[tuple] = []


def register_home(who, url_name):
    _homes.append((who, url_name))


def home_for(user):
    """The URL name of the page `user` starts on instead of the workbench, or None."""
    return next((url_name for who, url_name in _homes if who(user)), None)


def register_widget(widget):
    _widgets.append(widget)


def register_quick_action(*actions):
    _quick_actions.extend(actions)


def register_due_source(*sources):
    _due_sources.extend(sources)


def widgets_for(request):
    user = request.user
    shown = sorted((w for w in _widgets if w.visible(user)), key=lambda w: w.order)
    return [{"template": w.template, **w.context(request)} for w in shown]


def quick_actions_for(user):
    return sorted((a for a in _quick_actions if a.visible_to(user)), key=lambda a: (a.order, a.label))


def due_this_month(user, today=None):
    """{"month", "items" (the first DUE_SHOWN, soonest first), "more" (how many beyond), "sources"
    ([(source, count, url)] of the sources with anything due)} — or None when no source is the user's."""
    month = Month.of(today or timezone.localdate())
    sources = sorted((s for s in _due_sources if s.visible_to(user)), key=lambda s: (s.order, s.label))
    if not sources:
        return None
    items, counts = [], []
    for source in sources:
        found = [DueItem(i.label, i.due, i.url, source.label, i.icon or source.icon) for i in source.items(user, month)]
        if found:
            counts.append((source, len(found), reverse(source.list_url_name)))
        items.extend(found)
    items.sort(key=lambda i: (i.due, i.source, i.label))
    return {"month": month, "items": items[:DUE_SHOWN], "more": max(0, len(items) - DUE_SHOWN), "sources": counts}
