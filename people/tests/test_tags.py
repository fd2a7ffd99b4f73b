"""Tags belong to a unit and are seen within scope: a town's tags are its own, the county sees every town's."""

import io

import openpyxl
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from accounts.testing import create_user
from people.importers import import_ledger
from people.models import Person, Tag

from .test_importer import HEADERS, ledger, make_id, person
from .test_views import LedgerTestCase, person_form_data

MIGRATION_BEFORE = ("people", "0003_hash_indexes")
MIGRATION_AFTER = ("people", "0005_tag_owner_unit_required")


class TagScopeTests(LedgerTestCase):
    def bulk_tag(self, user, people, tag):
        self.client.force_login(user)
        return self.client.post(reverse("people:person_bulk_tag"),
                                {"ids": [p.pk for p in people], "confirm": "1", "tag": tag}, follow=True)

    def list_page(self, user, **params):
        self.client.force_login(user)
        return self.client.get(reverse("people:person_list"), params)

    def exported_tags(self, user):
        self.client.force_login(user)
        response = self.client.get(reverse("people:person_export"))
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        header_index = next(i for i, row in enumerate(rows) if row and "姓名" in row)
        header = rows[header_index]
        return {row[header.index("姓名")]: row[header.index("标签")] or "" for row in rows[header_index + 1:]
                if row[header.index("姓名")]}

    def test_a_towns_bulk_tag_is_its_own(self):
        self.bulk_tag(self.town1_user, [self.p1], "东溪重点")
        tag = Tag.objects.get(name="东溪重点")
        self.assertEqual((tag.owner_unit, tag.created_by), (self.org.town1, self.town1_user))
        # The person moves to 西岭镇: 西岭镇 now sees the person, but not 东溪镇's tag.
        Person.objects.filter(pk=self.p1.pk).update(owner_unit=self.org.village2)
        self.bulk_tag(self.town2_user, [self.p2], "西岭重点")

        detail = self.client.get(self.p1.get_absolute_url())  # as town2
        self.assertContains(detail, "张三")
        self.assertNotContains(detail, "东溪重点")
        listing = self.list_page(self.town2_user)
        self.assertContains(listing, "西岭重点")
        self.assertNotContains(listing, "东溪重点")
        self.assertNotIn(tag, listing.context["filter"].form.fields["tag"].queryset)
        filtered = self.list_page(self.town2_user, tag=tag.pk)  # the id guessed: not a valid choice
        self.assertIn("tag", filtered.context["filter"].form.errors)
        self.assertEqual(self.exported_tags(self.town2_user), {"张三": "", "王西岭": "西岭重点"})
        bulk_page = self.client.post(reverse("people:person_bulk_tag"), {"ids": [self.p1.pk]})
        self.assertContains(bulk_page, '<option value="西岭重点">')
        self.assertNotContains(bulk_page, "东溪重点")
        edit = self.client.get(reverse("people:person_edit", kwargs={"pk": self.p1.pk}))
        self.assertNotContains(edit, "东溪重点")

        # The county sees both towns' tags, on the person and in the export.
        county_detail = self.list_page(self.county_staff)
        self.assertContains(county_detail, "东溪重点")
        self.assertContains(county_detail, "西岭重点")
        self.assertContains(self.client.get(self.p1.get_absolute_url()), "东溪重点")
        self.assertEqual(self.exported_tags(self.county_staff), {"张三": "东溪重点", "王西岭": "西岭重点"})

    def test_same_name_in_two_towns_is_two_tags_told_apart_for_the_county(self):
        self.bulk_tag(self.town1_user, [self.p1], "重点联系对象")
        self.bulk_tag(self.town2_user, [self.p2], "重点联系对象")
        tags = Tag.objects.filter(name="重点联系对象")
        self.assertEqual({t.owner_unit for t in tags}, {self.org.town1, self.org.town2})
        town1_tag = tags.get(owner_unit=self.org.town1)
        county = self.list_page(self.county_staff)
        self.assertContains(county, "重点联系对象（东溪镇）")
        self.assertContains(county, "重点联系对象（西岭镇）")
        town1 = self.list_page(self.town1_user)
        self.assertContains(town1, f'<option value="{town1_tag.pk}">重点联系对象</option>', html=True)
        self.assertEqual(list(self.list_page(self.county_staff, tag=town1_tag.pk).context["table"].data),
                         [self.p1])

    def test_a_visible_tag_of_that_name_is_reused(self):
        village_user = create_user("village0101", self.org.village1, "village_liaison")
        self.bulk_tag(village_user, [self.p1], "新乡贤")
        village_tag = Tag.objects.get(name="新乡贤")
        self.assertEqual(village_tag.owner_unit, self.org.village1)
        other = Person.objects.create(name="李四", owner_unit=self.org.town1)
        self.bulk_tag(self.town1_user, [other], "新乡贤")  # the town sees its village's tag: the same one
        self.assertEqual(list(other.tags.all()), [village_tag])
        self.assertEqual(Tag.objects.count(), 1)
        # Two visible tags of that name and none of one's own: a new tag of one's own unit.
        self.bulk_tag(self.town2_user, [self.p2], "新乡贤")
        self.bulk_tag(self.county_staff, [self.p1], "新乡贤")
        county_tag = Tag.objects.get(name="新乡贤", owner_unit=self.org.county)
        self.assertEqual(set(self.p1.tags.all()), {village_tag, county_tag})

    def test_the_person_form_keeps_tags_the_user_cannot_see(self):
        county_tag = Tag.objects.create(name="县管重点", owner_unit=self.org.county)
        self.p1.tags.add(county_tag)
        self.client.force_login(self.town1_user)
        form = self.client.get(reverse("people:person_edit", kwargs={"pk": self.p1.pk}))
        self.assertNotContains(form, "县管重点")
        self.client.post(reverse("people:person_edit", kwargs={"pk": self.p1.pk}),
                         person_form_data(self.org.village1, name="张三", tag_names="乡贤、县管重点"))
        tags = {(t.name, t.owner_unit) for t in self.p1.tags.all()}
        # "县管重点" typed by the town is the town's own tag: the county's stays, unseen and untouched.
        self.assertEqual(tags, {("县管重点", self.org.county), ("县管重点", self.org.town1), ("乡贤", self.org.town1)})
        self.client.post(reverse("people:person_edit", kwargs={"pk": self.p1.pk}),
                         person_form_data(self.org.village1, name="张三", tag_names=""))
        self.assertEqual(list(self.p1.tags.all()), [county_tag])


