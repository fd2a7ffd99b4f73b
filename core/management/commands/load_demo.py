from django.core.management.base import BaseCommand

from core.demo import DemoContext, discover, load_all, report_all


class Command(BaseCommand):
    help = "加载示范县（示范县及其镇街、村社、成员单位、园区企业和示范账号）。数据全部虚构。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true",
            help="数据库中已有组织机构等数据时什么也不做（供 make run 使用）",
        )

    def handle(self, *args, if_empty=False, verbosity=1, **options):
        ctx = DemoContext(self.stdout, verbosity)
        modules = discover()
        present = [m.label for m in modules if m.has_data()] if if_empty else []
        if present:
            ctx.write(f"数据库中已有{'、'.join(present)}数据，未加载示范数据。")
        else:
            load_all(ctx, modules)
        report_all(ctx, modules)
