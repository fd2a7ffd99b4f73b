"""Field encryption (AES-256-GCM, or SM4-GCM with CRYPTO_SUITE=sm), keyed hashes and masking.

Ciphertexts carry the suite's tag, so a value written under one suite is still read after the
setting changes; keyed hashes depend on the suite, so changing it requires re-hashing (a migration).
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12
TAG_BYTES = 16
ID_MASK_VISIBLE = 6  # digits of an ID number a mask shows: the region code


class TamperedValue(Exception):
    """A ciphertext failed authentication: it was altered, truncated or encrypted under another key."""


def _master_key():
    raw = settings.FIELD_ENCRYPTION_KEY
    try:
        key = bytes.fromhex(raw)
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 须为64位十六进制字符串（32字节）") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 须为64位十六进制字符串（32字节）")
    return key


@cache
def _derive(master, suite, purpose, length):
    digest = hashes.SM3() if suite == "sm" else hashes.SHA256()
    return HKDF(algorithm=digest, length=length, salt=None, info=f"tongxin/{suite}/{purpose}".encode()).derive(
        master
    )


def current_suite():
    suite = settings.CRYPTO_SUITE
    if suite not in ("aes", "sm"):
        raise ImproperlyConfigured("CRYPTO_SUITE 只能是 aes 或 sm")
    return suite


def _sm4_gcm_encrypt(key, nonce, data, associated=None):
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if associated:
        encryptor.authenticate_additional_data(associated)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _sm4_gcm_decrypt(key, nonce, data, associated=None):
    body, tag = data[:-TAG_BYTES], data[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if associated:
        decryptor.authenticate_additional_data(associated)
    return decryptor.update(body) + decryptor.finalize()


_PREFIX = {"aes": "A1$", "sm": "S1$"}


def encrypt(plaintext: str) -> str:
    suite = current_suite()
    nonce = os.urandom(NONCE_BYTES)
    data = plaintext.encode()
    if suite == "sm":
        sealed = _sm4_gcm_encrypt(_derive(_master_key(), "sm", "enc", 16), nonce, data)
    else:
        sealed = AESGCM(_derive(_master_key(), "aes", "enc", 32)).encrypt(nonce, data, None)
    return _PREFIX[suite] + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str) -> str:
    prefix, body = token[:3], token[3:]
    try:
        raw = base64.b64decode(body, validate=True)
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        if prefix == _PREFIX["aes"]:
            data = AESGCM(_derive(_master_key(), "aes", "enc", 32)).decrypt(nonce, sealed, None)
        elif prefix == _PREFIX["sm"]:
            data = _sm4_gcm_decrypt(_derive(_master_key(), "sm", "enc", 16), nonce, sealed)
        else:
            raise TamperedValue("unknown ciphertext format")
        return data.decode()
    except (InvalidTag, ValueError) as exc:
        raise TamperedValue(str(exc) or "authentication failed") from exc


def encrypt_bytes(data: bytes, purpose: str) -> bytes:
    """Binary data (an upload kept while its import runs) sealed with a key of its own `purpose`, derived from
    the master key like the others: a value sealed for one purpose cannot be opened as another. The result
    starts with the suite's tag, so it is still opened after CRYPTO_SUITE changes."""
    suite = current_suite()
    nonce = os.urandom(NONCE_BYTES)
    associated = purpose.encode()
    if suite == "sm":
        sealed = _sm4_gcm_encrypt(_derive(_master_key(), "sm", f"bytes/{purpose}", 16), nonce, data, associated)
    else:
        sealed = AESGCM(_derive(_master_key(), "aes", f"bytes/{purpose}", 32)).encrypt(nonce, data, associated)
    return _PREFIX[suite].encode() + nonce + sealed


def decrypt_bytes(token: bytes, purpose: str) -> bytes:
    """What `encrypt_bytes(data, purpose)` sealed; raises TamperedValue for anything else."""
    prefix, nonce, sealed = token[:3], token[3:3 + NONCE_BYTES], token[3 + NONCE_BYTES:]
    associated = purpose.encode()
    try:
        if prefix == _PREFIX["aes"].encode():
            return AESGCM(_derive(_master_key(), "aes", f"bytes/{purpose}", 32)).decrypt(nonce, sealed, associated)
        if prefix == _PREFIX["sm"].encode():
            return _sm4_gcm_decrypt(_derive(_master_key(), "sm", f"bytes/{purpose}", 16), nonce, sealed, associated)
    except (InvalidTag, ValueError) as exc:
        raise TamperedValue(str(exc) or "authentication failed") from exc
    raise TamperedValue("unknown ciphertext format")


