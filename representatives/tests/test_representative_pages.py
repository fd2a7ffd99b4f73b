"""A representative's pages: create and edit, the detail page, cultivation and assessment records, and people
outside the user's ledger scope."""

import datetime

from django.urls import reverse

from core.models import AuditEvent
from people.choices import Affiliation, PositionKind, PositionLevel, Status
from people.models import Category, Person, SocialPosition, Tag
from representatives.models import Assessment, Cultivation, Field, Kind, Level, Representative, Stage

from .test_views import RepresentativesTestCase, create_data, make_person, make_rep


class CreateEditTests(RepresentativesTestCase):
    def test_create_makes_the_profile_and_its_first_step(self):
        person = make_person(self.org.village1, "褚新人")
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("representatives:representative_add"),
                                    create_data(person, self.org.town1, level=Level.COUNTY))
        rep = Representative.objects.get(person=person)
        self.assertRedirects(response, rep.get_absolute_url())
        self.assertEqual((rep.stage, rep.stage_date, rep.level, rep.owner_unit), (
            Stage.DISCOVERED, datetime.date(2025, 3, 1), Level.COUNTY, self.org.town1))
        step = rep.stage_changes.get()
        self.assertEqual((step.stage, step.level, step.date, step.reason, step.created_by),
                         (Stage.DISCOVERED, Level.COUNTY, datetime.date(2025, 3, 1), "镇党委推荐", self.town1_user))
        person.refresh_from_db()
        self.assertTrue(person.is_representative)
        self.assertEqual(person.history.first().history_change_reason, "列为代表人士：镇党委推荐")
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(rep.pk)).exists())

    def test_create_refuses_existing_representative_and_people_outside_scope(self):
        self.client.force_login(self.town1_user)
        url = reverse("representatives:representative_add")
        response = self.client.post(url, create_data(self.rep1.person, self.org.town1))
        self.assertContains(response, "“陈东溪”已是代表人士，请勿重复登记")
        response = self.client.post(url, create_data(self.rep2.person, self.org.town1))
        self.assertContains(response, "请从台账中选择您数据范围内的在册人员")
        outsider = make_person(self.org.village2, "卫外镇")
        response = self.client.post(url, create_data(outsider, self.org.town1))
        self.assertNotContains(response, "卫外镇")  # a forged id never shows the person's name
        left = make_person(self.org.village1, "蒋已退", status=Status.EXITED)
        response = self.client.post(url, create_data(left, self.org.town1))
        self.assertContains(response, "请从台账中选择您数据范围内的在册人员")
        self.assertEqual(Representative.objects.count(), 2)

    def test_create_checks_date_and_reason(self):
        person = make_person(self.org.village1, "褚新人")
        self.client.force_login(self.town1_user)
        tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
        response = self.client.post(reverse("representatives:representative_add"),
                                    create_data(person, self.org.town1, date=tomorrow, reason=""))
        self.assertContains(response, "日期不能晚于今天")
        self.assertContains(response, "请填写发现依据或推荐来源")
        self.assertFalse(Representative.objects.filter(person=person).exists())

    def test_create_form_renders_only_the_chosen_person(self):
        self.client.force_login(self.town1_user)
        person = make_person(self.org.village1, "褚新人")
        response = self.client.get(reverse("representatives:representative_add"), {"person": person.pk})
        self.assertContains(response, f'<option value="{person.pk}" selected>褚新人（东溪村）</option>', html=True)
        self.assertNotContains(response, "陈东溪")
        self.assertContains(response, reverse("representatives:candidate_autocomplete"))
        response = self.client.get(reverse("representatives:representative_add"), {"person": self.rep2.person.pk})
        self.assertNotContains(response, "周西岭")

    def test_candidates_leave_out_representatives_and_people_outside_scope(self):
        make_person(self.org.village1, "陈东风")
        make_person(self.org.village2, "陈西风")
        self.client.force_login(self.town1_user)
        found = self.client.get(reverse("representatives:candidate_autocomplete"), {"q": "chen"}).json()["results"]
        self.assertEqual([r["text"] for r in found], ["陈东风（东溪村）"])

    def test_edit_profile(self):
        self.client.force_login(self.town1_user)
        url = reverse("representatives:representative_edit", args=[self.rep1.pk])
        response = self.client.post(url, {"level": Level.COUNTY, "field": Field.ETHNIC, "kind": Kind.CADRE,
                                          "owner_unit": self.org.village1.pk, "notes": "重点培养"})
        self.assertRedirects(response, self.rep1.get_absolute_url())
        self.rep1.refresh_from_db()
        self.assertEqual((self.rep1.level, self.rep1.field, self.rep1.notes), (Level.COUNTY, Field.ETHNIC, "重点培养"))
        self.assertEqual(self.rep1.stage, Stage.DISCOVERED)
        event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(self.rep1.pk))
        self.assertIn("层级", event.changes)

    def test_edit_cannot_move_out_of_scope_or_set_the_stage(self):
        self.client.force_login(self.town1_user)
        url = reverse("representatives:representative_edit", args=[self.rep1.pk])
        response = self.client.post(url, {"level": Level.TOWN, "field": Field.ETHNIC, "kind": Kind.CADRE,
                                          "owner_unit": self.org.town2.pk, "stage": Stage.CERTIFIED})
        self.assertContains(response, "请选择您数据范围内的单位")
        self.rep1.refresh_from_db()
        self.assertEqual((self.rep1.owner_unit, self.rep1.stage), (self.org.village1, Stage.DISCOVERED))

    def test_delete_unmarks_the_person(self):
        self.client.force_login(self.town1_user)
        Person.objects.filter(pk=self.rep1.person.pk).update(is_representative=True)
        response = self.client.post(reverse("representatives:representative_delete", args=[self.rep1.pk]))
        self.assertRedirects(response, reverse("representatives:representative_list"))
        self.assertFalse(Representative.objects.filter(pk=self.rep1.pk).exists())
        self.assertFalse(Person.objects.get(pk=self.rep1.person.pk).is_representative)

    def test_delete_refused_while_pairings_exist(self):
        from friendship.models import Pairing

        Pairing.objects.create(representative=self.rep1, official_name="张书记", start_date=datetime.date(2024, 1, 1),
                               owner_unit=self.org.town1)
        self.client.force_login(self.town1_user)
        flag_before = Person.objects.get(pk=self.rep1.person.pk).is_representative
        response = self.client.post(reverse("representatives:representative_delete", args=[self.rep1.pk]),
                                    follow=True)
        self.assertContains(response, "仍有结对联系关联，不能删除。如不再作为代表人士，请办理“退出”。")
        self.assertTrue(Representative.objects.filter(pk=self.rep1.pk).exists())
        self.assertEqual(Person.objects.get(pk=self.rep1.person.pk).is_representative, flag_before)


