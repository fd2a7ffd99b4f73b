"""The ledger's checks for the health check (台账体检, core.checks), on the people on the ledger (在册) — people
who have left (调出、退出、去世) are not checked:

- 信息不完整: a required field is not filled (people.metrics.REQUIRED_FIELDS, the definition behind the
  `people.complete` figure); the finding names the missing fields.
- 身份证号缺失 / 身份证号无效: no ID number (an empty keyed hash), or one that fails the GB 11643 check
  (people.identity.id_number_problem). The numbers are decrypted in bulk, in one query, and never shown.
- 疑似重复: the same name and birth date in two or more different units, looked for among every person the user
  may view (so a county user checking one town still sees that a person of the town is also registered in
  another town); a suspected duplicate is shown only when the user may see every record of it.
- 超过一年未更新: the record was last modified more than 365 days ago (`updated_at`).

One query over the people serves the completeness, ID and update checks; the duplicates take two more.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Value, When
from django.utils import timezone

from core.checks import CheckedRecord, CheckResult, Finding, detail_url_pattern, register_check

from .choices import Status
from .identity import id_number_problem
from .metrics import REQUIRED_FIELDS, missing_q
from .models import Person
from .privacy import birth_date_text

STALE_DAYS = 365
POPULATION = "people"
INCOMPLETE, ID_MISSING, ID_INVALID, DUPLICATE, STALE = "incomplete", "id_missing", "id_invalid", "duplicate", "stale"


@dataclass
class LedgerScan:
    """The people on the ledger under the roots, and what one pass over them found."""

    records: list = field(default_factory=list)
    people: dict = field(default_factory=dict)  # id → the row read (name, unit, path …)
    findings: dict = field(default_factory=lambda: defaultdict(list))  # kind → [Finding]


def on_ledger(query):
    return query.visible(Person.objects.filter(status=Status.ACTIVE))


def _age_text(moment, now):
    days = (now - moment).days
    return f"{days // 365}年{(days % 365) // 30}个月" if days >= 365 else f"{days}天"


def scan(query):
    """One query over the people: the required fields' emptiness (people.metrics' own definition), the ID number
    (decrypted by the field), the last modification."""
    # The missing fields as one bitmask column (bit i: REQUIRED_FIELDS[i] not filled), cheaper than a column each.
    mask = sum((Case(When(missing_q(name), then=Value(1 << bit)), default=Value(0), output_field=IntegerField())
                for bit, name in enumerate(REQUIRED_FIELDS)), Value(0))
    field_names = [str(Person._meta.get_field(name).verbose_name) for name in REQUIRED_FIELDS]
    rows = (on_ledger(query).filter(query.roots_q("owner_unit")).annotate(missing_mask=mask).order_by()
            .values_list("pk", "name", "owner_unit_id", "owner_unit__path", "updated_at", "id_number", "missing_mask",
                         named=True))
    now, today = query.now, query.today
    stale_before = now - datetime.timedelta(days=STALE_DAYS)
    url = detail_url_pattern("people:person_detail")
    result = LedgerScan()
    for person in rows:
        result.records.append(CheckedRecord(person.pk, person.owner_unit__path))
        result.people[person.pk] = person

        def found(kind, detail, person=person):
            result.findings[kind].append(Finding(kind, person.pk, person.name, url.format(person.pk), detail,
                                                 person.owner_unit_id, person.owner_unit__path))

        missing = [name for bit, name in enumerate(field_names) if person.missing_mask & (1 << bit)]
        if missing:
            found(INCOMPLETE, "缺少：" + "、".join(missing))
        number = person.id_number
        if not number:
            found(ID_MISSING, "未填写身份证号")
        else:
            problem = id_number_problem(number, today)
            if problem:
                found(ID_INVALID, problem)
        if person.updated_at < stale_before:
            modified = timezone.localtime(person.updated_at)
            found(STALE, f"最后修改于{modified:%Y-%m-%d}（{_age_text(person.updated_at, now)}未更新）")
    return result


def ledger_scan(query):
    return query.shared("people.ledger", lambda: scan(query))


@register_check("people.complete", "信息完整率", weight=40, population=POPULATION, order=10,
                kinds=[(INCOMPLETE, "信息不完整")], description="信息完整率＝必填项齐全的人数÷在册人数")
def complete(query):
    found = ledger_scan(query)
    return CheckResult(found.records, found.findings[INCOMPLETE])


@register_check("people.valid_id", "身份证号有效率", weight=20, population=POPULATION, order=20,
                kinds=[(ID_MISSING, "身份证号缺失"), (ID_INVALID, "身份证号无效")],
                description="身份证号有效率＝身份证号已填写且通过GB 11643校验的人数÷在册人数")
def valid_id(query):
    found = ledger_scan(query)
    return CheckResult(found.records, found.findings[ID_MISSING] + found.findings[ID_INVALID])


@register_check("people.unique", "无重复率", weight=10, population=POPULATION, order=30,
                kinds=[(DUPLICATE, "疑似重复")], description="无重复率＝未列为疑似重复的人数÷在册人数")
def unique(query):
    found = ledger_scan(query)
    return CheckResult(found.records, duplicates(on_ledger(query), found.people))


@register_check("people.fresh", "一年内更新率", weight=15, population=POPULATION, order=40,
                kinds=[(STALE, "超过一年未更新")], description=f"一年内更新率＝{STALE_DAYS}天内修改过的人数÷在册人数")
def fresh(query):
    found = ledger_scan(query)
    return CheckResult(found.records, found.findings[STALE])


def duplicates(visible, checked):
    """Findings for the people of `checked` (id → row: those being checked) who share name and birth date with a
    person of another unit, both among `visible` (what the user may view)."""
    groups = (visible.exclude(birth_date__isnull=True).order_by().values("name", "birth_date")
              .annotate(units=Count("owner_unit", distinct=True)).filter(units__gt=1))
    keys = {(group["name"], group["birth_date"]) for group in groups}
    if not keys:
        return []
    url = detail_url_pattern("people:person_detail")
    members = defaultdict(list)
    names = sorted({name for name, _ in keys})
    candidates = visible.filter(name__in=names, birth_date__in=sorted({day for _, day in keys})).order_by(
        "owner_unit__path", "pk").values_list("pk", "name", "birth_date", "owner_unit__name")
    for pk, name, birth, unit_name in candidates:
        if (name, birth) in keys:
            members[(name, birth)].append((pk, unit_name))
    findings = []
    for (name, birth), records in members.items():
        for pk, _unit_name in records:
            if pk not in checked:
                continue
            person = checked[pk]
            others = [(f"{other_unit}的“{name}”", url.format(other)) for other, other_unit in records if other != pk]
            # The month only: the day is a sensitive field (people.privacy), and the check compares it anyway.
            detail = (f"与{'、'.join(label for label, _ in others)}姓名、出生日期相同"
                      f"（{birth_date_text(birth, day=False)}），"
                      "请核实是否为同一人")
            findings.append(Finding(DUPLICATE, pk, name, url.format(pk), detail, person.owner_unit_id,
                                    person.owner_unit__path, others))
    return findings
