"""Field encryption: both suites round-trip, tampering is detected, keyed hashes, masking, and no clear value
reaches the database."""

import base64
import sqlite3

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.testing import create_user
from core import crypto, fields
from core.tests.sample.models import SampleRecord

SUITES = ["aes", "sm"]
PREFIX = {"aes": "A1$", "sm": "S1$"}
VALUES = ["13812345678", "330102199001011234", "", "张三·测试 Ünïcödé 🙂", "x" * 10_000]


def flip(token, index):
    """The token with one bit of byte `index` of its decoded payload flipped (nonce, ciphertext or tag)."""
    raw = bytearray(base64.b64decode(token[3:]))
    raw[index] ^= 0x01
    return token[:3] + base64.b64encode(bytes(raw)).decode()


# --- encrypt / decrypt ------------------------------------------------------------------------------------

@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("value", VALUES, ids=["phone", "id", "empty", "unicode", "long"])
def test_round_trip(suite, value):
    with override_settings(CRYPTO_SUITE=suite):
        token = crypto.encrypt(value)
        assert token.startswith(PREFIX[suite])
        assert crypto.decrypt(token) == value
        if value:
            assert value not in token


@pytest.mark.parametrize("suite", SUITES)
def test_same_value_encrypts_differently_each_time(suite):
    with override_settings(CRYPTO_SUITE=suite):
        assert crypto.encrypt("13812345678") != crypto.encrypt("13812345678")


@pytest.mark.parametrize("suite", SUITES)
def test_the_bulk_encrypter_writes_what_decrypt_reads_with_a_nonce_per_value(suite):
    """Its nonces are cut from pooled random draws: past the end of a pool, every value still gets a fresh one."""
    with override_settings(CRYPTO_SUITE=suite):
        encrypt = crypto.encrypter()
        count = crypto.NONCE_POOL * 2 + 3
        tokens = [encrypt(f"1381234{n:04d}") for n in range(count)]
        assert [crypto.decrypt(token) for token in tokens] == [f"1381234{n:04d}" for n in range(count)]
        assert all(token.startswith(PREFIX[suite]) for token in tokens)
        assert {len(token) for token in tokens} == {len(crypto.encrypt("13812340000"))}
        nonces = {base64.b64decode(token[3:])[:crypto.NONCE_BYTES] for token in tokens}
        assert len(nonces) == count
        assert encrypt("13812345678") != encrypt("13812345678")


@pytest.mark.parametrize("suite", SUITES)
@given(value=st.text())
@settings(max_examples=150, deadline=None)
def test_round_trip_any_text(suite, value):
    with override_settings(CRYPTO_SUITE=suite):
        assert crypto.decrypt(crypto.encrypt(value)) == value


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("index", [0, 11, 12, -17, -1], ids=["nonce", "nonce-end", "body", "body-end", "tag"])
def test_flipped_byte_is_detected(suite, index):
    with override_settings(CRYPTO_SUITE=suite):
        token = crypto.encrypt("330102199001011234")
        with pytest.raises(crypto.TamperedValue):
            crypto.decrypt(flip(token, index))


@pytest.mark.parametrize("suite", SUITES)
def test_malformed_tokens_are_detected(suite):
    with override_settings(CRYPTO_SUITE=suite):
        token = crypto.encrypt("13812345678")
    other = PREFIX["sm" if suite == "aes" else "aes"]
    for bad in (token[:-4], token[:3], token[:3] + "!!!!", "Z9$" + token[3:], other + token[3:], "plain text"):
        with pytest.raises(crypto.TamperedValue):
            crypto.decrypt(bad)


@pytest.mark.parametrize("suite", SUITES)
def test_another_key_cannot_decrypt(suite):
    with override_settings(CRYPTO_SUITE=suite):
        token = crypto.encrypt("13812345678")
        with override_settings(FIELD_ENCRYPTION_KEY="11" * 32), pytest.raises(crypto.TamperedValue):
            crypto.decrypt(token)


def test_values_stay_readable_after_switching_suite():
    aes_token = crypto.encrypt("13812345678")
    with override_settings(CRYPTO_SUITE="sm"):
        sm_token = crypto.encrypt("13812345678")
        assert crypto.decrypt(aes_token) == "13812345678"
    assert crypto.decrypt(sm_token) == "13812345678"


