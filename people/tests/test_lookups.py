"""Guessing an ID number from what a user without view_sensitive sees (region, birth month, gender) through
every oracle of the ledger — the exact search, the person form's duplicate check, an import's check — is
refused after the limit; every lookup is audited with the keyed hash and never the number; a legitimate
import of hundreds of new people is not blocked (people.lookups, core.lookups)."""

import datetime
import random

import pytest
from django.urls import reverse

from accounts.testing import create_user
from core import crypto
from core.lookups import FREE_MISSES_PER_IDENTITY, REFUSED, targeted_limit
from core.models import AuditEvent, IdLookup, ImportJob, Notification
from org.models import Unit
from people.importers import import_ledger
from people.lookups import LookupRefused, registered_elsewhere
from people.models import Person
from people.testing import ledger, make_id, person

from .test_import_views import upload_file
from .test_views import person_form_data

BIRTH = datetime.date(1975, 3, 15)


@pytest.fixture
def target(org):
    """Someone of 东溪村 whose masked number, birth month and gender a town officer of 东溪镇 sees."""
    return Person.objects.create(name="张三", owner_unit=org.village1, id_number=make_id(BIRTH, 123),
                                 birth_date=BIRTH, gender="M")


@pytest.fixture
def officer(org):
    return create_user("town01", org.town1, "town_officer")


@pytest.fixture
def secadmin(org):
    return create_user("secadmin1", org.county, "secadmin")


def wrong_guesses(target, count):
    """`count` numbers sharing the target's region, birth date and gender, none of them the target's."""
    numbers = [make_id(BIRTH, seq) for seq in range(1, 1000, 2)]
    return [n for n in numbers if n != target.id_number][:count]


def find(client, number):
    """The exact search, followed to the page it leads to: (its path, the messages shown there)."""
    response = client.post(reverse("people:person_find"), {"id_number": number}, follow=True)
    return response.wsgi_request.path, [str(m) for m in response.context["messages"]]


def assert_no_number_in_the_audit_log(numbers):
    for event in AuditEvent.objects.all():
        text = " ".join(str(v) for v in (event.changes, event.object_label, event.object_id, event.username))
        for value in numbers:
            assert value not in text and value[:14] not in text, (event.action, text)


def lookups(**filters):
    return AuditEvent.objects.filter(action=AuditEvent.Action.LOOKUP, **filters).order_by("id")


def test_guessing_through_the_exact_search_is_refused_after_the_limit(client, org, target, officer, secadmin):
    client.force_login(officer)
    listing = reverse("people:person_list")
    assert find(client, target.id_number)[0] == target.get_absolute_url()  # a hit costs nothing
    limit = targeted_limit()
    guesses = wrong_guesses(target, limit + FREE_MISSES_PER_IDENTITY)
    for value in guesses:  # the first misses are free, the next `limit` are targeted
        path, shown = find(client, value)
        assert path == listing and shown[0].startswith("未找到")
    # Past the limit even the right number gets no answer: refused, not redirected to the person.
    assert find(client, target.id_number) == (listing, [REFUSED])
    assert Notification.objects.filter(recipient=secadmin).count() == 1
    assert find(client, guesses[0]) == (listing, [REFUSED])
    assert Notification.objects.filter(recipient=secadmin).count() == 1  # one per block

    events = list(lookups())
    assert len(events) == limit + FREE_MISSES_PER_IDENTITY + 3
    assert [e.changes["哈希"] for e in events] == [crypto.keyed_hash(v) for v in
                                                  [target.id_number, *guesses, target.id_number, guesses[0]]]
    assert [e.success for e in events] == [True] * (limit + FREE_MISSES_PER_IDENTITY + 1) + [False, False]
    assert [e.changes["结果"] for e in events[:2]] == ["命中", "未命中"]
    assert events[limit + FREE_MISSES_PER_IDENTITY].changes["本小时针对性未命中"] == limit
    assert {e.changes["来源"] for e in events} == {"精确查找"}
    assert_no_number_in_the_audit_log([*guesses, target.id_number])


def test_a_number_registered_outside_the_scope_is_not_found_and_audited_with_its_unit(client, org, target):
    client.force_login(create_user("town02", org.town2, "town_officer"))
    path, shown = find(client, target.id_number)
    assert path == reverse("people:person_list") and shown[0].startswith("未找到")
    event = lookups().get()
    assert event.changes["结果"] == "命中（数据范围外，告知未找到）" and event.changes["登记单位"] == "东溪村"


def test_guessing_through_the_form_duplicate_check_is_refused_after_the_limit(client, org, target, officer,
                                                                             secadmin):
    client.force_login(officer)
    add = reverse("people:person_add")
    limit = targeted_limit()
    guesses = wrong_guesses(target, limit + FREE_MISSES_PER_IDENTITY + 1)
    for value in guesses[:limit + FREE_MISSES_PER_IDENTITY]:  # each miss saves a new person: the number was free
        response = client.post(add, person_form_data(org.village1, name="李四", id_number=value))
        assert response.status_code == 302
    before = Person.objects.count()
    for value in (guesses[-1], target.id_number):
        response = client.post(add, person_form_data(org.village1, name="李四", id_number=value))
        assert response.status_code == 200
        assert REFUSED in response.content.decode()
        assert target.get_absolute_url() not in response.content.decode()
    assert Person.objects.count() == before
    assert Notification.objects.filter(recipient=secadmin).count() == 1
    assert {e.changes["来源"] for e in lookups()} == {"登记查重"}
    assert list(lookups().values_list("success", flat=True)) == \
        [True] * (limit + FREE_MISSES_PER_IDENTITY) + [False, False]
    assert_no_number_in_the_audit_log([*guesses, target.id_number])


