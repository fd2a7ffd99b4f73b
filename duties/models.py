"""Duty lists and assessment (职责清单, 据单督查, 按单考核).

- Scheme (考核细则): one a year (or several), owned by the county, covering units by type and/or by name.
- Indicator: a two-level tree — categories (parent None, no scoring) and items under them. An item has points,
  a scoring method, required evidence, a frequency and deadline, an applicability (共性/个性) and optionally an
  automatic rule over a registered figure (core.metrics).
- Submission: a unit's evidence for one item and one occurrence (period_key); its review steps are
  SubmissionStep rows, its files SubmissionAttachment, its links to existing records SubmissionLink.
- ReminderLetter (发函提醒), Notice (通报), FinalResult (a unit's result for a scheme, with commendation).
- Holiday / CalendarYear: the working-day calendar (see duties.workdays).

Permissions: the county-level models carry the custom action "manage" (管理), granted to county staff only;
Submission carries "review" (审核) besides view/add/change/export. See accounts/roles.py.
"""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.models import BusinessModel, ScopedQuerySet

from .periods import Frequency, ReportingPeriod, occurrences, occurrences_in

ZERO = Decimal("0")
POINTS = {"max_digits": 7, "decimal_places": 2}


def unit_type_choices():
    from org.models import Unit

    return Unit.Type.choices


def _validate_codes(values, choices, label):
    allowed = {code for code, _ in choices}
    if not isinstance(values, list) or any(v not in allowed for v in values):
        raise ValidationError(f"{label}包含无效的选项。")


# --- scheme -----------------------------------------------------------------------------------------------


class SchemeQuerySet(ScopedQuerySet):
    def published(self):
        """The published schemes. Read without a scope where a unit's duty list is built (the unit's list, the
        progress of its units, its figures): a published scheme is the county's rulebook for every unit it
        assesses, so a town reads the county's scheme that covers it. What a user sees through it stays inside
        their scope — the units (`Scheme.assessed_units_for`) and their submissions. Pages about the scheme itself
        (its detail, edit, export) go through `visible_to`."""
        return self.filter(status=Scheme.Status.PUBLISHED)

    def covering(self, unit):
        """Schemes covering `unit` (by its type or by name). Schemes are few: checked one by one, which works
        on every database (SQLite has no JSON "contains")."""
        return self.filter(pk__in=[scheme.pk for scheme in self.select_related("owner_unit") if scheme.covers(unit)])


class SchemeManager(models.Manager.from_queryset(SchemeQuerySet)):
    pass


