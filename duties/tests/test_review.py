"""据单督查, the reviewers' side: the queue and its filters, approve / return / rescore with steps kept, the score
validated against the item's range, in-app notifications to the unit, and that only reviewers may review."""

import re
from decimal import Decimal as D

from django.test import TestCase
from django.urls import reverse

from accounts.testing import create_user
from core.models import AuditEvent, Notification
from duties.assessment import assess
from duties.models import Submission, SubmissionStep

from .submission_fixtures import build, submission

S = Submission.Status
QUEUE = reverse("duties:review_queue")


def review_url(obj):
    return reverse("duties:review", args=[obj.pk])


class ReviewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ns = build()
        cls.org, cls.items = cls.ns.org, cls.ns.items

    def setUp(self):
        ns = self.ns
        self.feature = submission(ns, self.items.feature, self.org.town1, "2025", S.SUBMITTED, text="特色亮点材料")
        self.plan = submission(ns, self.items.plan, self.org.town2, "2025", S.SUBMITTED, text="西岭镇工作计划")
        self.bonus = submission(ns, self.items.bonus, self.org.town1, "2025", S.SUBMITTED, text="信息采用3篇")
        self.draft = submission(ns, self.items.lecture, self.org.town1, "2025-Q3", S.IN_PROGRESS)
        self.client.force_login(ns.county_staff)

    def decide(self, obj, decision, **data):
        return self.client.post(review_url(obj), {"decision": decision, **data})


class PermissionTests(ReviewTestCase):
    def test_town_officer_cannot_review(self):
        self.client.force_login(self.ns.town1_user)
        self.assertEqual(self.client.get(QUEUE).status_code, 403)
        self.assertEqual(self.client.get(review_url(self.feature)).status_code, 403)
        self.assertEqual(self.decide(self.feature, "approve", score="5").status_code, 403)
        self.feature.refresh_from_db()
        self.assertEqual((self.feature.status, self.feature.score), (S.SUBMITTED, None))
        self.assertEqual(self.feature.steps.count(), 1)
        # no review button on the unit's own page either
        self.assertNotContains(self.client.get(reverse("duties:submission_detail", args=[self.feature.pk])),
                               review_url(self.feature))

    def test_no_role_and_anonymous(self):
        self.client.force_login(create_user("d_nobody", self.org.town1))
        self.assertEqual(self.client.get(QUEUE).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(QUEUE).status_code, 302)
        self.assertEqual(self.client.post(review_url(self.feature), {"decision": "approve"}).status_code, 302)

    def test_unknown_submission(self):
        self.assertEqual(self.client.get(reverse("duties:review", args=[999999])).status_code, 404)


class QueueTests(ReviewTestCase):
    def test_queue_lists_submitted_items_oldest_first(self):
        response = self.client.get(QUEUE)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["submissions"]), [self.feature, self.plan, self.bonus])
        self.assertContains(response, "待审核 3")
        self.assertNotContains(response, review_url(self.draft))

    def test_filters(self):
        def shown(**query):
            return list(self.client.get(QUEUE, query).context["submissions"])

        self.assertEqual(shown(unit=self.org.town2.pk), [self.plan])
        self.assertEqual(shown(category=self.items.extra.pk), [self.bonus])
        self.assertEqual(shown(scheme=self.ns.scheme.pk, unit=self.org.town1.pk), [self.feature, self.bonus])
        self.assertEqual(shown(status=S.IN_PROGRESS), [self.draft])
        self.assertEqual(len(shown(status="")), 4)
        self.assertEqual(len(shown(unit="bogus")), 3)  # a bad filter is ignored
        # a unit takes the units below it, as on every list page and in the API (SubmissionFilterSet)
        self.assertEqual(shown(unit=self.org.county.pk), [self.feature, self.plan, self.bonus])

    def test_the_filter_form_offers_the_queue_s_choices(self):
        page = self.client.get(QUEUE, {"scheme": self.ns.scheme.pk}).content.decode()
        start = page.index("data-review-filter")
        form = page[start:page.index("</form>", start)]
        self.assertEqual(re.findall(r'<select name="(\w+)"', form), ["scheme", "unit", "category", "status"])
        self.assertIn(f'<option value="{self.ns.scheme.pk}" selected>{self.ns.scheme.title}</option>', form)
        self.assertIn(f'<option value="{S.SUBMITTED}" selected>', form)
        self.assertNotIn(f'<option value="{S.NOT_STARTED}"', form)
        self.assertEqual(form.count("全部状态"), 1)
        self.assertIn(f'<option value="{self.org.town2.pk}">西岭镇</option>', form)


