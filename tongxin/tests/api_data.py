"""Records of every kind the API serves, in two towns, and the users who reach them: the data its schema
checks and its scope walk run on."""

import datetime
from types import SimpleNamespace

from accounts.testing import create_user
from accounts.tokens import issue_token
from org.testing import build_county
from people.models import Category, Person


def api_county():
    """A small county: town01's records in village1, town02's in village2; tokens of county staff (write)."""
    org = build_county()
    users = SimpleNamespace(
        county=create_user("county_staff", org.county, "county_staff"),
        town01=create_user("town01", org.town1, "town_officer"),
        town02=create_user("town02", org.town2, "town_officer"),
    )
    category = Category.objects.filter(is_active=True).order_by("sort_order").first()
    records = {}
    for key, unit in (("town01", org.village1), ("town02", org.village2)):
        person = Person.objects.create(name=f"{unit.name}成员", owner_unit=unit, phone="13700000000",
                                       birth_date=datetime.date(1970, 5, 6), workplace="村委会")
        person.categories.add(category)
        records[key] = SimpleNamespace(person=person, unit=unit)
    _, secret = issue_token(users.county, name="接口检查", can_write=True)
    return SimpleNamespace(org=org, users=users, records=records, headers={"Authorization": f"Bearer {secret}"})