class Scheme(BusinessModel):
    """A yearly assessment scheme (考核细则), owned by the county (owner_unit)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000)])
    title = models.CharField("名称", max_length=100)
    unit_types = models.JSONField(
        "考核单位类型", default=list, blank=True, help_text="这些类型的全部单位均纳入考核"
    )
    units = models.ManyToManyField(
        "org.Unit", verbose_name="考核单位（逐个指定）", blank=True, related_name="duty_schemes",
        help_text="在上述类型之外另行纳入的单位",
    )
    periods = models.JSONField("通报周期", default=list, blank=True, help_text="月度、季度、半年、年度")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, editable=False)
    description = models.TextField("说明", blank=True)
    copied_from = models.ForeignKey(
        "self", verbose_name="复制自", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies",
        editable=False,
    )

    objects = SchemeManager()
    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[units])

    class Meta:
        verbose_name = "考核细则"
        verbose_name_plural = "考核细则"
        ordering = ["-year", "title", "id"]
        default_permissions = ("view", "export")
        permissions = [("manage_scheme", "管理考核细则")]
        constraints = [models.UniqueConstraint(fields=["year", "title"], name="scheme_unique_year_title")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("duties:scheme_detail", kwargs={"pk": self.pk})

    def clean(self):
        _validate_codes(self.unit_types, unit_type_choices(), "考核单位类型")
        _validate_codes(self.periods, ReportingPeriod.choices, "通报周期")

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def period(self):
        """The scheme's year as a core.metrics.Period."""
        from core.metrics import Period

        return Period.year(self.year)

    def covered_units(self):
        """The active units the scheme assesses: every unit of its types plus the units named, in tree order."""
        from org.models import Unit

        query = models.Q(type__in=self.unit_types or [])
        if self.pk:
            query |= models.Q(pk__in=self.units.values("pk"))
        owner = self.owner_unit if self.owner_unit_id else None
        units = Unit.objects.filter(query, is_active=True)
        if owner is not None:
            units = units.filter(path__startswith=owner.path)
        return units.order_by("path")

    def assessed_units_for(self, user, action="view"):
        """The units the scheme assesses whose submissions `user` may `action` — "a published scheme covers my
        unit", written once — in tree order."""
        return self.covered_units() & Submission.objects.units_in_scope(user, action)

    def covers(self, unit):
        if unit is None or not unit.is_active:
            return False
        if self.owner_unit_id and not unit.path.startswith(self.owner_unit.path):
            return False
        return unit.type in (self.unit_types or []) or (self.pk and self.units.filter(pk=unit.pk).exists())

    def categories(self):
        return self.indicators.filter(parent__isnull=True).order_by("sort_order", "id")

    def items(self):
        """Every scored item (not the categories), in tree order."""
        return self.indicators.filter(parent__isnull=False).select_related("parent", "scheme").order_by(
            "parent__sort_order", "parent_id", "sort_order", "id")

    def items_for(self, unit):
        """The items that apply to `unit` (共性 for its type, 个性 naming it), in tree order; [] if not covered."""
        if not self.covers(unit):
            return []
        items = self.items().prefetch_related("units")
        return [item for item in items if item.applies_to_unit(unit, scheme_checked=True)]

    def full_marks(self, unit=None):
        """The sum of the points of the scored (non bonus/deduction) items, for `unit` when given."""
        items = self.items_for(unit) if unit is not None else list(self.items())
        return sum((i.points for i in items if i.method in Indicator.BASE_METHODS), ZERO)

    def copy_to(self, year=None, *, title=None, user=None):
        """A deep copy as a draft for `year` (next year by default): the coverage, every category and item with
        their units and rules, fixed deadlines moved by as many years. Submissions are not copied."""
        year = year or self.year + 1
        shift = year - self.year
        with transaction.atomic():
            copy = Scheme.objects.create(
                year=year, title=title or replace_year_in_title(self.title, self.year, year),
                unit_types=list(self.unit_types or []), periods=list(self.periods or []),
                description=self.description, owner_unit=self.owner_unit, created_by=user, updated_by=user,
                copied_from=self,
            )
            copy.units.set(self.units.all())
            parents = {}
            indicators = self.indicators.prefetch_related("units").order_by("parent_id", "sort_order", "id")
            for indicator in sorted(indicators, key=lambda i: i.parent_id is not None):
                units = list(indicator.units.all())
                old_pk = indicator.pk
                indicator.pk = indicator.id = None
                indicator._state.adding = True
                indicator._prefetched_objects_cache = {}  # else units.set() would compare with the original's
                indicator.scheme = copy
                indicator.parent = parents.get(indicator.parent_id) if indicator.parent_id else None
                indicator.deadline = shift_year(indicator.deadline, shift)
                indicator.metric_params = dict(indicator.metric_params or {})
                indicator.unit_types = list(indicator.unit_types or [])
                indicator.save()
                indicator.units.set(units)
                parents[old_pk] = indicator
        return copy


# --- indicator --------------------------------------------------------------------------------------------


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

    scheme = models.ForeignKey(Scheme, verbose_name="考核细则", on_delete=models.CASCADE, related_name="indicators")
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
            _validate_codes(self.unit_types, unit_type_choices(), "适用单位类型")
        except ValidationError as error:
            errors["unit_types"] = error.messages[0]
        if self.applies_to == self.Applicability.SPECIFIC and self.unit_types:
            errors["unit_types"] = "个性事项按指定单位适用，不按单位类型。"
        if self.metric_key:
            from .rules import rule_problems

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


# --- submission -------------------------------------------------------------------------------------------

