"""At 390 px a village liaison's first screen is their three big actions and what is due this month; county staff
keep the tile grid of every menu entry."""

import pytest
from playwright.sync_api import expect

from accounts.testing import browser_login, create_user
from core.tests.test_workbench_roles import plan, village_scheme
from org.testing import build_county

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = (390, 844)


def test_village_liaison_sees_three_big_actions_first(live_server, new_page, output_dir):
    org = build_county()
    create_user("village0101", org.village1, "village_liaison", full_name="李联络")
    plan(org.village1, "东溪村同心行活动日")
    village_scheme(org.county)
    page = new_page(*PHONE)
    browser_login(page, live_server.url, "village0101")
    actions = page.locator("[data-widget=quick-actions] a.quick-action")
    expect(actions).to_have_text(["记录活动", "新增人员", "记录联系"])
    for index in range(3):
        box = actions.nth(index).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 100  # finger-sized, three to a row
        assert box["y"] + box["height"] <= PHONE[1] / 2  # in the top half of the first screen
    due = page.locator("[data-widget=due-this-month]")
    expect(due).to_contain_text("东溪村同心行活动日")
    expect(due).to_contain_text("报送本村统战工作台账")
    expect(page.locator("text=常用功能")).to_have_count(0)
    page.screenshot(path=str(output_dir / "workbench-village-liaison-390.png"), full_page=True)
    actions.first.click()
    page.wait_for_url(f"{live_server.url}/activities/add/")


def test_county_staff_keep_the_tile_grid(live_server, new_page, output_dir):
    org = build_county()
    create_user("county_staff", org.county, "county_staff", full_name="张干部")
    page = new_page(*PHONE)
    browser_login(page, live_server.url, "county_staff")
    expect(page.locator("[data-widget=quick-actions] a.quick-action")).to_have_count(3)
    expect(page.locator("h3:has-text('常用功能')")).to_be_visible()
    page.screenshot(path=str(output_dir / "workbench-county-staff-390.png"), full_page=True)