class DecisionTests(ReviewTestCase):
    def test_review_page_shows_evidence_and_rule(self):
        lecture = submission(self.ns, self.items.lecture, self.org.town1, "2025-Q1", S.SUBMITTED, text="第一讲")
        response = self.client.get(review_url(lecture))
        self.assertContains(response, "第一讲")
        self.assertContains(response, "自动取数：开展活动（指定类型）：1次（要求≥1），达标，建议得4分。")
        self.assertContains(response, 'data-review-form')

    def test_approve_with_score_notifies_the_unit(self):
        response = self.decide(self.feature, "approve", score="4.5", comment="亮点突出")
        self.assertRedirects(response, QUEUE)
        self.feature.refresh_from_db()
        self.assertEqual((self.feature.status, self.feature.score, self.feature.reviewed_by),
                         (S.PASSED, D("4.50"), self.ns.county_staff))
        step = self.feature.steps.last()
        self.assertEqual((step.action, step.score, step.comment, step.status_after, step.user),
                         (SubmissionStep.Action.APPROVE, D("4.50"), "亮点突出", S.PASSED, self.ns.county_staff))
        note = Notification.objects.get(recipient=self.ns.town1_user)
        self.assertEqual(note.title, "职责清单事项已通过：统战工作特色亮点（2025年）")
        self.assertIn("得分：4.5分", note.body)
        self.assertEqual(note.url, reverse("duties:submission_detail", args=[self.feature.pk]))
        self.assertFalse(Notification.objects.filter(recipient=self.ns.town2_user).exists())
        event = AuditEvent.objects.filter(object_type="duties.Submission", object_id=str(self.feature.pk)).latest("id")
        self.assertEqual(event.changes["审核"], "通过")
        self.assertEqual(event.changes["状态"], ["已提交", "已通过"])
        # the score counts in the unit's assessment
        result = assess(self.ns.scheme, self.org.town1)
        self.assertEqual(next(i for i in result.items if i.indicator == self.items.feature).score.score, D("4.50"))

    def test_score_out_of_range_is_refused_in_chinese(self):
        for score in ("6", "0.5", "-1"):
            response = self.decide(self.feature, "approve", score=score)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "得分应在1至5分之间。")
        response = self.decide(self.bonus, "approve", score="2")
        self.assertContains(response, "加分应在0至1分之间。")
        response = self.decide(self.feature, "approve", score="abc")
        self.assertContains(response, "得分应为数字。")
        self.feature.refresh_from_db()
        self.assertEqual((self.feature.status, self.feature.score), (S.SUBMITTED, None))
        self.assertEqual(self.feature.steps.count(), 1)
        self.assertFalse(Notification.objects.exists())

    def test_review_item_needs_a_score(self):
        response = self.decide(self.feature, "approve")
        self.assertContains(response, "评审打分事项请填写得分。")
        self.assertEqual(Submission.objects.get(pk=self.feature.pk).status, S.SUBMITTED)

    def test_return_needs_a_comment_and_clears_the_score(self):
        response = self.decide(self.plan, "return", comment="  ")
        self.assertContains(response, "退回时请填写审核意见")
        self.assertEqual(Submission.objects.get(pk=self.plan.pk).status, S.SUBMITTED)
        self.decide(self.plan, "return", comment="计划缺少时间安排")
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.status, S.RETURNED)
        note = Notification.objects.get(recipient=self.ns.town2_user)
        self.assertEqual(note.title, "职责清单事项被退回：报送年度统战工作计划（2025年）")
        self.assertIn("计划缺少时间安排", note.body)

    def test_counted_item_approved_by_count(self):
        response = self.decide(self.bonus, "approve")
        self.assertContains(response, "请填写认定次数或得分。")
        self.decide(self.bonus, "approve", count="3")
        self.bonus.refresh_from_db()
        self.assertEqual((self.bonus.status, self.bonus.count, self.bonus.score), (S.PASSED, 3, None))
        result = assess(self.ns.scheme, self.org.town1)
        self.assertEqual(result.score.bonus, D("1.00"))  # 3 × 0.5 capped at 1

    def test_done_item_passes_for_full_points(self):
        self.decide(self.plan, "approve")
        result = assess(self.ns.scheme, self.org.town2)
        self.assertEqual(next(i for i in result.items if i.indicator == self.items.plan).score.score, D("2.00"))

    def test_only_submitted_items_are_decided(self):
        response = self.decide(self.draft, "approve")
        self.assertContains(response, "不能执行此操作")
        self.assertEqual(Submission.objects.get(pk=self.draft.pk).status, S.IN_PROGRESS)
        self.assertNotContains(self.client.get(review_url(self.draft)), "data-review-form")
        response = self.decide(self.feature, "bogus")
        self.assertContains(response, "请选择“通过”或“退回”。")

    def test_rescore_and_revoke_a_passed_item(self):
        self.decide(self.feature, "approve", score="3")
        self.decide(self.feature, "score", score="9")
        self.assertEqual(Submission.objects.get(pk=self.feature.pk).score, D("3"))
        self.decide(self.feature, "score", score="5", comment="复核后调整")
        self.feature.refresh_from_db()
        self.assertEqual((self.feature.status, self.feature.score), (S.PASSED, D("5")))
        self.decide(self.feature, "return", comment="材料与实际不符")
        self.feature.refresh_from_db()
        self.assertEqual((self.feature.status, self.feature.score), (S.RETURNED, None))
        self.assertEqual([s.action for s in self.feature.steps.all()], ["submit", "approve", "score", "return"])


