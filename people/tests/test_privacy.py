"""The birth day is a sensitive field (people.privacy): without view_sensitive a person's birth date shows to
the month only — detail, history, list (age, sorting, age filter), edit form, export — and the importer does
not let a month-precise date overwrite a stored day."""

import calendar
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.testing import PASSWORD, create_user
from core.lookups import visible_identity
from org.models import Unit
from people import privacy
from people.forms import BIRTH_FROM_ID
from people.importers import import_ledger
from people.models import Person
from people.testing import ledger, make_id, person

from .test_views import person_form_data

BIRTH = datetime.date(1975, 3, 15)


@pytest.fixture
def registered(org):
    return Person.objects.create(name="张三", owner_unit=org.village1, id_number=make_id(BIRTH, 123),
                                 birth_date=BIRTH, gender="M")


@pytest.fixture
def officer(org):
    """A town officer: sees the people of 东溪镇, but not their sensitive fields."""
    return create_user("town01", org.town1, "town_officer")


@pytest.fixture
def staff(org):
    """County staff: view_sensitive over the whole county."""
    return create_user("c_staff", org.county, "county_staff")


def test_birth_date_text_and_age():
    assert privacy.birth_date_text(BIRTH, day=True) == "1975-03-15"
    assert privacy.birth_date_text(BIRTH, day=False) == "1975年03月"
    assert privacy.birth_date_text(BIRTH, day=False, export=True) == "1975.03"
    assert privacy.birth_date_text(None, day=False) == ""
    on = datetime.date(2025, 3, 10)
    assert privacy.age(BIRTH, day=True, today=on) == 49
    assert privacy.age(BIRTH, day=False, today=on) == 50  # by month: one more year from 1 March
    assert privacy.age(BIRTH, day=False, today=datetime.date(2025, 2, 28)) == 49


@pytest.mark.parametrize("day", [True, False])
def test_the_age_filter_agrees_with_the_age_shown(db, day):
    today = datetime.date(2025, 3, 10)
    births = [datetime.date(1975, 3, d) for d in (1, 10, 11, 31)] + [datetime.date(1975, 2, 28),
                                                                    datetime.date(1975, 4, 1)]
    for years in (49, 50):
        for at_least in (True, False):
            lookup = privacy.born_by_age_q("", years, at_least=at_least, day=day, today=today)
            (name, bound), = lookup.items()
            compare = {"birth_date__lte": bound.__ge__, "birth_date__lt": bound.__gt__,
                       "birth_date__gt": bound.__lt__, "birth_date__gte": bound.__le__}[name]
            for birth in births:
                shown = privacy.age(birth, day=day, today=today)
                assert compare(birth) == (shown >= years if at_least else shown <= years), (birth, years, at_least)


def test_detail_and_history_show_the_month_only_without_view_sensitive(client, org, registered, officer, staff):
    client.force_login(staff)
    page = client.get(registered.get_absolute_url()).content.decode()
    assert "1975-03-15" in page
    nameless = Person.objects.create(name="李四", owner_unit=org.village1, birth_date=BIRTH)
    data = person_form_data(org.village1, name="李四", birth_date="1975-03-16")
    assert client.post(reverse("people:person_edit", kwargs={"pk": nameless.pk}), data).status_code == 302
    client.force_login(officer)
    for who in (registered, nameless):
        page = client.get(who.get_absolute_url()).content.decode()
        assert "1975年03月" in page
        assert "1975-03-15" not in page and "1975-03-16" not in page and "1975年3月15日" not in page


def test_list_age_counts_by_month_and_sorting_keeps_the_days_hidden(client, org, officer, staff):
    today = datetime.date.today()
    if today.day == calendar.monthrange(today.year, today.month)[1]:
        pytest.skip("on a month's last day no birthday of the month is still to come")
    later = today.replace(year=today.year - 40, day=today.day + 1)  # the birthday is still to come
    early = today.replace(year=today.year - 40, day=1)
    # Created early-born first: sorting by id and sorting by day (youngest first) disagree.
    first = Person.objects.create(name="甲", owner_unit=org.village1, birth_date=early)
    second = Person.objects.create(name="乙", owner_unit=org.village1, birth_date=later)

    def ages_in_order(user):
        client.force_login(user)
        rows = client.get(reverse("people:person_list"), {"sort": "age"}).context["table"].page.object_list
        return [(row.record.pk, row.get_cell("age")) for row in rows]

    assert ages_in_order(staff) == [(second.pk, 39), (first.pk, 40)]  # youngest first, by the day
    # By month both are 40, and people of one birth month stay in the order they were entered.
    assert ages_in_order(officer) == [(first.pk, 40), (second.pk, 40)]

    def aged_at_least_40(user):
        client.force_login(user)
        return {p.pk for p in client.get(reverse("people:person_list"), {"age_min": 40}).context["table"].data}

    assert aged_at_least_40(staff) == {first.pk}
    assert aged_at_least_40(officer) == {first.pk, second.pk}


