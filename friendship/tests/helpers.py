"""Pairings, contacts and follow-ups for the friendship tests."""

import datetime
import itertools

from friendship.models import Contact, FollowUp, Pairing
from people.models import Person
from representatives.models import Field, Level, Representative

NAMES = {"东溪村": "陈东溪", "西岭村": "周西岭", "东溪镇": "吴东镇", "西岭镇": "郑西镇", "测试县": "冯县城"}
_serial = itertools.count(1)


def make_representative(unit, name=None, level=Level.TOWN):
    person = Person.objects.create(name=name or NAMES.get(unit.name, "孙测试"), owner_unit=unit)
    return Representative.objects.create(person=person, owner_unit=unit, level=level, field=Field.NON_PARTY)


def make_pairing(unit, official=None, *, representative=None, name=None, start=datetime.date(2024, 1, 1),
                 end=None, per_year=2, **fields):
    if official is None:
        fields.setdefault("official_name", f"干部{next(_serial)}")
        fields.setdefault("official_post", "县委常委")
    return Pairing.objects.create(
        owner_unit=unit, official=official, representative=representative or make_representative(unit, name),
        contacts_per_year=per_year, start_date=start, end_date=end, **fields,
    )


def make_contact(pairing, date, form=Contact.Form.VISIT, **fields):
    fields.setdefault("summary", "了解企业经营情况")
    return Contact.objects.create(pairing=pairing, owner_unit=pairing.owner_unit, date=date, form=form, **fields)


def make_follow_up(contact, assignee=None, due=None, **fields):
    fields.setdefault("description", contact.issues or "协调解决用地问题")
    return FollowUp.objects.create(
        contact=contact, owner_unit=contact.owner_unit, assignee=assignee,
        due_date=due or datetime.date.today() + datetime.timedelta(days=30), **fields,
    )
