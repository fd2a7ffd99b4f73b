"""The pipeline 发现 → 培养 → 认定 → 退出: who may take which step, dates, the timeline, and certification
permissions granted through a custom role's permission matrix."""

import datetime

from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from accounts.models import Grant, Role
from accounts.testing import create_user
from core.models import AuditEvent
from people.choices import PositionKind, PositionLevel
from people.models import Person, SocialPosition
from representatives import services
from representatives.models import Level, Representative, Stage

from .test_views import RepresentativesTestCase, make_rep

TODAY = datetime.date.today()


class PipelineTestCase(RepresentativesTestCase):
    def step(self, user, rep, stage, date=None, reason="经研究同意", **extra):
        self.client.force_login(user)
        date = date or TODAY
        data = {"stage": stage, "date": date if isinstance(date, str) else date.isoformat(), "reason": reason, **extra}
        return self.client.post(reverse("representatives:representative_stage", args=[rep.pk]), data)

    def offered(self, user, rep):
        """The stages the detail page's form offers `user`."""
        self.client.force_login(user)
        form = self.client.get(rep.get_absolute_url()).context["stage_form"]
        return [value for value, _ in form.fields["stage"].widget.choices if value]

    def refresh(self, rep):
        rep.refresh_from_db()
        return rep.stage