@pytest.fixture
def officer(org):
    return create_user("town01", org.town1, "town_officer")


def test_the_import_tags_in_the_users_unit_and_reuses_visible_tags(org, officer):
    county_tag = Tag.objects.create(name="侨领", owner_unit=org.county)  # not visible to the town
    village_tag = Tag.objects.create(name="乡贤", owner_unit=org.village1)  # visible to the town
    rows = [person(标签="乡贤、侨领", 身份证号=make_id(seq=123))]
    dry = import_ledger(ledger(rows, HEADERS + ["标签"]), "a.xlsx", org.town1, officer, dry_run=True)
    assert dry.created == 1 and Tag.objects.count() == 2  # a dry run makes no tag
    import_ledger(ledger(rows, HEADERS + ["标签"]), "a.xlsx", org.town1, officer)
    created = {(t.name, t.owner_unit_id) for t in Person.objects.get(name="张三").tags.all()}
    assert created == {("乡贤", org.village1.pk), ("侨领", org.town1.pk)}
    assert village_tag.people.count() == 1
    assert county_tag.people.count() == 0


def test_the_import_without_a_user_tags_in_the_imported_unit(org):
    import_ledger(ledger([person(标签="返乡创业", 身份证号=make_id(seq=123))], HEADERS + ["标签"]), "a.xlsx",
                  org.town1, None)
    assert Tag.objects.get().owner_unit == org.town1


@pytest.mark.django_db(transaction=True)
def test_existing_tags_go_to_the_lowest_unit_holding_all_their_people():
    executor = MigrationExecutor(connection)
    executor.migrate([MIGRATION_BEFORE])
    old = executor.loader.project_state([MIGRATION_BEFORE]).apps
    Unit, OldPerson, OldTag = (old.get_model(*name) for name in (
        ("org", "Unit"), ("people", "Person"), ("people", "Tag")))

    def unit(path, name):
        return Unit.objects.create(path=path, depth=len(path) // 4, name=name, type="town")

    county, town1, town2 = unit("0001", "县"), unit("00010001", "东溪镇"), unit("00010002", "西岭镇")
    village1, village1b = unit("000100010001", "东溪村"), unit("000100010002", "溪口村")
    people = {u.name: OldPerson.objects.create(name=f"{u.name}人", owner_unit=u)
              for u in (town1, town2, village1, village1b)}
    expected = {
        "村里的": ([people["东溪村"]], village1),
        "镇里的": ([people["东溪村"], people["溪口村"]], town1),
        "镇和村": ([people["东溪镇"], people["东溪村"]], town1),
        "全县的": ([people["东溪村"], people["西岭镇"]], county),
        "没用过": ([], county),
    }
    for name, (tagged, _) in expected.items():
        OldTag.objects.create(name=name).people.set(tagged)

    executor = MigrationExecutor(connection)
    executor.migrate([MIGRATION_AFTER])
    new = executor.loader.project_state([MIGRATION_AFTER]).apps
    owners = dict(new.get_model("people", "Tag").objects.values_list("name", "owner_unit_id"))
    assert owners == {name: owner.pk for name, (_, owner) in expected.items()}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
