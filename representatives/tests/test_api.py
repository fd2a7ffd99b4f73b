"""The representatives over the REST API: the list page's scope and filters, the pages' forms, the pipeline's steps
through the stage page's form (same checks, same audit)."""

import datetime

from django.test import TestCase

from accounts.testing import bearer, create_user
from core.models import AuditEvent
from org.testing import build_county
from people.choices import PositionKind, PositionLevel
from people.models import Person, SocialPosition
from representatives.models import Assessment, Cultivation, Field, Level, Representative, Stage, StageChange

from .test_views import make_person, make_rep

TODAY = datetime.date.today()


class RepresentativesApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town01 = create_user("town01", cls.org.town1, "town_officer")
        cls.town02 = create_user("town02", cls.org.town2, "town_officer")
        cls.county = create_user("county_staff", cls.org.county, "county_staff")
        cls.leader = create_user("leader", cls.org.town1, "leader")
        cls.inside = make_rep(cls.org.village1, "陈东溪", field=Field.INTELLECTUAL)
        cls.outside = make_rep(cls.org.village2, "周西岭")

    def call(self, user, method, path, body=None, *, write=True):
        return getattr(self.client, method)(path, body, content_type="application/json",
                                            **bearer(user, write=write))

    def url(self, rep, tail=""):
        return f"/api/v1/representatives/{rep.pk}/{tail}"

    def audit_events(self, action, rep):
        return AuditEvent.objects.filter(action=action, object_id=str(rep.pk)).order_by("id")

    # --- reading --------------------------------------------------------------------------------------------

    def test_the_list_is_the_list_page_s_scope_and_filters(self):
        body = self.call(self.town01, "get", "/api/v1/representatives/").json()
        self.assertEqual([(r["id"], r["name"]) for r in body["items"]], [(self.inside.pk, "陈东溪")])
        self.assertEqual(body["items"][0]["person_id"], self.inside.person_id)
        everyone = self.call(self.county, "get", "/api/v1/representatives/").json()
        self.assertEqual({r["name"] for r in everyone["items"]}, {"陈东溪", "周西岭"})
        by_field = self.call(self.county, "get", f"/api/v1/representatives/?field={Field.INTELLECTUAL}").json()
        self.assertEqual([r["name"] for r in by_field["items"]], ["陈东溪"])
        by_pinyin = self.call(self.county, "get", "/api/v1/representatives/?q=zxl").json()
        self.assertEqual([r["name"] for r in by_pinyin["items"]], ["周西岭"])
        by_unit = self.call(self.county, "get", f"/api/v1/representatives/?unit={self.org.town2.pk}").json()
        self.assertEqual([r["name"] for r in by_unit["items"]], ["周西岭"])

    def test_a_bad_filter_is_422_naming_it(self):
        response = self.call(self.town01, "get", f"/api/v1/representatives/?unit={self.org.town2.pk}")
        self.assertEqual(response.status_code, 422)
        self.assertIn("unit", response.json()["errors"])

    def test_pages_never_repeat_or_skip_a_row(self):
        for n in range(5):
            make_rep(self.org.village1, f"同页{n}")
        seen = []
        for page in (1, 2, 3):
            body = self.call(self.town01, "get", f"/api/v1/representatives/?page={page}&page_size=2").json()
            seen += [r["id"] for r in body["items"]]
        self.assertEqual(len(seen), 6)
        self.assertEqual(len(set(seen)), 6)

    def test_the_profile_carries_the_stage_history_and_the_steps_offered(self):
        body = self.call(self.town01, "get", self.url(self.inside)).json()
        self.assertEqual((body["stage"], body["stage_label"], body["level_label"]), ("discovered", "发现", "镇级"))
        self.assertEqual([(s["stage"], s["reason"]) for s in body["stage_changes"]], [("discovered", "工作中发现")])
        self.assertEqual(body["next_stages"], [Stage.CULTIVATING, Stage.EXITED])
        self.assertEqual(self.call(self.leader, "get", self.url(self.inside)).json()["next_stages"], [])
        history = self.call(self.town01, "get", self.url(self.inside, "stages/")).json()
        self.assertEqual([s["stage_label"] for s in history], ["发现"])

    def test_a_person_outside_the_ledger_scope_is_named_and_nothing_more(self):
        SocialPosition.objects.create(person=self.inside.person, kind=PositionKind.CPPCC, level=PositionLevel.COUNTY,
                                      title="政协委员")
        body = self.call(self.town01, "get", self.url(self.inside)).json()
        self.assertEqual((body["person_id"], body["political_arrangement"]), (self.inside.person_id, "县政协委员"))
        Person.objects.filter(pk=self.inside.person_id).update(owner_unit=self.org.village2)  # 调动, profile stays
        body = self.call(self.town01, "get", self.url(self.inside)).json()
        self.assertEqual((body["name"], body["person_id"], body["political_arrangement"]), ("陈东溪", None, ""))
        listed = self.call(self.town01, "get", "/api/v1/representatives/").json()["items"]
        self.assertEqual([(r["name"], r["person_id"]) for r in listed], [("陈东溪", None)])

    def test_another_town_s_representative_is_404_on_every_endpoint(self):
        for method, tail, body in (("get", "", None), ("patch", "", {"notes": "x"}), ("get", "stages/", None),
                                   ("post", "stages/", {"stage": "cultivating", "date": str(TODAY),
                                                        "reason": "x"})):
            with self.subTest(method=method, tail=tail):
                response = self.call(self.town02, method, self.url(self.inside, tail), body)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("陈东溪", response.content.decode())
        self.assertEqual(self.inside.stage_changes.count(), 1)
        self.inside.refresh_from_db()
        self.assertEqual((self.inside.notes, self.inside.stage), ("", Stage.DISCOVERED))

    # --- writing the profile --------------------------------------------------------------------------------

    def test_create_goes_through_the_create_form_with_its_first_step_and_the_person_s_flag(self):
        person = make_person(self.org.village1, "钱新人")
        response = self.call(self.town01, "post", "/api/v1/representatives/", {
            "person": person.pk, "level": Level.TOWN, "field": Field.RELIGIOUS, "owner_unit": self.org.village1.pk,
            "date": "2025-03-01", "reason": "镇党委推荐"})
        self.assertEqual(response.status_code, 201, response.content)
        rep = Representative.objects.get(pk=response.json()["id"])
        self.assertEqual((rep.person, rep.stage, rep.created_by), (person, Stage.DISCOVERED, self.town01))
        self.assertEqual(response.json()["stage_changes"][0]["reason"], "镇党委推荐")
        person.refresh_from_db()
        self.assertTrue(person.is_representative)
        event = self.audit_events(AuditEvent.Action.CREATE, rep).get()
        self.assertEqual((event.username, event.changes["访问令牌"]), ("town01", "测试"))

    def test_create_validates_like_the_form_and_changes_nothing_when_invalid(self):
        outsider = make_person(self.org.village2, "钱外人")
        response = self.call(self.town01, "post", "/api/v1/representatives/", {
            "person": outsider.pk, "level": Level.TOWN, "field": Field.RELIGIOUS,
            "owner_unit": self.org.village1.pk, "date": "2025-03-01"})
        self.assertEqual(response.status_code, 422)
        errors = response.json()["errors"]
        self.assertEqual(errors["person"], ["请从台账中选择您数据范围内的在册人员"])
        self.assertEqual(errors["reason"], ["请填写发现依据或推荐来源"])
        self.assertFalse(Representative.objects.filter(person=outsider).exists())
        again = self.call(self.town01, "post", "/api/v1/representatives/", {
            "person": self.inside.person_id, "level": Level.TOWN, "field": Field.RELIGIOUS,
            "owner_unit": self.org.village1.pk, "date": "2025-03-01", "reason": "重复"})
        self.assertIn("已是代表人士", again.json()["errors"]["person"][0])

    def test_update_changes_only_what_it_sends_and_is_audited_with_the_token(self):
        response = self.call(self.town01, "patch", self.url(self.inside), {"field": Field.RELIGIOUS})
        self.assertEqual(response.status_code, 200, response.content)
        self.inside.refresh_from_db()
        self.assertEqual((self.inside.field, self.inside.level, self.inside.owner_unit),
                         (Field.RELIGIOUS, Level.TOWN, self.org.village1))
        event = self.audit_events(AuditEvent.Action.UPDATE, self.inside).get()
        self.assertEqual(event.changes["领域"], [Field.INTELLECTUAL, Field.RELIGIOUS])  # as the page records it
        self.assertEqual(event.changes["访问令牌"], "测试")

    def test_an_update_moving_the_record_out_of_the_scope_is_refused(self):
        response = self.call(self.town01, "patch", self.url(self.inside), {"owner_unit": self.org.village2.pk})
        self.assertEqual(response.status_code, 422)
        self.assertIn("owner_unit", response.json()["errors"])
        self.inside.refresh_from_db()
        self.assertEqual(self.inside.owner_unit, self.org.village1)

    # --- the pipeline ----------------------------------------------------------------------------------------

    def step(self, user, rep, stage, **extra):
        body = {"stage": stage, "date": str(TODAY), "reason": "经研究同意", **extra}
        return self.call(user, "post", self.url(rep, "stages/"), body)

    def test_a_step_is_recorded_dated_audited_and_named_with_the_token(self):
        response = self.step(self.town01, self.inside, Stage.CULTIVATING)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual((response.json()["stage"], response.json()["created_by"]), ("cultivating", "town01"))
        self.inside.refresh_from_db()
        self.assertEqual((self.inside.stage, self.inside.stage_date), (Stage.CULTIVATING, TODAY))
        event = self.audit_events(AuditEvent.Action.UPDATE, self.inside).get()
        self.assertEqual((event.changes["阶段"], event.changes["访问令牌"]), (["发现", "培养"], "测试"))
        self.step(self.town01, self.inside, Stage.CERTIFIED)  # 镇级: the town officer certifies
        self.inside.refresh_from_db()
        self.assertEqual(self.inside.stage, Stage.CERTIFIED)

    def test_exiting_clears_the_person_s_flag_as_on_the_page(self):
        self.inside.person.is_representative = True
        self.inside.person.save()
        self.assertEqual(self.step(self.town01, self.inside, Stage.EXITED).status_code, 201)
        self.inside.person.refresh_from_db()
        self.assertFalse(self.inside.person.is_representative)

    def test_a_step_the_pipeline_does_not_offer_is_422_and_changes_nothing(self):
        response = self.step(self.town01, self.inside, Stage.CERTIFIED)  # 发现 → 认定 skips 培养
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"]["stage"], ["不能从“发现”变更为“认定”"])
        future = self.step(self.town01, self.inside, Stage.CULTIVATING, date=str(TODAY + datetime.timedelta(days=1)))
        self.assertEqual(future.json()["errors"]["date"], ["日期不能晚于今天"])
        missing = self.step(self.town01, self.inside, Stage.CULTIVATING, reason="")
        self.assertEqual(missing.json()["errors"]["reason"], ["请填写依据或原因"])
        self.assertEqual(self.inside.stage_changes.count(), 1)
        self.inside.refresh_from_db()
        self.assertEqual(self.inside.stage, Stage.DISCOVERED)

    def test_certifying_without_the_level_s_power_is_refused_and_audited_as_denied(self):
        rep = make_rep(self.org.village1, "蒋县级", level=Level.COUNTY, stage=Stage.CULTIVATING)
        response = self.step(self.town01, rep, Stage.CERTIFIED)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"]["stage"], ["您没有认定县级代表人士的权限"])
        rep.refresh_from_db()
        self.assertEqual(rep.stage, Stage.CULTIVATING)
        denied = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
        self.assertEqual((denied.object_id, denied.success, denied.changes["访问令牌"]), (str(rep.pk), False, "测试"))
        self.assertEqual(self.step(self.county, rep, Stage.CERTIFIED).status_code, 201)
        self.assertEqual(StageChange.objects.filter(representative=rep, stage=Stage.CERTIFIED).count(), 1)

    # --- who may write ---------------------------------------------------------------------------------------

    def test_a_read_only_token_writes_nothing(self):
        for method, path, body in (
                ("post", "/api/v1/representatives/", {"person": make_person(self.org.village1).pk}),
                ("patch", self.url(self.inside), {"notes": "只读"}),
                ("post", self.url(self.inside, "stages/"), {"stage": "cultivating", "date": str(TODAY),
                                                            "reason": "x"})):
            with self.subTest(method=method, path=path):
                response = self.call(self.town01, method, path, body, write=False)
                self.assertEqual(response.status_code, 403)
                self.assertIn("只读", response.json()["detail"])
        self.inside.refresh_from_db()
        self.assertEqual((self.inside.notes, self.inside.stage), ("", Stage.DISCOVERED))

    def test_a_role_without_the_action_gets_403(self):
        for method, path, body in (
                ("post", "/api/v1/representatives/", {"person": make_person(self.org.village1).pk}),
                ("patch", self.url(self.inside), {"notes": "领导"}),
                ("post", self.url(self.inside, "stages/"), {"stage": "cultivating", "date": str(TODAY),
                                                            "reason": "x"})):
            with self.subTest(method=method, path=path):
                self.assertEqual(self.call(self.leader, method, path, body).status_code, 403)
        self.assertEqual(self.call(self.leader, "get", self.url(self.inside)).status_code, 200)
        norole = create_user("norole", self.org.town1)
        self.assertEqual(self.call(norole, "get", "/api/v1/representatives/").status_code, 403)