class StagePermissionTests(PipelineTestCase):
    def test_town_officer_certifies_at_town_level(self):
        rep = self.rep1  # 镇级, in town01's village
        self.assertRedirects(self.step(self.town1_user, rep, Stage.CULTIVATING), rep.get_absolute_url() + "#timeline",
                             fetch_redirect_response=False)
        self.assertIn(Stage.CERTIFIED, self.offered(self.town1_user, rep))
        self.step(self.town1_user, rep, Stage.CERTIFIED, reason="镇党委研究认定")
        self.assertEqual(self.refresh(rep), Stage.CERTIFIED)
        self.assertEqual(rep.stage_date, TODAY)
        step = rep.stage_changes.last()
        self.assertEqual((step.stage, step.level, step.created_by, step.reason),
                         (Stage.CERTIFIED, Level.TOWN, self.town1_user, "镇党委研究认定"))
        event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(rep.pk)).order_by("id").last()
        self.assertEqual(event.changes["阶段"], ["培养", "认定"])

    def test_town_officer_cannot_certify_at_county_level(self):
        rep = make_rep(self.org.village1, "蒋县级", level=Level.COUNTY, stage=Stage.CULTIVATING)
        self.assertEqual(self.offered(self.town1_user, rep), [Stage.EXITED])
        self.client.force_login(self.town1_user)
        self.assertContains(self.client.get(rep.get_absolute_url()), "认定县级代表人士须由具有相应认定权限的人员办理")
        response = self.step(self.town1_user, rep, Stage.CERTIFIED)  # a forged POST
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "您没有认定县级代表人士的权限")
        self.assertEqual(self.refresh(rep), Stage.CULTIVATING)
        self.assertEqual(rep.stage_changes.count(), 1)
        denied = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
        self.assertFalse(denied.success)
        self.assertEqual(denied.object_id, str(rep.pk))

    def test_county_staff_certifies_every_level(self):
        for level in Level:
            rep = make_rep(self.org.village2, f"各级{level.label}", level=level, stage=Stage.CULTIVATING)
            self.assertIn(Stage.CERTIFIED, self.offered(self.county_staff, rep))
            self.step(self.county_staff, rep, Stage.CERTIFIED)
            self.assertEqual(self.refresh(rep), Stage.CERTIFIED, level)

    def test_village_liaison_cannot_certify(self):
        rep = self.rep1
        self.step(self.liaison, rep, Stage.CULTIVATING)  # a liaison may move a person on to 培养
        self.assertEqual(self.refresh(rep), Stage.CULTIVATING)
        self.assertEqual(self.offered(self.liaison, rep), [Stage.EXITED])
        response = self.step(self.liaison, rep, Stage.CERTIFIED)
        self.assertContains(response, "您没有认定镇级代表人士的权限")
        self.assertEqual(self.refresh(rep), Stage.CULTIVATING)

    def test_certify_permission_outside_its_scope_does_not_count(self):
        # town02 holds certify_town, but only over town02: town01's representative is not theirs to certify.
        rep = make_rep(self.org.village1, "蒋镇级", stage=Stage.CULTIVATING)
        self.assertFalse(services.may_certify(self.town2_user, rep))
        self.assertEqual(self.step(self.town2_user, rep, Stage.CERTIFIED).status_code, 404)
        # A role that may change everything but certify only in town02 is offered no 认定 in town01.
        role = Role.objects.create(name="县级联络", code="county_liaison", data_scope=Role.DataScope.ALL)
        role.permissions.set(Permission.objects.filter(
            content_type__app_label="representatives", codename__in=["view_representative", "change_representative"]))
        certifier = Role.objects.create(name="西岭认定", code="xiling_certify",
                                        data_scope=Role.DataScope.UNIT_AND_BELOW)
        certifier.permissions.set(Permission.objects.filter(codename="certify_town_representative"))
        user = create_user("mixed", self.org.county)
        Grant.objects.create(user=user, role=role)
        Grant.objects.create(user=user, role=certifier, unit=self.org.town2)
        self.assertTrue(user.has_action(Representative, "certify_town"))
        self.assertEqual(self.offered(user, rep), [Stage.EXITED])
        self.assertContains(self.step(user, rep, Stage.CERTIFIED), "您没有认定镇级代表人士的权限")
        self.assertEqual(self.refresh(rep), Stage.CULTIVATING)

    def test_post_needs_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.town1_user)
        response = client.post(reverse("representatives:representative_stage", args=[self.rep1.pk]),
                               {"stage": Stage.CULTIVATING, "date": TODAY.isoformat(), "reason": "x"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.refresh(self.rep1), Stage.DISCOVERED)


class TransitionTests(PipelineTestCase):
    def test_invalid_transitions_are_refused(self):
        rep = self.rep1
        response = self.step(self.county_staff, rep, Stage.CERTIFIED)
        self.assertContains(response, "不能从“发现”变更为“认定”")
        response = self.step(self.county_staff, rep, Stage.DISCOVERED)
        self.assertContains(response, "不能从“发现”变更为“发现”")
        response = self.step(self.county_staff, rep, "promoted")
        self.assertContains(response, "请选择有效的阶段")
        self.assertEqual(self.refresh(rep), Stage.DISCOVERED)
        self.step(self.county_staff, rep, Stage.CULTIVATING)
        self.step(self.county_staff, rep, Stage.CERTIFIED)
        response = self.step(self.county_staff, rep, Stage.CULTIVATING)
        self.assertContains(response, "不能从“认定”变更为“培养”")
        self.assertEqual(self.refresh(rep), Stage.CERTIFIED)

    def test_dates_and_reason_are_checked(self):
        rep = self.rep1  # in 发现 since 2024-01-10
        response = self.step(self.town1_user, rep, Stage.CULTIVATING, date=TODAY + datetime.timedelta(days=1))
        self.assertContains(response, "日期不能晚于今天")
        response = self.step(self.town1_user, rep, Stage.CULTIVATING, date=datetime.date(2024, 1, 9))
        self.assertContains(response, "日期不能早于进入当前阶段的日期（2024-01-10）")
        response = self.step(self.town1_user, rep, Stage.CULTIVATING, reason="")
        self.assertContains(response, "请填写依据或原因")
        response = self.step(self.town1_user, rep, Stage.CULTIVATING, date="2024-02-30")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.refresh(rep), Stage.DISCOVERED)
        self.step(self.town1_user, rep, Stage.CULTIVATING, date=datetime.date(2024, 1, 10))  # the same day is fine
        self.assertEqual(self.refresh(rep), Stage.CULTIVATING)

    def test_service_rechecks_under_the_lock(self):
        from django.core.exceptions import ValidationError

        stale = Representative.objects.get(pk=self.rep1.pk)
        services.change_stage(self.rep1, Stage.EXITED, TODAY, "本人申请", self.county_staff)
        with self.assertRaisesMessage(ValidationError, "不能从“退出”变更为“培养”"):
            services.change_stage(stale, Stage.CULTIVATING, TODAY, "过时的页面", self.county_staff)

    def test_exit_and_return_keep_the_ledger_flag_in_step(self):
        rep = self.rep1
        Person.objects.filter(pk=rep.person.pk).update(is_representative=True)
        self.step(self.town1_user, rep, Stage.EXITED, reason="工作调动离开本县")
        self.assertFalse(Person.objects.get(pk=rep.person.pk).is_representative)
        self.step(self.town1_user, rep, Stage.DISCOVERED, reason="重新推荐")
        self.assertTrue(Person.objects.get(pk=rep.person.pk).is_representative)

    def test_timeline_shows_every_step(self):
        rep = self.rep1
        self.step(self.county_staff, rep, Stage.CULTIVATING, date=datetime.date(2024, 3, 1), reason="列入培养计划")
        self.step(self.county_staff, rep, Stage.CERTIFIED, date=datetime.date(2024, 9, 1), reason="部务会认定")
        self.step(self.county_staff, rep, Stage.EXITED, date=datetime.date(2025, 1, 5), reason="年龄原因退出")
        self.client.force_login(self.town1_user)
        response = self.client.get(rep.get_absolute_url())
        steps = [(s.stage, s.date, s.reason) for s in response.context["timeline"]]
        self.assertEqual(steps, [
            (Stage.DISCOVERED, datetime.date(2024, 1, 10), "工作中发现"),
            (Stage.CULTIVATING, datetime.date(2024, 3, 1), "列入培养计划"),
            (Stage.CERTIFIED, datetime.date(2024, 9, 1), "部务会认定"),
            (Stage.EXITED, datetime.date(2025, 1, 5), "年龄原因退出"),
        ])
        timeline = response.content.decode().split('id="timeline"')[1].split('id="cultivation"')[0]
        for text in ("2024-01-10", "2024-03-01", "列入培养计划", "部务会认定", "2025-01-05", "年龄原因退出", "c_staff"):
            self.assertIn(text, timeline)