def test_the_form_names_only_the_unit_of_a_duplicate_outside_the_scope(client, org, target):
    client.force_login(create_user("town02", org.town2, "town_officer"))
    response = client.post(reverse("people:person_add"),
                           person_form_data(org.village2, name="李四", id_number=target.id_number))
    page = response.content.decode()
    assert registered_elsewhere("东溪村") in page
    assert "张三" not in page and target.get_absolute_url() not in page
    event = lookups().get()
    assert event.changes["结果"] == "命中（数据范围外，告知已登记）" and event.changes["登记单位"] == "东溪村"
    assert event.changes["哈希"] == target.id_number_hash


def guessing_file(target, count=20):
    """A ledger of `count` candidates for the target, the right number among them."""
    numbers = [*wrong_guesses(target, count - 1), target.id_number]
    random.Random(7).shuffle(numbers)
    return ledger([person("张三", 身份证号=n, 工作单位及职务="猜测") for n in numbers]), numbers


def test_an_import_check_full_of_guesses_is_refused_as_a_whole(client, org, target, officer, secadmin):
    data, numbers = guessing_file(target)
    client.force_login(officer)
    response = client.post(reverse("people:person_import"), {
        "file": upload_file(data), "unit": org.town1.pk, "update": "overwrite"})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.message == REFUSED
    assert job.result == {} and job.data is None  # no row's status is kept, nor the file
    page = client.get(response["Location"]).content.decode()
    assert REFUSED in page and "将更新" not in page and "将新增" not in page
    assert Person.objects.count() == 1
    target.refresh_from_db()
    assert target.workplace == ""
    event = lookups().get()
    assert not event.success and event.changes["来源"] == "导入检查" and event.changes["查询"] == 20
    assert event.changes["命中"] == 1 and event.changes["针对性未命中"] == 19 - FREE_MISSES_PER_IDENTITY
    assert len(event.changes["针对性未命中哈希"]) == 19 - FREE_MISSES_PER_IDENTITY
    assert Notification.objects.filter(recipient=secadmin).count() == 1
    assert_no_number_in_the_audit_log(numbers)
    # The block holds for the other oracles as well.
    assert find(client, target.id_number)[1] == [REFUSED]


def test_an_import_that_would_write_is_refused_before_writing(org, target, officer):
    data, _ = guessing_file(target)
    with pytest.raises(LookupRefused):
        import_ledger(data, "a.xlsx", Unit.objects.get(pk=org.town1.pk), officer, update="overwrite")
    assert Person.objects.count() == 1 and Person.history.count() == 1
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


def new_people(count, seed=20260701):
    """`count` people with valid numbers of one county and random birth dates from 1950 to 2000."""
    rng = random.Random(seed)
    numbers = set()
    while len(numbers) < count:
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 50))
        numbers.add(make_id(birth, rng.randrange(1000)))
    return ledger([person(f"新人{i}", 身份证号=n) for i, n in enumerate(sorted(numbers))])


def test_a_legitimate_import_of_hundreds_of_new_people_is_not_blocked(client, org, officer, secadmin):
    client.force_login(officer)
    data = new_people(300)
    for _ in range(2):  # checked twice (uploaded again): the same numbers count once
        client.post(reverse("people:person_import"), {"file": upload_file(data), "unit": org.town1.pk,
                                                      "update": "fill"})
    first, second = ImportJob.objects.order_by("id")
    assert first.status == second.status == ImportJob.Status.CHECKED
    assert second.result["counts"]["created"] == 300
    client.post(reverse("people:person_import_job", kwargs={"pk": second.pk}), {"action": "confirm"})
    second.refresh_from_db()
    assert second.status == ImportJob.Status.DONE and Person.objects.count() == 300
    client.post(reverse("people:person_import"), {"file": upload_file(data), "unit": org.town1.pk,
                                                  "update": "fill"})
    third = ImportJob.objects.order_by("id").last()
    assert third.status == ImportJob.Status.CHECKED and third.result["counts"]["unchanged"] == 300
    assert not Notification.objects.exists()
    assert list(lookups().values_list("success", flat=True)) == [True] * 4  # checks, import, check again
    assert sum(IdLookup.objects.values_list("targeted", flat=True)) < targeted_limit()
    # One event per check with counts, not one per number.
    assert lookups().first().changes["查询"] == 300


def test_an_import_names_the_unit_of_numbers_registered_outside_the_scope(org, target):
    town2_officer = create_user("town02", org.town2, "town_officer")
    data = ledger([person("张三", 身份证号=target.id_number), person("李四", 身份证号=make_id(seq=125))])
    result = import_ledger(data, "a.xlsx", Unit.objects.get(pk=org.town2.pk), town2_officer, dry_run=True)
    assert [p.message for p in result.errors] == [registered_elsewhere("东溪村")]
    event = lookups().get()
    assert event.changes["数据范围外命中明细"] == [{"哈希": target.id_number_hash, "登记单位": "东溪村"}]
    assert (event.changes["命中"], event.changes["未命中"]) == (1, 1)


def test_a_blocked_user_may_still_import_people_without_id_numbers(org, target, officer):
    data, _ = guessing_file(target)
    town = Unit.objects.get(pk=org.town1.pk)
    with pytest.raises(LookupRefused):
        import_ledger(data, "a.xlsx", town, officer, dry_run=True)
    result = import_ledger(ledger([person("李四", 出生年月="1980.01")]), "b.xlsx", town, officer)
    assert result.created == 1 and lookups().count() == 1  # not an ID lookup: nothing to refuse or audit
