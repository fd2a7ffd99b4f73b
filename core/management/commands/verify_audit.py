"""`manage.py verify_audit`: walk the audit hash chain; exit 0 when intact, 1 naming the first bad event."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from core import audit
from core.models import AuditEvent


class Command(BaseCommand):
    help = "校验审计日志的哈希链：完整时返回0，发现被修改、插入或删除的事件时返回1并指出第一条问题事件。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor", metavar="HASH", action="append", default=[],
            help="之前记下的链头哈希（本命令每次输出的“最新事件哈希”）；校验该事件仍在链中，"
                 "以发现链尾事件被删除。可多次指定。",
        )

    def handle(self, *args, anchor, **options):
        check = audit.ChainCheck()
        anchors = {a.strip().lower() for a in anchor if a.strip()}
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            if not check.feed(event):
                break
            anchors.discard(event.hash)

        self._warn_if_unprotected()
        if check.bad_event is not None:
            event = check.bad_event
            self.stderr.write(
                f"审计哈希链在第 {check.checked + 1} 条事件处断裂（之前的 {check.checked} 条完整）。\n"
                f"问题事件：编号 {event.id}，时间 {_local(event.timestamp)}，操作 {event.get_action_display()}，"
                f"用户 {event.username or '—'}，对象 {event.object_label or event.object_type or '—'}\n"
                f"原因：{check.reason}"
            )
            raise SystemExit(1)
        if anchors:
            self.stderr.write(
                f"已校验 {check.checked} 条审计事件，但以下链头哈希不在链中（其后的事件可能被删除）：\n"
                + "\n".join(sorted(anchors))
            )
            raise SystemExit(1)

        self.stdout.write(f"已校验 {check.checked} 条审计事件，哈希链完整。")
        if check.last is not None:
            algorithms = "、".join(
                f"{'SM3' if suite == 'sm' else 'SHA-256'} {count} 条"
                for suite, count in check.hashes_by_suite.items() if count
            )
            self.stdout.write(
                f"最新事件：编号 {check.last.id}，时间 {_local(check.last.timestamp)}；哈希算法：{algorithms}\n"
                f"最新事件哈希（请另行留存，下次用 --anchor 校验链尾未被删除）：{check.last.hash}"
            )

    def _warn_if_unprotected(self):
        missing = audit.expected_triggers() - audit.protection_triggers()
        if missing:
            self.stderr.write(
                "警告：审计表的防篡改触发器缺失或已停用：" + "、".join(sorted(missing))
                + "（见 core/migrations/0002_audit_append_only.py）"
            )


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
