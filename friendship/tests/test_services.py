"""The overdue rule (friendship.services), with cases computed by hand.

floor(contacts_per_year × days / days_in_year), `days` counting from 1 January (or the start date inside the
year) to the day, both included. Day numbers: 1 July is day 182 of 2025 (31+28+31+30+31+30+1) and day 183 of
the leap year 2024 (31+29+31+30+31+30+1).
"""

import datetime

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from friendship import services
from friendship.models import Pairing
from org.testing import build_county

from .helpers import make_contact, make_pairing

D = datetime.date


class ExpectedContactsTests(TestCase):
    """The rule in Python, by hand-computed cases."""

    def check(self, cases):
        for per_year, start, end, on, expected in cases:
            with self.subTest(per_year=per_year, start=start, end=end, on=on):
                self.assertEqual(services.expected_contacts(per_year, start, end, on), expected)

    def test_pro_rata_over_a_whole_year(self):
        self.check([
            (2, D(2024, 3, 1), None, D(2025, 1, 1), 0),     # 2 × 1 / 365
            (2, D(2024, 3, 1), None, D(2025, 7, 1), 0),     # 2 × 182 / 365 = 0.997
            (2, D(2024, 3, 1), None, D(2025, 7, 2), 1),     # 2 × 183 / 365 = 1.003
            (2, D(2024, 3, 1), None, D(2025, 12, 30), 1),   # 2 × 364 / 365
            (2, D(2024, 3, 1), None, D(2025, 12, 31), 2),   # 2 × 365 / 365
            (4, D(2024, 3, 1), None, D(2025, 4, 1), 0),     # 4 × 91 / 365 = 0.997
            (4, D(2024, 3, 1), None, D(2025, 4, 2), 1),     # 4 × 92 / 365 = 1.008
            (12, D(2020, 1, 1), None, D(2025, 6, 30), 5),   # 12 × 181 / 365 = 5.95
        ])

    def test_leap_year(self):
        self.check([
            (2, D(2020, 1, 1), None, D(2024, 6, 30), 0),    # 2 × 182 / 366 = 0.995
            (2, D(2020, 1, 1), None, D(2024, 7, 1), 1),     # 2 × 183 / 366 = 1 exactly
            (4, D(2020, 1, 1), None, D(2024, 4, 1), 1),     # 4 × 92 / 366 = 1.005 (day 92 with 29 February)
            (2, D(2020, 1, 1), None, D(2024, 12, 31), 2),   # 2 × 366 / 366
            (2, D(2020, 1, 1), None, D(2024, 12, 30), 1),   # 2 × 365 / 366
        ])

    def test_start_date_inside_the_year(self):
        self.check([
            (2, D(2025, 7, 1), None, D(2025, 12, 31), 1),   # 2 × 184 / 365 = 1.008
            (2, D(2025, 7, 1), None, D(2025, 9, 30), 0),    # 2 × 92 / 365
            (12, D(2025, 3, 1), None, D(2025, 3, 31), 1),   # 12 × 31 / 365 = 1.02
            (12, D(2025, 3, 1), None, D(2025, 3, 30), 0),   # 12 × 30 / 365 = 0.99
            (2, D(2025, 8, 1), None, D(2025, 7, 15), 0),    # not started yet
            (2, D(2024, 7, 1), None, D(2024, 12, 31), 1),   # leap: 2 × 184 / 366 = 1.005
        ])

    def test_first_of_january(self):
        self.check([
            (2, D(2025, 1, 1), None, D(2025, 1, 1), 0),     # 2 × 1 / 365
            (52, D(2025, 1, 1), None, D(2025, 1, 1), 0),    # 52 × 1 / 365
            (52, D(2024, 1, 1), None, D(2025, 1, 7), 0),    # 52 × 7 / 365 = 0.997
            (52, D(2024, 1, 1), None, D(2025, 1, 8), 1),    # 52 × 8 / 365 = 1.14
        ])

    def test_end_date(self):
        self.check([
            (12, D(2024, 1, 1), D(2025, 3, 31), D(2025, 7, 1), 2),   # 12 × 90 / 365 = 2.96
            (2, D(2023, 1, 1), D(2024, 12, 31), D(2025, 5, 1), 0),   # ended last year
            (2, D(2024, 1, 1), D(2025, 12, 31), D(2025, 12, 31), 2),  # ends on the day
        ])


