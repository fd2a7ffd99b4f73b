"""Records of every kind the API serves, in two towns, and the users who reach them: the data its schema
checks and its scope walk run on."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from accounts.tokens import issue_token
from activities.models import Activity, ActivityType
from duties.models import Submission
from duties.tests.submission_fixtures import build
from friendship.models import Contact, Pairing
from people.models import Category, Person
from representatives.models import Assessment, Cultivation, Field, Level, Representative

TODAY = datetime.date.today()


def api_county():
    """The duty lists' small county (a published 2025 scheme, submissions of both towns) plus, in village1
    (town01's) and village2 (town02's), a person, a representative with a cultivation and an assessment, a
    pairing with a contact, and an activity. Users: `county`, `town01`, `town02`; `headers`: a county-wide
    read-write token's."""
    ns = build(with_submissions=True)
    org = ns.org
    users = SimpleNamespace(county=ns.county_staff, town01=ns.town1_user, town02=ns.town2_user)
    category = Category.objects.filter(is_active=True).order_by("sort_order").first()
    activity_type = ActivityType.objects.order_by("pk").first()
    records = {}
    for key, unit, town in (("town01", org.village1, org.town1), ("town02", org.village2, org.town2)):
        person = Person.objects.create(name=f"{unit.name}成员", owner_unit=unit, phone="13700000000",
                                       birth_date=datetime.date(1970, 5, 6), workplace="村委会")
        person.categories.add(category)
        representative = Representative.objects.create(person=person, owner_unit=unit, level=Level.TOWN,
                                                       field=Field.NON_PARTY)
        pairing = Pairing.objects.create(owner_unit=unit, representative=representative, official_name="县干部",
                                         official_post="县委常委", contacts_per_year=2,
                                         start_date=datetime.date(2025, 1, 1))
        start = timezone.make_aware(datetime.datetime(2025, 6, 1, 9))
        records[key] = SimpleNamespace(
            unit=unit, person=person, representative=representative, pairing=pairing,
            cultivation=Cultivation.objects.create(representative=representative, kind=Cultivation.Kind.TRAINING,
                                                   title="培训班"),
            assessment=Assessment.objects.create(representative=representative, year=2025,
                                                 grade=Assessment.Grade.EXCELLENT),
            contact=Contact.objects.create(pairing=pairing, owner_unit=unit, date=TODAY, form=Contact.Form.VISIT,
                                           summary="走访"),
            activity=Activity.objects.create(owner_unit=unit, title=f"{unit.name}同心行", activity_type=activity_type,
                                             start=start, end=start + datetime.timedelta(hours=2), place="礼堂",
                                             content="宣讲"),
            submission=Submission.objects.filter(owner_unit=town).order_by("pk").first(),
        )
    _, secret = issue_token(users.county, name="接口检查", can_write=True)
    return SimpleNamespace(org=org, users=users, records=records, headers={"Authorization": f"Bearer {secret}"})
