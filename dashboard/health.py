"""The ledger health check (台账体检): per unit, how complete and how trustworthy the ledger is, and what to fix.

The checks themselves are the apps' (core.checks: the ledger's completeness, ID numbers, suspected duplicates and
updates in people.checks; representatives without a running pairing in friendship.checks); this module runs them
for a unit's subtree, counts what they found per child unit, scores and ranks the units. Everything the checks
read goes through `visible_to(user)`: a user checks only the records they may view.

Score (体检得分, 0-100) of a unit: the sum over the checks of weight × the share of the check's records without
a finding (a check over no record counts in full). With the checks registered today:

    40 × 信息完整率 + 20 × 身份证号有效率 + 10 × 无重复率 + 15 × 一年内更新率 + 15 × 代表人士结对率

A unit without any record gets no score and is ranked last. The whole check costs a fixed handful of queries,
whatever the number of people.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from core import checks

from .jurisdiction import ledger_model, unit_model

LEDGER, REPRESENTATIVES = "people", "representatives"  # the populations the page's columns count


class Kind:
    """The kinds of problem the page's columns count (registered by people.checks and friendship.checks)."""

    INCOMPLETE = "incomplete"
    ID_MISSING = "id_missing"
    ID_INVALID = "id_invalid"
    DUPLICATE = "duplicate"
    STALE = "stale"
    UNPAIRED = "unpaired"


def weights():
    """[(weight, share name)] of the registered checks, in the order the formula is written."""
    return [(check.weight, check.label) for check in checks.all()]


def formula():
    return "体检得分 = " + " + ".join(f"{weight} × {name}" for weight, name in weights())


def descriptions():
    """How each share is computed, in the checks' words."""
    return [check.description for check in checks.all() if check.description]


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
        return checks.kind_labels()[self.kind]


@dataclass
class HealthRow:
    """The figures of one unit (its subtree, or with `exact` only the unit itself: its 本级 row)."""

    label: str
    unit: object | None  # org.Unit
    exact: bool = False
    is_total: bool = False
    counted: Counter = field(default_factory=Counter)  # population → records looked at
    found: Counter = field(default_factory=Counter)  # kind → records with that problem
    flagged: Counter = field(default_factory=Counter)  # check key → records with a finding of the check
    rank: int | None = None

    # The page's columns.
    @property
    def people(self):
        return self.counted[LEDGER]

    @property
    def reps(self):
        return self.counted[REPRESENTATIVES]

    @property
    def incomplete(self):
        return self.found[Kind.INCOMPLETE]

    @property
    def complete(self):
        return self.people - self.incomplete

    @property
    def id_missing(self):
        return self.found[Kind.ID_MISSING]

    @property
    def id_invalid(self):
        return self.found[Kind.ID_INVALID]

    @property
    def id_problems(self):
        return self.id_missing + self.id_invalid

    @property
    def duplicates(self):
        return self.found[Kind.DUPLICATE]

    @property
    def stale(self):
        return self.found[Kind.STALE]

    @property
    def unpaired(self):
        return self.found[Kind.UNPAIRED]

    @property
    def has_records(self):
        return any(self.counted.values())

    @property
    def can_drill(self):
        return self.unit is not None and not self.exact and not self.is_total

    def shares(self):
        """{check key: share in 0..1} as the score formula uses them (None without any record)."""
        if not self.has_records:
            return None

        def share(bad, whole):
            return 1.0 if not whole else (whole - bad) / whole

        return {check.key: share(self.flagged[check.key], self.counted[check.population]) for check in checks.all()}

    @property
    def completeness_rate(self):
        return round(100 * self.complete / self.people, 1) if self.people else None

    @property
    def score(self):
        shares = self.shares()
        if shares is None:
            return None
        return round(sum(check.weight * shares[check.key] for check in checks.all()), 1)


@dataclass
class HealthCheck:
    parent: object | None  # the unit checked (None: the user's several top units side by side)
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
        return [(code, label, counts[code]) for code, label in checks.kinds()]


def ledger_tops(user):
    """The outermost units of the user's ledger scope (the county for county staff, a town for its officer)."""
    return ledger_model().objects.scope_top_units(user, "view", fallback=user.unit if user.unit_id else None)


def may_check(user, unit):
    """Whether `unit` lies in (or is) one of the user's top units: its health check is then the user's records
    in it. Unit names are not business data; the records stay behind visible_to."""
    return any(unit.path.startswith(top.path) for top in ledger_tops(user))


def unit_labels(root_paths):
    """{unit id: its name below the roots, e.g. "东溪镇 东溪村"} for every unit under `root_paths`."""
    Unit = unit_model()
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


def run(user, parent=None, now=None, action="view"):
    """The health check of `parent`'s subtree (by default the user's single top unit; with several top units
    and no parent, each top unit is a row), over the records `user` may `action` ("export" for the download)."""
    Unit = unit_model()
    now = now or timezone.now()
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

    labels = unit_labels([r.path for r in roots])
    issues = []
    counted = set()  # (population, record id): checks of one population look at the same records
    for check, result in checks.run(checks.CheckQuery(user, roots, action, now)):
        for record in result.records:
            row = row_for(record.unit_path)
            if row is None or (check.population, record.record_id) in counted:
                continue
            counted.add((check.population, record.record_id))
            for figures in (row, total):
                figures.counted[check.population] += 1
        flagged = set()
        for finding in result.findings:
            row = row_for(finding.unit_path)
            if row is None:
                continue
            for figures in (row, total):
                figures.found[finding.kind] += 1
                if finding.record_id not in flagged:
                    figures.flagged[check.key] += 1
            flagged.add(finding.record_id)
            issues.append(Issue(finding.kind, labels.get(finding.unit_id, ""), finding.name, finding.url,
                                finding.detail, finding.record_id, finding.unit_path, list(finding.others)))

    # Units with nothing to check are left out (a 本级 row, a member unit without people); the rest is ranked.
    rows = [r for r in rows if r.has_records or (not r.exact and r.unit.type in (Unit.Type.TOWN, Unit.Type.VILLAGE)
                                                   and r.unit.is_active)]
    ranked = sorted(rows, key=lambda r: (r.score is None, -(r.score or 0), r.unit.path, r.exact))
    for index, row in enumerate(r for r in ranked if r.score is not None):
        row.rank = index + 1
    order = {code: index for index, (code, _) in enumerate(checks.kinds())}
    issues.sort(key=lambda i: (i.path, order[i.kind], i.name, i.record_id))
    return HealthCheck(parent, ranked, total, issues, now)
