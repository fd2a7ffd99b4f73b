from django.conf import settings
from django.db import models
from django.urls import reverse

from core.models import BUSINESS_PERMISSIONS, BusinessModel


class Level(models.TextChoices):
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWN = "town", "镇级"


class Field(models.TextChoices):
    DEMOCRATIC_PARTY = "party", "民主党派"
    NON_PARTY = "nonparty", "无党派"
    INTELLECTUAL = "intellectual", "党外知识分子"
    NON_PUBLIC = "nonpublic", "非公经济"
    NEW_STRATUM = "newstratum", "新阶层"
    ETHNIC = "ethnic", "少数民族"
    RELIGIOUS = "religious", "宗教"
    OVERSEAS = "overseas", "港澳台侨"
    OTHER = "other", "其他"


class Kind(models.TextChoices):
    CADRE = "cadre", "党外干部"
    PARTY_LEADER = "party_leader", "党派基层组织负责人"
    DEPUTY = "deputy", "人大代表/政协委员/特约人员"
    OTHER = "other", "其他代表人士"


class Stage(models.TextChoices):
    DISCOVERED = "discovered", "发现"
    CULTIVATING = "cultivating", "培养"
    CERTIFIED = "certified", "认定"
    EXITED = "exited", "退出"


# The stages a representative may move to from each stage (退出 is possible from any stage).
NEXT_STAGES = {
    Stage.DISCOVERED: [Stage.CULTIVATING, Stage.EXITED],
    Stage.CULTIVATING: [Stage.CERTIFIED, Stage.EXITED],
    Stage.CERTIFIED: [Stage.EXITED],
    Stage.EXITED: [Stage.DISCOVERED],
}


class Representative(BusinessModel):
    """A person of the ledger followed as a 党外代表人士: level, field, type and where they are in the pipeline."""

    person = models.OneToOneField(
        "people.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="representative"
    )
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    field = models.CharField("领域", max_length=20, choices=Field.choices)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    stage = models.CharField("阶段", max_length=12, choices=Stage.choices, default=Stage.DISCOVERED, editable=False)
    stage_date = models.DateField("进入当前阶段日期", null=True, editable=False)
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "党外代表人士"
        verbose_name_plural = "党外代表人士"
        ordering = ["-id"]
        # 认定 at a level is a power of its own: a role holds it per level (certify_<level>_representative).
        default_permissions = BUSINESS_PERMISSIONS
        permissions = [
            (f"certify_{level}_representative", f"认定{label}党外代表人士") for level, label in Level.choices
        ]
        indexes = [models.Index(fields=["owner_unit", "stage"], name="rep_unit_stage")]

    def __str__(self):
        return str(self.person)

    def get_absolute_url(self):
        return reverse("representatives:representative_detail", kwargs={"pk": self.pk})

    @staticmethod
    def certify_action(level):
        return f"certify_{level}"


class StageChange(models.Model):
    """One step of the pipeline (发现 → 培养 → 认定 → 退出): dated, by whom, why."""

    representative = models.ForeignKey(
        Representative, verbose_name="代表人士", on_delete=models.CASCADE, related_name="stage_changes"
    )
    stage = models.CharField("阶段", max_length=12, choices=Stage.choices)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    date = models.DateField("日期")
    reason = models.CharField("依据或原因", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "阶段变更"
        verbose_name_plural = "阶段变更"
        ordering = ["date", "id"]
        default_permissions = ()

    def __str__(self):
        return f"{self.representative} {self.get_stage_display()} {self.date}"


class Cultivation(models.Model):
    """A cultivation plan or what was done (培训, 挂职锻炼, 实践锻炼)."""

    class Kind(models.TextChoices):
        TRAINING = "training", "培训"
        SECONDMENT = "secondment", "挂职锻炼"
        PRACTICE = "practice", "实践锻炼"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        PLANNED = "planned", "计划"
        DONE = "done", "已完成"

    representative = models.ForeignKey(
        Representative, verbose_name="代表人士", on_delete=models.CASCADE, related_name="cultivations"
    )
    kind = models.CharField("方式", max_length=12, choices=Kind.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PLANNED)
    title = models.CharField("内容", max_length=200)
    organiser = models.CharField("组织单位", max_length=100, blank=True)
    start_date = models.DateField("开始日期", null=True, blank=True)
    end_date = models.DateField("结束日期", null=True, blank=True)
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "培养记录"
        verbose_name_plural = "培养记录"
        ordering = ["-start_date", "-id"]
        default_permissions = ()

    def __str__(self):
        return self.title


class Assessment(models.Model):
    """The annual assessment (年度考核) of a representative."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        COMPETENT = "competent", "称职"
        BASIC = "basic", "基本称职"
        INCOMPETENT = "incompetent", "不称职"

    representative = models.ForeignKey(
        Representative, verbose_name="代表人士", on_delete=models.CASCADE, related_name="assessments"
    )
    year = models.PositiveIntegerField("年度")
    grade = models.CharField("等次", max_length=12, choices=Grade.choices)
    notes = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["-year"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["representative", "year"], name="assessment_once_a_year")]

    def __str__(self):
        return f"{self.year}年 {self.get_grade_display()}"
