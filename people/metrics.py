"""Figures of the ledger (统战成员台账) for reports, the dashboard and the duty lists (core.metrics).

Registered when the app is ready (apps.py imports this module). People are placed in the tree by their
jurisdiction (`owner_unit`, the current one); with a user, only the people in that user's scope count.

"As of" the period's end is kept simple: the people on the ledger at the period's end are those registered
(`created_at`, local day) on or before it whose status is *now* 在册. Category, tier, affiliation, status
and completeness are the current ones; only the age is taken as of the period's end (from `birth_date`).
The breakdowns by category, tier, affiliation and age cover the people of `people.total`; `people.by_status`
covers everyone registered by the period's end, whatever their status.

Completeness (信息完整): a person is complete when every field of `REQUIRED_FIELDS` is filled. The same
definition serves the figures (`incomplete_q()`, a Q over Person) and the ledger health check, which lists
what is missing for each person (`missing_fields(person)`).
"""

import datetime
import functools
import operator

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from core.metrics import metric

from .choices import Affiliation, Status, Tier
from .models import Category, Person

# The fields a complete ledger entry has, in the order the ledger form shows them. The encrypted fields
# (id_number, phone) are judged by their keyed hash, which is empty exactly when the value is.
REQUIRED_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "workplace", "position",
    "affiliation", "categories",
)
_HASHED = {"id_number": "id_number_hash", "phone": "phone_hash"}

NOT_FILLED = ""  # the code of "affiliation not filled in" in people.by_affiliation
AFFILIATION_LABELS = [*Affiliation.choices, (NOT_FILLED, "未填写")]

UNKNOWN_AGE = "unknown"
# (code, display name, lowest age in the band); the bands are consecutive, the last one open-ended.
AGE_BANDS = [
    ("under_35", "35岁以下", 0),
    ("35_44", "35-44岁", 35),
    ("45_54", "45-54岁", 45),
    ("55_64", "55-64岁", 55),
    ("65_over", "65岁及以上", 65),
]
AGE_BAND_LABELS = [(code, label) for code, label, _ in AGE_BANDS] + [(UNKNOWN_AGE, "未知")]


def missing_q(field_name):
    """A Q over Person matching the people whose required field `field_name` is not filled."""
    if field_name not in REQUIRED_FIELDS:
        raise ValueError(f"{field_name!r} is not one of the required fields of the ledger.")
    if field_name == "categories":
        return Q(~Exists(Person.categories.through.objects.filter(person=OuterRef("pk"))))
    if field_name == "birth_date":
        return Q(birth_date__isnull=True)
    return Q(**{_HASHED.get(field_name, field_name): ""})


def incomplete_q():
    """A Q over Person matching the people with at least one required field not filled."""
    return functools.reduce(operator.or_, (missing_q(field_name) for field_name in REQUIRED_FIELDS))


def missing_fields(person):
    """The display names (verbose names) of the required fields `person` lacks, in `REQUIRED_FIELDS` order.

    Prefetch `categories` when checking many people, or each one costs a query.
    """
    missing = []
    for field_name in REQUIRED_FIELDS:
        if field_name == "categories":
            filled = person.pk is not None and person.categories.all().exists()
        else:
            filled = getattr(person, _HASHED.get(field_name, field_name))
            filled = filled is not None and filled != ""
        if not filled:
            missing.append(str(Person._meta.get_field(field_name).verbose_name))
    return missing


def day_start(day):
    """The first instant of `day` (local time). Comparing created_at with it spares the per-row conversion to a
    local date that created_at__date costs (a Python function per row on SQLite): ten times faster on a county."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def registered(query):
    """Everyone of the query's subtrees (in the user's scope) registered on or before the period's end."""
    return query.records(Person).filter(created_at__lt=day_start(query.period.end + datetime.timedelta(days=1)))


def on_ledger(query):
    """The people on the ledger (在册) at the period's end, as the module docstring defines it."""
    return registered(query).filter(status=Status.ACTIVE)