def test_the_edit_form_keeps_the_day_from_a_user_without_view_sensitive(client, org, registered, officer, staff):
    url = reverse("people:person_edit", kwargs={"pk": registered.pk})
    client.force_login(officer)
    page = client.get(url).content.decode()
    assert "已登记 1975年03月，留空则不修改" in page
    assert "1975-03-15" not in page and "19750315" not in page
    response = client.post(url, person_form_data(org.village1, name="张三丰"))
    assert response.status_code == 302
    registered.refresh_from_db()
    assert (registered.name, registered.birth_date) == ("张三丰", BIRTH)
    # A date typed beside the stored number is refused whatever it is (it would be an oracle for the day).
    for typed in ("1975-03-15", "1975-03-16"):
        response = client.post(url, person_form_data(org.village1, name="张三", birth_date=typed))
        assert BIRTH_FROM_ID in response.content.decode()
    # Typing a new number sets the date from it.
    new_number = make_id(datetime.date(1975, 3, 20), 125)
    assert client.post(url, person_form_data(org.village1, name="张三", id_number=new_number)).status_code == 302
    registered.refresh_from_db()
    assert registered.birth_date == datetime.date(1975, 3, 20)
    client.force_login(staff)
    assert 'value="1975-03-20"' in client.get(url).content.decode()


def test_a_person_without_id_number_may_get_a_new_birth_date(client, org, officer):
    nameless = Person.objects.create(name="李四", owner_unit=org.village1, birth_date=BIRTH)
    client.force_login(officer)
    url = reverse("people:person_edit", kwargs={"pk": nameless.pk})
    assert client.post(url, person_form_data(org.village1, name="李四", birth_date="1976-04-02")).status_code == 302
    nameless.refresh_from_db()
    assert nameless.birth_date == datetime.date(1976, 4, 2)


def export_birth_dates(client, user, **params):
    client.force_login(user)
    if params.get("full"):  # the full export is a POST with the password typed again
        response = client.post(reverse("people:person_export"), {**params, "password": PASSWORD})
    else:
        response = client.get(reverse("people:person_export"), params)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["台账"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[2])
    return {row[header.index("姓名")]: row[header.index("出生年月")] for row in rows[3:]}


def test_exports_write_the_month_unless_the_numbers_are_written_in_full(client, org, registered, officer, staff):
    assert export_birth_dates(client, officer) == {"张三": "1975.03"}
    assert export_birth_dates(client, staff) == {"张三": "1975.03"}
    assert export_birth_dates(client, staff, full="1") == {"张三": "1975-03-15"}


def test_a_masked_export_imported_again_keeps_the_stored_day(client, org, officer, staff):
    """People without an ID number are matched by name, unit and birth date; a month-precise date matches
    the stored day of its month and never overwrites it."""
    nameless = Person.objects.create(name="李四", owner_unit=org.village1, birth_date=BIRTH, workplace="旧单位")
    client.force_login(officer)
    response = client.get(reverse("people:person_export"))
    data = b"".join(response.streaming_content)
    town = Unit.objects.get(pk=org.town1.pk)
    result = import_ledger(data, "台账.xlsx", town, officer, update="overwrite")
    assert (result.created, result.updated, result.errors) == (0, 0, [])
    changed = ledger([person("李四", 出生年月="1975.03", 工作单位及职务="新单位", **{"所在村(社区)": "东溪村"})])
    result = import_ledger(changed, "改.xlsx", town, officer, update="overwrite")
    assert (result.created, result.updated) == (0, 1)
    nameless.refresh_from_db()
    assert (nameless.workplace, nameless.birth_date) == ("新单位", BIRTH)
    assert Person.objects.count() == 1


def test_a_month_matching_two_people_is_ambiguous(org, officer):
    for day in (3, 25):
        Person.objects.create(name="李四", owner_unit=org.village1, birth_date=BIRTH.replace(day=day))
    data = ledger([person("李四", 出生年月="1975.03", **{"所在村(社区)": "东溪村"})])
    result = import_ledger(data, "a.xlsx", Unit.objects.get(pk=org.town1.pk), officer, dry_run=True)
    assert [p.column for p in result.errors] == ["姓名"] and "无法确定" in result.errors[0].message


def test_what_the_mask_and_the_month_leave_of_a_number(registered):
    """The mask shows the region only; with the month and the gender 28 to 31 days × 500 sequences remain."""
    masked = Person._meta.get_field("id_number").masked(registered.id_number)
    assert masked == registered.id_number[:6] + "*" * 12
    candidates = {make_id(BIRTH.replace(day=d), s) for d in range(1, 32) for s in range(1, 1000, 2)}
    assert registered.id_number in candidates and len(candidates) == 31 * 500
    assert len({visible_identity(n) for n in candidates}) == 31
