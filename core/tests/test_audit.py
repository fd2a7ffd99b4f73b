"""The hash-chained audit log: chaining, SM3/SHA-256, `verify_audit`, append-only triggers, concurrent writers."""

import hashlib
import io
import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import RequestFactory, override_settings
from django.urls import reverse

from accounts.testing import PASSWORD, create_user
from core import audit, crypto
from core.models import AuditEvent
from core.tests.audit_tools import audit_table_unprotected

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def make_events(n, **kwargs):
    return [audit.record(AuditEvent.Action.CONFIG, label=f"事件{i}", changes={"序号": [i, i + 1]}, **kwargs)
            for i in range(n)]


def run_verify(*args):
    """(exit code, stdout, stderr) of `manage.py verify_audit`."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


# --- the chain --------------------------------------------------------------------------------------------

def test_events_form_a_chain():
    first, second, third = make_events(3)
    assert first.prev_hash == audit.GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert audit.verify_chain() == (3, None, "")


def test_hash_is_sha256_by_default():
    event = AuditEvent.objects.get(pk=make_events(1)[0].pk)  # as read back from the database
    assert event.hash == hashlib.sha256(audit._canonical(event)).hexdigest()


@override_settings(CRYPTO_SUITE="sm")
def test_hash_is_sm3_under_guomi_suite():
    event = AuditEvent.objects.get(pk=make_events(1)[0].pk)
    assert event.hash == crypto.digest(audit._canonical(event), "sm")
    assert event.hash != hashlib.sha256(audit._canonical(event)).hexdigest()
    assert audit.hash_suite(event) == "sm"
    assert run_verify()[0] == 0


def test_switching_suite_continues_the_chain():
    make_events(2)
    with override_settings(CRYPTO_SUITE="sm"):
        make_events(3)
        code, out, _ = run_verify()
    assert code == 0
    assert "已校验 5 条审计事件，哈希链完整。" in out
    assert "SHA-256 2 条" in out and "SM3 3 条" in out
    # and back again
    assert run_verify()[0] == 0


def test_changes_round_trip_exactly_through_the_database():
    """Values that a database might print back differently must not raise a false tamper alarm."""
    audit.record(
        AuditEvent.Action.IMPORT, label="导入",
        changes={"大数": 1e20, "小数": 0.1, "整数": 2**62, "空": None, "NUL": "a\x00b", "集合": {"x"},
                 "嵌套": {"列表": [1, "二", True]}, 3: "非字符串键"},
    )
    event = AuditEvent.objects.get()
    assert event.changes["NUL"] == "ab"
    assert event.changes["大数"] == "1e+20"
    assert audit.verify_chain()[1] is None


# --- client addresses -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "remote,real_ip,expected",
    [
        ("127.0.0.1", "10.1.2.3", "127.0.0.1"),  # loopback is not a listed proxy (TRUSTED_PROXIES is empty)
        ("", "10.1.2.3", None),  # nor is a unix-socket peer
        ("10.9.9.9", "10.1.2.3", "10.9.9.9"),  # a client forging the header directly
        ("::ffff:10.0.0.7", "", "10.0.0.7"),
        ("unix:/run/gunicorn.sock", "", None),
    ],
)
def test_client_address(remote, real_ip, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_REAL_IP=real_ip)
    request.request_id = "a" * 32
    event = audit.record(AuditEvent.Action.CONFIG, request=request, label="地址")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.ip == expected
    assert audit.verify_chain()[1] is None


@override_settings(TRUSTED_PROXIES=["10.0.0.1", "unix"])
@pytest.mark.parametrize(
    "remote,real_ip,expected",
    [
        ("10.0.0.1", "192.168.3.4", "192.168.3.4"),
        ("", "192.168.3.4", "192.168.3.4"),  # nginx over the unix socket
        ("10.0.0.1", "not-an-ip", "10.0.0.1"),  # garbage is not written (PostgreSQL would refuse it)
        ("10.0.0.1", "2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
    ],
)
def test_client_address_from_a_listed_proxy(remote, real_ip, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_REAL_IP=real_ip)
    assert AuditEvent.objects.get(pk=audit.record(AuditEvent.Action.CONFIG, request=request).pk).ip == expected


# --- verify_audit -----------------------------------------------------------------------------------------

def test_verify_audit_on_an_empty_log():
    assert run_verify()[:2] == (0, "已校验 0 条审计事件，哈希链完整。\n")


def test_verify_audit_intact_chain():
    events = make_events(3)
    code, out, err = run_verify()
    assert code == 0
    assert out.splitlines()[0] == "已校验 3 条审计事件，哈希链完整。"
    assert events[-1].hash in out  # the chain head, to be kept as an anchor
    assert err == ""


@pytest.mark.parametrize(
    "field,value",
    [("object_label", "改过的对象"), ("username", "someone"), ("success", False), ("action", "login"),
     ("changes", {"序号": [1, 99]}), ("ip", "10.0.0.1"), ("timestamp", "2020-01-01T00:00:00+00:00")],
)
def test_verify_audit_names_an_altered_event(field, value):
    events = make_events(4)
    with audit_table_unprotected():
        AuditEvent.objects.filter(pk=events[1].pk).update(**{field: value})
    code, out, err = run_verify()
    assert code == 1
    assert out == ""
    assert f"编号 {events[1].pk}" in err
    assert "第 2 条" in err
    assert "被修改" in err


def test_verify_audit_names_the_event_after_a_rehashed_one():
    """An attacker who recomputes the altered event's own hash breaks the link to the next one."""
    events = make_events(3)
    with audit_table_unprotected():
        event = AuditEvent.objects.get(pk=events[1].pk)
        event.object_label = "伪造"
        event.hash = audit.compute_hash(event)
        event.save()
    code, _, err = run_verify()
    assert code == 1
    assert f"编号 {events[2].pk}" in err
    assert "前一哈希" in err