class RecordsApiTests(TestCase):
    """A representative's cultivations and assessments: read with "view", written with "change" on the
    representative, audited on it as on the profile page."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town01 = create_user("town01", cls.org.town1, "town_officer")
        cls.town02 = create_user("town02", cls.org.town2, "town_officer")
        cls.leader = create_user("leader", cls.org.town1, "leader")
        cls.rep = make_rep(cls.org.village1, "陈东溪")
        cls.other_rep = make_rep(cls.org.village1, "吴同村")
        cls.training = Cultivation.objects.create(representative=cls.rep, kind=Cultivation.Kind.TRAINING,
                                                  title="党外干部培训班", start_date=datetime.date(2025, 3, 1))
        cls.assessment = Assessment.objects.create(representative=cls.rep, year=2023,
                                                   grade=Assessment.Grade.COMPETENT)

    def call(self, user, method, path, body=None, *, write=True):
        return getattr(self.client, method)(path, body, content_type="application/json",
                                            **bearer(user, write=write))

    def url(self, tail, rep=None):
        return f"/api/v1/representatives/{(rep or self.rep).pk}/{tail}"

    def last_update(self):
        return AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(self.rep.pk)).latest("id")

    def test_records_are_listed_and_written_like_on_the_profile_page(self):
        listed = self.call(self.leader, "get", self.url("cultivations/")).json()
        self.assertEqual([(c["title"], c["status_label"]) for c in listed], [("党外干部培训班", "计划")])
        created = self.call(self.town01, "post", self.url("cultivations/"),
                            {"kind": "secondment", "title": "挂职锻炼一年", "start_date": "2025-06-01"})
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(self.last_update().changes, {"新增培养记录": {"内容": "挂职锻炼一年"}, "访问令牌": "测试"})
        changed = self.call(self.town01, "patch", self.url(f"assessments/{self.assessment.pk}/"),
                            {"grade": "excellent"})
        self.assertEqual(changed.json()["grade_label"], "优秀")
        self.assessment.refresh_from_db()
        self.assertEqual((self.assessment.year, self.assessment.grade), (2023, Assessment.Grade.EXCELLENT))
        self.assertEqual(self.last_update().changes["修改年度考核"]["等次"],
                         [Assessment.Grade.COMPETENT, Assessment.Grade.EXCELLENT])
        self.rep.refresh_from_db()
        self.assertEqual(self.rep.updated_by, self.town01)

    def test_marking_done_and_deleting(self):
        done = self.call(self.town01, "post", self.url(f"cultivations/{self.training.pk}/done/"))
        self.assertEqual(done.status_code, 200, done.content)
        self.assertEqual((done.json()["status"], done.json()["end_date"]), ("done", str(TODAY)))
        self.assertEqual(self.last_update().changes["培养记录"]["状态"], ["计划", "已完成"])
        future = Cultivation.objects.create(representative=self.rep, kind=Cultivation.Kind.PRACTICE, title="明年实践",
                                            start_date=TODAY + datetime.timedelta(days=30))
        refused = self.call(self.town01, "post", self.url(f"cultivations/{future.pk}/done/"))
        self.assertEqual(refused.status_code, 422)
        self.assertIn("开始日期在今天之后", refused.json()["detail"])
        deleted = self.call(self.town01, "delete", self.url(f"assessments/{self.assessment.pk}/"))
        self.assertEqual(deleted.status_code, 204)
        self.assertFalse(Assessment.objects.filter(pk=self.assessment.pk).exists())
        self.assertEqual(self.last_update().changes["删除年度考核"], "2023年 称职")

    def test_invalid_records_are_422_naming_the_field(self):
        twice = self.call(self.town01, "post", self.url("assessments/"), {"year": 2023, "grade": "excellent"})
        self.assertEqual(twice.status_code, 422)
        self.assertEqual(twice.json()["errors"]["year"], ["2023年度的考核已登记，每年只能登记一次，请修改该年度的记录"])
        backwards = self.call(self.town01, "patch", self.url(f"cultivations/{self.training.pk}/"),
                              {"end_date": "2025-01-01"})
        self.assertEqual(backwards.json()["errors"]["end_date"], ["结束日期不能早于开始日期"])
        self.training.refresh_from_db()
        self.assertIsNone(self.training.end_date)
        self.assertEqual(Assessment.objects.count(), 1)

    def test_records_outside_the_scope_or_of_another_representative_are_404(self):
        paths = [("get", "cultivations/", None), ("get", "assessments/", None),
                 ("post", "cultivations/", {"kind": "training", "title": "越权"}),
                 ("post", "assessments/", {"year": 2024, "grade": "excellent"}),
                 ("patch", f"cultivations/{self.training.pk}/", {"title": "越权"}),
                 ("post", f"cultivations/{self.training.pk}/done/", None),
                 ("delete", f"cultivations/{self.training.pk}/", None),
                 ("patch", f"assessments/{self.assessment.pk}/", {"grade": "basic"}),
                 ("delete", f"assessments/{self.assessment.pk}/", None)]
        for method, tail, body in paths:
            with self.subTest(method=method, tail=tail):
                self.assertEqual(self.call(self.town02, method, self.url(tail), body).status_code, 404)
                if "/" in tail.rstrip("/"):  # a record of this representative named under another one
                    self.assertEqual(self.call(self.town01, method, self.url(tail, self.other_rep), body).status_code,
                                     404)
        self.training.refresh_from_db()
        self.assertEqual((self.training.title, self.training.status), ("党外干部培训班", Cultivation.Status.PLANNED))
        self.assertEqual((Cultivation.objects.count(), Assessment.objects.count()), (1, 1))

    def test_read_only_tokens_and_roles_write_no_record(self):
        for user, write in ((self.town01, False), (self.leader, True)):
            with self.subTest(user=user.username, write=write):
                response = self.call(user, "delete", self.url(f"assessments/{self.assessment.pk}/"), write=write)
                self.assertEqual(response.status_code, 403)
        self.assertTrue(Assessment.objects.filter(pk=self.assessment.pk).exists())