def _breakdown(queryset, field, codes):
    counts = dict(queryset.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
    return {code: counts.get(code, 0) for code in codes}


def years_before(day, years):
    """The same day `years` years earlier (28 February for a 29 February that does not exist then)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(birth_date, day):
    """Age in whole years on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def top_categories():
    """{category id: its top-level category} for every category, and the top-level categories in order."""
    categories = {c.pk: c for c in Category.objects.order_by("sort_order", "code")}
    top = {}
    for pk, category in categories.items():
        root, seen = category, {pk}
        while root.parent_id is not None and root.parent_id in categories and root.parent_id not in seen:
            seen.add(root.parent_id)
            root = categories[root.parent_id]
        top[pk] = root
    roots = [c for c in categories.values() if c.parent_id is None]
    return top, roots


@metric("people.total", "在册统战成员", unit="名")
def total(query):
    """People on the ledger (在册) at the period's end: registered by then and still 在册."""
    return on_ledger(query).count()


@metric("people.by_category", "在册统战成员（按类别）", unit="名", labels={})
def by_category(query):
    """People on the ledger by top-level category (a sub-type counts under its category; a person in
    several categories counts in each, once). Every enabled category is listed; a disabled one only when
    someone is in it."""
    top, roots = top_categories()
    members = {root.pk: [pk for pk, found in top.items() if found.pk == root.pk] for root in roots}
    counts = on_ledger(query).aggregate(**{
        f"c{pk}": Count("pk", filter=Q(categories__in=ids), distinct=True) for pk, ids in members.items()
    }) if members else {}
    result = {}
    for root in roots:
        number = counts.get(f"c{root.pk}") or 0
        if root.is_active or number:
            result[root.name] = number
    return result


@metric("people.by_tier", "在册统战成员（按管理层级）", unit="名", labels=Tier.choices)
def by_tier(query):
    """People on the ledger by tier (县管、镇管、村管)."""
    return _breakdown(on_ledger(query), "tier", Tier.values)


@metric("people.by_affiliation", "在册统战成员（按政治面貌）", unit="名", labels=AFFILIATION_LABELS)
def by_affiliation(query):
    """People on the ledger by political affiliation; those without one under 未填写 ("")."""
    return _breakdown(on_ledger(query), "affiliation", [code for code, _ in AFFILIATION_LABELS])


@metric("people.by_age_band", "在册统战成员（按年龄段）", unit="名", labels=AGE_BAND_LABELS)
def by_age_band(query):
    """People on the ledger by their age on the period's last day; no birth date → 未知."""
    end = query.period.end
    counts = {UNKNOWN_AGE: Count("pk", filter=Q(birth_date__isnull=True))}
    for index, (code, _, lowest) in enumerate(AGE_BANDS):
        # Aged `lowest` or more on `end` ⇔ born on or before the same day `lowest` years earlier.
        band = Q(birth_date__lte=years_before(end, lowest))
        if index + 1 < len(AGE_BANDS):
            band &= Q(birth_date__gt=years_before(end, AGE_BANDS[index + 1][2]))
        counts[code] = Count("pk", filter=band)
    found = on_ledger(query).aggregate(**counts)
    return {code: found[code] for code, _ in AGE_BAND_LABELS}


@metric("people.by_status", "统战成员（按状态）", unit="名", labels=Status.choices)
def by_status(query):
    """Everyone registered by the period's end, by current status (在册、调出、退出、去世)."""
    return _breakdown(registered(query), "status", Status.values)


@metric("people.representatives", "在册统战成员中的代表人士", unit="名")
def representatives(query):
    """People on the ledger marked as representatives (是否代表人士)."""
    return on_ledger(query).filter(is_representative=True).count()


@metric("people.complete", "信息完整的在册统战成员", unit="名")
def complete(query):
    """People on the ledger with every required field filled (REQUIRED_FIELDS)."""
    return on_ledger(query).exclude(incomplete_q()).count()


@metric("people.completeness_rate", "台账信息完整率", unit="%")
def completeness_rate(query):
    """Complete / all people on the ledger, in percent with one decimal (None when there is nobody)."""
    people = on_ledger(query)
    figures = people.aggregate(all=Count("pk"), incomplete=Count("pk", filter=incomplete_q()))
    if not figures["all"]:
        return None
    return round(100 * (figures["all"] - figures["incomplete"]) / figures["all"], 1)


@metric("people.added", "新登记统战成员", unit="名")
def added(query):
    """People registered (created on the ledger) during the period, whatever their status now."""
    period = query.period
    return query.records(Person).filter(created_at__gte=day_start(period.start),
                                        created_at__lt=day_start(period.end + datetime.timedelta(days=1))).count()


@metric("people.left", "调出、退出或去世的统战成员", unit="名")
def left(query):
    """People whose status changed away from 在册 during the period (by 状态变更日期)."""
    return query.records(Person).exclude(status=Status.ACTIVE).filter(query.period.q("status_date")).count()

