"""In-app notifications (站内通知): any app sends one with `notify`; the top bar shows the unread count.

    from core.notifications import notify
    notify(user, "您与张三的联系进度落后", url=pairing.get_absolute_url(), key=f"pairing-behind:{pairing.pk}:2026-05")

With a `key`, sending is idempotent: a second call with the same recipient and key returns the notification
already sent (a database constraint backs this, so two jobs racing cannot both insert one).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification


def notify(user, title, body="", url="", key=""):
    """Send `title` (and `body`, a link `url`) to `user`. Returns (notification, created)."""
    fields = {"title": title[:200], "body": body, "url": url[:300]}
    if not key:
        return Notification.objects.create(recipient=user, **fields), True
    existing = Notification.objects.filter(recipient=user, key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Notification.objects.create(recipient=user, key=key, **fields), True
    except IntegrityError:  # sent meanwhile by a concurrent run
        return Notification.objects.get(recipient=user, key=key), False


BADGE_CAP = 100  # the bell shows "99+" from here on


def unread_count(user, cap=None):
    """How many of `user`'s notifications are unread. With `cap`, counting stops there: one small index
    read of at most `cap` ids instead of a COUNT over all of them (what the bell on every page uses)."""
    if user is None or not user.is_authenticated:
        return 0
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if cap is None:
        return unread.count()
    return len(unread.order_by().values_list("pk", flat=True)[:cap])


def mark_read(user, pk=None):
    """Mark one of `user`'s notifications (or all of them) read; returns how many changed."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())