class DetailTests(RepresentativesTestCase):
    def test_detail_shows_person_masked_and_links_to_the_ledger(self):
        self.client.force_login(self.county_staff)
        response = self.client.get(self.rep1.get_absolute_url())
        person = self.rep1.person
        self.assertContains(response, person.get_absolute_url())
        self.assertNotContains(response, person.id_number)
        self.assertNotContains(response, person.phone)
        self.assertContains(response, person.phone[:3] + "****" + person.phone[-4:])
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists())

    def test_person_outside_the_ledger_scope_is_not_shown(self):
        # The profile is kept by town01's village, but the person has moved to town02's ledger.
        Person.objects.filter(pk=self.rep1.person.pk).update(owner_unit=self.org.village2)
        self.client.force_login(self.town1_user)
        response = self.client.get(self.rep1.get_absolute_url())
        self.assertContains(response, "该人员的台账档案不在您的数据范围内")
        self.assertNotContains(response, self.rep1.person.get_absolute_url())
        self.assertNotContains(response, self.rep1.person.phone[-4:])

    def test_term_end_flags(self):
        today = datetime.date.today()
        person = self.rep1.person
        SocialPosition.objects.create(person=person, kind=PositionKind.CPPCC, level=PositionLevel.COUNTY,
                                      term_end=today - datetime.timedelta(days=1))
        SocialPosition.objects.create(person=person, kind=PositionKind.NPC, level=PositionLevel.TOWN,
                                      term_end=today + datetime.timedelta(days=30))
        SocialPosition.objects.create(person=person, kind=PositionKind.SPECIAL, level=PositionLevel.CITY,
                                      title="特约监察员", term_end=today + datetime.timedelta(days=400))
        self.client.force_login(self.town1_user)
        response = self.client.get(self.rep1.get_absolute_url())
        rows = {title: flag for _, title, flag in response.context["positions"]}
        self.assertEqual(rows, {"县政协委员": "已届满", "镇人大代表": "即将届满", "市特约监察员": ""})
        self.assertContains(response, '<span class="badge bg-red-lt">已届满</span>', html=True)
        self.assertContains(response, '<span class="badge bg-orange-lt">即将届满</span>', html=True)

    def test_other_town_cannot_reach_any_page_of_the_record(self):
        self.client.force_login(self.town2_user)
        rep = self.rep1
        c = Cultivation.objects.create(representative=rep, kind=Cultivation.Kind.TRAINING, title="培训班")
        a = Assessment.objects.create(representative=rep, year=2024, grade=Assessment.Grade.COMPETENT)
        gets = [
            reverse("representatives:representative_detail", args=[rep.pk]),
            reverse("representatives:representative_edit", args=[rep.pk]),
            reverse("representatives:representative_stage", args=[rep.pk]),
            reverse("representatives:cultivation_add", args=[rep.pk]),
            reverse("representatives:cultivation_edit", args=[rep.pk, c.pk]),
            reverse("representatives:assessment_add", args=[rep.pk]),
            reverse("representatives:assessment_edit", args=[rep.pk, a.pk]),
        ]
        for url in gets:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        posts = gets[1:] + [
            reverse("representatives:cultivation_done", args=[rep.pk, c.pk]),
            reverse("representatives:cultivation_delete", args=[rep.pk, c.pk]),
            reverse("representatives:assessment_delete", args=[rep.pk, a.pk]),
            reverse("representatives:representative_delete", args=[rep.pk]),
        ]
        for url in posts:
            self.assertEqual(self.client.post(url, {"stage": Stage.EXITED, "date": "2025-01-01", "reason": "x",
                                                    "year": 2023, "grade": "excellent"}).status_code, 404, url)
        rep.refresh_from_db()
        self.assertEqual(rep.stage, Stage.DISCOVERED)
        self.assertTrue(Cultivation.objects.filter(pk=c.pk, status=Cultivation.Status.PLANNED).exists())
        self.assertEqual(Assessment.objects.get(pk=a.pk).year, 2024)
        # A record of another representative is not reachable through one's own representative either.
        self.client.force_login(self.town1_user)
        other = Cultivation.objects.create(representative=self.rep2, kind=Cultivation.Kind.TRAINING, title="别镇的")
        self.assertEqual(self.client.get(
            reverse("representatives:cultivation_edit", args=[self.rep1.pk, other.pk])).status_code, 404)

    def test_leader_sees_no_forms(self):
        self.client.force_login(self.leader)
        response = self.client.get(self.rep1.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["stage_form"])
        self.assertNotContains(response, reverse("representatives:cultivation_add", args=[self.rep1.pk]))
        self.assertEqual(self.client.post(reverse("representatives:representative_stage", args=[self.rep1.pk]),
                                          {"stage": Stage.EXITED}).status_code, 403)


