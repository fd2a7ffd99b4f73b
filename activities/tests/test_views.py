import datetime

from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.testing import CountyViewTestData, create_user
from activities.models import Activity, ActivityType, Frequency, Photo, Plan
from activities.views import due_table
from core.models import AuditEvent
from core.testing import export_text
from core.view_testing import ViewTestCases
from org.testing import build_county
from people.models import Person


def at(year, month, day, hour=9):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


def kind(name="同心行活动日"):
    return ActivityType.objects.get(name=name)


def make_plan(unit, year=2025, type_name="同心行活动日", frequency=Frequency.MONTH, title=None):
    return Plan.objects.create(owner_unit=unit, year=year, activity_type=kind(type_name), frequency=frequency,
                               title=title or f"{unit.name}{type_name}计划")


def make_activity(unit, start, title=None, plan=None, type_name="同心行活动日", **fields):
    return Activity.objects.create(
        owner_unit=unit, title=title or f"{unit.name}{start:%m%d}活动", activity_type=kind(type_name), start=start,
        end=start + datetime.timedelta(hours=2), place="文化礼堂", content="宣讲政策", plan=plan, **fields)


class PlanViewTests(CountyViewTestData, ViewTestCases.GetObject, ViewTestCases.ListObjects,
                    ViewTestCases.CreateObject, ViewTestCases.EditObject, ViewTestCases.DeleteObject):
    model = Plan
    url_prefix = "activities:plan"

    @classmethod
    def make_object(cls, unit):
        return make_plan(unit, title=f"{unit.name}月度活动计划")

    def search_term(self, obj):
        return obj.title

    def form_data(self, unit):
        return {"year": "2026", "activity_type": kind().pk, "frequency": "month", "title": "新计划",
                "owner_unit": unit.pk, "notes": ""}

    def test_create_fills_the_title_and_detail_shows_occurrences(self):
        self.client.force_login(self.user)
        data = {**self.form_data(self.org.village1), "title": "", "activity_type": kind("同心大讲堂").pk,
                "frequency": "quarter", "year": "2025"}
        response = self.client.post(self.url("add"), data)
        plan = Plan.objects.get(title="每季度同心大讲堂")
        self.assertRedirects(response, plan.get_absolute_url())
        make_activity(self.org.village1, at(2025, 5, 10), plan=plan, type_name="同心大讲堂", title="五月大讲堂")
        page = self.client.get(plan.get_absolute_url())
        statuses = [status for _, status in page.context["occurrences"]]
        self.assertEqual(statuses, ["missing", "done", "missing", "missing"])
        self.assertContains(page, "五月大讲堂")
        self.assertContains(page, 'data-status="missing"', count=3)
        self.assertContains(page, "3 期未开展")
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(plan.pk)).exists())

    def test_new_plan_form_prefills_the_monthly_type_and_its_frequency(self):
        self.client.force_login(self.user)
        form = self.client.get(self.url("add")).context["form"]
        self.assertEqual(form.initial["activity_type"], kind().pk)
        self.assertEqual(form.initial["frequency"], Frequency.MONTH)
        self.assertEqual(form.initial["year"], timezone.localdate().year)


