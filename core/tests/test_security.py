"""Every URL of core (workbench, audit log, notifications) as every demo role; and every app with URLs has a
security matrix."""

import importlib
import inspect

from django.apps import apps
from django.test import SimpleTestCase
from django.utils import timezone

from accounts.testing import DemoRolesMatrixTestCase
from core import audit
from core.api.errors import API_PREFIX
from core.models import AuditEvent, Notification
from core.security_testing import (
    ACTION,
    ANYWHERE,
    FORM,
    Redirect,
    Target,
    UrlMatrixTestCase,
    admin,
    app_urls,
    public,
    signed_in,
)

REVIEW_DAY = timezone.localdate().isoformat()  # the day the fixtures' events are recorded

MATRIX = {
    # A person of the ledger (统战成员) has their self-service home instead.
    "workbench": signed_in(overrides={"self01": Redirect("selfservice:home")}, why="a member's home is /me/"),
    # The web-app manifest and the service worker (static assets only, no data): the browser fetches them anyway.
    "manifest": public(),
    "service_worker": public(),
    # The audit log is the audit administrator's alone (三员分立), and read-only: a POST is refused (405).
    "audit:event_list": admin("audit", post=FORM, post_ok=405),
    "audit:event_detail": admin("audit", "event", post=FORM, post_ok=405),
    "audit:event_export": admin("audit", post=FORM, post_ok=405),
    "audit:chain_verify": admin("audit", post=FORM, post_ok=405),
    # The daily review (安全事件日审) of the fixtures' day, and its Excel: the business event's label (a person's
    # name, here a placement tag) is masked there as everywhere on the auditor's pages.
    "audit:daily_review": admin("audit", query={"day": REVIEW_DAY}, post=FORM, post_ok=405),
    "audit:daily_review_export": admin("audit", query={"day": REVIEW_DAY}, post=FORM, post_ok=405),
    # Marking a day reviewed appends an event; an empty POST names no day: refused with a message, nothing written.
    "audit:daily_review_mark": admin("audit", get=405, post=FORM, post_ok=Redirect("audit:daily_review")),
    # Notifications are their recipient's: another user's does not exist (404).
    "notifications:list": signed_in(),
    "notifications:read_all": signed_in(get=405, post=ACTION),
    "notifications:read": signed_in("notification", get=405, post=ACTION),
    "notifications:open": signed_in("notification", get=405, post=ACTION),
}


class CoreUrlSecurityTests(DemoRolesMatrixTestCase):
    app = "core"
    matrix = MATRIX

    @classmethod
    def build_targets(cls, places):
        audit.record(AuditEvent.Action.CONFIG, user=cls.users["sysadmin"], object_type="org.Unit", label="调整组织机构")
        # A business event (a person's ID number revealed): the auditor sees who did it, never whom it was about.
        event = audit.record(AuditEvent.Action.REVEAL, user=cls.users["county_staff"], object_type="people.Person",
                             object_id="1", label=places["village1"].tag, changes={"字段": ["身份证号"]})
        return {"event": {ANYWHERE: Target({"pk": event.pk})}}

    @classmethod
    def build_actor_targets(cls, actor, user):
        other = next(u for name, u in cls.users.items() if name != actor.name)
        own = Notification.objects.create(recipient=user, title="提醒", url="/") if user is not None else None
        foreign = Notification.objects.create(recipient=other, title="他人的提醒", url="/")
        return {"notification": (Target({"pk": own.pk}) if own else None, Target({"pk": foreign.pk}))}


class EveryAppHasAMatrixTests(SimpleTestCase):
    """A new app (or a URL of an app no matrix covers) fails here: every app with URLs has a
    tests/test_security.py whose UrlMatrixTestCase walks that app."""

    def test_every_app_with_urls_is_walked(self):
        found, unnamed = app_urls()
        # The REST API is walked from its OpenAPI schema instead (tongxin/tests/test_api_scope.py: every operation
        # with an object, as another town; test_api_schema.py: every operation against its schema).
        found = {name: url for name, url in found.items() if not url.route.startswith(API_PREFIX)}
        unnamed = [(app, route) for app, route in unnamed if not route.startswith(API_PREFIX)]
        labels = {u.app for u in found.values()} | {app for app, _ in unnamed}
        problems = []
        for label in sorted(labels):
            if not label:
                problems.append("URLs outside any app: " + ", ".join(n for n, u in found.items() if not u.app))
                continue
            config = apps.get_app_config(label)
            if ".tests." in f"{config.name}.":
                continue  # a test-only app (core.tests.sample)
            try:
                module = importlib.import_module(f"{config.name}.tests.test_security")
            except ModuleNotFoundError:
                problems.append(f"app {label} has URLs but no {config.name}/tests/test_security.py")
                continue
            walkers = [c for _, c in inspect.getmembers(module, inspect.isclass)
                       if issubclass(c, UrlMatrixTestCase) and c.app == label]
            if not walkers:
                problems.append(f"{config.name}/tests/test_security.py has no UrlMatrixTestCase with app = {label!r}")
        self.assertFalse(problems, "\n".join(problems))