class CultivationAssessmentTests(RepresentativesTestCase):
    def test_cultivation_plan_edit_done_delete(self):
        self.client.force_login(self.liaison)
        rep = self.rep1
        response = self.client.post(reverse("representatives:cultivation_add", args=[rep.pk]), {
            "kind": Cultivation.Kind.SECONDMENT, "status": Cultivation.Status.PLANNED, "title": "到镇政府挂职",
            "organiser": "县委组织部", "start_date": "2025-01-01", "end_date": "2024-12-01", "notes": ""})
        self.assertContains(response, "结束日期不能早于开始日期")
        response = self.client.post(reverse("representatives:cultivation_add", args=[rep.pk]), {
            "kind": Cultivation.Kind.SECONDMENT, "status": Cultivation.Status.PLANNED, "title": "到镇政府挂职",
            "organiser": "县委组织部", "start_date": "2025-01-01", "end_date": "", "notes": ""})
        self.assertRedirects(response, rep.get_absolute_url() + "#cultivation")
        c = rep.cultivations.get()
        response = self.client.post(reverse("representatives:cultivation_edit", args=[rep.pk, c.pk]), {
            "kind": Cultivation.Kind.SECONDMENT, "status": Cultivation.Status.PLANNED, "title": "到东溪镇政府挂职",
            "organiser": "县委组织部", "start_date": "2025-01-01", "end_date": "", "notes": ""})
        self.assertRedirects(response, rep.get_absolute_url() + "#cultivation")
        self.client.post(reverse("representatives:cultivation_done", args=[rep.pk, c.pk]))
        c.refresh_from_db()
        self.assertEqual((c.title, c.status, c.end_date),
                         ("到东溪镇政府挂职", Cultivation.Status.DONE, datetime.date.today()))
        page = self.client.get(rep.get_absolute_url())
        self.assertContains(page, "到东溪镇政府挂职")
        self.assertContains(page, "已完成")
        self.client.post(reverse("representatives:cultivation_delete", args=[rep.pk, c.pk]))
        self.assertFalse(rep.cultivations.exists())
        changes = [e.changes for e in AuditEvent.objects.filter(
            object_type="representatives.Representative", object_id=str(rep.pk)).order_by("id")]
        self.assertEqual([next(iter(c)) for c in changes], ["新增培养记录", "修改培养记录", "培养记录", "删除培养记录"])
        self.assertEqual(changes[1]["修改培养记录"]["内容"], ["到镇政府挂职", "到东溪镇政府挂职"])

    def test_future_plan_cannot_be_marked_done(self):
        future = datetime.date.today() + datetime.timedelta(days=10)
        c = Cultivation.objects.create(representative=self.rep1, kind=Cultivation.Kind.TRAINING, title="培训班",
                                       start_date=future)
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("representatives:cultivation_done", args=[self.rep1.pk, c.pk]),
                                    follow=True)
        self.assertContains(response, "不能标记为已完成")
        c.refresh_from_db()
        self.assertEqual(c.status, Cultivation.Status.PLANNED)

    def test_assessment_once_a_year(self):
        self.client.force_login(self.town1_user)
        url = reverse("representatives:assessment_add", args=[self.rep1.pk])
        response = self.client.post(url, {"year": 2024, "grade": Assessment.Grade.EXCELLENT, "notes": ""})
        self.assertRedirects(response, self.rep1.get_absolute_url() + "#assessment")
        response = self.client.post(url, {"year": 2024, "grade": Assessment.Grade.COMPETENT, "notes": ""})
        self.assertContains(response, "2024年度的考核已登记，每年只能登记一次，请修改该年度的记录")
        self.client.post(url, {"year": 2023, "grade": Assessment.Grade.COMPETENT, "notes": ""})
        a2023 = Assessment.objects.get(representative=self.rep1, year=2023)
        edit = reverse("representatives:assessment_edit", args=[self.rep1.pk, a2023.pk])
        response = self.client.post(edit, {"year": 2024, "grade": Assessment.Grade.COMPETENT, "notes": ""})
        self.assertContains(response, "2024年度的考核已登记")
        response = self.client.post(edit, {"year": 2023, "grade": Assessment.Grade.BASIC, "notes": "履职不够积极"})
        self.assertRedirects(response, self.rep1.get_absolute_url() + "#assessment")
        self.assertEqual(Assessment.objects.get(pk=a2023.pk).grade, Assessment.Grade.BASIC)
        # Another representative may have the same year.
        self.client.force_login(self.county_staff)
        response = self.client.post(reverse("representatives:assessment_add", args=[self.rep2.pk]),
                                    {"year": 2024, "grade": Assessment.Grade.EXCELLENT, "notes": ""})
        self.assertEqual(response.status_code, 302)
        next_year = datetime.date.today().year + 1
        response = self.client.post(url, {"year": next_year, "grade": Assessment.Grade.EXCELLENT, "notes": ""})
        self.assertContains(response, "年度应在")


