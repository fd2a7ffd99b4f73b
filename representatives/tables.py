import django_tables2 as tables
from django.utils.html import format_html

from core.tables import SECONDARY, WRAPPING

from . import services
from .models import Field, Kind, Level, Representative, Stage

STAGE_BADGES = {
    Stage.DISCOVERED: "bg-azure-lt", Stage.CULTIVATING: "bg-yellow-lt", Stage.CERTIFIED: "bg-green-lt",
    Stage.EXITED: "bg-secondary-lt",
}
LABELS = {
    "level": dict(Level.choices), "field": dict(Field.choices), "kind": dict(Kind.choices),
    "stage": dict(Stage.choices),
}


class LabelColumn(tables.Column):
    """A choice field shown by its label (from a dict built once)."""

    def __init__(self, field_name, **kwargs):
        self.field_name = field_name
        kwargs.setdefault("order_by", (field_name, "id"))
        super().__init__(accessor="pk", **kwargs)

    def render(self, record):
        return LABELS[self.field_name].get(getattr(record, self.field_name), "") or "—"

    def value(self, record):
        return LABELS[self.field_name].get(getattr(record, self.field_name), "")


def latest_assessment(rep):
    assessments = list(rep.assessments.all())  # prefetched, newest year first
    return str(assessments[0]) if assessments else ""


class RepresentativeTable(tables.Table):
    """The view selects the person and unit, prefetches positions and assessments and annotates whether the user
    may see the person (`person_visible`): a fixed number of queries."""

    name = tables.Column(verbose_name="姓名", accessor="person__name", order_by=("person__name_pinyin", "id"),
                         linkify=lambda record: record.get_absolute_url())
    level = LabelColumn("level", verbose_name="层级")
    field = LabelColumn("field", verbose_name="领域", attrs=SECONDARY)
    kind = LabelColumn("kind", verbose_name="类型", attrs=WRAPPING)
    stage = tables.Column(verbose_name="阶段", accessor="pk", order_by=("stage", "id"))
    stage_date = tables.DateColumn(verbose_name="阶段日期", format="Y-m-d", order_by=("stage_date", "id"),
                                   attrs=SECONDARY)
    owner_unit = tables.Column(verbose_name="所属单位", order_by=("owner_unit__path", "id"), attrs=SECONDARY)
    arrangement = tables.Column(verbose_name="政治安排", accessor="pk", orderable=False, attrs=WRAPPING)
    assessment = tables.Column(verbose_name="年度考核", accessor="pk", orderable=False, attrs=SECONDARY)

    class Meta:
        model = Representative
        fields = ()
        sequence = ("name", "level", "field", "kind", "stage", "stage_date", "owner_unit", "arrangement", "assessment")
        empty_text = "没有符合条件的代表人士"
        attrs = {"class": "table table-vcenter card-table table-striped table-sm"}
        orderable = True

    def render_stage(self, record):
        return format_html('<span class="badge {}">{}</span>', STAGE_BADGES.get(record.stage, ""),
                           LABELS["stage"].get(record.stage, record.stage))

    def value_stage(self, record):
        return LABELS["stage"].get(record.stage, record.stage)

    def render_owner_unit(self, value):
        return value.display_name

    def render_arrangement(self, record):
        # The view annotates `person_visible` (people.visibility): a hidden person's arrangements are not shown.
        if not record.person_visible:
            return "—"
        return services.current_arrangement(record.person.positions.all()) or "—"

    def render_assessment(self, record):
        return latest_assessment(record) or "—"
