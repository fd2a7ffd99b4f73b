"""The command line of every import: `manage.py import KIND FILE` (and per-app wrappers such as
`manage.py import_people`), running the same importer as the pages, with the same checks.

Exit status: 0 when the file has no invalid row, 1 when it has (then nothing is written unless
--skip-invalid), 2 when the file cannot be read or the arguments are wrong.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.datastructures import MultiValueDict

from core.audit import acting_as
from core.lookups import LookupRefused

from . import ImportFileError
from .framework import ImportRefused, importer_for

SHOWN_PROBLEMS = 50


class ImportCommand(BaseCommand):
    """Runs one importer on a file. A subclass fixes `kind` (and may add arguments turned into `options`)."""

    kind = ""

    def add_arguments(self, parser):
        if not self.kind:
            parser.add_argument("kind", metavar="KIND", help="导入类型，例如 people.person、org.unit、duties.scheme")
        parser.add_argument("file", metavar="FILE", help="Excel 文件（.xlsx、.xls 或 .ods）")
        parser.add_argument("--unit", metavar="UNIT", help="导入到的单位：区划代码或单位编号（该导入需要时）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行，导入其余各行（该导入允许时）")
        parser.add_argument("--report", metavar="PATH", help="把结果写成 JSON 文件")
        parser.add_argument("--user", metavar="USERNAME",
                            help="以该账号的身份和数据范围导入；不指定时以系统身份导入（范围为所选单位及其下级）")

    def options(self, importer, arguments):
        """The importer's options from the command's arguments (`--option NAME=VALUE` for `manage.py import`),
        checked by the importer's options form as on the upload page."""
        raw = MultiValueDict()
        for pair in arguments.get("option") or ():
            name, _, value = pair.partition("=")
            raw.appendlist(name.strip(), value)
        form = importer.make_options_form(raw, {}, None) if importer.options_form is not None else None
        if form is None:
            return {name: raw[name] for name in raw}
        if not form.is_valid():
            problems = "；".join(f"{name}：{'、'.join(errors)}" for name, errors in form.errors.items())
            raise CommandError(f"选项有误：{problems}", returncode=2)
        return importer.clean_options(form, {})

    def handle(self, *args, file, unit, dry_run, skip_invalid, report, user, **arguments):
        kind = self.kind or arguments["kind"]
        try:
            importer = importer_for(kind)
        except LookupError:
            raise CommandError(f"没有“{kind}”这种导入。", returncode=2) from None
        target = self.resolve_unit(importer, unit)
        account = self.resolve_user(user)
        options = self.options(importer, arguments)
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.fail(f"无法读取文件“{file}”：{exc.strerror or exc}", report)
        try:
            with acting_as("manage.py"):
                run = importer(user=account, unit=target, options=options, file_name=path.name, dry_run=dry_run,
                               skip_invalid=skip_invalid)
                result = run.run(data)
        except (ImportRefused, LookupRefused) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except ImportFileError as exc:
            self.fail(str(exc), report)
        if report:
            self.write_report(report, result.report())
        self.summary(importer, result, dry_run=dry_run, skip_invalid=run.skip_invalid)
        if result.blocked:
            raise SystemExit(1)

    def resolve_unit(self, importer, unit):
        if not unit:
            if importer.asks_unit:
                raise CommandError("请用 --unit 指定导入到的单位（区划代码或单位编号）。", returncode=2)
            return None
        unit_model = importer.units_model()
        target = unit_model.resolve(unit)
        if target is None:
            raise CommandError(f"找不到单位“{unit}”（请填写区划代码或单位编号）。", returncode=2)
        return target

    def resolve_user(self, user):
        if not user:
            return None
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"找不到可用的账号“{user}”。", returncode=2)
        return account

    def summary(self, importer, result, *, dry_run, skip_invalid):
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
        elif result.blocked and not result.written:
            if result.file_problems or not importer.allows_skip_invalid:
                line += "文件中有错误，未写入任何数据。"
            elif skip_invalid:
                line += "文件中没有无误的行可以导入，未写入任何数据。"
            else:
                line += "文件中有错误的行，未写入任何数据（可用 --skip-invalid 只导入无误的行）。"
        self.stdout.write(line)

    def fail(self, message, report):
        self.stderr.write(message)
        if report:
            self.write_report(report, {
                "data_rows": 0, "valid_rows": 0, "created": 0, "updated": 0, "unchanged": 0,
                "errors": [{"row": 0, "column": "", "message": message}],
            })
        raise SystemExit(2)

    def write_report(self, path, content):
        Path(path).write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
