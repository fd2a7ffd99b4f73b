"""The audit administrator's daily review (安全事件日审): one day's security-relevant events, grouped.

Groups are registered here like menu items and metrics: core registers the ones it knows (failed logins and
lockouts, reveals of sensitive data, full exports, refused ID lookups, denied access); the accounts app registers
account, role and grant groups. An event goes to the first group (by `order`) that matches it; events matching no
group are not part of the review (they stay in the full audit log).

A reviewed day is itself an audit event (AuditEvent.Action.REVIEW, object type REVIEW_OBJECT_TYPE, object id the
day in ISO form), so marking a day reviewed is as tamper-evident as the events it vouches for.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .models import AuditEvent

REVIEW_OBJECT_TYPE = "审计日审"
RECENT_DAYS = 14


@dataclass(frozen=True)
class ReviewGroup:
    key: str
    title: str
    actions: tuple  # action codes whose events may belong here; a code AuditEvent does not (yet) know is harmless
    matches: Callable = field(default=lambda event: True)  # (event) -> bool, among events of those actions
    order: int = 100


_groups: list[ReviewGroup] = []


def register_review_group(*groups):
    _groups.extend(groups)


def review_groups():
    return sorted(_groups, key=lambda g: (g.order, g.key))


def _full_export(event):
    """An export with sensitive values in clear: the exporting view records `"完整导出": true`."""
    return isinstance(event.changes, dict) and event.changes.get("完整导出") is True


register_review_group(
    ReviewGroup("logins", "登录失败与账号锁定", (AuditEvent.Action.LOGIN_FAILED, AuditEvent.Action.LOCKOUT), order=60),
    ReviewGroup("reveals", "查看敏感信息", (AuditEvent.Action.REVEAL,), order=70),
    ReviewGroup("full_exports", "完整导出（含身份证号、联系电话明文）", (AuditEvent.Action.EXPORT,), _full_export,
                order=80),
    ReviewGroup("lookups_refused", "身份证号查询被拒", (AuditEvent.Action.LOOKUP,), lambda event: not event.success,
                order=90),
    ReviewGroup("denied", "越权访问", (AuditEvent.Action.DENIED,), order=100),
)


def day_bounds(day):
    """[start, end) of a local calendar day, as aware datetimes (compared with the indexed timestamp)."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def default_day():
    """Yesterday: the last whole day."""
    return timezone.localdate() - timedelta(days=1)


def day_events(day):
    """The day's events of every action some group looks at, oldest first."""
    start, end = day_bounds(day)
    actions = sorted({str(action) for group in _groups for action in group.actions})
    return AuditEvent.objects.select_related("unit").filter(
        timestamp__gte=start, timestamp__lt=end, action__in=actions,
    ).order_by("id")


def grouped(events, keep=None):
    """[(group, count, events)] for every registered group (empty ones too, so the page shows a zero). With
    `keep`, only the first `keep` events of each group are kept (a day of mass failed logins stays one page)."""
    groups = review_groups()
    counts = {group.key: 0 for group in groups}
    kept = {group.key: [] for group in groups}
    for event in events:
        for group in groups:
            if event.action in group.actions and group.matches(event):
                counts[group.key] += 1
                if keep is None or len(kept[group.key]) < keep:
                    kept[group.key].append(event)
                break
    return [(group, counts[group.key], kept[group.key]) for group in groups]


def reviews(days):
    """{day: its review event} for those of `days` already reviewed."""
    keys = {day.isoformat(): day for day in days}
    found = AuditEvent.objects.filter(
        action=AuditEvent.Action.REVIEW, object_type=REVIEW_OBJECT_TYPE, object_id__in=list(keys),
    ).order_by("id")
    result = {}
    for event in found:
        result.setdefault(keys[event.object_id], event)
    return result


def recent_days(until=None, count=RECENT_DAYS):
    """The `count` whole days before today (or up to `until`), newest first."""
    last = until or default_day()
    return [last - timedelta(days=i) for i in range(count)]


def unreviewed_days(count=7):
    days = recent_days(count=count)
    done = reviews(days)
    return [day for day in days if day not in done]


def reviewable(day):
    """Only a day that is over can be marked reviewed: events may still come in today."""
    return day < timezone.localdate()


def parse_day(text):
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None
