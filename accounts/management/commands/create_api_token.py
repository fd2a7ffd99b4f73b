"""`manage.py create_api_token USERNAME --name NAME [--days N] [--write]`: a token for a service account or a
user; its secret is the last line printed (shown once, stored only as a digest)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core import audit

from ...models import User
from ...tokens import DEFAULT_DAYS, MAX_DAYS, issue_token


class Command(BaseCommand):
    help = "为账号创建 REST API 访问令牌（令牌只显示一次，最后一行即令牌）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="账号的用户名")
        parser.add_argument("--name", required=True, help="令牌名称，如“市平台对接”")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS,
                            help=f"有效天数（1–{MAX_DAYS}，默认 {DEFAULT_DAYS}）")
        parser.add_argument("--write", action="store_true", help="允许写入（默认只读）")

    def handle(self, *args, username, name, days, write, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为“{username}”的账号。")
        with audit.acting_as("manage.py create_api_token"):
            try:
                token, secret = issue_token(user, name=name, days=days, can_write=write, created_by=None)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
        kind = "读写" if token.can_write else "只读"
        self.stdout.write(f"已为 {user.username} 创建{kind}令牌“{token.name}”，{token.expires_at:%Y-%m-%d} 到期。"
                          "令牌只显示这一次，请妥善保存：")
        self.stdout.write(secret)
