"""Remind officials whose pairings are behind their yearly quota (in-app notifications).

    python manage.py remind_pairings [--date YYYY-MM-DD]

Run daily (deploy/tongxin-remind.timer): each behind pairing of an official with an active account gets at
most one notification a month (key "pairing-behind:<pairing>:<YYYY-MM>"), so running it again the same day or
month sends nothing new.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.notifications import notify
from friendship import services
from friendship.models import Pairing


def reminder_text(pairing, on):
    name = pairing.representative.person.name
    title = f"您与{name}的联系进度落后：今年已联系{pairing.contacts_made}次，应至少{pairing.expected}次"
    body = (f"按每年联系{pairing.contacts_per_year}次的要求折算，截至{on.month}月{on.day}日应至少联系"
            f"{pairing.expected}次。"
            "请尽快安排走访或谈心谈话，并登记联系记录。")
    return title, body


def remind(on):
    """Notify the officials of the pairings behind on day `on`; returns (created, behind pairings)."""
    behind = (
        services.with_progress(services.active_in_year(Pairing.objects.all(), on), on)
        .filter(services.BEHIND, official__isnull=False, official__is_active=True)
        .select_related("official", "representative__person").order_by("pk")
    )
    created = total = 0
    for pairing in behind.iterator(chunk_size=500):
        total += 1
        title, body = reminder_text(pairing, on)
        _, new = notify(pairing.official, title, body=body, url=pairing.get_absolute_url(),
                        key=f"pairing-behind:{pairing.pk}:{on:%Y-%m}")
        created += new
    return created, total


class Command(BaseCommand):
    help = "为联系进度落后的结对向联系干部发送站内提醒（每个结对每月最多一次）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期统计进度（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        on = timezone.localdate()
        if options["date"]:
            try:
                on = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"日期格式应为YYYY-MM-DD：{options['date']}") from exc
        created, total = remind(on)
        self.stdout.write(f"{on:%Y-%m-%d}：进度落后且联系干部有账号的结对{total}个，新发送提醒{created}条。")
