"""The ledger health check (台账体检): per unit, how complete and how trustworthy the ledger is, and what to fix.

Everything is read through `visible_to(user)`: a user checks only the records they may view, and a suspected
duplicate is shown only when the user may see every record of it (the duplicates are looked for among the
records the user may view, across the user's whole scope, so a county user drilling into one town still sees
that a person of the town is also registered in another town).

Checks, on the people on the ledger (在册) — people who have left (调出、退出、去世) are not checked:

- 信息不完整: a required field is not filled (people.metrics.REQUIRED_FIELDS, the definition behind the
  `people.complete` figure); the fix item names the missing fields.
- 身份证号缺失 / 身份证号无效: no ID number (an empty keyed hash), or one that fails the GB 11643 check
  (people.identity.id_number_problem). The numbers are decrypted in bulk, in one query, and never shown.
- 疑似重复: the same name and birth date in two or more different units.
- 超过一年未更新: the record was last modified more than 365 days ago (`updated_at`).
- 代表人士未结对: a representative (发现、培养 or 认定, not 退出) with no pairing running today among the
  pairings the user may view.

Score (体检得分, 0-100) of a unit, from the shares of its records (reps: of its representatives):

    40 × 信息完整率 + 20 × 身份证号有效率 + 10 × 无重复率 + 15 × 一年内更新率 + 15 × 代表人士结对率

A unit without representatives gets the full 15 for pairing; a unit without any record gets no score and is
ranked last. The whole check costs a fixed handful of queries, whatever the number of people.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from friendship.models import Pairing
from org.models import Unit
from people.choices import Status
from people.identity import id_number_problem
from people.metrics import REQUIRED_FIELDS, missing_q
from people.models import Person
from people.privacy import birth_date_text
from representatives.models import Representative, Stage

STALE_DAYS = 365

# (weight, share name) in the order the formula is written.
WEIGHTS = {
    "complete": (40, "信息完整率"),
    "valid_id": (20, "身份证号有效率"),
    "unique": (10, "无重复率"),
    "fresh": (15, "一年内更新率"),
    "paired": (15, "代表人士结对率"),
}
FORMULA = "体检得分 = " + " + ".join(f"{weight} × {name}" for weight, name in WEIGHTS.values())


class Kind:
    INCOMPLETE = "incomplete"
    ID_MISSING = "id_missing"
    ID_INVALID = "id_invalid"
    DUPLICATE = "duplicate"
    STALE = "stale"
    UNPAIRED = "unpaired"

    choices = [
        (INCOMPLETE, "信息不完整"),
        (ID_MISSING, "身份证号缺失"),
        (ID_INVALID, "身份证号无效"),
        (DUPLICATE, "疑似重复"),
        (STALE, "超过一年未更新"),
        (UNPAIRED, "代表人士未结对"),
    ]
    labels = dict(choices)


@dataclass
class Issue:
    """One thing to fix: a record, what is wrong with it and where it is."""

    kind: str
    unit_label: str
    name: str
    url: str
    detail: str
    record_id: int
    path: str = ""  # the owner unit's path, for ordering
    others: list = field(default_factory=list)  # duplicates: [(label, url)] of the other records

    @property
    def kind_label(self):
        return Kind.labels[self.kind]


@dataclass
class HealthRow:
    """The figures of one unit (its subtree, or with `exact` only the unit itself: its 本级 row)."""

    label: str
    unit: Unit | None
    exact: bool = False
    is_total: bool = False
    people: int = 0
    complete: int = 0
    id_missing: int = 0
    id_invalid: int = 0
    duplicates: int = 0
    stale: int = 0
    reps: int = 0
    unpaired: int = 0
    rank: int | None = None

    @property
    def incomplete(self):
        return self.people - self.complete

    @property
    def id_problems(self):
        return self.id_missing + self.id_invalid

    @property
    def has_records(self):
        return bool(self.people or self.reps)

    @property
    def can_drill(self):
        return self.unit is not None and not self.exact and not self.is_total

    def shares(self):
        """{share name: value in 0..1} as the score formula uses them (None without any record)."""
        if not self.has_records:
            return None
        people = self.people

        def share(bad, whole):
            return 1.0 if not whole else (whole - bad) / whole

        return {
            "complete": share(self.incomplete, people),
            "valid_id": share(self.id_problems, people),
            "unique": share(self.duplicates, people),
            "fresh": share(self.stale, people),
            "paired": share(self.unpaired, self.reps),
        }

    @property
    def completeness_rate(self):
        return round(100 * self.complete / self.people, 1) if self.people else None

    @property
    def score(self):
        shares = self.shares()
        if shares is None:
            return None
        return round(sum(WEIGHTS[name][0] * value for name, value in shares.items()), 1)


@dataclass
class HealthCheck:
    parent: Unit | None  # the unit checked (None: the user's several top units side by side)
    rows: list  # HealthRow per child unit (+ the parent's 本级 row), ranked by score
    total: HealthRow
    issues: list  # Issue, ordered by unit, then kind
    checked_at: datetime.datetime = None

    def issues_of(self, kind=""):
        return [i for i in self.issues if i.kind == kind] if kind else self.issues

    def kind_counts(self):
        counts = defaultdict(int)
        for issue in self.issues:
            counts[issue.kind] += 1
        return [(code, label, counts[code]) for code, label in Kind.choices]


def ledger_tops(user):
    """The outermost units of the user's ledger scope (the county for county staff, a town for its officer)."""
    return Person.objects.scope_top_units(user, "view", fallback=user.unit if user.unit_id else None)