class PersonOutsideTheLedgerScopeTests(RepresentativesTestCase):
    """Issue 11.4: town01 keeps the profile of a person who has moved to town02's ledger. Pages, the table, the
    export and every filter on the person show nothing of that person but the name (people.visibility)."""

    def setUp(self):
        super().setUp()
        self.moved = make_rep(self.org.village1, "韩调出")
        person = self.moved.person
        for name, value in {"gender": "F", "ethnicity": "03", "birth_date": datetime.date(1971, 6, 5),
                            "affiliation": Affiliation.CDL, "workplace": "西岭茶叶合作社", "position": "理事长",
                            "tier": "county", "phone": "13900001111"}.items():
            setattr(person, name, value)
        person.save()
        person.categories.add(Category.objects.get(name="少数民族人士"))
        person.tags.add(Tag.objects.create(name="乡贤", owner_unit=self.org.town1))
        SocialPosition.objects.create(person=person, kind=PositionKind.CPPCC, level=PositionLevel.COUNTY,
                                      term_start=datetime.date(2022, 1, 1), term_end=datetime.date(2099, 1, 1))
        # The transfer (调出至西岭村): the ledger record moves, the representative's profile stays with town01.
        Person.objects.filter(pk=person.pk).update(owner_unit=self.org.village2)
        self.client.force_login(self.town1_user)

    def names(self, **params):
        response = self.client.get(reverse("representatives:representative_list"), params)
        self.assertEqual(response.status_code, 200)
        return sorted(r.person.name for r in response.context["table"].data)

    def exported_rows(self, **params):
        import io

        from python_calamine import CalamineWorkbook

        response = self.client.get(reverse("representatives:representative_export"), params)
        self.assertEqual(response.status_code, 200)
        rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))) \
            .get_sheet_by_index(0).to_python()
        header = rows[2]
        return rows[1][0], {row[1]: dict(zip(header, row, strict=True)) for row in rows[3:]}

    def test_export_writes_the_name_and_the_profile_only(self):
        subtitle, rows = self.exported_rows()
        row = rows["韩调出"]
        self.assertEqual((row["层级"], row["阶段"], row["所属单位"]), ("镇级", "发现", "东溪村"))
        for header in ("性别", "民族", "出生年月", "政治面貌", "工作单位及职务", "政治安排", "联系电话"):
            self.assertEqual(row[header], "", header)
        self.assertIn("只导出姓名和代表人士档案", subtitle)
        text = repr(rows)
        for leaked in ("西岭茶叶合作社", "1971", "民盟", "1111", "政协"):
            self.assertNotIn(leaked, text)
        # A person the user may see is exported in full, as before.
        self.assertEqual(rows["陈东溪"]["联系电话"], self.rep1.person.phone[:3] + "****" + self.rep1.person.phone[-4:])

    def test_county_staff_export_is_whole(self):
        self.client.force_login(self.county_staff)
        subtitle, rows = self.exported_rows()
        self.assertEqual(rows["韩调出"]["工作单位及职务"], "西岭茶叶合作社理事长")
        self.assertEqual(rows["韩调出"]["政治安排"], "县政协委员")
        self.assertNotIn("只导出姓名", subtitle)

    def test_table_and_detail_hide_the_arrangements(self):
        response = self.client.get(reverse("representatives:representative_list"))
        self.assertContains(response, "韩调出")
        self.assertNotContains(response, "县政协委员")
        response = self.client.get(self.moved.get_absolute_url())
        self.assertEqual(response.context["positions"], [])
        self.assertNotContains(response, "县政协委员")
        self.assertContains(response, "不显示其政治安排")
        self.assertNotContains(response, "西岭茶叶合作社")

    def test_filters_on_the_person_confirm_nothing(self):
        matching = {
            "ethnicity": "03", "affiliation": Affiliation.CDL, "age_min": 50, "age_max": 60, "tier": "county",
            "category": Category.objects.get(name="少数民族人士").pk, "tag": Tag.objects.get(name="乡贤").pk,
        }
        for name, value in matching.items():
            self.assertNotIn("韩调出", self.names(**{name: value}), name)
            _, rows = self.exported_rows(**{name: value})
            self.assertNotIn("韩调出", rows, name)
        # The same filters do find a person the user may see.
        self.client.force_login(self.county_staff)
        for name, value in matching.items():
            self.assertIn("韩调出", self.names(**{name: value}), name)

    def test_status_cannot_be_told_either(self):
        # Whatever the person's status, the profile is listed under 在册 (the default) and 全部, under no other.
        for status in (Status.ACTIVE, Status.DECEASED):
            Person.objects.filter(pk=self.moved.person_id).update(status=status)
            self.assertIn("韩调出", self.names(), status)
            self.assertIn("韩调出", self.names(status="all"), status)
            for other in (Status.TRANSFERRED_OUT, Status.EXITED, Status.DECEASED):
                self.assertNotIn("韩调出", self.names(status=other), (status, other))
        self.client.force_login(self.county_staff)
        self.assertEqual(self.names(status=Status.DECEASED), ["韩调出"])
