"""Demo ledger of 示范县: about 22,000 fictional people in realistic proportions. All fictional.

Everything is planned in memory from a generator seeded with core.demo.SEED (the same code always builds
the same ledger) and written with `bulk_create`: people, their categories, social positions and a few tags.
`bulk_create` skips Person.save(), so the pinyin keys are filled here; the encrypted fields still encrypt
and hash in their pre_save(), which the insert compiler calls for every row. Each person gets its initial
history row (change reason "演示数据", with the categories it was created with), copied inside the database.
`load(ctx, count=N)` loads N people instead of PEOPLE (the tests use a few hundred).

The mix follows what a county's ledger looks like: 党外知识分子, 新的社会阶层人士, 非公有制经济人士 and
民主党派成员 dominate, 宗教界人士 and 港澳台 are few; about 8% 县管, 30% 镇管, the rest 村管; most
records are kept by villages, some by towns, and 县管 people by the county or the member units.

The package: the loader entry points here (what core.demo looks for), the statistics in `tables`, the planner
in `generator` (with its parts `facts`, `workplaces`, `positions`), the bulk insert in `writer` and the history
copy in `history`; the word lists are people/demo_data.py.
"""

import random

from django.core.management.base import CommandError
from django.db.models import Count, Q

from core.demo import SEED

from ..choices import Status, Tier
from ..models import Category, Person
from .generator import Generator, Places
from .writer import write

ORDER = 30
LABEL = "统战成员台账"
PEOPLE = 22000  # the default size; tests pass a smaller `count`
CHANGE_REASON = "演示数据"


def has_data():
    return Person.objects.exists()


def build(ctx, count=None):
    """The plan for `count` people (PEOPLE by default), from the seeded generator: nothing is written."""
    count = PEOPLE if count is None else count
    return Generator(random.Random(f"{SEED}:people"), Places.from_context(ctx)).plan(count)


def load(ctx, count=None):
    places = Places.from_context(ctx)
    if Person.objects.filter(owner_unit__path__startswith=places.county.path).exists():
        raise CommandError(f"{places.county.name}已有统战成员，未重复加载示范数据。")
    plan = build(ctx, count)
    write(plan, CHANGE_REASON)
    active = sum(1 for p in plan.people if p.status == Status.ACTIVE)
    return f"{len(plan.people)} 名统战成员（在册 {active} 名），{len(plan.positions)} 项社会职务"


def report(ctx):
    """One line per category: people in the ledger (在册) and how they are managed."""
    if ctx.verbosity < 1 or not Person.objects.exists():
        return
    active = Q(people__status=Status.ACTIVE)
    rows = []
    for category in Category.objects.filter(parent=None).annotate(
        total=Count("people", filter=active),
        county=Count("people", filter=active & Q(people__tier=Tier.COUNTY)),
        town=Count("people", filter=active & Q(people__tier=Tier.TOWN)),
        village=Count("people", filter=active & Q(people__tier=Tier.VILLAGE)),
        representatives=Count("people", filter=active & Q(people__is_representative=True)),
    ):
        rows.append((category.name, category.total, category.county, category.town, category.village,
                     category.representatives))
    people = Person.objects.aggregate(
        total=Count("id"), active=Count("id", filter=Q(status=Status.ACTIVE)),
        representatives=Count("id", filter=Q(status=Status.ACTIVE, is_representative=True)),
    )
    used = sum(1 for row in rows if row[1])
    ctx.write("")
    ctx.write(f"统战成员台账：{used} 类 {people['active']} 名在册（共 {people['total']} 条记录，"
              f"代表人士 {people['representatives']} 名；一人可属多类）：")
    ctx.write(ctx.table(["类别", "在册", "县管", "镇管", "村管", "代表人士"], rows))
