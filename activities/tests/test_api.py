"""Activities over the REST API: scoped like the list page, validated like the form, photos through core.images."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from accounts.testing import bearer, create_user
from activities.models import Activity, Photo
from activities.tests.test_views import at, jpeg_upload, kind, make_activity, make_plan
from core.models import AuditEvent
from org.testing import build_county
from people.models import Person


class ActivityApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town01 = create_user("town01", cls.org.town1, "town_officer")
        cls.town02 = create_user("town02", cls.org.town2, "town_officer")
        cls.inside = make_activity(cls.org.village1, at(2025, 3, 8), title="东溪三月同心行")
        cls.outside = make_activity(cls.org.village2, at(2025, 3, 9), title="西岭三月同心行")
        cls.neighbour = Person.objects.create(name="王西岭", owner_unit=cls.org.village2)
        cls.villager = Person.objects.create(name="李东明", owner_unit=cls.org.village1)
        cls.inside.participants.add(cls.neighbour, cls.villager)

    def call(self, user, method, path, body=None, *, write=True):
        return getattr(self.client, method)(path, body, content_type="application/json",
                                            **bearer(user, write=write))

    def upload(self, user, activity, *files, write=True):
        return self.client.post(f"/api/v1/activities/{activity.pk}/photos/", {"photos": list(files)},
                                **bearer(user, write=write))

    def titles(self, user, query=""):
        return [a["title"] for a in self.call(user, "get", f"/api/v1/activities/{query}").json()["items"]]

    def test_the_list_is_the_list_page_s_scope_and_filters(self):
        lecture = make_activity(self.org.town1, at(2024, 6, 1), title="镇大讲堂", type_name="同心大讲堂",
                                plan=make_plan(self.org.town1, year=2024, type_name="同心大讲堂"))
        self.assertEqual(self.titles(self.town01), ["东溪三月同心行", "镇大讲堂"])
        self.assertEqual(self.titles(self.town02), ["西岭三月同心行"])
        self.assertEqual(self.titles(self.town01, f"?activity_type={kind('同心大讲堂').pk}"), ["镇大讲堂"])
        self.assertEqual(self.titles(self.town01, "?year=2025"), ["东溪三月同心行"])
        self.assertEqual(self.titles(self.town01, "?planned=planned"), ["镇大讲堂"])
        self.assertEqual(self.titles(self.town01, "?q=东溪"), ["东溪三月同心行"])
        self.assertEqual(self.titles(self.town01, f"?unit={self.org.village1.pk}"), ["东溪三月同心行"])
        row = self.call(self.town01, "get", "/api/v1/activities/?q=大讲堂").json()["items"][0]
        self.assertEqual((row["id"], row["planned"], row["owner_unit"]["name"]), (lecture.pk, True, "东溪镇"))

    def test_pages_never_repeat_or_skip_a_row(self):
        for n in range(5):  # the same start: only the id tells them apart
            make_activity(self.org.village1, at(2025, 3, 8), title=f"同时{n}")
        seen = []
        for page in (1, 2, 3):
            items = self.call(self.town01, "get", f"/api/v1/activities/?page={page}&page_size=2").json()["items"]
            seen += [a["id"] for a in items]
        self.assertEqual(len(seen), 6)
        self.assertEqual(len(set(seen)), 6)

    def test_a_filter_the_page_refuses_is_422_naming_it(self):
        response = self.call(self.town01, "get", f"/api/v1/activities/?unit={self.org.village2.pk}")
        self.assertEqual(response.status_code, 422)
        self.assertIn("unit", response.json()["errors"])

    def test_another_town_s_activity_is_404_everywhere(self):
        pk = self.inside.pk
        for method, path, body in (("get", f"/api/v1/activities/{pk}/", None),
                                   ("patch", f"/api/v1/activities/{pk}/", {"place": "x"}),
                                   ("get", f"/api/v1/activities/{pk}/photos/", None)):
            with self.subTest(method=method, path=path):
                response = self.call(self.town02, method, path, body)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("东溪", response.content.decode())
        self.assertEqual(self.upload(self.town02, self.inside, jpeg_upload()).status_code, 404)
        self.assertFalse(Photo.objects.exists())
        self.inside.refresh_from_db()
        self.assertEqual(self.inside.place, "文化礼堂")

    def test_the_detail_names_only_the_participants_the_user_may_see(self):
        body = self.call(self.town01, "get", f"/api/v1/activities/{self.inside.pk}/").json()
        self.assertEqual([p["name"] for p in body["participants"]], ["李东明"])
        self.assertEqual((body["participant_count"], body["hidden_participants"]), (2, 1))
        self.assertNotIn("王西岭", str(body))
        self.assertEqual(body["activity_type"], {"id": kind().pk, "name": "同心行活动日"})

    def test_create_validates_like_the_form_and_changes_nothing_when_invalid(self):
        response = self.call(self.town01, "post", "/api/v1/activities/", {
            "activity_type": kind().pk, "start": "2025-04-01T09:00:00+08:00", "owner_unit": self.org.village1.pk,
            "content": "宣讲"})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"]["place"], ["请填写活动地点"])
        outside = self.call(self.town01, "post", "/api/v1/activities/", {
            "activity_type": kind().pk, "start": "2025-04-01T09:00:00+08:00", "owner_unit": self.org.village1.pk,
            "place": "礼堂", "content": "宣讲", "participants": [self.neighbour.pk]})
        self.assertEqual(outside.json()["errors"]["participants"], ["请选择您数据范围内的台账人员"])
        self.assertEqual(Activity.objects.count(), 2)

    def test_create_saves_like_the_page_with_an_audit_event_naming_the_token(self):
        response = self.call(self.town01, "post", "/api/v1/activities/", {
            "activity_type": kind().pk, "start": "2025-04-01T09:00:00+08:00", "owner_unit": self.org.village1.pk,
            "place": "礼堂", "content": "宣讲", "participants": [self.villager.pk]})
        self.assertEqual(response.status_code, 201, response.content)
        activity = Activity.objects.get(pk=response.json()["id"])
        self.assertEqual((activity.title, activity.created_by), ("4月1日同心行活动日", self.town01))
        self.assertEqual(activity.end - activity.start, at(2025, 1, 1, 11) - at(2025, 1, 1, 9))
        self.assertEqual(list(activity.participants.all()), [self.villager])
        event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_id=str(activity.pk))
        self.assertEqual((event.username, event.changes["访问令牌"]), ("town01", "测试"))

    def test_update_changes_what_it_sends_and_keeps_participants_the_user_cannot_see(self):
        response = self.call(self.town01, "patch", f"/api/v1/activities/{self.inside.pk}/", {"place": "新礼堂"})
        self.assertEqual(response.status_code, 200, response.content)
        self.inside.refresh_from_db()
        self.assertEqual((self.inside.place, self.inside.title), ("新礼堂", "东溪三月同心行"))
        self.assertEqual(set(self.inside.participants.all()), {self.neighbour, self.villager})
        self.call(self.town01, "patch", f"/api/v1/activities/{self.inside.pk}/", {"participants": []})
        self.assertEqual(list(self.inside.participants.all()), [self.neighbour])
        event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).earliest("pk")
        self.assertEqual((event.changes["地点"], event.changes["访问令牌"]), (["文化礼堂", "新礼堂"], "测试"))

    def test_an_invalid_update_is_422_naming_the_field_and_changes_nothing(self):
        for body, field, message in (({"end": "2025-03-07T09:00:00+08:00"}, "end", "结束时间不能早于开始时间"),
                                     ({"owner_unit": self.org.village2.pk}, "owner_unit", "请选择您数据范围内的单位")):
            with self.subTest(field=field):
                response = self.call(self.town01, "patch", f"/api/v1/activities/{self.inside.pk}/", body)
                self.assertEqual(response.status_code, 422)
                self.assertEqual(response.json()["errors"][field], [message])
        self.inside.refresh_from_db()
        self.assertEqual((self.inside.owner_unit, self.inside.end), (self.org.village1, at(2025, 3, 8, 11)))
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists())

    def test_a_read_only_token_and_a_role_without_the_action_are_refused(self):
        leader = create_user("leader", self.org.town1, "leader")
        for user, write in ((self.town01, False), (leader, True)):
            with self.subTest(user=user.username):
                created = self.call(user, "post", "/api/v1/activities/", {"place": "x"}, write=write)
                changed = self.call(user, "patch", f"/api/v1/activities/{self.inside.pk}/", {"place": "x"},
                                    write=write)
                uploaded = self.upload(user, self.inside, jpeg_upload(), write=write)
                self.assertEqual([created.status_code, changed.status_code, uploaded.status_code], [403] * 3)
        self.assertEqual(self.call(leader, "get", f"/api/v1/activities/{self.inside.pk}/").status_code, 200)
        self.assertEqual((Activity.objects.count(), Photo.objects.count()), (2, 0))

    def test_photos_go_through_the_page_s_image_pipeline_and_are_audited(self):
        response = self.upload(self.town01, self.inside, jpeg_upload(), jpeg_upload("b.jpg"))
        self.assertEqual(response.status_code, 201, response.content)
        photos = list(self.inside.photos.all())
        self.assertEqual(len(photos), 2)
        self.assertEqual(response.json()[0]["url"], f"http://testserver/activities/photos/{photos[0].pk}/")
        self.assertNotEqual(photos[0].image.name.rsplit("/", 1)[-1], "IMG_0001.jpg")  # re-encoded, renamed
        event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(self.inside.pk))
        self.assertEqual((event.changes["上传照片"], event.changes["访问令牌"]), ("2张", "测试"))
        detail = self.call(self.town01, "get", f"/api/v1/activities/{self.inside.pk}/").json()
        self.assertEqual([p["id"] for p in detail["photos"]], [p.pk for p in photos])

    def test_a_hostile_photo_is_refused_in_chinese_and_nothing_is_saved(self):
        fake = SimpleUploadedFile("现场照片.jpg", b"<?php system($_GET['c']); ?>", content_type="image/jpeg")
        response = self.upload(self.town01, self.inside, jpeg_upload(), fake)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"]["photos"],
                         ["“现场照片.jpg”：文件不是有效的图片（仅支持 JPG、PNG、WebP）"])
        self.assertFalse(Photo.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists())