def test_verify_audit_detects_a_deleted_event():
    events = make_events(4)
    with audit_table_unprotected():
        AuditEvent.objects.filter(pk=events[1].pk).delete()
    code, _, err = run_verify()
    assert code == 1
    assert f"编号 {events[2].pk}" in err
    assert "删除" in err


def test_verify_audit_detects_a_replaced_event():
    """An event swapped for a forged one with a correct own hash: the next event's link gives it away."""
    events = make_events(3)
    forged = AuditEvent(id=events[1].id, timestamp=events[1].timestamp, action="login", username="ghost",
                        prev_hash=events[0].hash)
    forged.hash = audit.compute_hash(forged)
    with audit_table_unprotected():
        AuditEvent.objects.filter(pk=events[1].pk).delete()
        forged.save(force_insert=True)
    code, _, err = run_verify()
    assert code == 1
    assert f"编号 {events[2].pk}" in err


def test_verify_audit_detects_an_appended_forgery():
    events = make_events(2)
    forged = AuditEvent(timestamp=events[1].timestamp, action="login", username="ghost", prev_hash="f" * 64)
    forged.hash = audit.compute_hash(forged)
    forged.save(force_insert=True)
    code, _, err = run_verify()
    assert code == 1
    assert f"编号 {forged.pk}" in err


def test_the_chain_cannot_fork():
    """A writer that read a stale chain head (say, under REPEATABLE READ) fails instead of forking the chain."""
    first = make_events(1)[0]
    twin = AuditEvent(timestamp=first.timestamp, action="login", prev_hash=first.prev_hash)
    twin.hash = audit.compute_hash(twin)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save(force_insert=True)


def test_deleting_the_newest_events_needs_an_anchor():
    """A chain cannot show that its newest events were removed; a chain head kept elsewhere can."""
    events = make_events(3)
    head = events[-1].hash
    assert run_verify("--anchor", head)[0] == 0
    with audit_table_unprotected():
        AuditEvent.objects.filter(pk=events[-1].pk).delete()
    code, out, _ = run_verify()
    assert code == 0 and "已校验 2 条" in out  # documented limitation of the chain alone
    code, _, err = run_verify("--anchor", head)
    assert code == 1
    assert head in err


def test_a_rewritten_and_rehashed_chain_is_caught_by_an_anchor():
    """Whoever can write the table can rewrite an event and recompute every later hash; a chain head
    kept outside the database still tells."""
    events = make_events(4)
    head = events[-1].hash
    with audit_table_unprotected():
        previous = events[0].hash
        for event in AuditEvent.objects.filter(pk__gt=events[0].pk).order_by("id"):
            if event.pk == events[1].pk:
                event.object_label = "改写"
            event.prev_hash = previous
            event.hash = audit.compute_hash(event)
            AuditEvent.objects.filter(pk=event.pk).update(
                object_label=event.object_label, prev_hash=event.prev_hash, hash=event.hash
            )
            previous = event.hash
    assert run_verify()[0] == 0
    code, _, err = run_verify("--anchor", head)
    assert code == 1 and head in err


