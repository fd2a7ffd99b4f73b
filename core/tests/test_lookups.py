"""The ID-lookup guard (core.lookups): what counts as a targeted miss, the limit, the block and its
notification, the audit events, and what the sliding window stores."""

import datetime
import random

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.testing import create_user
from core import crypto, lookups
from core.models import AuditEvent, IdLookup, Notification

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def number(birth="19750315", seq=123, region="330998"):
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def miss(value):
    return (value, crypto.keyed_hash(value))


def everyone_registered(numbers):
    return set(numbers)


def nobody_registered(numbers):
    return set()


def settle(user, *misses_, registered=everyone_registered, **kwargs):
    return lookups.settle(user, "精确查找", misses=[miss(m) for m in misses_], registered=registered, **kwargs)


@pytest.fixture
def user(org):
    return create_user("guesser", org.town1, "town_officer")


@pytest.fixture
def secadmin(org):
    return create_user("sec", org.county, "secadmin")


def guesses(count, birth="19750315", odd=True):
    """`count` different numbers sharing one region, birth date and gender."""
    return [number(birth, seq) for seq in range(1 if odd else 0, 2 * count, 2)]


def test_visible_identity_is_region_birth_date_and_gender():
    assert lookups.visible_identity(number(seq=123)) == "33099819750315" + "1"
    assert lookups.visible_identity(number(seq=125)) == lookups.visible_identity(number(seq=123))
    assert lookups.visible_identity(number(seq=124)) != lookups.visible_identity(number(seq=123))
    assert lookups.visible_identity(number(birth="19750316")) != lookups.visible_identity(number())


@pytest.mark.django_db
def test_different_numbers_past_the_free_ones_at_one_identity_are_targeted_misses(user):
    free = lookups.FREE_MISSES_PER_IDENTITY
    numbers = guesses(free + 2)
    for value in numbers[:free]:
        assert settle(user, value) == 0
    assert settle(user, numbers[free]) == 1
    assert settle(user, numbers[free]) == 0  # the same number again teaches nothing
    assert settle(user, numbers[0], numbers[free + 1]) == 1
    assert settle(user, number(birth="19800101")) == 0  # another identity: its first miss is free
    assert settle(user, number(seq=124)) == 0  # another gender


@pytest.mark.django_db
def test_a_miss_counts_only_where_someone_registered_has_that_birth_date_and_gender(user):
    free = lookups.FREE_MISSES_PER_IDENTITY
    numbers = guesses(free + 1)
    asked = []

    def registered(numbers):
        asked.append(list(numbers))
        return set()

    assert settle(user, *numbers, registered=registered) == 0
    assert asked == [[numbers[free]]]  # only the candidates are asked about, not every miss


@pytest.mark.django_db
def test_hits_never_count(user):
    assert lookups.settle(user, "精确查找", hits=[crypto.keyed_hash(n) for n in guesses(30)],
                          registered=everyone_registered) == 0
    assert not IdLookup.objects.exists()


@pytest.mark.django_db
def test_past_the_limit_every_lookup_is_refused_and_security_admins_are_told_once(user, secadmin, org):
    other_admin = create_user("sec2", org.county, "secadmin")
    create_user("sec_off", org.county, "secadmin", is_active=False)
    create_user("auditor1", org.county, "auditor")
    limit, free = lookups.targeted_limit(), lookups.FREE_MISSES_PER_IDENTITY
    numbers = guesses(limit + free + 2)
    for value in numbers[:limit + free]:  # the first ones are free, the next `limit` are targeted
        settle(user, value)
    assert sum(IdLookup.objects.values_list("targeted", flat=True)) == limit
    # The block started with the last of them: one notification to each active security administrator.
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["sec", "sec2"]
    assert "guesser" in Notification.objects.filter(recipient=secadmin).get().title
    for attempt in (numbers[limit + free], numbers[0]):
        with pytest.raises(lookups.LookupRefused) as refused:
            settle(user, attempt)
        assert str(refused.value) == lookups.REFUSED
    with pytest.raises(lookups.LookupRefused):  # a hit is refused too: the refusal does not depend on the answer
        lookups.settle(user, "精确查找", hits=[crypto.keyed_hash(numbers[0])])
    assert Notification.objects.filter(recipient=other_admin).count() == 1  # per block, not per refusal
    refused_events = AuditEvent.objects.filter(action=AuditEvent.Action.LOOKUP, success=False)
    assert refused_events.count() == 3
    assert all(e.changes["结果"] == "已拒绝（查询已暂停）" for e in refused_events)
    # Another user is not affected.
    assert settle(create_user("colleague", org.town1, "town_officer"), numbers[-1]) == 0


