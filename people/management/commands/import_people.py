"""`manage.py import_people FILE --unit UNIT`: the ledger import of the web pages, from the command line.

Exit status: 0 when the file has no invalid row, 1 when it has (and then nothing is written unless
--skip-invalid), 2 when the file cannot be read or the arguments are wrong.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.importing import ImportFileError
from org.models import Unit
from people.importers import UPDATE_POLICIES, ImportDenied, import_ledger
from people.lookups import LookupRefused

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = (
        "从 Excel 台账导入统战成员（与网页导入相同的检查）。退出码：0 文件无错误；1 有错误的行"
        "（除非 --skip-invalid，否则不写入任何数据）；2 文件无法读取或参数有误。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="台账文件（.xlsx）")
        parser.add_argument("--unit", required=True, metavar="UNIT", help="导入到的单位：区划代码或单位编号")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行，导入其余各行")
        parser.add_argument("--update", choices=sorted(UPDATE_POLICIES), default="fill",
                            help="台账中已有的人员：fill 补充空白字段（默认）、overwrite 以文件为准覆盖、skip 跳过")
        parser.add_argument("--report", metavar="PATH", help="把结果写成 JSON 文件")
        parser.add_argument("--user", metavar="USERNAME",
                            help="以该账号的身份和数据范围导入；不指定时以系统身份导入（范围为所选单位及其下级）")

    def handle(self, *args, file, unit, dry_run, skip_invalid, update, report, user, **options):
        target = Unit.resolve(unit)
        if target is None:
            raise CommandError(f"找不到单位“{unit}”（请填写区划代码或单位编号）。", returncode=2)
        account = None
        if user:
            account = get_user_model().objects.filter(username=user, is_active=True).first()
            if account is None:
                raise CommandError(f"找不到可用的账号“{user}”。", returncode=2)
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._fail(f"无法读取文件“{file}”：{exc.strerror or exc}", report)
        try:
            result = import_ledger(data, path.name, target, account, update=update, skip_invalid=skip_invalid,
                                   dry_run=dry_run)
        except (ImportDenied, LookupRefused) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except ImportFileError as exc:
            self._fail(str(exc), report)
        if report:
            self._write_report(report, result.report())
        self._summary(result, dry_run)
        if result.invalid_rows:
            raise SystemExit(1)

    def _summary(self, result, dry_run):
        for notice in result.notices:
            self.stderr.write(f"提示：{notice}")
        for problem in result.errors[:SHOWN_PROBLEMS]:
            self.stderr.write(str(problem))
        if len(result.errors) > SHOWN_PROBLEMS:
            self.stderr.write(f"……共 {len(result.errors)} 处问题，完整列表请用 --report 输出。")
        verb = "将" if dry_run else ""
        line = (
            f"数据行 {result.data_rows}，有效 {result.valid_rows}，{verb}新增 {result.created}，{verb}更新 "
            f"{result.updated}，无变化 {result.unchanged}，有错误的行 {result.invalid_rows}。"
        )
        if dry_run:
            line += "（仅检查，未写入）"
        elif result.invalid_rows and not result.written and not result.created + result.updated:
            line += "文件中有错误的行，未写入任何数据（可用 --skip-invalid 只导入无误的行）。"
        self.stdout.write(line)

    def _fail(self, message, report):
        self.stderr.write(message)
        if report:
            self._write_report(report, {
                "data_rows": 0, "valid_rows": 0, "created": 0, "updated": 0, "unchanged": 0,
                "errors": [{"row": 0, "column": "", "message": message}],
            })
        raise SystemExit(2)

    def _write_report(self, path, content):
        Path(path).write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
