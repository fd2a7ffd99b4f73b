"""The indicators of a scheme: categories and the items units are assessed on."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from ..periods import Frequency, occurrences, occurrences_in
from .common import POINTS, ZERO, unit_type_choices, validate_codes


class Indicator(models.Model):
    """A category (parent None: a heading, no scoring) or an item of a scheme (parent: its category)."""

    class Method(models.TextChoices):
        DONE = "done", "完成/未完成"
        PER_OCCURRENCE = "per_occurrence", "按次计分"
        REVIEW = "review", "评审打分"
        DEDUCTION = "deduction", "扣分项"
        BONUS = "bonus", "加分项"

    # The methods whose points make up the full marks (bonus and deduction come on top of them), and the
    # methods scored by a number of occurrences times `unit_points`, capped at `points`.
    BASE_METHODS = (Method.DONE, Method.PER_OCCURRENCE, Method.REVIEW)
    COUNTED_METHODS = (Method.PER_OCCURRENCE, Method.DEDUCTION, Method.BONUS)

    class Applicability(models.TextChoices):
        COMMON = "common", "共性"
        SPECIFIC = "specific", "个性"

    class DeadlineAnchor(models.TextChoices):
        START = "start", "期初起"
        END = "end", "期末后"

    class Comparison(models.TextChoices):
        GTE = "gte", "≥"
        GT = "gt", ">"
        LTE = "lte", "≤"
        LT = "lt", "<"
        EQ = "eq", "="

    class Mapping(models.TextChoices):
        THRESHOLD = "threshold", "达标得满分"
        PROPORTIONAL = "proportional", "按完成比例得分"
        COUNT = "count", "按数值计次"

    scheme = models.ForeignKey(
        "duties.Scheme", verbose_name="考核细则", on_delete=models.CASCADE, related_name="indicators",
    )
    parent = models.ForeignKey(
        "self", verbose_name="所属类别", on_delete=models.CASCADE, null=True, blank=True, related_name="children",
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    text = models.TextField("内容")

    # Scoring (items only)
    points = models.DecimalField("分值", **POINTS, default=ZERO, validators=[MinValueValidator(ZERO)],
                                 help_text="满分；按次计分、加分项、扣分项为最高分（封顶）")
    method = models.CharField("计分方式", max_length=20, choices=Method.choices, default=Method.DONE)
    unit_points = models.DecimalField("每次分值", **POINTS, null=True, blank=True,
                                      validators=[MinValueValidator(ZERO)],
                                      help_text="按次计分、加分项、扣分项：每次得（加、扣）的分数")
    score_min = models.DecimalField("最低分", **POINTS, default=ZERO, validators=[MinValueValidator(ZERO)],
                                    help_text="评审打分：评分范围为最低分至分值")
    evidence_required = models.TextField("佐证材料要求", blank=True)

    # When (items only)
    frequency = models.CharField("频次", max_length=10, choices=Frequency.choices, default=Frequency.YEAR)
    deadline = models.DateField("截止日期", null=True, blank=True, help_text="每年（一次）的事项可指定日期")
    deadline_days = models.PositiveSmallIntegerField(
        "截止工作日数", null=True, blank=True, help_text="每期的期初起（或期末后）第N个工作日截止，按法定节假日计算")
    deadline_anchor = models.CharField(
        "工作日起算", max_length=5, choices=DeadlineAnchor.choices, default=DeadlineAnchor.START)

    # To whom (items only)
    applies_to = models.CharField("适用范围", max_length=10, choices=Applicability.choices,
                                  default=Applicability.COMMON)
    unit_types = models.JSONField("适用单位类型", default=list, blank=True,
                                  help_text="共性事项：留空则适用于全部考核单位")
    units = models.ManyToManyField("org.Unit", verbose_name="适用单位", blank=True, related_name="+",
                                   help_text="个性事项：指定的单位")

    # Automatic evidence (items only): a registered figure compared with a threshold
    metric_key = models.CharField("自动取数指标", max_length=100, blank=True)
    metric_params = models.JSONField("取数参数", default=dict, blank=True)
    rule_comparison = models.CharField("比较方式", max_length=3, choices=Comparison.choices, default=Comparison.GTE)
    rule_threshold = models.DecimalField("达标值", max_digits=12, decimal_places=2, null=True, blank=True)
    rule_mapping = models.CharField("建议得分", max_length=12, choices=Mapping.choices, default=Mapping.THRESHOLD)

    history = HistoricalRecords(m2m_fields=[units])

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["scheme", "sort_order", "id"]
        default_permissions = ()
        indexes = [models.Index(fields=["scheme", "parent", "sort_order"], name="indicator_tree")]

    def __str__(self):
        text = self.text.strip().splitlines()[0] if self.text.strip() else ""
        return text[:40] + ("…" if len(text) > 40 else "")

    @property
    def is_category(self):
        return self.parent_id is None

    @property
    def has_rule(self):
        return bool(self.metric_key)

    @property
    def is_base(self):
        return self.method in self.BASE_METHODS

    def clean(self):
        errors = {}
        if self.parent_id is not None:
            parent = self.parent
            if parent.parent_id is not None:
                errors["parent"] = "指标只有两级：所属类别必须是一级类别。"
            elif self.scheme_id and parent.scheme_id != self.scheme_id:
                errors["parent"] = "所属类别不属于本考核细则。"
        if not self.is_category:
            errors.update(self._clean_item())
        if errors:
            raise ValidationError(errors)

    def clean_item(self):
        """The checks of an item that do not need its category saved (an import checks its rows before writing)."""
        errors = self._clean_item()
        if errors:
            raise ValidationError(errors)

    def _clean_item(self):
        errors = {}
        method = self.method
        if method in self.COUNTED_METHODS and not self.unit_points:
            errors["unit_points"] = f"“{self.get_method_display()}”须填写每次分值。"
        if method == self.Method.REVIEW and self.score_min is not None and self.points is not None \
                and self.score_min > self.points:
            errors["score_min"] = "最低分不能大于分值。"
        if self.deadline and self.frequency != Frequency.YEAR:
            errors["deadline"] = "按月、季度、半年开展的事项请用“截止工作日数”，截止日期只用于每年（一次）的事项。"
        if self.deadline and self.deadline_days is not None:
            errors["deadline_days"] = "截止日期与截止工作日数只能填写一个。"
        if self.deadline and self.scheme_id and self.deadline.year != self.scheme.year:
            errors["deadline"] = f"截止日期应在{self.scheme.year}年内。"
        try:
            validate_codes(self.unit_types, unit_type_choices(), "适用单位类型")
        except ValidationError as error:
            errors["unit_types"] = error.messages[0]
        if self.applies_to == self.Applicability.SPECIFIC and self.unit_types:
            errors["unit_types"] = "个性事项按指定单位适用，不按单位类型。"
        if self.metric_key:
            from ..rules import rule_problems

            errors.update(rule_problems(self))
        return errors

    def applies_to_unit(self, unit, *, scheme_checked=False):
        """Whether this item is on `unit`'s list (the scheme must cover the unit)."""
        if self.is_category or unit is None:
            return False
        if not scheme_checked and not self.scheme.covers(unit):
            return False
        if self.applies_to == self.Applicability.SPECIFIC:
            return any(u.pk == unit.pk for u in self.units.all())
        return not self.unit_types or unit.type in self.unit_types

    def occurrences(self, period=None):
        """The item's occurrences in the scheme year (only those entirely inside `period` when given)."""
        year = self.scheme.year
        if period is None:
            return occurrences(self.frequency, year)
        return occurrences_in(self.frequency, year, period)

    def scoring_text(self):
        """How the item is scored, in words ("每次0.5分，最高2分")."""
        points = _number(self.points)
        unit = _number(self.unit_points) if self.unit_points is not None else "?"
        return {
            self.Method.DONE: f"完成得{points}分，未完成不得分",
            self.Method.PER_OCCURRENCE: f"每次{unit}分，最高{points}分",
            self.Method.REVIEW: f"评分{_number(self.score_min)}–{points}分",
            self.Method.DEDUCTION: f"每次扣{unit}分，最多扣{points}分",
            self.Method.BONUS: f"每次加{unit}分，最多加{points}分",
        }[self.method]

    def deadline_text(self):
        if self.deadline and self.frequency == Frequency.YEAR:
            return f"{self.deadline:%Y-%m-%d}前"
        if self.deadline_days is not None:
            anchor = "每期开始后" if self.deadline_anchor == self.DeadlineAnchor.START else "每期结束后"
            if self.frequency == Frequency.YEAR:
                anchor = anchor.replace("每期", "年度")
            return f"{anchor}{self.deadline_days}个工作日内"
        return "期末前" if self.frequency != Frequency.YEAR else "年底前"

    def applicability_text(self):
        """"共性", "共性（镇街）" or "个性：东溪镇、县教育局"."""
        if self.applies_to == self.Applicability.SPECIFIC:
            names = "、".join(u.name for u in self.units.all()) if self.pk else ""
            return f"个性：{names}" if names else "个性"
        if self.unit_types:
            labels = dict(unit_type_choices())
            return f"共性（{'、'.join(str(labels.get(t, t)) for t in self.unit_types)}）"
        return "共性"

    def rule_text(self):
        """The rule in words ("开展活动（指定类型）≥1"), "" without one."""
        if not self.metric_key:
            return ""
        from core import metrics

        try:
            label = metrics.get(self.metric_key).label
        except LookupError:
            label = self.metric_key
        params = "，".join(str(v) for v in (self.metric_params or {}).values())
        if params:
            label = f"{label[:-1]}：{params}）" if label.endswith("）") else f"{label}（{params}）"
        if self.rule_threshold is None:
            return label
        return f"{label}{self.get_rule_comparison_display()}{_number(self.rule_threshold)}"


def _number(value):
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