class WithProgressTests(TestCase):
    """The same rule in SQL, and the contacts counted: this year, up to the day."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def progress(self, pairing, on):
        row = services.with_progress(Pairing.objects.filter(pk=pairing.pk), on).get()
        return row.contacts_made, row.expected, row.behind

    def test_behind_with_fewer_contacts_than_owed(self):
        pairing = make_pairing(self.org.village1, start=D(2024, 3, 1))
        self.assertEqual(self.progress(pairing, D(2025, 7, 1)), (0, 0, False))
        self.assertEqual(self.progress(pairing, D(2025, 7, 2)), (0, 1, True))
        make_contact(pairing, D(2025, 2, 10))
        self.assertEqual(self.progress(pairing, D(2025, 7, 2)), (1, 1, False))
        self.assertEqual(self.progress(pairing, D(2025, 12, 31)), (1, 2, True))

    def test_counts_this_year_up_to_the_day(self):
        pairing = make_pairing(self.org.village1, start=D(2024, 3, 1))
        make_contact(pairing, D(2024, 12, 31))  # last year
        self.assertEqual(self.progress(pairing, D(2025, 1, 1)), (0, 0, False))
        make_contact(pairing, D(2025, 1, 1))
        make_contact(pairing, D(2025, 8, 1))    # after the day
        self.assertEqual(self.progress(pairing, D(2025, 1, 1)), (1, 0, False))
        self.assertEqual(self.progress(pairing, D(2025, 7, 31)), (1, 1, False))
        self.assertEqual(self.progress(pairing, D(2025, 8, 1)), (2, 1, False))

    def test_leap_year_and_start_inside_the_year(self):
        old = make_pairing(self.org.village1, start=D(2020, 1, 1))
        self.assertEqual(self.progress(old, D(2024, 6, 30)), (0, 0, False))
        self.assertEqual(self.progress(old, D(2024, 7, 1)), (0, 1, True))
        new = make_pairing(self.org.village1, start=D(2025, 7, 1))
        self.assertEqual(self.progress(new, D(2025, 9, 30)), (0, 0, False))
        self.assertEqual(self.progress(new, D(2025, 12, 31)), (0, 1, True))
        later = make_pairing(self.org.village1, start=D(2025, 8, 1))
        self.assertEqual(self.progress(later, D(2025, 7, 15)), (0, 0, False))
        ended = make_pairing(self.org.village1, start=D(2024, 1, 1), end=D(2025, 3, 31), per_year=12)
        self.assertEqual(self.progress(ended, D(2025, 7, 1)), (0, 2, True))
        last_year = make_pairing(self.org.village1, start=D(2023, 1, 1), end=D(2024, 12, 31))
        self.assertEqual(self.progress(last_year, D(2025, 5, 1)), (0, 0, False))

    def test_sql_matches_python_on_every_week_of_two_years(self):
        pairings = [
            make_pairing(self.org.village1, start=D(2020, 1, 1), per_year=2),
            make_pairing(self.org.village1, start=D(2024, 2, 29), per_year=4),
            make_pairing(self.org.village1, start=D(2025, 6, 15), per_year=3),
            make_pairing(self.org.village1, start=D(2023, 5, 1), end=D(2025, 10, 31), per_year=12),
            make_pairing(self.org.village1, start=D(2024, 12, 31), per_year=52),
        ]
        days = [D(2024, 1, 1) + datetime.timedelta(days=n) for n in range(0, 731, 5)]
        days += [D(2024, 12, 31), D(2025, 1, 1), D(2024, 2, 29), D(2024, 3, 1), D(2025, 12, 31)]
        for on in days:
            rows = dict(services.with_progress(Pairing.objects.all(), on).values_list("pk", "expected"))
            for p in pairings:
                self.assertEqual(rows[p.pk], services.expected_contacts(p.contacts_per_year, p.start_date,
                                                                        p.end_date, on), (p.start_date, on))

    def test_one_query_for_any_number_of_pairings(self):
        for n in range(12):
            pairing = make_pairing(self.org.village1 if n % 2 else self.org.village2)
            for m in range(n % 3):
                make_contact(pairing, D(2025, 1 + m, 5))
        with CaptureQueriesContext(connection) as queries:
            rows = list(services.with_progress(Pairing.objects.all(), D(2025, 7, 2)))
        self.assertEqual(len(queries), 1)
        self.assertEqual(sorted(r.contacts_made for r in rows), [0] * 4 + [1] * 4 + [2] * 4)
        self.assertEqual(sum(r.behind for r in rows), 4)  # the four without a contact owe one
        self.assertEqual(services.with_progress(Pairing.objects.all(), D(2025, 7, 2)).filter(
            services.BEHIND).count(), 4)


class CoverageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def test_rows_by_unit_with_a_total(self):
        on = D(2025, 7, 2)
        make_pairing(self.org.village1, start=D(2024, 1, 1))          # behind (0 of 1)
        b = make_pairing(self.org.town1, start=D(2024, 1, 1))         # on track
        make_contact(b, D(2025, 3, 1))
        make_contact(b, D(2025, 5, 1))
        make_pairing(self.org.village2, start=D(2025, 7, 1))          # owes nothing yet
        c = make_pairing(self.org.county, start=D(2024, 1, 1))        # the county's own, on track
        make_contact(c, D(2025, 1, 20))
        make_pairing(self.org.village2, start=D(2023, 1, 1), end=D(2024, 12, 31))  # over: not counted
        rows = [(u.name, u, False) for u in (self.org.town1, self.org.town2, self.org.member)]
        rows.append(("测试县（本级）", self.org.county, True))
        result = services.coverage(Pairing.objects.all(), rows, on)
        figures = [(r.label, r.pairings, r.on_track, r.behind, r.contacted, r.contacts, r.contact_rate)
                   for r in result]
        self.assertEqual(figures, [
            ("东溪镇", 2, 1, 1, 1, 2, 50.0),
            ("西岭镇", 1, 1, 0, 0, 0, 0.0),
            ("县教育局", 0, 0, 0, 0, 0, None),
            ("测试县（本级）", 1, 1, 0, 1, 1, 100.0),
            ("合计", 4, 3, 1, 2, 3, 50.0),
        ])
        self.assertTrue(result[-1].is_total)

    def test_pairings_outside_every_row_still_count_in_the_total(self):
        make_pairing(self.org.village2, start=D(2024, 1, 1))
        result = services.coverage(Pairing.objects.all(), [("东溪镇", self.org.town1, False)], D(2025, 7, 2))
        self.assertEqual([(r.label, r.pairings) for r in result], [("东溪镇", 0), ("其他单位", 1), ("合计", 1)])
