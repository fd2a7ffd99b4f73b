"""ID-number lookups (身份证号查询): every lookup is audited, and guessing a number is limited.

A user who may not see a person's sensitive fields still sees the region code of their ID number (the mask,
core.crypto), their birth date to the month and their gender. An 18-digit number is region (6) + birth date
(8) + sequence (3, the last digit odd for men) + check digit, so 28 to 31 days × 500 sequences fit what such
a user sees of one person: too many to read off, but an oracle answering "registered or not" would let them
walk through them. Every place that looks a number up for a user — the exact search, the duplicate check of
a form, the check of an import (which rows would update someone registered) — goes through `settle()`:

- Every lookup is one audit event (AuditEvent.Action.LOOKUP) carrying the keyed hash of the number, never
  the number; a lookup of many numbers (an import's file) is one event for all of them, with counts and the
  hashes of the numbers registered outside the user's scope and of the targeted misses.
- A *miss* is a number the user is told is not registered. A scoped search that finds the number outside
  the user's scope answers "not found" as well, so that counts as a miss too: otherwise the limit itself
  would tell the two apart.
- A miss is *targeted* when the same user has missed, within the last hour, another number with the same
  visible identity — the first 14 digits (region and birth date) and the parity of the 17th (gender) — and
  somebody registered has that birth date and gender (the caller's `registered` answers this). So the
  second, third, ... guess at one person counts. A file of new people rarely has two numbers with one
  region, birth date and gender, and only counts where such a person is registered already (an initial
  import into an empty ledger never does); the same numbers looked up again (a file checked twice, then
  imported) add nothing.
- A user may have at most ID_LOOKUP_TARGETED_MISSES_PER_HOUR targeted misses in the last hour. Once they
  have, every ID lookup of theirs is refused (`LookupRefused`, message REFUSED) until the oldest leaves the
  hour. A lookup that would go past the limit (a file full of guesses) is refused as a whole, before
  anything of its result is shown, and its misses count. When a block starts every active security
  administrator gets one in-app notification.

What this bounds: the first miss at each birth date is free, so a user can try about one number per day of
the birth month plus the limit per hour against one person (≈ 40), against 14,000+ candidates. What it costs:
a file of new people counts where two of them share region, birth date and gender and someone registered has
that birth date and gender. Into an empty ledger nothing counts; into a county of 20,000 people (the
distribution of bench/import_people.py) a file of 300 new people makes about 1 targeted miss, 1,000 about 6,
2,000 about 13 — refused: such a file is split, or imported by an operator (`manage.py import_people` without
`--user` is audited and not limited).

The sliding window is core.models.IdLookup: per lookup with new misses, 12 bytes per number (prefixes of a
keyed hash of its visible identity and of its keyed hash), no digits.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from . import audit, crypto
from .models import AuditEvent, IdLookup
from .notifications import notify

WINDOW = datetime.timedelta(hours=1)
REFUSED = "身份证号查询过于频繁，已暂停1小时；如有疑问请联系安全管理员"
IDENTITY_BYTES = 8  # of the keyed hash of a number's visible identity
NUMBER_BYTES = 4  # of the number's keyed hash: tells different numbers of one identity apart
RECORD_BYTES = IDENTITY_BYTES + NUMBER_BYTES
LISTED_HASHES = 200  # hashes one audit event lists at most (the counts are always complete)
# Different numbers of one visible identity a user may miss per hour before the next ones count as targeted.
# Two new people of one region, birth date and gender are a coincidence a big file of new people meets; three
# are an attack. With 2, a file of ~8,000 new people goes into a county of 20,000 (with 1, only ~1,500) for
# about 60 + the limit free guesses an hour at one person (with 1, 30 +), out of 14,000+ candidates.
FREE_MISSES_PER_IDENTITY = 2
SECURITY_ADMIN = "security"


class LookupRefused(Exception):
    """The user's ID lookups are suspended; `str(error)` is the Chinese message to show."""

    def __init__(self, message=REFUSED):
        super().__init__(message)


_PARITY = {digit: str(int(digit) % 2) for digit in "0123456789"}


def visible_identity(number):
    """What a mask and a month-precise birth date leave of an 18-digit number, with the day: region, birth
    date and the gender digit's parity."""
    return number[:14] + _PARITY[number[16]]


def targeted_limit():
    return settings.ID_LOOKUP_TARGETED_MISSES_PER_HOUR


