"""据单督查 in a browser: a town officer opens the unit's list, submits evidence for an item linking an activity
found by typing in the picker; county staff find it in the review queue, open it and pass it; the progress matrix.
Screenshots at 390 px (a phone) and 1366 px."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.testing import browser_login, create_user
from activities.models import ActivityType
from duties.models import Submission, SubmissionStep
from org.testing import build_county

from .submission_fixtures import activity, build_scheme, submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Submission.Status


@pytest.fixture
def county(db):
    org = build_county()
    year = timezone.localdate().year
    lecture, _ = ActivityType.objects.get_or_create(name="同心大讲堂")
    create_user("town1", org.town1, "town_officer", full_name="东溪委员")
    create_user("county", org.county, "county_staff", full_name="县委统战部干部")
    start = timezone.make_aware(datetime.datetime(year, 3, 20, 9, 0))
    talk = activity(org.town1, start, lecture, "民营经济政策宣讲同心大讲堂")
    activity(org.town2, start, lecture, "西岭镇民营企业座谈会")  # another town: not in the picker
    scheme, items = build_scheme(org.county, year=year, title=f"{year}年度镇街统战工作考核细则", town1=org.town1)
    # some progress, so the list and the matrix show a mix of states
    submission(None, items.feature, org.town1, str(year), S.PASSED, score=4)
    submission(None, items.plan, org.town2, str(year), S.RETURNED)
    submission(None, items.bonus, org.town2, str(year), S.SUBMITTED)
    return org, scheme, items, talk


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 800)])
def test_town_officer_submits_evidence_and_county_staff_reviews(live_server, new_page, output_dir, county, width,
                                                                  height):
    org, scheme, items, talk = county
    year = scheme.year
    page = new_page(width, height)
    browser_login(page, live_server.url, "town1")
    page.goto(f"{live_server.url}/duties/list/")
    expect(page.locator(".page-title")).to_contain_text(f"东溪镇 · {year}年职责清单")
    expect(page.locator("[data-calendar-note]")).to_contain_text("截止日期按工作日计算")
    plan = page.locator(f"[data-item='{items.plan.pk}']")
    expect(plan).to_contain_text("报送年度统战工作计划")
    expect(page.locator(f"[data-item='{items.overseas.pk}']")).to_contain_text("个性")
    expect(page.locator(f"[data-item='{items.lecture.pk}'] [data-rule]").first).to_contain_text("达标")
    if width < 576:
        # cards, not a wide table: nothing sticks out to the right
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(output_dir / f"duties-unit-list-{width}.png"), full_page=True)

    plan.locator("a:has-text('填报')").click()
    page.wait_for_url(re.compile(r"/duties/submissions/item/"))
    expect(page.locator("[data-item-card]")).to_contain_text("年度工作计划文件")
    page.fill("#id_text", "已于3月召开镇党委会研究制定年度统战工作计划，并结合同心大讲堂开展宣讲。")
    picker = page.locator("#id_records + .ts-wrapper")
    picker.click()
    page.keyboard.type("民营")
    dropdown = picker.locator(".ts-dropdown")
    option = dropdown.locator(".option:has-text('民营经济政策宣讲同心大讲堂')")
    expect(option).to_have_count(1)
    expect(dropdown).not_to_contain_text("西岭镇")  # out of scope
    option.click()
    expect(picker.locator(".item")).to_contain_text("民营经济政策宣讲同心大讲堂")
    page.keyboard.press("Escape")
    page.screenshot(path=str(output_dir / f"duties-submission-form-{width}.png"), full_page=True)
    submit = page.locator("button[name=submit]")
    if width < 576:
        assert submit.bounding_box()["width"] >= 300  # full width on a phone
    submit.click()
    page.wait_for_url(re.compile(r"/duties/submissions/\d+/$"))
    expect(page.locator("[data-submission-status]")).to_have_text("已提交")
    expect(page.locator("[data-evidence] [data-links]")).to_contain_text("民营经济政策宣讲同心大讲堂")
    expect(page.locator("[data-steps]")).to_contain_text("提交")
    page.screenshot(path=str(output_dir / f"duties-submission-done-{width}.png"), full_page=True)

    evidence = Submission.objects.get(indicator=items.plan, owner_unit=org.town1)
    assert evidence.status == S.SUBMITTED
    assert [link.record for link in evidence.links.all()] == [talk]
    assert [s.action for s in evidence.steps.all()] == [SubmissionStep.Action.SUBMIT]

    # County staff: the review queue has it; pass it.
    staff = new_page(width, height)
    browser_login(staff, live_server.url, "county")
    staff.goto(f"{live_server.url}/duties/submissions/review/")
    entry = staff.locator(f"[data-submission='{evidence.pk}']")
    expect(entry).to_contain_text("东溪镇")
    expect(entry).to_contain_text("报送年度统战工作计划")
    staff.screenshot(path=str(output_dir / f"duties-review-queue-{width}.png"), full_page=True)
    entry.click()
    staff.wait_for_url(re.compile(rf"/duties/submissions/{evidence.pk}/review/"))
    expect(staff.locator("[data-evidence]")).to_contain_text("民营经济政策宣讲同心大讲堂")
    staff.fill("#id_comment", "计划完整，同意。")
    staff.screenshot(path=str(output_dir / f"duties-review-detail-{width}.png"), full_page=True)
    staff.locator("button[value=approve]").click()
    staff.wait_for_url(re.compile(r"/duties/submissions/review/"))
    expect(staff.locator(".alert-success")).to_contain_text("已通过")
    evidence.refresh_from_db()
    assert evidence.status == S.PASSED

    staff.goto(f"{live_server.url}/duties/progress/")
    matrix = staff.locator("[data-progress-matrix]")
    expect(matrix.locator("tr[data-unit='东溪镇'] [data-score]")).to_contain_text("7/14")  # 2 + 4 + 1
    first = matrix.locator("tbody tr").first.locator(".sticky-col")
    expect(first).to_have_css("position", "sticky")
    staff.screenshot(path=str(output_dir / f"duties-progress-{width}.png"), full_page=True)