@pytest.mark.django_db
def test_a_lookup_that_would_go_past_the_limit_is_refused_as_a_whole_and_blocks(user, secadmin):
    many = guesses(20)
    with pytest.raises(lookups.LookupRefused):
        settle(user, *many)
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOOKUP)
    free = lookups.FREE_MISSES_PER_IDENTITY
    assert not event.success and event.changes["针对性未命中"] == 20 - free
    assert event.changes["针对性未命中哈希"] == [crypto.keyed_hash(n) for n in many[free:]]
    assert Notification.objects.filter(recipient=secadmin).count() == 1
    with pytest.raises(lookups.LookupRefused):
        settle(user, number(birth="19900101"))


@pytest.mark.django_db
def test_the_window_slides(user):
    limit = lookups.targeted_limit()
    for value in guesses(limit + lookups.FREE_MISSES_PER_IDENTITY):
        settle(user, value)
    with pytest.raises(lookups.LookupRefused):
        settle(user, number(birth="19900101"))
    IdLookup.objects.update(at=timezone.now() - lookups.WINDOW - datetime.timedelta(seconds=1))
    assert settle(user, number(birth="19900101")) == 0
    # Writing pruned the rows that left the window.
    assert IdLookup.objects.count() == 1


@pytest.mark.django_db
@override_settings(ID_LOOKUP_TARGETED_MISSES_PER_HOUR=2)
def test_the_limit_is_a_setting(user):
    settle(user, *guesses(2 + lookups.FREE_MISSES_PER_IDENTITY))
    with pytest.raises(lookups.LookupRefused):
        settle(user, number(birth="19900101"))


@pytest.mark.django_db
def test_hundreds_of_new_people_are_not_blocked_even_if_every_birth_date_were_registered(user):
    rng = random.Random(20260701)
    start = datetime.date(1950, 1, 1)
    numbers = set()
    while len(numbers) < 300:
        birth = start + datetime.timedelta(days=rng.randrange(365 * 50))
        numbers.add(number(birth.strftime("%Y%m%d"), rng.randrange(1000)))
    numbers = sorted(numbers)
    targeted = settle(user, *numbers)  # no exception
    assert targeted < lookups.targeted_limit()
    assert settle(user, *numbers) == 0  # the same file again adds nothing


@pytest.mark.django_db
def test_an_operator_without_account_is_audited_and_never_limited():
    for _ in range(3):
        assert settle(None, *guesses(20)) == 0
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOOKUP, success=True).count() == 3
    assert not IdLookup.objects.exists()


@pytest.mark.django_db
def test_events_and_window_carry_keyed_hashes_never_digits(user):
    secret = number(seq=777)
    settle(user, number(seq=775))
    with pytest.raises(lookups.LookupRefused):
        settle(user, *guesses(15, odd=True)[:-1], secret)
    for event in AuditEvent.objects.all():
        text = " ".join(str(v) for v in (event.changes, event.object_label, event.object_id))
        assert secret not in text and secret[:14] not in text and secret[6:14] not in text
    stored = b"".join(bytes(blob) for blob in IdLookup.objects.values_list("misses", flat=True))
    assert len(stored) % lookups.RECORD_BYTES == 0
    assert secret.encode() not in stored and secret[:14].encode() not in stored


@pytest.mark.django_db
def test_a_single_lookup_event_names_the_unit_of_a_number_registered_outside_the_scope(user):
    value = number()
    hashed = crypto.keyed_hash(value)
    lookups.settle(user, "精确查找", misses=[(value, hashed)], outside={hashed: "西岭村"},
                   registered=everyone_registered, object_type="people.Person")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOOKUP)
    assert event.changes == {"来源": "精确查找", "哈希": hashed, "结果": "命中（数据范围外，告知未找到）",
                             "登记单位": "西岭村", "针对性未命中": 0, "本小时针对性未命中": 0}
    assert event.object_type == "people.Person" and event.username == "guesser" and event.success
