"""A village liaison's activity sent with no network (390 px): kept on the phone with its participant picked from
the ledger, sent once the form is opened again online — one activity, the same participant."""

import re

import pytest
from playwright.sync_api import expect

from accounts.testing import browser_login
from activities.models import Activity

from .test_browser_activities import village  # noqa: F401 -- the fixture: a village, its liaison and plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_activity_draft_kept_offline_is_sent_once(live_server, new_page, output_dir, village):  # noqa: F811
    org, plan = village
    page = new_page(390, 844)
    browser_login(page, live_server.url, "liaison")
    form_url = f"{live_server.url}/activities/add/"
    page.goto(form_url)
    page.fill("#id_place", "东溪村文化礼堂")
    picker = page.locator("#id_participants + .ts-wrapper")
    picker.click()
    page.keyboard.type("zsf")
    picker.locator(".ts-dropdown .option:has-text('张三丰')").click()
    page.keyboard.press("Escape")
    page.fill("#id_content", "政策宣讲")

    page.context.set_offline(True)
    page.click("button:has-text('保存活动')")
    expect(page.locator("[data-draft-banner]")).to_have_text("网络已断开，草稿已保存在本机，恢复网络后自动提交")
    page.screenshot(path=str(output_dir / "activities-form-offline-390.png"), full_page=True)
    context = page.context
    page.close()
    context.set_offline(False)

    page = context.new_page()
    page.goto(form_url)
    page.wait_for_url(re.compile(r"/activities/\d+/$"))
    activity = Activity.objects.get()
    assert [p.name for p in activity.participants.all()] == ["张三丰"]
    assert (activity.place, activity.plan, activity.owner_unit) == ("东溪村文化礼堂", plan, org.village1)
    page.goto(form_url)  # a fresh form: no draft left, nothing sent again
    expect(page.locator("[data-draft-banner]")).to_be_hidden()
    assert Activity.objects.count() == 1