class ActivityViewTests(CountyViewTestData, ViewTestCases.PrimaryObject):
    model = Activity
    url_prefix = "activities:activity"
    validation_excluded_fields = ("end",)  # left empty: the start and a default duration

    @classmethod
    def make_object(cls, unit):
        return make_activity(unit, at(2025, 3, 5), title=f"{unit.name}同心行")

    def search_term(self, obj):
        return obj.title

    def form_data(self, unit, **extra):
        return {"activity_type": kind().pk, "title": "三月同心行", "start": "2025-03-08T09:30", "end": "",
                "place": "村委会", "owner_unit": unit.pk, "other_participants": "3", "content": "政策宣讲",
                "outcome": "", "plan": "", **extra}

    def test_list_shows_the_newest_first(self):
        make_activity(self.org.village1, at(2025, 3, 1), title="三月的活动")
        make_activity(self.org.village1, at(2025, 9, 1), title="九月的活动")
        make_activity(self.org.village1, at(2025, 6, 1), title="六月的活动")
        self.client.force_login(self.user)
        page = self.client.get(reverse("activities:activity_list"))
        titles = [a.title for a in page.context["table"].page.object_list.data if a.title.endswith("月的活动")]
        self.assertEqual(titles, ["九月的活动", "六月的活动", "三月的活动"])

    def test_plan_occurrence_is_set_from_the_date(self):
        plan = make_plan(self.org.village1)
        person = Person.objects.create(name="陈东溪", owner_unit=self.org.village1)
        self.client.force_login(self.user)
        response = self.client.post(self.url("add"), self.form_data(
            self.org.village1, plan=plan.pk, participants=[person.pk]))
        activity = Activity.objects.get(title="三月同心行")
        self.assertRedirects(response, activity.get_absolute_url())
        self.assertEqual(activity.occurrence, "2025-03")
        self.assertEqual(activity.end - activity.start, datetime.timedelta(hours=2))  # default duration
        self.assertEqual(list(activity.participants.all()), [person])
        page = self.client.get(activity.get_absolute_url())
        self.assertContains(page, "2025年3月")
        self.assertContains(page, "陈东溪")
        # Moving the date moves the occurrence.
        data = self.form_data(self.org.village1, plan=plan.pk, start="2025-07-01T10:00", end="2025-07-01T11:00")
        self.client.post(self.url("edit", activity), data)
        activity.refresh_from_db()
        self.assertEqual(activity.occurrence, "2025-07")

    def test_plan_must_fit_type_year_and_unit(self):
        self.client.force_login(self.user)
        lecture = make_plan(self.org.village1, type_name="同心大讲堂", frequency=Frequency.QUARTER)
        other_year = make_plan(self.org.village1, year=2024)
        town_plan = make_plan(self.org.town1)
        for plan, message in ((lecture, "活动类型"), (other_year, "2024年"), (town_plan, "组织单位不符")):
            response = self.client.post(self.url("add"), self.form_data(self.org.village1, plan=plan.pk))
            self.assertEqual(response.status_code, 200)
            self.assertIn(message, str(response.context["form"].errors["plan"]))
        other_town = make_plan(self.org.village2)
        response = self.client.post(self.url("add"), self.form_data(self.org.village1, plan=other_town.pk))
        self.assertIn("plan", response.context["form"].errors)
        self.assertFalse(Activity.objects.filter(title="三月同心行").exists())

    def test_title_is_made_from_date_and_type_when_left_empty(self):
        self.client.force_login(self.user)
        self.client.post(self.url("add"), self.form_data(self.org.village1, title=""))
        self.assertTrue(Activity.objects.filter(title="3月8日同心行活动日").exists())

    def test_participants_outside_scope_are_refused(self):
        stranger = Person.objects.create(name="周西岭", owner_unit=self.org.village2)
        self.client.force_login(self.user)
        response = self.client.post(self.url("add"), self.form_data(self.org.village1, participants=[stranger.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertIn("participants", response.context["form"].errors)
        self.assertNotContains(response, "周西岭")

    def test_new_form_defaults_and_a_liaison_sees_no_unit_picker(self):
        liaison = create_user("t_liaison", self.org.village1, "village_liaison")
        self.client.force_login(liaison)
        page = self.client.get(self.url("add"))
        form = page.context["form"]
        self.assertEqual(form.single_unit, self.org.village1)
        self.assertLess(abs((form.initial["start"] - timezone.localtime()).total_seconds()), 120)
        self.assertContains(page, 'capture="environment"')
        self.assertContains(page, 'accept="image/jpeg,image/png,image/webp,image/*"')
        self.assertContains(page, "multiple")
        response = self.client.post(self.url("add"), self.form_data(self.org.village1))
        activity = Activity.objects.get(title="三月同心行")
        self.assertRedirects(response, activity.get_absolute_url())
        self.assertEqual(activity.owner_unit, self.org.village1)

    def test_filters(self):
        plan = make_plan(self.org.village1)
        planned = make_activity(self.org.village1, at(2025, 4, 2), title="计划内活动", plan=plan)
        lecture = make_activity(self.org.village1, at(2025, 6, 2), title="六月讲堂", type_name="同心大讲堂")
        self.client.force_login(self.user)

        def titles(**query):
            return {a.title for a in self.client.get(self.url("list"), query).context["table"].data}

        self.assertEqual(titles(planned="planned"), {planned.title})
        self.assertEqual(titles(planned="unplanned"), {self.inside.title, lecture.title})
        self.assertEqual(titles(activity_type=kind("同心大讲堂").pk), {lecture.title})
        self.assertEqual(titles(year="2025", month="4"), {planned.title})
        self.assertEqual(titles(date_from="2025-03-01", date_to="2025-04-30"), {self.inside.title, planned.title})
        self.assertEqual(titles(unit=self.org.village1.pk, q="讲堂"), {lecture.title})

    def test_export_is_scoped_and_audited(self):
        person = Person.objects.create(name="陈东溪", owner_unit=self.org.village1)
        self.inside.participants.add(person)
        self.client.force_login(self.user)
        text = export_text(self.client.get(self.url("export"), {"year": "2025"}))
        self.assertIn(self.inside.title, text)
        self.assertIn("陈东溪", text)
        self.assertNotIn(self.outside.title, text)
        event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="activities.Activity").last()
        self.assertEqual(event.user, self.user)
        self.assertEqual(event.changes["行数"], 1)
        self.assertEqual(event.changes["筛选条件"], {"year": "2025"})

    def test_participants_the_user_may_not_see_are_counted_not_named(self):
        # 周西岭 took part, then moved to town02's ledger: town01 keeps the activity, not the person.
        here = Person.objects.create(name="陈东溪", owner_unit=self.org.village1)
        moved = Person.objects.create(name="周西岭", owner_unit=self.org.village1)
        self.inside.participants.add(here, moved)
        Person.objects.filter(pk=moved.pk).update(owner_unit=self.org.village2)
        self.client.force_login(self.user)
        page = self.client.get(self.url("detail", self.inside))
        self.assertEqual(page.context["participants"], [here])
        self.assertEqual((page.context["participant_count"], page.context["hidden_participants"]), (2, 1))
        self.assertNotContains(page, "周西岭")
        self.assertNotContains(page, "西岭村")
        self.assertContains(page, "另有 1 人的台账档案不在您的数据范围内")
        rows = [row for row in export_text(self.client.get(self.url("export"))).split("\n")]
        self.assertIn("陈东溪", rows)
        self.assertNotIn("周西岭", "\n".join(rows))
        # The edit form neither shows nor drops the hidden participant.
        form_page = self.client.get(self.url("edit", self.inside))
        self.assertNotContains(form_page, "周西岭")
        self.assertContains(form_page, "另有 1 名参加人员")
        data = self.form_data(self.org.village1, title=self.inside.title, start="2025-03-05T09:00",
                              end="2025-03-05T11:00", participants=[here.pk])
        self.assertRedirects(self.client.post(self.url("edit", self.inside), data), self.inside.get_absolute_url())
        self.assertEqual(set(self.inside.participants.all()), {here, moved})
        # Who may see both sees both.
        self.client.force_login(self.users["county_staff"])
        self.assertContains(self.client.get(self.url("detail", self.inside)), "周西岭")
        self.assertIn("周西岭", export_text(self.client.get(self.url("export"))))


class PhotoViewTests(CountyViewTestData, ViewTestCases.GetObject, ViewTestCases.DeleteObject):
    """An activity's photos: uploaded with the activity's form (PhotoTests), served and removed on their own, within
    the activity's scope; a removal is audited as an update of the activity."""

    model = Photo
    url_prefix = "activities:photo"
    route_names = {"detail": "activities:photo"}
    other_routes = ("thumb",)
    route_actions = {"delete": "change"}
    audit_actions = {"delete": AuditEvent.Action.UPDATE}
    delete_confirm_page = False  # a button on the activity's page

    @classmethod
    def make_object(cls, unit):
        return cls.photograph(make_activity(unit, at(2025, 3, 5), title=f"{unit.name}同心行"))

    @classmethod
    def make_own_object(cls, user):
        return cls.photograph(make_activity(user.unit, at(2025, 3, 6), title="本人活动", created_by=user))

    @classmethod
    def photograph(cls, activity):
        photo = Photo(activity=activity)
        # The view serves the stored bytes as they are: a marker names the photo in the response.
        photo.image.save("a.jpg", ContentFile(cls.content(activity).encode()), save=False)
        photo.thumbnail.save("a_thumb.jpg", ContentFile(b"thumb"), save=False)
        photo.save()
        return photo

    @staticmethod
    def content(activity):
        return f"照片：{activity.title}"

    def object_text(self, obj):
        return self.content(obj.activity)

    def object_unit(self, obj):
        return obj.activity.owner_unit

    def audit_object(self, obj):
        return obj.activity


class CalendarTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town1_user = create_user("t_town1", cls.org.town1, "town_officer")

    def test_calendar_shows_only_activities_in_scope(self):
        mine = make_activity(self.org.village1, at(2026, 11, 3), title="东溪十一月活动")
        theirs = make_activity(self.org.village2, at(2026, 11, 3), title="西岭十一月活动")
        december = make_activity(self.org.village1, at(2026, 12, 15), title="东溪十二月活动")
        self.client.force_login(self.town1_user)
        page = self.client.get(reverse("activities:calendar"), {"month": "2026-11"})
        self.assertContains(page, "2026年11月")
        self.assertContains(page, f'data-activity="{mine.pk}"', count=2)  # in the grid and in the phone list
        self.assertNotContains(page, theirs.title)
        self.assertNotContains(page, december.title)
        self.assertEqual(page.context["previous"], "2026-10")
        self.assertEqual(page.context["following"], "2026-12")
        self.assertEqual(page.context["month_count"], 1)
        self.assertEqual(len(page.context["weeks"]), 6)  # 2026-11 starts on a Sunday: Oct 26 to Dec 6
        self.assertEqual(page.context["weeks"][0][0][0], datetime.date(2026, 10, 26))

    def test_a_wrong_month_falls_back_to_this_month(self):
        self.client.force_login(self.town1_user)
        page = self.client.get(reverse("activities:calendar"), {"month": "2026-13"})
        today = timezone.localdate()
        self.assertEqual(page.context["month_value"], f"{today:%Y-%m}")


class DueTests(TestCase):
    """A hand-made year: 2025 is over, so every occurrence is due."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.county_staff = create_user("t_county", cls.org.county, "county_staff")
        cls.town1_user = create_user("t_town1", cls.org.town1, "town_officer")
        cls.town2_user = create_user("t_town2", cls.org.town2, "town_officer")
        org = cls.org
        monthly = make_plan(org.village1)  # 12 due; Jan, Feb (twice), Mar held: 3 fulfilled
        for day in ((1, 10), (2, 3), (2, 20), (3, 8)):
            make_activity(org.village1, at(2025, *day), plan=monthly)
        lecture = make_plan(org.town1, type_name="同心大讲堂", frequency=Frequency.QUARTER)  # 4 due, Q2 held
        make_activity(org.town1, at(2025, 5, 6), plan=lecture, type_name="同心大讲堂")
        make_plan(org.village2, frequency=Frequency.HALF_YEAR)  # 2 due, none held
        make_activity(org.village1, at(2025, 4, 1))  # no plan: counts nowhere
        make_plan(org.village1, year=2024, frequency=Frequency.YEAR)  # another year

    def rows(self, response):
        return {row.label: (row.plans, row.expected, row.fulfilled, row.missing, row.rate)
                for row in response.context["rows"]}

    def test_town_officer_sees_villages_and_own_level(self):
        self.client.force_login(self.town1_user)
        response = self.client.get(reverse("activities:due"), {"year": "2025"})
        self.assertEqual(self.rows(response), {
            "东溪村": (1, 12, 3, 9, 25.0),
            "东溪镇（本级）": (1, 4, 1, 3, 25.0),
            "合计": (2, 16, 4, 12, 25.0),
        })
        self.assertEqual(len(response.context["missing"]), 12)
        self.assertNotContains(response, "西岭")

    def test_county_sees_towns_aggregated_and_drills_down(self):
        self.client.force_login(self.county_staff)
        response = self.client.get(reverse("activities:due"), {"year": "2025"})
        rows = self.rows(response)
        self.assertEqual(rows["东溪镇"], (2, 16, 4, 12, 25.0))
        self.assertEqual(rows["西岭镇"], (1, 2, 0, 2, 0.0))
        self.assertEqual(rows["县教育局"], (0, 0, 0, 0, None))  # listed: no plan made
        self.assertEqual(rows["合计"], (3, 18, 4, 14, 22.2))
        drill = self.client.get(reverse("activities:due"), {"year": "2025", "unit": self.org.town2.pk})
        self.assertEqual(self.rows(drill), {"西岭村": (1, 2, 0, 2, 0.0), "合计": (1, 2, 0, 2, 0.0)})
        self.assertEqual([(p.owner_unit, o.label) for p, o in drill.context["missing"]],
                         [(self.org.village2, "上半年"), (self.org.village2, "下半年")])

    def test_drilling_outside_scope_is_not_found(self):
        self.client.force_login(self.town2_user)
        response = self.client.get(reverse("activities:due"), {"year": "2025", "unit": self.org.town1.pk})
        self.assertEqual(response.status_code, 404)

    def test_a_running_year_counts_only_what_is_due(self):
        plan = make_plan(self.org.village1, year=2026)
        make_activity(self.org.village1, at(2026, 1, 9), plan=plan)
        make_activity(self.org.village1, at(2026, 3, 2), plan=plan)  # the current month, already held
        rows, missing = due_table(self.town1_user, 2026, today=datetime.date(2026, 3, 15))
        village = rows[0]
        self.assertEqual((village.planned, village.expected, village.fulfilled, village.missing), (12, 3, 2, 1))
        self.assertEqual([o.key for _, o in missing], ["2026-02"])

    def test_export_is_scoped_and_audited(self):
        self.client.force_login(self.town1_user)
        text = export_text(self.client.get(reverse("activities:due_export"), {"year": "2025"}))
        self.assertIn("东溪村", text)
        self.assertIn("未开展明细", text)
        self.assertNotIn("西岭", text)
        event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="activities.Plan").last()
        self.assertEqual(event.changes["年度"], 2025)
        self.assertEqual(event.changes["未开展期次"], 12)

    def test_leader_may_view_but_not_export(self):
        leader = create_user("t_leader", self.org.town1, "leader")
        self.client.force_login(leader)
        self.assertEqual(self.client.get(reverse("activities:due"), {"year": "2025"}).status_code, 200)
        self.assertEqual(self.client.get(reverse("activities:due_export")).status_code, 403)


def jpeg_upload(name="IMG_0001.jpg", size=(640, 480)):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, (70, 130, 180)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


class PhotoTests(TestCase):
    """Photos come in with the activity form, are checked by content, and are served only within scope."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town1_user = create_user("p_town1", cls.org.town1, "town_officer")
        cls.town2_user = create_user("p_town2", cls.org.town2, "town_officer")

    def form_data(self, **extra):
        return {"activity_type": kind().pk, "title": "三月同心行", "start": "2025-03-08T09:30", "end": "",
                "place": "村委会", "owner_unit": self.org.village1.pk, "other_participants": "0",
                "content": "政策宣讲", "outcome": "", "plan": "", **extra}

    def test_photos_are_saved_with_the_activity_and_served_only_within_scope(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("activities:activity_add"),
                                    self.form_data(photos=[jpeg_upload(), jpeg_upload("b.jpg")]))
        activity = Activity.objects.get()
        self.assertRedirects(response, activity.get_absolute_url())
        photo = activity.photos.first()
        self.assertEqual(activity.photos.count(), 2)
        image = self.client.get(reverse("activities:photo", args=[photo.pk]))
        self.assertEqual((image.status_code, image["Content-Type"]), (200, "image/jpeg"))
        self.assertEqual(self.client.get(reverse("activities:photo_thumb", args=[photo.pk])).status_code, 200)

        self.client.force_login(self.town2_user)
        self.assertEqual(self.client.get(reverse("activities:photo", args=[photo.pk])).status_code, 404)
        self.assertEqual(self.client.post(reverse("activities:photo_delete", args=[photo.pk])).status_code, 404)
        self.assertEqual(activity.photos.count(), 2)

    def test_a_renamed_non_image_is_refused_and_nothing_is_saved(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.client.force_login(self.town1_user)
        fake = SimpleUploadedFile("现场照片.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
        response = self.client.post(reverse("activities:activity_add"), self.form_data(photos=[fake]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "“现场照片.jpg”：文件不是有效的图片（仅支持 JPG、PNG、WebP）")
        self.assertFalse(Activity.objects.exists())

    def test_an_oversized_photo_is_refused_and_nothing_is_saved(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.client.force_login(self.town1_user)
        big = SimpleUploadedFile("大照片.jpg", jpeg_upload().read() + b"\0" * (10 * 1024 * 1024),
                                 content_type="image/jpeg")
        response = self.client.post(reverse("activities:activity_add"), self.form_data(photos=[big]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "“大照片.jpg”：照片不能超过 10 MB")
        self.assertFalse(Activity.objects.exists())