@pytest.mark.parametrize("key", ["", "00" * 31, "zz" * 32, "00" * 33])
def test_bad_key_is_a_configuration_error(key):
    with override_settings(FIELD_ENCRYPTION_KEY=key), pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


def test_unknown_suite_is_a_configuration_error():
    with override_settings(CRYPTO_SUITE="des"), pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


# --- keyed hash and digest --------------------------------------------------------------------------------

@pytest.mark.parametrize("suite", SUITES)
def test_bulk_hashers_agree_with_keyed_hash(suite):
    with override_settings(CRYPTO_SUITE=suite):
        hasher, digester = crypto.keyed_hasher(), crypto.keyed_digester("hash")
        for value in ("13812345678", "33099819750315123X", "", "张三" * 40):
            assert hasher(value) == crypto.keyed_hash(value) == digester(value).hex()
        assert crypto.keyed_hasher("other")("13812345678") != crypto.keyed_hash("13812345678")


def test_keyed_hash():
    value = crypto.keyed_hash("13812345678")
    assert value == crypto.keyed_hash("13812345678")  # deterministic: usable for lookup and uniqueness
    assert len(value) == 64 and int(value, 16) >= 0
    assert value != crypto.keyed_hash("13812345679")
    with override_settings(CRYPTO_SUITE="sm"):
        sm_value = crypto.keyed_hash("13812345678")
    assert sm_value != value and len(sm_value) == 64
    with override_settings(FIELD_ENCRYPTION_KEY="11" * 32):
        assert crypto.keyed_hash("13812345678") != value  # keyed: not a plain hash anyone can recompute
    import hashlib

    assert value != hashlib.sha256(b"13812345678").hexdigest()


def test_digest_algorithms():
    import hashlib

    assert crypto.digest(b"abc", "aes") == hashlib.sha256(b"abc").hexdigest()
    # GB/T 32905-2016 test vector for SM3("abc")
    assert crypto.digest(b"abc", "sm") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


# --- masking ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value,masked",
    [("330102199001011234", "330102************"), ("33010219900101123X", "330102************"),
     ("330102900101123", "330102*********"), ("12345678901234", "**************"), ("12", "**"),
     ("", "")],
)
def test_mask_id_number(value, masked):
    assert crypto.mask_id_number(value) == masked


@pytest.mark.parametrize(
    "value,masked",
    [("13812345678", "138****5678"), ("057188881234", "********1234"), ("88881234", "****1234"),
     ("1234", "****"), ("1", "*"), ("", "")],
)
def test_mask_phone(value, masked):
    assert crypto.mask_phone(value) == masked


@given(st.text(alphabet="0123456789X", max_size=30))
def test_masks_never_reveal_more_than_the_edges(value):
    for masked in (crypto.mask_id_number(value), crypto.mask_phone(value)):
        assert len(masked) == len(value)
        if len(value) >= 8:
            assert value not in masked
    # An ID number's mask shows the region only: no birth date, sequence or check digit.
    assert crypto.mask_id_number(value)[6:] == "*" * max(0, len(value) - 6)
    assert crypto.mask_id_number(value)[:6] in (value[:6], "*" * min(6, len(value)))


# --- the model field --------------------------------------------------------------------------------------

