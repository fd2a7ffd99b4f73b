from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "duties"
    verbose_name = "职责清单与考核"

    def ready(self):
        from core.audit_display import register_configuration_types
        from core.navigation import MenuItem, register_menu
        from core.workbench import DueSource, register_due_source

        from . import (
            importers,  # noqa: F401 -- registers the scheme imports (core.importing)
            metrics,  # noqa: F401 -- registers the duty-list figures (core.metrics)
        )

        register_configuration_types("duties.Holiday")  # the auditor reads holiday-table changes in full

        register_menu(
            MenuItem("考核督查", "考核细则", "duties:scheme_list", "ti-list-details", model="duties.Scheme",
                     action="manage", order=60),
            MenuItem("系统管理", "节假日", "duties:holiday_list", "ti-calendar-off", admin_kind="system", order=80),
        )
        # 据单督查: units see their list; reviewers (county staff) the review queue and the progress matrix.
        register_menu(
            MenuItem("考核督查", "我的职责清单", "duties:unit_list", "ti-checklist", model="duties.Submission",
                     action="view", order=10, usable=_has_assessed_unit),
            MenuItem("考核督查", "报送审核", "duties:review_queue", "ti-clipboard-check", model="duties.Submission",
                     action="review", order=20),
            MenuItem("考核督查", "督查进度", "duties:progress", "ti-table", model="duties.Submission",
                     action="review", order=30),
        )
        # 发函提醒, 通报, 表彰: county staff issue letters and notices and finalise results; units read their own.
        register_menu(
            MenuItem("考核督查", "发函提醒", "duties:reminderletter_list", "ti-mail-exclamation",
                     model="duties.ReminderLetter", action="view", order=70, usable=_reads_letters),
            MenuItem("考核督查", "进度通报", "duties:notice_list", "ti-speakerphone", model="duties.Notice",
                     action="manage", order=71),
            MenuItem("考核督查", "考核结果", "duties:finalresult_list", "ti-trophy", model="duties.FinalResult",
                     action="view", order=72, usable=_reads_letters),
        )
        register_due_source(DueSource("职责清单", "duties.Submission", _due_items, "duties:unit_list",
                                      "ti-checklist", action="add", order=20))


def _has_assessed_unit(user):
    from .workbench import has_assessed_unit

    return has_assessed_unit(user)


def _reads_letters(user):
    from .workbench import reads_letters

    return reads_letters(user)


def _due_items(user, month):
    from .workbench import due_items

    return due_items(user, month)
