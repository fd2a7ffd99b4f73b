"""A tiny importer for the tests of the import framework (core.importing.framework), and a URLconf mounting its
pages: in-app notifications (core.models.Notification) of the importing user, read from a sheet of 标题/内容/份数/
类型. What an app writes for a real import, and nothing more."""

from django.urls import include, path

from core.importing import CellError, Problem, cell_int, cell_text
from core.importing.columns import Column, Columns
from core.importing.framework import Importer, Plan, register
from core.importing.urls import import_urls
from core.models import Notification
from core.tests.sample.urls import handler403, handler404, handler500
from core.tests.sample.urls import urlpatterns as test_urlpatterns

KINDS = ("通知", "提醒")


def kind_of(value):
    text = cell_text(value)
    if text not in KINDS:
        raise CellError(f"应为“通知”或“提醒”，而不是“{text}”。")
    return text


@register
class NoteImporter(Importer):
    kind = "core.test_note"
    title = "导入通知"
    noun = "通知"
    measure = "条"
    sheet_label = "通知"
    columns = Columns([
        Column("序号", serial=True),
        Column("标题", ("题目", "通知标题"), required=True, width=30),
        Column("内容", ("正文",), help="提醒须填写内容"),
        Column("份数", help="1 到 10 的整数"),
        Column("类型", choices=KINDS, help="通知或提醒"),
        Column("编号", text=True),
    ])
    allows_skip_invalid = True
    counts_shown = ("data_rows", "valid_rows", "created", "updated", "unchanged", "invalid_rows")
    preview_columns = (("row", "行号"), ("title", "标题"), ("copies", "份数"))
    template_title = "通知导入模板"
    template_note = "每行一条通知。"
    template_examples = (["1", "示例通知", "", 1, "通知", "001"],)
    upload_help = ("标题相同的通知按内容更新。",)
    model = Notification

    @classmethod
    def allows(cls, user):
        return user.is_admin_of("system")

    def converters(self, table):
        return [
            ("标题", "title", cell_text),
            ("内容", "body", cell_text),
            ("份数", "copies", lambda value: cell_int(value, minimum=1, maximum=10)),
            ("类型", "kind", kind_of),
            ("编号", "code", cell_text),
        ]

    def check_row(self, number, raw, got, problems):
        if not got.get("title") and not any(p.column == "标题" for p in problems):
            problems.append(Problem(number, "标题", "不能为空。"))
        if got.get("kind") == "提醒" and not got.get("body"):
            problems.append(Problem(number, "内容", "提醒须填写内容。"))
        return {"row": number, "title": got.get("title", ""), "body": got.get("body", ""),
                "copies": got.get("copies", 1)}

    def plan(self, rows):
        plan = Plan()
        stored = dict(Notification.objects.filter(recipient=self.user).values_list("title", "body"))
        for row in rows:
            if row["row"] in self.invalid:
                continue
            if row["title"] not in stored:
                plan.create.append(row)
            elif stored[row["title"]] != row["body"]:
                plan.update.append(row)
            else:
                plan.unchanged += 1
        plan.summary = {"份数合计": sum(row["copies"] for row in plan.create)}
        plan.preview = plan.create
        return plan

    def write(self, plan):
        for row in plan.create:
            Notification.objects.create(recipient=self.user, title=row["title"], body=row["body"])
        for row in plan.update:
            Notification.objects.filter(recipient=self.user, title=row["title"]).update(body=row["body"])


# The test settings' URLconf (the project's and the sample app's) and the pages of this importer.
urlpatterns = [
    *test_urlpatterns,
    path("test-notes/", include((import_urls(NoteImporter, "note_import", template=True), "notes"))),
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