class LevelChangeTests(PipelineTestCase):
    def certified(self, level=Level.TOWN):
        rep = make_rep(self.org.village1, "韩认定", level=level, stage=Stage.CERTIFIED)
        return rep

    def edit(self, user, rep, level):
        self.client.force_login(user)
        return self.client.post(reverse("representatives:representative_edit", args=[rep.pk]), {
            "level": level, "field": rep.field, "kind": rep.kind, "owner_unit": rep.owner_unit_id, "notes": ""})

    def test_town_officer_cannot_raise_a_certified_representative_to_county(self):
        rep = self.certified()
        response = self.edit(self.town1_user, rep, Level.COUNTY)
        self.assertContains(response, "您没有认定县级代表人士的权限，不能调整已认定代表人士的层级")
        rep.refresh_from_db()
        self.assertEqual(rep.level, Level.TOWN)

    def test_county_staff_changes_the_level_as_a_new_certification(self):
        rep = self.certified()
        response = self.edit(self.county_staff, rep, Level.COUNTY)
        self.assertRedirects(response, rep.get_absolute_url())
        last = rep.stage_changes.last()
        self.assertEqual((last.stage, last.level, last.reason, last.date),
                         (Stage.CERTIFIED, Level.COUNTY, "层级由镇级调整为县级", TODAY))

    def test_level_of_an_uncertified_representative_changes_freely(self):
        response = self.edit(self.liaison, self.rep1, Level.CITY)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.rep1.stage_changes.count(), 1)


class ArrangementTests(PipelineTestCase):
    def test_titles_and_flags(self):
        p = SocialPosition(kind=PositionKind.CPPCC, level=PositionLevel.COUNTY)
        self.assertEqual(services.position_title(p), "县政协委员")
        p = SocialPosition(kind=PositionKind.CPPCC, level=PositionLevel.NATIONAL, title="政协常委")
        self.assertEqual(services.position_title(p), "全国政协常委")
        p = SocialPosition(kind=PositionKind.NPC, level=PositionLevel.CITY, title="市人大代表")
        self.assertEqual(services.position_title(p), "市人大代表")
        day = datetime.date(2025, 6, 1)
        flags = [services.term_flag(SocialPosition(term_end=end), today=day) for end in (
            None, datetime.date(2025, 5, 31), day, datetime.date(2025, 8, 30), datetime.date(2025, 8, 31))]
        self.assertEqual(flags, ["", "已届满", "即将届满", "即将届满", ""])


class PermissionMatrixTests(PipelineTestCase):
    """The security administrator grants 认定 per level through a custom role's permission matrix."""

    def test_certify_permissions_are_offered_and_work(self):
        secadmin = create_user("secadmin_t", self.org.county, "secadmin")
        self.client.force_login(secadmin)
        page = self.client.get(reverse("accounts:role_add"))
        perms = {p.codename: p.pk for p in Permission.objects.filter(content_type__app_label="representatives")}
        for codename in ("certify_city_representative", "certify_county_representative",
                         "certify_town_representative"):
            self.assertContains(page, f'value="{perms[codename]}"')
        self.assertContains(page, "认定县级党外代表人士")
        response = self.client.post(reverse("accounts:role_add"), {
            "name": "县级认定", "code": "county_certifier", "description": "", "data_scope": Role.DataScope.ALL,
            "permissions": [perms["view_representative"], perms["change_representative"],
                            perms["certify_county_representative"]],
        })
        role = Role.objects.get(code="county_certifier")
        self.assertRedirects(response, reverse("accounts:role_detail", args=[role.pk]))
        detail = self.client.get(reverse("accounts:role_detail", args=[role.pk]))
        row = next(r for r in detail.context["matrix"] if r["label"] == "党外代表人士")
        self.assertEqual({e["action"]: e["checked"] for e in row["extras"]},
                         {"certify_city": False, "certify_county": True, "certify_town": False})
        event = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE).order_by("id").last()
        self.assertIn("认定县级党外代表人士", event.changes["业务权限"][1])

        user = create_user("certifier", self.org.county)
        Grant.objects.create(user=user, role=role)
        county = make_rep(self.org.village2, "蒋县级", level=Level.COUNTY, stage=Stage.CULTIVATING)
        town = make_rep(self.org.village2, "蒋镇级", level=Level.TOWN, stage=Stage.CULTIVATING)
        self.assertEqual(self.offered(user, county), [Stage.CERTIFIED, Stage.EXITED])
        self.assertEqual(self.offered(user, town), [Stage.EXITED])
        self.step(user, county, Stage.CERTIFIED)
        self.assertEqual(self.refresh(county), Stage.CERTIFIED)
