"""`manage.py expire_import_uploads`: delete the uploads of import jobs that no longer need them.

Run every few minutes by deploy/tongxin-expire-uploads.timer, so that an upload held for a preview nobody
came back to is gone within `ImportJob.UPLOAD_LIFETIME` (2 hours) even when nobody opens the import pages
(which expire stale jobs too).
"""

from django.core.management.base import BaseCommand

from core.models import ImportJob


class Command(BaseCommand):
    help = "删除已不再需要的导入文件：上传超过2小时、等待确认超过2小时或卡住超过24小时的导入任务。"

    def handle(self, *args, **options):
        count = ImportJob.expire_stale()
        self.stdout.write(f"已删除 {count} 个导入任务保存的上传文件。")