class FlowTests(ReviewTestCase):
    def test_submit_return_resubmit_approve(self):
        town1 = self.ns.town1_user
        self.client.force_login(town1)
        start = reverse("duties:submission_start", kwargs={"indicator": self.items.overseas.pk,
                                                           "unit": self.org.town1.pk, "period": "2025"})
        self.client.post(start, {"text": "侨务工作总结", "submit": "1"})
        item = Submission.objects.get(indicator=self.items.overseas)
        self.client.force_login(self.ns.county_staff)
        queue = self.client.get(QUEUE, {"unit": self.org.town1.pk})
        self.assertIn(item, list(queue.context["submissions"]))
        self.decide(item, "return", comment="请附侨联活动记录")
        self.client.force_login(town1)
        self.client.post(reverse("duties:submission_detail", args=[item.pk]), {
            "text": "侨务工作总结（补充）", "records": [f"activities.activity:{self.ns.lecture_q1.pk}"], "submit": "1"})
        self.client.force_login(self.ns.county_staff)
        page = self.client.get(review_url(item))
        self.assertContains(page, self.ns.lecture_q1.title)
        self.decide(item, "approve", comment="同意")
        item.refresh_from_db()
        self.assertEqual(item.status, S.PASSED)
        self.assertEqual([(s.action, s.status_after, s.user) for s in item.steps.all()], [
            ("submit", S.SUBMITTED, town1), ("return", S.RETURNED, self.ns.county_staff),
            ("submit", S.SUBMITTED, town1), ("approve", S.PASSED, self.ns.county_staff)])
        titles = list(Notification.objects.filter(recipient=town1).order_by("id").values_list("title", flat=True))
        self.assertEqual(titles, ["职责清单事项被退回：东溪镇侨务工作（2025年）",
                                  "职责清单事项已通过：东溪镇侨务工作（2025年）"])
        self.client.force_login(town1)
        listing = self.client.get(reverse("duties:unit_list"), {"year": 2025})
        overseas = listing.context["categories"][1]["items"][1]
        self.assertEqual((overseas.occurrences[0].status_label, overseas.score.score), ("已通过", D("3.00")))