@override_settings(CRYPTO_SUITE="sm")
def test_verify_audit_detects_tampering_under_sm3():
    events = make_events(3)
    with audit_table_unprotected():
        AuditEvent.objects.filter(pk=events[2].pk).update(object_label="改")
    code, _, err = run_verify()
    assert code == 1 and f"编号 {events[2].pk}" in err


def test_verify_audit_warns_when_triggers_are_missing():
    make_events(1)
    with audit_table_unprotected():
        code, _, err = run_verify()
    assert code == 0
    assert "触发器缺失" in err


# --- append-only in the database --------------------------------------------------------------------------

def test_protection_triggers_are_installed():
    if connection.vendor not in ("postgresql", "sqlite"):
        pytest.skip("no triggers on this database")
    assert audit.protection_triggers() == audit.expected_triggers() != set()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda e: AuditEvent.objects.filter(pk=e.pk).update(object_label="改"),
        lambda e: AuditEvent.objects.filter(pk=e.pk).delete(),
        lambda e: AuditEvent.objects.all().delete(),
        lambda e: e.delete(),
        lambda e: AuditEvent.objects.filter(pk=e.pk).update(hash=e.hash),  # even a no-op update
    ],
    ids=["update", "delete", "delete-all", "instance-delete", "noop-update"],
)
def test_database_refuses_update_and_delete(tamper):
    event = make_events(2)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        tamper(event)
    assert AuditEvent.objects.count() == 2
    assert AuditEvent.objects.get(pk=event.pk).object_label == "事件0"


def test_database_refuses_raw_sql():
    make_events(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET username = 'x'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")
    assert AuditEvent.objects.count() == 1


@on_postgresql
def test_postgresql_refuses_truncate():
    make_events(1)
    with pytest.raises(DatabaseError, match="审计事件只能追加"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditevent")
    assert AuditEvent.objects.count() == 1


def _flush_sql():
    from django.core.management.color import no_style
    from django.core.management.sql import sql_flush

    return sql_flush(no_style(), connection)


def test_stock_flush_is_refused():
    """`manage.py flush` on a real database would erase the log (TRUNCATE on PostgreSQL, DELETE on SQLite):
    the triggers stop Django's own flush. (The test backends in core/tests/db/ are the only exception.)"""
    if connection.vendor == "postgresql":
        from django.db.backends.postgresql.operations import DatabaseOperations
    else:
        from django.db.backends.sqlite3.operations import DatabaseOperations
    make_events(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        DatabaseOperations.execute_sql_flush(connection.ops, _flush_sql())
    assert AuditEvent.objects.count() == 1


def test_test_backend_flush_restores_the_triggers():
    make_events(1)
    with transaction.atomic():
        connection.ops.execute_sql_flush(_flush_sql())
        assert AuditEvent.objects.count() == 0
        assert audit.protection_triggers() == audit.expected_triggers()
        transaction.set_rollback(True)  # keep the rest of this test's data


def test_inserting_still_works_after_a_refusal():
    make_events(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    make_events(1)
    assert audit.verify_chain() == (2, None, "")


# --- concurrent writers -----------------------------------------------------------------------------------

@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    """Writers on separate connections serialise on the advisory lock; the chain stays a single line."""
    from django.db import connections

    threads, errors, per_thread = 8, [], 15
    barrier = threading.Barrier(threads)

    def write(n):
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit.record(AuditEvent.Action.CONFIG, label=f"线程{n}-{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert audit.verify_chain() == (threads * per_thread, None, "")


# --- events written by sign-in machinery ------------------------------------------------------------------

def test_lockout_is_audited_once(org):
    """django-axes' lockout signal is turned into one LOCKOUT event by core/signals.py (no duplicate)."""
    create_user("lockme", org.town1)
    for _ in range(5):
        response = self_post_login("lockme", "wrong-password")
    assert response.status_code in (200, 403, 429)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, username="lockme").count() == 5
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT, username="lockme").count() == 1
    # locked: even the right password is refused now, and audited as a failure, not a login
    self_post_login("lockme", PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, username="lockme").exists()
    assert audit.verify_chain()[1] is None


def self_post_login(username, password):
    from django.test import Client

    return Client().post(reverse("login"), {"username": username, "password": password})
