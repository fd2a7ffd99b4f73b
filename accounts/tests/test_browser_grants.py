"""In a browser: the security administrator creates an account (the initial password shown once, printable as a
slip), asks for a business role; the department leader approves it; the auditor finds both in the daily review."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from accounts.testing import browser_login, create_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_account_grant_approve_and_review(live_server, new_page, output_dir, org):
    create_user("secadmin", org.county, "secadmin")
    create_user("dept_leader", org.county, "grant_approver", full_name="郑卫东")
    create_user("auditor", org.county, "auditor")

    # Yesterday, as far as the audit log is concerned, so the auditor can review and mark the day.
    yesterday = timezone.now() - timedelta(days=1)
    with mock.patch("core.audit.timezone.now", return_value=yesterday):
        page = new_page()
        browser_login(page, live_server.url, "secadmin")
        page.goto(f"{live_server.url}/accounts/users/add/")
        assert page.locator("input[type=password]").count() == 0  # the password is generated, never typed
        page.fill("input[name=username]", "newcomer")
        page.fill("input[name=full_name]", "新同事")
        page.select_option("select[name=unit]", label="\u3000东溪镇", force=True)
        page.click("button:has-text('创建')")
        page.wait_for_selector("[data-issued-password]")
        password = page.locator("[data-issued-password]").inner_text()
        assert len(password) >= 12
        page.screenshot(path=output_dir / "grants-password-issued.png", full_page=True)
        page.emulate_media(media="print")
        page.screenshot(path=output_dir / "grants-password-slip-print.png", full_page=True)
        assert page.locator(".page-title").evaluate("e => getComputedStyle(e).visibility") == "hidden"
        assert page.locator("[data-password-slip]").evaluate("e => getComputedStyle(e).visibility") == "visible"
        page.emulate_media(media="screen")
        page.reload()
        assert page.locator("[data-issued-password]").count() == 0
        assert "不再显示" in page.content()

        page.goto(f"{live_server.url}/accounts/users/")
        page.click("text=newcomer")
        page.click("text=授予角色")
        page.select_option("select[name=role]", label="镇街统战委员（本单位及以下）", force=True)
        page.click("button:has-text('授予')")
        page.wait_for_selector("text=须经授权审批人（部领导）批准后生效")
        page.screenshot(path=output_dir / "grants-requested.png", full_page=True)

        leader = new_page(390, 844)
        browser_login(leader, live_server.url, "dept_leader")
        leader.goto(f"{live_server.url}/accounts/grants/review/")
        leader.click("a.btn:has-text('审批')")
        leader.fill("textarea[name=note]", "同意，已核实到岗")
        leader.screenshot(path=output_dir / "grants-review-phone.png", full_page=True)
        leader.click("button[value=approve]")
        leader.wait_for_selector("text=已批准，即时生效")

    auditor = new_page()
    browser_login(auditor, live_server.url, "auditor")
    auditor.goto(f"{live_server.url}/audit/review/")
    text = auditor.locator(".page-body").inner_text()
    assert "newcomer · 镇街统战委员" in text and "批准授权" in text
    auditor.screenshot(path=output_dir / "grants-daily-review.png", full_page=True)
    auditor.fill("input[name=note]", "正常")
    auditor.click("text=标记为已复核")
    auditor.wait_for_selector("text=已复核：auditor")
