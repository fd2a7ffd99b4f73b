"""The representatives list to Excel (core.excel.SheetWriter): one row per representative, what the list page
shows plus the person's basic facts. The phone number is always masked; the ID number is not exported. The
person's columns are filled only for people the exporting user may see (people.visibility); for the others the
row holds the name and the representative's profile.
"""

from django.db.models import Prefetch

from core.excel import SheetWriter
from people import choices
from people.models import Person, SocialPosition
from people.services import birth_date_text, with_person_visible

from . import services
from .models import Field, Kind, Level, Stage
from .tables import latest_assessment

TITLE = "党外代表人士名册"
SHEET = "代表人士"
CHUNK = 500
HEADERS = (
    "序号", "姓名", "性别", "民族", "出生年月", "政治面貌", "工作单位及职务", "层级", "领域", "类型", "阶段",
    "阶段日期", "所属单位", "政治安排", "年度考核", "联系电话", "备注",
)
TEXT_HEADERS = ("出生年月", "阶段日期", "联系电话")
WIDTHS = {"序号": 7, "姓名": 10, "性别": 6, "民族": 9, "出生年月": 11, "政治面貌": 13, "工作单位及职务": 30,
          "层级": 7, "领域": 12, "类型": 16, "阶段": 7, "阶段日期": 12, "所属单位": 14, "政治安排": 24, "年度考核": 14,
          "联系电话": 14, "备注": 30}
# Person fields the export never reads (the ID number would be decrypted for nothing).
UNUSED_PERSON_FIELDS = ("id_number", "address", "native_place", "photo", "notes", "status_reason")
# The columns taken from the person's ledger record (besides the name): empty where the user may not see it.
PERSON_HEADERS = ("性别", "民族", "出生年月", "政治面貌", "工作单位及职务", "政治安排", "联系电话")


def export_queryset(queryset):
    """`queryset` (scoped, filtered) with what a row needs, fetched per chunk."""
    return (
        queryset.select_related("person", "owner_unit")
        .defer(*(f"person__{name}" for name in UNUSED_PERSON_FIELDS))
        .prefetch_related(
            Prefetch("person__positions", queryset=SocialPosition.objects.filter(kind__in=services.POLITICAL_KINDS)),
            "assessments",
        )
    )


def write_representatives(target, queryset, *, user, title=TITLE, subtitle="") -> int:
    """Write the representatives of `queryset` (scoped, filtered) as `user` may see their people."""
    labels = {
        "gender": dict(choices.Gender.choices), "ethnicity": dict(choices.ETHNICITIES),
        "affiliation": dict(choices.Affiliation.choices), "level": dict(Level.choices),
        "field": dict(Field.choices), "kind": dict(Kind.choices), "stage": dict(Stage.choices),
    }
    mask_phone = Person._meta.get_field("phone").masked
    writer = SheetWriter(target, SHEET, HEADERS, title=title, subtitle=subtitle,
                         text_columns=[HEADERS.index(h) for h in TEXT_HEADERS], widths=WIDTHS)
    person_columns = [HEADERS.index(header) for header in PERSON_HEADERS]
    rows = with_person_visible(export_queryset(queryset), user).iterator(chunk_size=CHUNK)
    for number, rep in enumerate(rows, 1):
        person = rep.person
        row = [
            number, person.name, labels["gender"].get(person.gender, ""), labels["ethnicity"].get(person.ethnicity, ""),
            birth_date_text(person.birth_date, day=False, export=True),
            labels["affiliation"].get(person.affiliation, ""),
            "".join(part for part in (person.workplace, person.position) if part),
            labels["level"].get(rep.level, ""), labels["field"].get(rep.field, ""), labels["kind"].get(rep.kind, ""),
            labels["stage"].get(rep.stage, ""), rep.stage_date.isoformat() if rep.stage_date else "",
            rep.owner_unit.name, services.current_arrangement(person.positions.all()), latest_assessment(rep),
            mask_phone(person.phone) if person.phone else "", rep.notes,
        ]
        if not rep.person_visible:
            for column in person_columns:
                row[column] = ""
        writer.write_row(row)
    writer.close()
    return writer.count
