"""`manage.py import KIND FILE [--unit UNIT] [--user NAME] [--dry-run] [--skip-invalid] [--report PATH]
[--option NAME=VALUE ...]`: any registered import (core.importing.framework) from the command line, with the
checks of the web pages. Exit status: 0 no invalid row, 1 invalid rows (nothing written unless --skip-invalid),
2 the file cannot be read or the arguments are wrong."""

from core.importing.command import ImportCommand
from core.importing.framework import registered


class Command(ImportCommand):
    help = (
        "从 Excel 文件导入（与网页导入相同的检查）。导入类型："
        + "、".join(f"{kind}（{importer.title}）" for kind, importer in registered().items())
        + "。退出码：0 文件无错误；1 有错误（除非 --skip-invalid，否则不写入任何数据）；2 文件无法读取或参数有误。"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--option", action="append", metavar="NAME=VALUE",
                            help="该导入的选项，可重复，例如 --option update=overwrite、--option scheme=12")
