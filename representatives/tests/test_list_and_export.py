"""The representatives list (filters, scope, query count) and its export."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEvent
from core.testing import export_text
from people.choices import Affiliation, PositionKind, PositionLevel, Status
from people.models import Category, Person, SocialPosition
from representatives.models import Assessment, Field, Kind, Level, Stage

from .test_views import RepresentativesTestCase, make_person, make_rep


class ListTests(RepresentativesTestCase):
    def listing(self, user, **params):
        self.client.force_login(user)
        response = self.client.get(reverse("representatives:representative_list"), params)
        self.assertEqual(response.status_code, 200)
        return response

    def names(self, response):
        return sorted(r.person.name for r in response.context["table"].data)

    def test_columns(self):
        SocialPosition.objects.create(person=self.rep1.person, kind=PositionKind.CPPCC, level=PositionLevel.COUNTY,
                                      term_start=datetime.date(2022, 1, 1), term_end=datetime.date(2099, 1, 1))
        SocialPosition.objects.create(person=self.rep1.person, kind=PositionKind.NPC, level=PositionLevel.TOWN,
                                      term_start=datetime.date(2010, 1, 1), term_end=datetime.date(2015, 1, 1))
        SocialPosition.objects.create(person=self.rep1.person, kind=PositionKind.CHAMBER, level=PositionLevel.COUNTY,
                                      title="商会副会长")
        Assessment.objects.create(representative=self.rep1, year=2023, grade=Assessment.Grade.COMPETENT)
        Assessment.objects.create(representative=self.rep1, year=2024, grade=Assessment.Grade.EXCELLENT)
        response = self.listing(self.town1_user)
        for text in ("陈东溪", "镇级", "无党派", "发现", "2024-01-10", "东溪村", "县政协委员", "2024年 优秀"):
            self.assertContains(response, text)
        self.assertNotContains(response, "镇人大代表")  # the term has ended
        self.assertNotContains(response, "商会副会长")  # not a political arrangement
        self.assertNotContains(response, "2023年")
        self.assertContains(response, reverse("representatives:representative_detail", args=[self.rep1.pk]))

    def test_profile_filters(self):
        make_rep(self.org.village1, "蒋县级", level=Level.COUNTY, stage=Stage.CULTIVATING, field=Field.RELIGIOUS,
                 kind=Kind.CADRE)
        self.assertEqual(self.names(self.listing(self.town1_user, level=Level.COUNTY)), ["蒋县级"])
        self.assertEqual(self.names(self.listing(self.town1_user, stage=Stage.CULTIVATING)), ["蒋县级"])
        self.assertEqual(self.names(self.listing(self.town1_user, field=Field.RELIGIOUS)), ["蒋县级"])
        self.assertEqual(self.names(self.listing(self.town1_user, kind=Kind.CADRE)), ["蒋县级"])
        self.assertEqual(self.names(self.listing(self.town1_user, stage=Stage.DISCOVERED)), ["陈东溪"])

    def test_ledger_filters_apply_to_the_person(self):
        person = make_person(self.org.village1, "沈民盟", affiliation=Affiliation.CDL, ethnicity="03",
                             birth_date=datetime.date(1990, 5, 1))
        person.categories.add(Category.objects.get(name="民主党派成员"))
        make_rep(self.org.village1, person=person)
        user = self.town1_user
        category = Category.objects.get(name="民主党派成员").pk
        self.assertEqual(self.names(self.listing(user, category=category)), ["沈民盟"])
        self.assertEqual(self.names(self.listing(user, affiliation="dp")), ["沈民盟"])
        self.assertEqual(self.names(self.listing(user, ethnicity="minority")), ["沈民盟"])
        self.assertEqual(self.names(self.listing(user, age_max=40)), ["沈民盟"])
        self.assertEqual(self.names(self.listing(user, q="smm")), ["沈民盟"])
        self.assertEqual(self.names(self.listing(user, q="shen")), ["沈民盟"])
        self.assertEqual(self.names(self.listing(user, q="民盟")), ["沈民盟"])
        self.assertEqual(self.names(self.listing(user, unit=self.org.village1.pk)), ["沈民盟", "陈东溪"])
        # A person who left the ledger is hidden unless 人员状态 says otherwise, as on the ledger.
        Person.objects.filter(pk=person.pk).update(status=Status.EXITED)
        self.assertEqual(self.names(self.listing(user)), ["陈东溪"])
        self.assertEqual(self.names(self.listing(user, status="all")), ["沈民盟", "陈东溪"])
        self.assertNotIn("representative", self.listing(user).context["filter"].form.fields)

    def test_unit_filter_offers_only_units_in_scope(self):
        form = self.listing(self.town1_user).context["filter"].form
        units = set(form.fields["unit"].queryset)
        self.assertIn(self.org.village1, units)
        self.assertNotIn(self.org.town2, units)
        response = self.listing(self.town1_user, unit=self.org.town2.pk)
        self.assertEqual(list(response.context["table"].data), [])

    def test_query_count_does_not_grow_with_rows(self):
        def count():
            self.client.force_login(self.county_staff)
            with CaptureQueriesContext(connection) as queries:
                self.client.get(reverse("representatives:representative_list"))
            return len(queries)

        few = count()
        for i in range(8):
            rep = make_rep(self.org.village1 if i % 2 else self.org.village2, f"批量{i}")
            SocialPosition.objects.create(person=rep.person, kind=PositionKind.NPC, level=PositionLevel.COUNTY)
            Assessment.objects.create(representative=rep, year=2024, grade=Assessment.Grade.COMPETENT)
        self.assertEqual(count(), few)

    def test_leader_reads_but_cannot_add(self):
        response = self.listing(self.leader)
        self.assertContains(response, "陈东溪")
        self.assertNotContains(response, reverse("representatives:representative_add"))
        self.assertNotContains(response, reverse("representatives:representative_export"))
        self.assertEqual(self.client.get(reverse("representatives:representative_add")).status_code, 403)

    def test_menu_item(self):
        response = self.listing(self.liaison)
        self.assertContains(response, 'href="/representatives/"')


class ExportTests(RepresentativesTestCase):
    def test_export_is_masked_scoped_and_audited(self):
        self.client.force_login(self.town1_user)
        response = self.client.get(reverse("representatives:representative_export"), {"stage": Stage.DISCOVERED})
        self.assertEqual(response["Cache-Control"], "no-store")
        text = export_text(response)
        person = self.rep1.person
        self.assertIn("陈东溪", text)
        self.assertNotIn("周西岭", text)
        self.assertNotIn(person.phone, text)
        self.assertIn(person.phone[:3] + "****" + person.phone[-4:], text)
        self.assertNotIn(person.id_number, text)
        self.assertIn("联系电话已脱敏", text)
        event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
        self.assertEqual(event.object_type, "representatives.Representative")
        self.assertEqual(event.changes["行数"], 1)
        self.assertEqual(event.changes["筛选条件"]["阶段"], "发现")

    def test_export_follows_the_filter_and_needs_the_permission(self):
        make_rep(self.org.village1, "蒋县级", level=Level.COUNTY)
        self.client.force_login(self.town1_user)
        text = export_text(self.client.get(reverse("representatives:representative_export"), {"level": "county"}))
        self.assertIn("蒋县级", text)
        self.assertNotIn("陈东溪", text)
        self.client.force_login(self.liaison)  # village liaisons hold no export permission
        self.assertEqual(self.client.get(reverse("representatives:representative_export")).status_code, 403)

    def test_invalid_filter_is_explained(self):
        self.client.force_login(self.town1_user)
        response = self.client.get(reverse("representatives:representative_export"), {"level": "galaxy"}, follow=True)
        self.assertContains(response, "导出条件有误")
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists())