class SubmissionQuerySet(ScopedQuerySet):
    def of_assessed_units(self, scheme, units):
        """The submissions of `units` under `scheme`, for their assessment (duties.assessment).

        Not through `visible_to`, on purpose: an assessment is computed for the units its caller chose, and the
        choice is where the scope is applied — the units inside the user's scope (`Scheme.assessed_units_for`:
        the unit's list, the progress matrix, the dashboard's figures), or every unit the scheme assesses for the
        county's own documents (ranking, notices, reminder letters), which only those who manage them make."""
        return self.filter(indicator__scheme=scheme, owner_unit__in=units)


class Submission(BusinessModel):
    """A unit's evidence for one item and one occurrence (据单督查). `owner_unit` is the unit assessed."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未开始"
        IN_PROGRESS = "in_progress", "进行中"
        SUBMITTED = "submitted", "已提交"
        PASSED = "passed", "已通过"
        RETURNED = "returned", "退回"

    # Statuses in which the unit may still edit and (re)submit its evidence.
    EDITABLE = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED)

    indicator = models.ForeignKey(Indicator, verbose_name="考核指标", on_delete=models.PROTECT,
                                  related_name="submissions")
    period_key = models.CharField("期次", max_length=10, help_text="2026、2026-H1、2026-Q3 或 2026-03")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NOT_STARTED,
                              db_index=True)
    text = models.TextField("完成情况", blank=True)
    count = models.PositiveIntegerField("次数", null=True, blank=True, help_text="按次计分、加分项、扣分项：认定的次数")
    score = models.DecimalField("评定得分", **POINTS, null=True, blank=True,
                                help_text="审核人给出的得分（加分项、扣分项为加、扣的分数）；留空则按规则计算")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = "职责清单报送"
        verbose_name_plural = "职责清单报送"
        ordering = ["indicator__scheme", "owner_unit__path", "indicator__sort_order", "period_key"]
        default_permissions = ("view", "add", "change", "export")
        permissions = [("review_submission", "审核职责清单报送")]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "owner_unit", "period_key"],
                                    name="submission_unique_item_unit_period"),
        ]
        indexes = [models.Index(fields=["owner_unit", "status"], name="submission_unit_status")]

    def __str__(self):
        return f"{self.owner_unit} · {self.indicator} · {self.period_key}"

    @property
    def unit(self):
        return self.owner_unit

    @property
    def occurrence(self):
        from .periods import parse_key

        return parse_key(self.period_key)

    @property
    def is_editable(self):
        """Whether the unit may still change and submit its evidence (not while submitted or once passed)."""
        return self.status in self.EDITABLE

    def clean(self):
        from .periods import parse_key

        errors = {}
        try:
            occurrence = parse_key(self.period_key)
        except ValueError as error:
            errors["period_key"] = str(error)
        else:
            if self.indicator_id:
                indicator = self.indicator
                if indicator.is_category:
                    errors["indicator"] = "类别不是考核事项，不能报送。"
                elif occurrence.frequency != indicator.frequency or occurrence.year != indicator.scheme.year:
                    errors["period_key"] = f"期次“{self.period_key}”与该事项的频次或年度不符。"
        if self.indicator_id and self.owner_unit_id and not self.indicator.is_category \
                and not self.indicator.applies_to_unit(self.owner_unit):
            errors["owner_unit"] = "该事项不在本单位的职责清单中。"
        if self.score is not None and self.indicator_id:
            from .scoring import Spec, score_problem

            problem = score_problem(Spec.of(self.indicator), self.score)
            if problem:
                errors["score"] = problem
        if errors:
            raise ValidationError(errors)


class SubmissionStep(models.Model):
    """One step of a submission's review flow, kept for good: who did what, when, with which comment."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "提交"
        APPROVE = "approve", "通过"
        RETURN = "return", "退回"
        SCORE = "score", "评分"

    submission = models.ForeignKey(Submission, verbose_name="报送", on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    comment = models.TextField("意见", blank=True)
    score = models.DecimalField("得分", **POINTS, null=True, blank=True)
    status_after = models.CharField("操作后状态", max_length=12, choices=Submission.Status.choices, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.SET_NULL, null=True,
                             related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "报送审核记录"
        verbose_name_plural = "报送审核记录"
        ordering = ["created_at", "id"]
        default_permissions = ()

    def __str__(self):
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}" if self.created_at \
            else self.get_action_display()


class SubmissionAttachment(models.Model):
    """A file of evidence; served only through a scoped view, never from /media/."""

    submission = models.ForeignKey(Submission, verbose_name="报送", on_delete=models.CASCADE,
                                   related_name="attachments")
    file = models.FileField("文件", upload_to="duties/attachments/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证附件"
        verbose_name_plural = "佐证附件"
        ordering = ["uploaded_at", "id"]
        default_permissions = ()

    def __str__(self):
        return self.name


def linkable(obj):
    """Whether `obj` is a record evidence may link to: a scoped business record outside the duty lists."""
    return isinstance(obj, BusinessModel) and obj._meta.app_label != "duties"


class SubmissionLink(models.Model):
    """A link from evidence to an existing record (an activity, a contact, a person …): entered once, used here.

    `label` keeps the record's name at the time of linking, so the list shows something when the record is
    later deleted. Create links with `SubmissionLink.link(submission, obj, user)`, which checks that the user
    may see the record.
    """

    submission = models.ForeignKey(Submission, verbose_name="报送", on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, verbose_name="记录类型", on_delete=models.CASCADE,
                                     related_name="+")
    object_id = models.PositiveBigIntegerField("记录编号")
    record = GenericForeignKey("content_type", "object_id")
    label = models.CharField("记录", max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="关联人", on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField("关联时间", auto_now_add=True)

    class Meta:
        verbose_name = "关联记录"
        verbose_name_plural = "关联记录"
        ordering = ["created_at", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["submission", "content_type", "object_id"], name="submission_link_once"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="submission_link_record")]

    def __str__(self):
        return self.label

    @classmethod
    def check_record(cls, obj, user):
        """ValidationError unless `user` may view `obj` and it is a record evidence may link to."""
        if obj is None or not linkable(obj):
            raise ValidationError("只能关联台账、活动、联系记录等业务记录。")
        if not user.can("view", obj):
            # Says nothing about the record: it may be outside the user's scope.
            raise ValidationError("找不到该记录，或您无权查看该记录。")

    @classmethod
    def link(cls, submission, obj, user):
        """Link `obj` to `submission` (idempotent) after checking the user may see it. Returns the link."""
        cls.check_record(obj, user)
        content_type = ContentType.objects.get_for_model(obj)
        link, _ = cls.objects.get_or_create(
            submission=submission, content_type=content_type, object_id=obj.pk,
            defaults={"label": f"{obj._meta.verbose_name}：{obj}"[:200], "created_by": user},
        )
        return link

    @classmethod
    def with_urls(cls, links, user):
        """`links` as a list, each with `url`: its record's page where `user` may view the record (the record
        model's own `visible_to`), else "". A record the user may not see — moved out of their scope since it
        was linked, or deleted — is named by its label alone."""
        links = list(links)
        ids = defaultdict(list)
        for link in links:
            ids[link.content_type_id].append(link.object_id)
        urls = {}
        for content_type_id, object_ids in ids.items():
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            if model is None or not issubclass(model, BusinessModel) or not hasattr(model, "get_absolute_url"):
                continue
            for record in model.objects.visible_to(user, "view").filter(pk__in=object_ids):
                urls[(content_type_id, record.pk)] = record.get_absolute_url()
        for link in links:
            link.url = urls.get((link.content_type_id, link.object_id), "")
        return links


# --- letters, notices, results ----------------------------------------------------------------------------

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


# --- working-day calendar ---------------------------------------------------------------------------------


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


def shift_year(day, years=1):
    """The same day `years` later (29 February becomes 28 February)."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def replace_year_in_title(title, old, new):
    """"2026年度考核细则" → "2027年度考核细则"; a title without the year gets "（2027年）"."""
    if str(old) in title:
        return title.replace(str(old), str(new))
    return f"{title}（{new}年）"


def county_of(user):
    """The county a scheme made by `user` belongs to: the root of the user's unit (or the only root)."""
    from org.models import Unit

    if user is not None and user.unit_id:
        return user.unit.get_root()
    return Unit.get_first_root_node()