def raw_row(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_hash FROM sample_samplerecord WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.mark.django_db
@pytest.mark.parametrize("suite", SUITES)
def test_field_round_trip_and_lookup(org, suite):
    with override_settings(CRYPTO_SUITE=suite):
        record = SampleRecord.objects.create(name="甲", phone="13812345678", owner_unit=org.town1)
        assert SampleRecord.objects.get(pk=record.pk).phone == "13812345678"
        stored, stored_hash = raw_row(record.pk)
        assert stored.startswith(PREFIX[suite])
        assert stored_hash == crypto.keyed_hash("13812345678")
        assert SampleRecord.objects.get(phone_hash=crypto.keyed_hash("13812345678")) == record


@pytest.mark.django_db
def test_empty_value_stores_nothing(org):
    record = SampleRecord.objects.create(name="乙", phone="", owner_unit=org.town1)
    assert raw_row(record.pk) == ("", "")
    assert SampleRecord.objects.get(pk=record.pk).phone == ""


@pytest.mark.django_db
def test_value_tampered_in_the_database_reads_as_marker_not_error(org, client):
    record = SampleRecord.objects.create(name="丙", phone="13812345678", owner_unit=org.village1)
    stored, _ = raw_row(record.pk)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sample_samplerecord SET phone = %s WHERE id = %s", [flip(stored, 20), record.pk])
    assert SampleRecord.objects.get(pk=record.pk).phone == fields.TAMPERED_DISPLAY
    field = SampleRecord._meta.get_field("phone")
    assert field.masked(fields.TAMPERED_DISPLAY) == fields.TAMPERED_DISPLAY

    client.force_login(create_user("viewer", org.town1, "town_officer"))
    detail = client.get(reverse("sample:samplerecord_detail", args=[record.pk]))
    assert detail.status_code == 200
    assert fields.TAMPERED_DISPLAY in detail.content.decode()
    assert client.get(reverse("sample:samplerecord_list")).status_code == 200
    export = client.get(reverse("sample:samplerecord_export"))
    export.getvalue()  # read to the end: the client then closes a download as a WSGI server would
    assert export.status_code == 200


# --- no clear value in the database -----------------------------------------------------------------------

PHONE = "13987654321"  # distinctive: appears nowhere else in the test data


def _all_database_text():
    """Every value of every table, as text: what a copy of the database would give away."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
            chunks.extend(str(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def _database_file_bytes(tmp_path):
    """The bytes of the database as stored on disk, or None where the test cannot read them.

    SQLite: the test database usually lives in memory, so it is copied to a file with SQLite's own
    backup API (the same pages a database file would hold); a file database is read directly, WAL included.
    PostgreSQL: as a superuser (the test cluster's role), force a checkpoint and read the table's data file.
    """
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        if connection.is_in_memory_db():
            copy = tmp_path / "copy.sqlite3"
            target = sqlite3.connect(copy)
            connection.ensure_connection()
            connection.connection.backup(target)
            target.close()
            return copy.read_bytes()
        return b"".join(p.read_bytes() for p in (tmp_path.__class__(name), tmp_path.__class__(f"{name}-wal"))
                        if p.exists())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                return None
            cursor.execute("CHECKPOINT")
            cursor.execute("SELECT pg_read_binary_file(pg_relation_filepath('sample_samplerecord'))")
            return bytes(cursor.fetchone()[0])
    return None


@pytest.mark.django_db(transaction=True)
def test_no_clear_value_in_the_database(org, tmp_path):
    client = Client()
    client.force_login(create_user("writer", org.town1, "town_officer"))
    response = client.post(reverse("sample:samplerecord_add"),
                           {"name": "明文检查", "phone": PHONE, "owner_unit": org.village1.pk})
    assert response.status_code == 302
    record = SampleRecord.objects.get(name="明文检查")
    # and once more through an edit, so the audit log holds a before/after of the value
    response = client.post(reverse("sample:samplerecord_edit", args=[record.pk]),
                           {"name": "明文检查", "phone": "13911112222", "owner_unit": org.village1.pk})
    assert response.status_code == 302
    response = client.post(reverse("sample:samplerecord_edit", args=[record.pk]),
                           {"name": "明文检查", "phone": PHONE, "owner_unit": org.village1.pk})
    assert response.status_code == 302

    stored, stored_hash = raw_row(record.pk)
    assert PHONE not in stored and stored.startswith("A1$")
    assert stored_hash == crypto.keyed_hash(PHONE)
    assert SampleRecord.objects.get(pk=record.pk).phone == PHONE

    everything = _all_database_text()
    assert stored in everything  # the scan did read the record
    assert PHONE not in everything
    assert "13911112222" not in everything

    data = _database_file_bytes(tmp_path)
    if data is None:
        pytest.skip("the database's files are not readable from this test (not a PostgreSQL superuser)")
    assert stored.encode() in data
    assert PHONE.encode() not in data


def test_tampered_marker_is_not_saved_back(org):
    record = SampleRecord(name="x", phone=fields.TAMPERED_DISPLAY, owner_unit=org.town1)
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert "校验失败" in str(error.value)