def settle(user, source, *, misses=(), hits=(), outside=None, registered=None, object_type="", label="",
           details=None):
    """Audit one lookup by `user` and apply the guessing limit. Call it after looking the numbers up and
    before showing anything of the answer.

    `source` names where (e.g. "精确查找"); `misses` are the (number, keyed hash) pairs the user will be
    told are not registered; `hits` the keyed hashes they will be told are; `outside` maps the keyed hash of
    a number registered outside the user's scope to the unit that registered it (whether the user is told
    or not); `registered(numbers)` returns those of `numbers` whose birth date and gender someone registered
    has. `details` ({label: value}) goes into the audit event. Returns the number of targeted misses.

    Raises LookupRefused (audited as a failed lookup) when the user's lookups are suspended or this one would
    take them past the limit. `user` None (a command run by an operator) is audited and never limited.
    """
    misses, hits, outside = list(misses), list(hits), dict(outside or {})
    event = _event(source, misses, hits, outside, details)
    common = {"object_type": object_type[:100], "user": user}
    if user is None or not user.pk:
        audit.record(AuditEvent.Action.LOOKUP, label=_label(source, label, event), changes=event, **common)
        return 0
    cap = targeted_limit()
    refused, targeted = False, []
    with transaction.atomic():
        now = timezone.now()
        window = IdLookup.objects.filter(user=user, at__gt=now - WINDOW)
        before = sum(window.values_list("targeted", flat=True))
        if before >= cap:
            event.update({"结果": "已拒绝（查询已暂停）", "本小时针对性未命中": before})
            audit.record(AuditEvent.Action.LOOKUP, success=False, label=_label(source, label, event, refused=True),
                         changes=event, **common)
            refused = True
        else:
            new, targeted = _classify(window, misses, registered)
            total = before + len(targeted)
            refused = total > cap
            row = None
            if new:
                IdLookup.objects.filter(at__lte=now - WINDOW).delete()
                row = IdLookup.objects.create(user=user, at=now, source=source[:20], misses=b"".join(new),
                                              targeted=len(targeted))
            event["针对性未命中"] = len(targeted)
            if targeted and len(misses) + len(hits) > 1:
                event["针对性未命中哈希"] = [h for _, h in targeted[:LISTED_HASHES]]
            event["本小时针对性未命中"] = total
            if refused:
                event["结果"] = "已拒绝（超过查询限制）"
            audit.record(AuditEvent.Action.LOOKUP, success=not refused,
                         label=_label(source, label, event, refused=refused), changes=event, **common)
            if total >= cap:
                _tell_security_admins(user, total, key=f"id-lookup-block:{user.pk}:{row.pk}")
    if refused:
        raise LookupRefused
    return len(targeted)


def _classify(window, misses, registered):
    """(records to store for the misses not yet in the window, the targeted misses)."""
    if not misses:
        return [], []
    seen = {}
    for blob in window.values_list("misses", flat=True):
        blob = bytes(blob)
        for start in range(0, len(blob) - RECORD_BYTES + 1, RECORD_BYTES):
            seen.setdefault(blob[start:start + IDENTITY_BYTES], set()).add(
                blob[start + IDENTITY_BYTES:start + RECORD_BYTES])
    identity_digest = crypto.keyed_digester("id-identity")
    new, candidates = [], []
    for number, number_hash in misses:
        identity = identity_digest(visible_identity(number))[:IDENTITY_BYTES]
        key = bytes.fromhex(number_hash[:2 * NUMBER_BYTES])
        numbers = seen.setdefault(identity, set())
        if key in numbers:
            continue  # looked up before: nothing new learnt
        numbers.add(key)
        if len(numbers) > FREE_MISSES_PER_IDENTITY:
            candidates.append((number, number_hash))
        new.append(identity + key)
    if candidates and registered is not None:
        occupied = registered([number for number, _ in candidates])
        candidates = [(number, number_hash) for number, number_hash in candidates if number in occupied]
    return new, candidates


def _event(source, misses, hits, outside, details):
    event = {"来源": source, **(details or {})}
    missed = {number_hash for _, number_hash in misses}
    if len(misses) + len(hits) == 1:
        number_hash = hits[0] if hits else misses[0][1]
        event["哈希"] = number_hash
        if number_hash in outside:
            told = "告知未找到" if number_hash in missed else "告知已登记"
            event["结果"] = f"命中（数据范围外，{told}）"
            event["登记单位"] = outside[number_hash]
        else:
            event["结果"] = "命中" if hits else "未命中"
        return event
    event.update({"查询": len(misses) + len(hits), "命中": len(hits), "未命中": len(misses),
                  "数据范围外命中": len(outside)})
    if outside:
        event["数据范围外命中明细"] = [{"哈希": h, "登记单位": unit}
                                     for h, unit in list(outside.items())[:LISTED_HASHES]]
    return event


def _label(source, label, event, refused=False):
    outcome = "已拒绝" if refused else event.get("结果", "")
    return "：".join(part for part in (source, label, outcome) if part)[:200]


def _tell_security_admins(user, total, key):
    """One notification per block (the key names the lookup that started it) to every active security admin."""
    admins = get_user_model().objects.filter(is_active=True, grants__role__admin_kind=SECURITY_ADMIN).distinct()
    try:
        url = reverse("accounts:user_detail", kwargs={"pk": user.pk})
    except NoReverseMatch:
        url = ""
    unit = getattr(user, "unit", None)
    title = f"身份证号查询已暂停：{user}"
    body = (f"用户 {user.get_username()}（{user}{'，' + str(unit) if unit else ''}）在1小时内有{total}次针对性未命中的"
            "身份证号查询（同一地区、出生日期和性别下的不同号码均未登记），疑似逐个猜测他人身份证号，"
            "其身份证号查询已暂停1小时。各次查询已记入审计日志（操作：身份证号查询）。")
    for admin in admins:
        if admin.is_admin_of(SECURITY_ADMIN):
            notify(admin, title, body, url=url, key=key)
