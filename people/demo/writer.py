"""Writing a plan of the demo ledger with bulk inserts."""

from django.utils import timezone

from org.models import Unit

from ..choices import seed_statutory_categories
from ..models import Category, Person, SocialPosition, Tag
from ..pinyin import name_initials, name_pinyin
from .history import copy_initial_history

TOWN_TAGS = ("新乡贤",)  # a town keeps these; the other demo tags are the county's
BATCH = 2000  # Django further splits it to stay under SQLite's 999 parameters per statement


def write(plan, reason):
    """Write a plan with bulk inserts: people, their initial history, categories, positions, tags."""
    pinyin = {}
    for person in plan.people:
        if person.name not in pinyin:
            pinyin[person.name] = (name_pinyin(person.name), name_initials(person.name))
        person.name_pinyin, person.name_initials = pinyin[person.name]
    Person.objects.bulk_create(plan.people, batch_size=BATCH)

    # A test database flushed by an earlier transactional test has lost the migration's seed rows.
    seed_statutory_categories(Category)
    category_ids = dict(Category.objects.values_list("code", "pk"))
    through = Person.categories.through
    through.objects.bulk_create([
        through(person_id=person.pk, category_id=category_ids[code])
        for person, codes in zip(plan.people, plan.categories, strict=True) for code in codes
    ], batch_size=BATCH)
    copy_initial_history([person.pk for person in plan.people], timezone.now(), reason)

    for index, position in plan.positions:
        position.person = plan.people[index]
    SocialPosition.objects.bulk_create([position for _, position in plan.positions], batch_size=BATCH)

    # Tags belong to units: the county's for county work (重点联系对象, 同心讲师团), each town's own 新乡贤.
    units_by_path = {unit.path: unit for unit in Unit.objects.all()}
    tags = {}
    links = []
    for index, name in plan.tags:
        path = plan.people[index].owner_unit.path
        owner = units_by_path[path[: Unit.steplen * (2 if name in TOWN_TAGS else 1)]]
        if (owner.pk, name) not in tags:
            tags[owner.pk, name] = Tag.objects.get_or_create(name=name, owner_unit=owner)[0]
        links.append((plan.people[index].pk, tags[owner.pk, name].pk))
    tagged = Person.tags.through
    tagged.objects.bulk_create([tagged(person_id=person_id, tag_id=tag_id) for person_id, tag_id in links],
                               batch_size=BATCH)
