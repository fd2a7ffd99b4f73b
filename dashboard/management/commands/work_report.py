"""`manage.py work_report --unit UNIT --year YYYY [--quarter Q] --out FILE.docx`: the work report of the web page,
for scheduled reports. No user: the figures cover the whole subtree of the unit.

Exit status: 0 when the report is written, 2 when an argument is wrong or the template cannot be rendered.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.text import is_number
from org.models import Unit

from ... import reports
from ...forms import FIRST_YEAR


class Command(BaseCommand):
    help = "生成工作汇报 Word 文档（.docx），数字取自系统数据，统计所选单位及其下级单位。"

    def add_arguments(self, parser):
        # Checked in handle(), so that every mistake gets a Chinese message.
        parser.add_argument("--unit", metavar="UNIT", help="单位：区划代码或单位编号（必填）")
        parser.add_argument("--year", metavar="YYYY", help="年度，如 2026（必填）")
        parser.add_argument("--quarter", metavar="Q", help="季度 1-4；不填为全年")
        parser.add_argument("--out", metavar="FILE.docx", help="输出文件（必填，.docx）")
        parser.add_argument("--template", metavar="TEMPLATE.docx",
                            help="使用该模板；不填时用本县启用的上传模板，没有则用系统默认模板")

    def handle(self, *args, unit, year, quarter, out, template, **options):
        missing = [name for name, value in (("--unit", unit), ("--year", year), ("--out", out)) if not value]
        if missing:
            self.fail(f"缺少参数：{'、'.join(missing)}。用法：manage.py work_report --unit 区划代码或单位编号 "
                      "--year 年度 [--quarter 季度] --out 文件.docx")
        target = Unit.resolve(unit)
        if target is None:
            self.fail(f"找不到单位“{unit}”（请填写区划代码或单位编号）。")
        this_year = timezone.localdate().year
        if not (is_number(year.strip()) and FIRST_YEAR <= int(year) <= this_year):
            self.fail(f"年度“{year}”无效：应为{FIRST_YEAR}至{this_year}之间的四位数字。")
        number = None
        if quarter not in (None, ""):
            if quarter.strip() not in ("1", "2", "3", "4"):
                self.fail(f"季度“{quarter}”无效：应为1、2、3或4。")
            number = int(quarter)
        period = reports.report_period(int(year), number)
        if period.start > timezone.localdate():
            self.fail(f"{period.label}尚未开始，无法生成工作汇报。")
        path = Path(out)
        if path.suffix.lower() != ".docx":
            self.fail(f"输出文件“{out}”须以 .docx 结尾。")
        if not path.parent.is_dir():
            self.fail(f"输出目录“{path.parent}”不存在。")
        template_path = None
        if template:
            template_path = Path(template)
            if not template_path.is_file():
                self.fail(f"找不到模板文件“{template}”。")
        try:
            data = reports.generate(target, period, template=template_path)
        except ValidationError as error:
            self.fail("；".join(error.messages))
        try:
            path.write_bytes(data)
        except OSError as error:
            self.fail(f"无法写入“{out}”：{error.strerror or error}")
        self.stdout.write(f"已生成 {target.name}{period.label}工作汇报：{path}（{len(data) // 1024} KB）")

    def fail(self, message):
        raise CommandError(message, returncode=2)
