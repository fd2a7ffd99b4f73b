"""The county's numbered documents (reminder letters 发函提醒, notices 通报) and the final results of a scheme."""

from django.db import IntegrityError, models, transaction

from core.models import BusinessModel, ScopedQuerySet

from .common import POINTS, ZERO
from .indicators import Indicator
from .schemes import Scheme

LETTER_PREFIX = "统战提醒"
NOTICE_PREFIX = "统战通报"


def document_number(prefix, year, number):
    """"统战提醒〔2026〕3号"."""
    return f"{prefix}〔{year}〕{number}号"


class NumberedQuerySet(ScopedQuerySet):
    def next_number(self, year):
        last = self.filter(year=year).aggregate(n=models.Max("number"))["n"]
        return (last or 0) + 1


class NumberedDocument(BusinessModel):
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("序号")

    objects = models.Manager.from_queryset(NumberedQuerySet)()

    prefix = ""

    class Meta:
        abstract = True

    @property
    def doc_number(self):
        return document_number(self.prefix, self.year, self.number)

    @classmethod
    def create_numbered(cls, *, year, attempts=5, **fields):
        """Create a document with the next free number of `year`, retrying when another took it meanwhile."""
        for attempt in range(attempts):
            try:
                with transaction.atomic():
                    return cls.objects.create(year=year, number=cls.objects.next_number(year), **fields)
            except IntegrityError:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")


class ReminderLetter(NumberedDocument):
    """A numbered reminder letter (发函提醒) to one unit (owner_unit, the addressee) about items overdue or
    behind. `items` are the indicators named; `items_snapshot` keeps what the letter said about each
    ([{"indicator": id, "text", "period_key", "period", "due", "status"}])."""

    scheme = models.ForeignKey(Scheme, verbose_name="考核细则", on_delete=models.PROTECT, related_name="letters")
    items = models.ManyToManyField(Indicator, verbose_name="提醒事项", blank=True, related_name="letters")
    items_snapshot = models.JSONField("提醒事项（存档）", default=list, blank=True)
    deadline = models.DateField("整改期限")
    file = models.FileField("函件文件", upload_to="duties/letters/%Y/", blank=True)
    sent_at = models.DateTimeField("发出时间", null=True, blank=True)

    prefix = LETTER_PREFIX

    class Meta:
        verbose_name = "提醒函"
        verbose_name_plural = "提醒函"
        ordering = ["-year", "-number"]
        default_permissions = ("view", "export")
        permissions = [("manage_reminderletter", "发出提醒函")]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="letter_unique_number")]

    def __str__(self):
        return self.doc_number

    @property
    def addressee(self):
        return self.owner_unit


class Notice(NumberedDocument):
    """A periodic progress notice (通报) for one period of a scheme, issued by the county (owner_unit)."""

    scheme = models.ForeignKey(Scheme, verbose_name="考核细则", on_delete=models.PROTECT, related_name="notices")
    period_key = models.CharField("通报期间", max_length=10)
    title = models.CharField("标题", max_length=200)
    content = models.JSONField("通报内容（存档）", default=dict, blank=True)
    file = models.FileField("通报文件", upload_to="duties/notices/%Y/", blank=True)

    prefix = NOTICE_PREFIX

    class Meta:
        verbose_name = "通报"
        verbose_name_plural = "通报"
        ordering = ["-year", "-number"]
        default_permissions = ("view", "export")
        permissions = [("manage_notice", "发布通报")]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="notice_unique_number")]

    def __str__(self):
        return f"{self.doc_number} {self.title}"


class FinalResultQuerySet(ScopedQuerySet):
    def group_sizes(self, scheme):
        """{rank group: how many units it ranks} over every result of `scheme`, not only those a user may see, on
        purpose: a unit that sees its own result only still learns "11th of 12". Counts, nothing of other units."""
        return dict(self.filter(scheme=scheme).order_by().values_list("rank_group").annotate(n=models.Count("pk"))
                    .values_list("rank_group", "n"))


class FinalResult(BusinessModel):
    """A unit's (owner_unit) final assessment for a scheme: the scores as finalised, its rank, commendation."""

    scheme = models.ForeignKey(Scheme, verbose_name="考核细则", on_delete=models.PROTECT, related_name="results")
    automatic = models.DecimalField("自动取数得分", **POINTS, default=ZERO)
    reviewed = models.DecimalField("审核得分", **POINTS, default=ZERO)
    bonus = models.DecimalField("加分", **POINTS, default=ZERO)
    deductions = models.DecimalField("扣分", **POINTS, default=ZERO)
    total = models.DecimalField("总分", **POINTS, default=ZERO)
    full_marks = models.DecimalField("满分", **POINTS, default=ZERO)
    rank = models.PositiveIntegerField("排名", null=True, blank=True, help_text="在同类型单位中的名次")
    rank_group = models.CharField("排名分组", max_length=20, blank=True, help_text="单位类型")
    commended = models.BooleanField("表彰", default=False)
    commendation = models.CharField("表彰说明", max_length=200, blank=True)
    finalized_at = models.DateTimeField("确定时间", null=True, blank=True)

    objects = FinalResultQuerySet.as_manager()

    class Meta:
        verbose_name = "考核结果"
        verbose_name_plural = "考核结果"
        ordering = ["scheme", "rank_group", "rank", "owner_unit__path"]
        default_permissions = ("view", "export")
        permissions = [("manage_finalresult", "确定考核结果与表彰")]
        constraints = [models.UniqueConstraint(fields=["scheme", "owner_unit"], name="result_unique_scheme_unit")]

    def __str__(self):
        return f"{self.scheme} · {self.owner_unit}"