def keyed_hash(value: str) -> str:
    """HMAC of a normalised value, for exact lookup and uniqueness without storing the value."""
    suite = current_suite()
    key = _derive(_master_key(), suite, "hash", 32)
    if suite == "sm":
        return hmac_sm3(key, value.encode())
    return hmac.digest(key, value.encode(), "sha256").hex()


def keyed_hasher(purpose="hash"):
    """`keyed_hash` for many values (bulk imports): the key is derived once, not per value. Another `purpose`
    gives an unrelated keyed hash (its own key), for values that must not be comparable with the lookup hashes."""
    suite = current_suite()
    key = _derive(_master_key(), suite, purpose, 32)
    if suite == "sm":
        return lambda value: hmac_sm3(key, value.encode())
    mac = _hmac_sha256(key)
    return lambda value: mac(value.encode()).hex()


def _hmac_sha256(key):
    """HMAC-SHA256 under `key` (at most 64 bytes) for many short values: the key's padded blocks are hashed
    once and copied per value. The same digests as hmac.digest(key, value, "sha256"), in about half the time."""
    block = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def mac(data):
        first = inner.copy()
        first.update(data)
        second = outer.copy()
        second.update(first.digest())
        return second.digest()
    return mac


def keyed_digester(purpose):
    """Like `keyed_hasher(purpose)`, returning the raw digest bytes (for compact records, not for lookups)."""
    suite = current_suite()
    key = _derive(_master_key(), suite, purpose, 32)
    if suite == "sm":
        return lambda value: bytes.fromhex(hmac_sm3(key, value.encode()))
    mac = _hmac_sha256(key)
    return lambda value: mac(value.encode())


NONCE_POOL = 1024  # nonces drawn per os.urandom call by an encrypter


def encrypter():
    """`encrypt` for many values (bulk imports): the cipher is set up once, each value gets its own nonce.

    The nonces are cut from one os.urandom call per NONCE_POOL values: the call releases the GIL, and while the
    import's writer thread holds it each release costs a wait for the thread switch (per value, that made the
    encryption of 100,000 people about five times slower). Consecutive slices of a random draw are as random as
    separate draws, and the ciphertexts are the same as `encrypt`'s."""
    suite = current_suite()
    prefix = _PREFIX[suite]
    if suite == "sm":
        key = _derive(_master_key(), "sm", "enc", 16)

        def seal(nonce, data):
            return _sm4_gcm_encrypt(key, nonce, data)
    else:
        seal_aes = AESGCM(_derive(_master_key(), "aes", "enc", 32)).encrypt

        def seal(nonce, data):
            return seal_aes(nonce, data, None)

    pool, taken = b"", 0

    def encrypt_one(plaintext: str) -> str:
        nonlocal pool, taken
        if taken == len(pool):
            pool, taken = os.urandom(NONCE_BYTES * NONCE_POOL), 0
        nonce = pool[taken:taken + NONCE_BYTES]
        taken += NONCE_BYTES
        return prefix + base64.b64encode(nonce + seal(nonce, plaintext.encode())).decode("ascii")

    return encrypt_one


def hmac_sm3(key: bytes, data: bytes) -> str:
    from cryptography.hazmat.primitives import hmac as crypto_hmac

    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def digest(data: bytes, suite=None) -> str:
    """A plain digest: SM3 under the 国密 suite, SHA-256 otherwise (used by the audit chain)."""
    if (suite or current_suite()) == "sm":
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize().hex()
    return hashlib.sha256(data).hexdigest()


def mask_id_number(value: str) -> str:
    """330784************: only the first six digits (the region of registration) stay readable.

    Nothing after them is shown: digits 7-14 are the birth date (shown elsewhere only to the month to users
    who may not see sensitive fields) and 15-17 the sequence, whose 17th digit's parity is the gender. With
    the birth date and gender known, showing any sequence digit or the check digit would leave only a few
    hundred candidates; without them at least 28 x 500 remain (see core.lookups for how guessing is limited).
    """
    if not value:
        return ""
    if len(value) < 15:  # not an ID number (15 or 18 characters): nothing of it is a region code
        return "*" * len(value)
    return value[:ID_MASK_VISIBLE] + "*" * (len(value) - ID_MASK_VISIBLE)


def mask_phone(value: str) -> str:
    """138****5678 for a mobile number; other numbers keep their last four digits."""
    if not value:
        return ""
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


MASKERS = {"id_number": mask_id_number, "phone": mask_phone}


def secret_digest(secret: str) -> str:
    """What is stored of a random secret handed to someone once (an API token, an invitation link): its SHA-256.
    The secrets carry 256 random bits, so no salt, key or slow hash is needed to make a leaked table useless."""
    return hashlib.sha256(secret.encode()).hexdigest()
