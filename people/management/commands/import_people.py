"""`manage.py import_people FILE --unit UNIT [--update fill|overwrite|skip] [--dry-run] [--skip-invalid] [--report
PATH] [--user NAME]`: the ledger import of the web pages, from the command line (core.importing.command; the same
as `manage.py import people.person FILE --option update=...`).

Exit status: 0 when the file has no invalid row, 1 when it has (and then nothing is written unless
--skip-invalid), 2 when the file cannot be read or the arguments are wrong.
"""

from core.importing.command import ImportCommand
from people.importers import UPDATE_POLICIES


class Command(ImportCommand):
    kind = "people.person"
    help = (
        "从 Excel 台账导入统战成员（与网页导入相同的检查）。退出码：0 文件无错误；1 有错误的行"
        "（除非 --skip-invalid，否则不写入任何数据）；2 文件无法读取或参数有误。"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--update", choices=sorted(UPDATE_POLICIES), default="fill",
                            help="台账中已有的人员：fill 补充空白字段（默认）、overwrite 以文件为准覆盖、skip 跳过")

    def options(self, importer, arguments):
        return {"update": arguments["update"]}
