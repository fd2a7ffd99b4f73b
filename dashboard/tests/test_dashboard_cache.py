"""Cached figures follow the data: core.cache's data version, bumped by the changes of business data, and the
dashboard served from the cache until an edit."""

from unittest import mock

from django.db import connection, transaction
from django.test import TestCase

from accounts.models import Grant, Role
from accounts.testing import create_user
from activities.models import ActivityType
from core import audit
from core import cache as figure_cache
from core.models import AuditEvent, Notification
from dashboard import figures
from org.models import Unit
from org.testing import build_county
from people.choices import Status
from people.models import Category, Person
from representatives.models import StageChange

from .test_dashboard_figures import DashboardTestCase, cards


def forget_pending_bumps():
    """A TestCase never commits: the bump that setUpTestData's records scheduled waits for ever and, pending,
    absorbs the bumps of the test's own changes (one per transaction). Tests that commit with
    captureOnCommitCallbacks start without it."""
    connection.run_on_commit = [e for e in connection.run_on_commit if e[1] is not figure_cache._bump_now]


class DataVersionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def setUp(self):
        forget_pending_bumps()

    def changes_version(self, action):
        """Whether `action`, committed, changes the data version (and how many bumps it scheduled)."""
        forget_pending_bumps()
        before = figure_cache.data_version()
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            action()
        bumps = [c for c in callbacks if c is figure_cache._bump_now]
        return figure_cache.data_version() != before, len(bumps)

    def test_business_records_bump_on_save_delete_and_links(self):
        person = Person.objects.create(name="甲", owner_unit=self.org.village1)
        category = Category.objects.first()
        self.assertEqual(self.changes_version(lambda: Person.objects.create(name="乙", owner_unit=self.org.village1)),
                         (True, 1))
        self.assertEqual(self.changes_version(lambda: person.categories.add(category)), (True, 1))
        self.assertEqual(self.changes_version(lambda: person.categories.remove(category)), (True, 1))
        self.assertEqual(self.changes_version(person.categories.clear), (True, 1))
        self.assertEqual(self.changes_version(person.delete), (True, 1))

    def test_once_per_transaction(self):
        def many():
            with transaction.atomic():
                for name in ("甲", "乙", "丙"):
                    Person.objects.create(name=name, owner_unit=self.org.village1)

        self.assertEqual(self.changes_version(many), (True, 1))

    def test_a_rolled_back_transaction_does_not_bump(self):
        def failed():
            try:
                with transaction.atomic():
                    Person.objects.create(name="甲", owner_unit=self.org.village1)
                    raise ValueError
            except ValueError:
                pass

        self.assertEqual(self.changes_version(failed), (False, 0))

    def test_lookup_data_the_org_tree_and_details_bump(self):
        self.assertEqual(self.changes_version(lambda: Category.objects.filter(pk=Category.objects.first().pk).first()
                                              .save()), (True, 1))
        self.assertEqual(self.changes_version(lambda: ActivityType.objects.create(name="测试类型")), (True, 1))
        unit = Unit.objects.get(pk=self.org.town1.pk)
        unit.name = "东溪街道"
        self.assertEqual(self.changes_version(unit.save), (True, 1))
        tracked = figure_cache.tracked_models()
        self.assertIn(StageChange, tracked)  # points at a representative
        self.assertIn(Person.categories.through, tracked)

    def test_an_audited_import_bumps(self):
        """Importers write with raw SQL (no model signals) but record the import in the audit log."""
        self.assertEqual(self.changes_version(lambda: audit.record(AuditEvent.Action.IMPORT, label="台账.xlsx")),
                         (True, 1))
        self.assertEqual(self.changes_version(lambda: audit.record(AuditEvent.Action.LOGIN, label="someone")),
                         (False, 0))

    def test_other_changes_do_not_bump(self):
        user = create_user("c_user", self.org.town1, "town_officer")
        self.assertEqual(self.changes_version(lambda: Notification.objects.create(recipient=user, title="通知")),
                         (False, 0))

        def login():
            user.last_login = user.date_joined
            user.save(update_fields=["last_login"])

        self.assertEqual(self.changes_version(login), (False, 0))
        tracked = figure_cache.tracked_models()
        self.assertNotIn(type(user), tracked)
        self.assertNotIn(Notification, tracked)

    def test_version_outside_a_transaction(self):
        before = figure_cache.data_version()
        figure_cache._bump_now()
        self.assertNotEqual(figure_cache.data_version(), before)

    def test_scope_key(self):
        one = create_user("c_one", self.org.town1, "town_officer")
        two = create_user("c_two", self.org.town1, "town_officer")
        other = create_user("c_other", self.org.town2, "town_officer")
        self.assertEqual(figure_cache.scope_key(one), figure_cache.scope_key(two))
        self.assertNotEqual(figure_cache.scope_key(one), figure_cache.scope_key(other))
        before = figure_cache.scope_key(one)
        Grant.objects.create(user=one, role=Role.objects.get(code="county_staff"))
        one = type(one).objects.get(pk=one.pk)  # grants are read once per user object
        self.assertNotEqual(figure_cache.scope_key(one), before)


class DashboardCacheTests(DashboardTestCase):
    def setUp(self):
        super().setUp()
        forget_pending_bumps()

    def test_served_from_the_cache_until_an_edit(self):
        with mock.patch.object(figures, "compute", wraps=figures.compute) as compute:
            first = self.get(self.staff, period="2025")
            self.assertEqual(cards(first)["people.total"], 6)
            self.assertEqual(compute.call_count, 1)
            self.assertEqual(cards(self.get(self.staff, period="2025"))["people.total"], 6)
            # Read to the end: the client then closes the download as a WSGI server would.
            self.client.get("/dashboard/export/people_by_unit/", {"period": "2025"}).getvalue()
            self.assertEqual(compute.call_count, 1)  # the second page and the download: from the cache

            # Another user with the same scope shares the entry; another period or unit has its own.
            self.get(create_user("d_staff2", self.org.county, "county_staff"), period="2025")
            self.assertEqual(compute.call_count, 1)
            self.get(self.staff, period="2025-Q1")
            self.get(self.staff, period="2025", unit=self.org.town1.pk)
            self.assertEqual(compute.call_count, 3)

            # An edit (committed) invalidates every cached figure.
            person = Person.objects.get(name="丙四")
            person.status = Status.EXITED
            forget_pending_bumps()
            with self.captureOnCommitCallbacks(execute=True):
                person.save()
            after = self.get(self.staff, period="2025")
            self.assertEqual(compute.call_count, 4)
            self.assertEqual(cards(after)["people.total"], 5)

    def test_a_town_officers_entry_is_their_own(self):
        self.assertEqual(cards(self.get(self.staff, period="2025"))["people.total"], 6)
        self.assertEqual(cards(self.get(self.town2_user, period="2025"))["people.total"], 2)
        # Same unit, different scopes: the county staff looking at 西岭镇 and the town officer share nothing
        # they should not: both see 西岭镇's 2 people.
        self.assertEqual(cards(self.get(self.staff, period="2025", unit=self.org.town2.pk))["people.total"], 2)