def may_check(user, unit):
    """Whether `unit` lies in (or is) one of the user's top units: its health check is then the user's records
    in it. Unit names are not business data; the records stay behind visible_to."""
    return any(unit.path.startswith(top.path) for top in ledger_tops(user))


def unit_labels(root_paths):
    """{unit id: its name below the roots, e.g. "东溪镇 东溪村"} for every unit under `root_paths`."""
    query = Q(pk__in=[])
    for path in root_paths:
        query |= Q(path__startswith=path)
    units = list(Unit.objects.filter(query).values_list("pk", "path", "name", "depth"))
    by_path = {path: name for _, path, name, _ in units}
    root_depth = min((len(p) for p in root_paths), default=0) // Unit.steplen
    labels = {}
    for pk, path, name, depth in units:
        names = [by_path.get(path[: Unit.steplen * d]) for d in range(root_depth + 1, depth)]
        labels[pk] = " ".join([n for n in names if n] + [name])
    return labels


def _age_text(moment, now):
    days = (now - moment).days
    return f"{days // 365}年{(days % 365) // 30}个月" if days >= 365 else f"{days}天"


def run(user, parent=None, now=None, action="view"):
    """The health check of `parent`'s subtree (by default the user's single top unit; with several top units
    and no parent, each top unit is a row), over the records `user` may `action` ("export" for the download)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tops = ledger_tops(user)
    if parent is None and len(tops) == 1:
        parent = tops[0]
    if parent is not None:
        children = sorted(Unit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1),
                          key=lambda u: (u.sort_order, u.name))
        rows = [HealthRow(c.name, c) for c in children] + [HealthRow(f"{parent.name}（本级）", parent, exact=True)]
        roots = [parent]
    else:
        rows = [HealthRow(t.name, t) for t in tops]
        roots = tops
    row_by_path = {r.unit.path: r for r in rows}
    total = HealthRow("合计", parent, is_total=True)

    def row_for(path):
        if parent is not None:
            return row_by_path.get(path[: len(parent.path) + Unit.steplen]) if path != parent.path else rows[-1]
        return next((r for p, r in row_by_path.items() if path.startswith(p)), None)

    in_roots = Q(pk__in=[])
    for root in roots:
        in_roots |= Q(owner_unit__path__startswith=root.path)
    labels = unit_labels([r.path for r in roots])
    visible = Person.objects.visible_to(user, action).filter(status=Status.ACTIVE)
    person_url = reverse("people:person_detail", kwargs={"pk": 0}).replace("/0/", "/{}/")
    issues = []

    # 1. One query over the people: the required fields' emptiness (people.metrics' own definition), the
    # ID number (decrypted by the field), the last modification.
    # The missing fields as one bitmask column (bit i: REQUIRED_FIELDS[i] not filled), cheaper than a column each.
    mask = sum((Case(When(missing_q(name), then=Value(1 << bit)), default=Value(0), output_field=IntegerField())
                for bit, name in enumerate(REQUIRED_FIELDS)), Value(0))
    field_names = [str(Person._meta.get_field(name).verbose_name) for name in REQUIRED_FIELDS]
    people = (visible.filter(in_roots).annotate(missing_mask=mask).order_by()
              .values_list("pk", "name", "owner_unit_id", "owner_unit__path", "updated_at", "id_number", "missing_mask",
                           named=True))
    stale_before = now - datetime.timedelta(days=STALE_DAYS)
    people_rows = {}
    for person in people:
        row = row_for(person.owner_unit__path)
        if row is None:
            continue
        people_rows[person.pk] = (row, person)
        url = person_url.format(person.pk)
        where = labels.get(person.owner_unit_id, "")
        path = person.owner_unit__path
        for counted in (row, total):
            counted.people += 1
        missing = [name for bit, name in enumerate(field_names) if person.missing_mask & (1 << bit)]
        if missing:
            issues.append(Issue(Kind.INCOMPLETE, where, person.name, url, "缺少：" + "、".join(missing),
                                person.pk, path))
        else:
            row.complete += 1
            total.complete += 1
        number = person.id_number
        if not number:
            row.id_missing += 1
            total.id_missing += 1
            issues.append(Issue(Kind.ID_MISSING, where, person.name, url, "未填写身份证号", person.pk, path))
        else:
            problem = id_number_problem(number, today)
            if problem:
                row.id_invalid += 1
                total.id_invalid += 1
                issues.append(Issue(Kind.ID_INVALID, where, person.name, url, problem, person.pk, path))
        if person.updated_at < stale_before:
            row.stale += 1
            total.stale += 1
            modified = timezone.localtime(person.updated_at)
            issues.append(Issue(Kind.STALE, where, person.name, url,
                                f"最后修改于{modified:%Y-%m-%d}（{_age_text(person.updated_at, now)}未更新）",
                                person.pk, path))

    # 2. Suspected duplicates, among everything the user may view: same name and birth date, different units.
    for issue in duplicate_issues(visible, person_url, people_rows, labels):
        row = people_rows[issue.record_id][0]
        row.duplicates += 1
        total.duplicates += 1
        issues.append(issue)

    # 3. Representatives without a running pairing (among the pairings the user may view).
    running = Pairing.objects.visible_to(user, action).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today), representative=OuterRef("pk"), start_date__lte=today)
    in_rep_roots = Q(pk__in=[])
    for root in roots:
        in_rep_roots |= Q(owner_unit__path__startswith=root.path)
    reps = (Representative.objects.visible_to(user, action).filter(in_rep_roots).exclude(stage=Stage.EXITED)
            .annotate(paired=Exists(running)).order_by()
            .values("pk", "person__name", "owner_unit_id", "owner_unit__path", "stage", "level", "paired"))
    stages = dict(Stage.choices)
    rep_url = reverse("representatives:representative_detail", kwargs={"pk": 0}).replace("/0/", "/{}/")
    for rep in reps:
        row = row_for(rep["owner_unit__path"])
        if row is None:
            continue
        row.reps += 1
        total.reps += 1
        if not rep["paired"]:
            row.unpaired += 1
            total.unpaired += 1
            issues.append(Issue(Kind.UNPAIRED, labels.get(rep["owner_unit_id"], ""), rep["person__name"],
                                rep_url.format(rep["pk"]), f"{stages.get(rep['stage'], '')}阶段，目前没有结对联系干部",
                                rep["pk"], rep["owner_unit__path"]))

    # Units with nothing to check are left out (a 本级 row, a member unit without people); the rest is ranked.
    rows = [r for r in rows if r.has_records or (not r.exact and r.unit.type in (Unit.Type.TOWN, Unit.Type.VILLAGE)
                                                   and r.unit.is_active)]
    ranked = sorted(rows, key=lambda r: (r.score is None, -(r.score or 0), r.unit.path, r.exact))
    for index, row in enumerate(r for r in ranked if r.score is not None):
        row.rank = index + 1
    order = {code: index for index, (code, _) in enumerate(Kind.choices)}
    issues.sort(key=lambda i: (i.path, order[i.kind], i.name, i.record_id))
    return HealthCheck(parent, ranked, total, issues, now)


def duplicate_issues(visible, person_url, people_rows, labels):
    """Issues for the records of `people_rows` (those being checked) that share name and birth date with a
    record of another unit, both among `visible` (what the user may view)."""
    groups = (visible.exclude(birth_date__isnull=True).order_by().values("name", "birth_date")
              .annotate(units=Count("owner_unit", distinct=True)).filter(units__gt=1))
    keys = {(group["name"], group["birth_date"]) for group in groups}
    if not keys:
        return []
    members = defaultdict(list)
    names = sorted({name for name, _ in keys})
    candidates = visible.filter(name__in=names, birth_date__in=sorted({day for _, day in keys})).order_by(
        "owner_unit__path", "pk").values_list("pk", "name", "birth_date", "owner_unit__name")
    for pk, name, birth, unit_name in candidates:
        if (name, birth) in keys:
            members[(name, birth)].append((pk, unit_name))
    issues = []
    for (name, birth), records in members.items():
        for pk, _unit_name in records:
            if pk not in people_rows:
                continue
            person = people_rows[pk][1]
            others = [(f"{other_unit}的“{name}”", person_url.format(other)) for other, other_unit in records
                      if other != pk]
            # The month only: the day is a sensitive field (people.privacy), and the check compares it anyway.
            detail = (f"与{'、'.join(label for label, _ in others)}姓名、出生日期相同"
                      f"（{birth_date_text(birth, day=False)}），"
                      "请核实是否为同一人")
            issues.append(Issue(Kind.DUPLICATE, labels.get(person.owner_unit_id, ""), name, person_url.format(pk),
                                detail, pk, person.owner_unit__path, others))
    return issues
