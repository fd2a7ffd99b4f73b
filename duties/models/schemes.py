"""The assessment scheme (考核细则) and its copy to a new year."""

from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.models import BusinessModel, ScopedQuerySet
from org.models import Unit

from ..periods import ReportingPeriod
from .common import ZERO, unit_type_choices, validate_codes
from .indicators import Indicator
from .submissions import Submission


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
        validate_codes(self.unit_types, unit_type_choices(), "考核单位类型")
        validate_codes(self.periods, ReportingPeriod.choices, "通报周期")

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
