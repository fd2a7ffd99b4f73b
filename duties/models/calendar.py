"""The working-day calendar (see duties.workdays): where each year comes from, and the days off the weekday rule."""

from django.core.exceptions import ValidationError
from django.db import models


class CalendarYear(models.Model):
    """Where a year of the working-day calendar comes from: chinese-calendar's official arrangement
    (国务院办公厅通知), or weekends only (the arrangement not known to chinese-calendar yet), and whether the
    system administrator has edited it since."""

    class Source(models.TextChoices):
        OFFICIAL = "official", "国务院办公厅公布的节假日安排（chinese-calendar）"
        WEEKENDS = "weekends", "仅按周末推算（未导入官方安排）"

    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    edited = models.BooleanField("管理员已修改", default=False)
    seeded_at = models.DateTimeField("导入时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "工作日历年度"
        verbose_name_plural = "工作日历年度"
        ordering = ["-year"]
        default_permissions = ()

    def __str__(self):
        return f"{self.year}年"

    @property
    def is_official(self):
        return self.source == self.Source.OFFICIAL


class Holiday(models.Model):
    """A day that differs from the Monday–Friday rule: a holiday (is_workday False, e.g. 国庆节 on a weekday —
    weekend days inside a holiday are kept too, for the display) or a weekend working day (调休上班)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("调休上班", default=False, help_text="勾选表示该日上班（调休），否则为放假")
    name = models.CharField("名称", max_length=50, blank=True)
    is_official = models.BooleanField("来自官方安排", default=False, editable=False)

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["date"]
        default_permissions = ()

    def __str__(self):
        kind = "调休上班" if self.is_workday else "放假"
        return f"{self.date:%Y-%m-%d} {self.name or ''}{kind}"

    def clean(self):
        if self.date and self.is_workday and self.date.weekday() < 5:
            raise ValidationError({"is_workday": "工作日本来就上班：调休上班只用于周六、周日。"})
