"""QR sign-in of activities (扫码签到): the rules, apart from the views.

- Matching: a participant gives a name and the last 4 digits of a phone. Phones are encrypted, so
  candidates are found by exact name first (people 在册 in the organising unit's subtree, or already
  among the activity's participants), and only their phones are decrypted and compared in Python.
  Exactly one candidate → the sign-in is linked to that person; none or several → a guest.
- Confirmation: a sign-in only waits (待确认). The organiser (a user who may change the activity) confirms
  them — all at once or one by one — which adds the matched people to the participants, or ignores them;
  audited. Anyone holding the link can type a name and a phone tail, so the public page never changes the
  record of who took part by itself.
- One answer: the page says "签到成功" with the name typed, whether the pair matched someone, is a guest,
  or signed in before; nothing in the response differs. The match (the costly part: decrypting the
  candidates' phones) is computed every time, also for a repeat, so the timing does not tell it either.
- Idempotent: the same name + digits for the same activity is one row, however often it is sent.
- Rate limits: fixed-window counters in Django's cache, per client IP and activity, and per IP.
  Django's default cache is per-process local memory (fine in dev and tests, and for one app server);
  a production deployment with several app servers (or several gunicorn workers that should share the
  limit exactly) must configure a shared cache (CACHES → Redis/Memcached/database) so the counters are
  global. Without it each process counts on its own, which only loosens the limit by that factor.
"""

import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit
from core.models import AuditEvent
from core.text import to_halfwidth
from people.choices import Status
from people.models import Person

from .models import Activity, SignIn

# (attempts allowed, window in seconds, whether the counter is per activity)
RATE_LIMITS = (
    (10, 10 * 60, True),
    (30, 60 * 60, False),
)
RATE_LIMIT_MESSAGE = "操作过于频繁，请稍后再试"

NOT_OPEN_MESSAGE = "签到尚未开放"
ENDED_MESSAGE = "签到已结束"


def closed_reason(activity, now=None):
    """None while sign-in is accepted, else the Chinese reason it is not."""
    now = now or timezone.now()
    if activity.end and now >= activity.end:
        return ENDED_MESSAGE
    if not activity.signin_open:
        return NOT_OPEN_MESSAGE
    return None


def rate_limited(ip, activity_id):
    """Count one attempt from `ip` on the activity; True when a limit is exceeded (the attempt is refused)."""
    ip = ip or "unknown"
    exceeded = False
    for limit, window, per_activity in RATE_LIMITS:
        key = f"activities:signin:{window}:{ip}:{activity_id if per_activity else '*'}"
        # add() starts the window only if the key is absent; incr() is atomic on the shared backends.
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window)
            count = 1
        if count > limit:
            exceeded = True
    return exceeded


def clean_name(value):
    return re.sub(r"\s+", "", to_halfwidth(str(value or "")))


def clean_last4(value):
    return re.sub(r"\s+", "", to_halfwidth(str(value or "")))


def _phone_digits(phone):
    return re.sub(r"\D", "", phone or "")


def candidates(activity, name):
    """People the name may designate: 在册 in the organising unit's subtree, or already participants."""
    in_subtree = Q(owner_unit__path__startswith=activity.owner_unit.path, status=Status.ACTIVE)
    participant = Q(pk__in=activity.participants.values("pk"))
    return Person.objects.filter(name=name).filter(in_subtree | participant).distinct()


def match_person(activity, name, last4):
    """The one person with this name whose phone ends with `last4`, or None (no one, or ambiguous)."""
    found = [p for p in candidates(activity, name).only("pk", "phone") if _phone_digits(p.phone).endswith(last4)]
    return found[0] if len(found) == 1 else None


def _lock(activity):
    """Serialise the writes about one activity's sign-ins (a double tap, two organisers confirming at once)."""
    list(Activity.objects.select_for_update().filter(pk=activity.pk).values_list("pk", flat=True))


def sign_in(activity, name, last4):
    """Record a pending sign-in, or find the one already made with the same name + digits. Not audited: public.

    The match is computed before looking for an earlier sign-in, so a repeat costs about what a first one does."""
    person = match_person(activity, name, last4)
    with transaction.atomic():
        _lock(activity)
        signin, _ = SignIn.objects.get_or_create(activity=activity, name=name, phone_last4=last4,
                                                 defaults={"person": person})
    return signin


@dataclass
class Decision:
    decided: int  # sign-ins moved out of 待确认
    added: list  # names of the people who joined the participants


def decide(activity, user, *, confirm, signin_ids=None):
    """Confirm (matched people join the participants) or ignore the activity's pending sign-ins — those of
    `signin_ids`, or all of them. Audited when anything changed; call it inside a transaction."""
    _lock(activity)
    pending = activity.signins.filter(status=SignIn.Status.PENDING)
    if signin_ids is not None:
        pending = pending.filter(pk__in=signin_ids)
    rows = list(pending.select_related("person"))
    if not rows:
        return Decision(0, [])
    status = SignIn.Status.CONFIRMED if confirm else SignIn.Status.IGNORED
    SignIn.objects.filter(pk__in=[s.pk for s in rows]).update(status=status, decided_by=user,
                                                               decided_at=timezone.now())
    added = []
    if confirm:
        already = set(activity.participants.values_list("pk", flat=True))
        joining = {s.person_id: s.person for s in rows if s.person_id and s.person_id not in already}
        activity.participants.add(*joining)
        added = sorted(p.name for p in joining.values())
    changes = {"扫码签到": {"确认" if confirm else "忽略": [f"{s.name}（尾号{s.phone_last4}）" for s in rows]}}
    if added:
        changes["参加人员（台账）"] = {"added": added, "source": "扫码签到确认"}
    audit.record(AuditEvent.Action.UPDATE, obj=activity, user=user, changes=changes)
    return Decision(len(rows), added)
