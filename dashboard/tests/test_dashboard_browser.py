"""The dashboard in a browser: the county's charts, a click on a town's bar drills down to the town, a click in
the breadcrumbs comes back; every chart's table and Excel download; a phone (390 px) and the big screen
(1920×1080). Screenshots in build/test-output/dashboard-*.png."""

import io
import re

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from accounts.testing import browser_login, create_user

from .dashboard_data import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(db):
    data = build()
    create_user("staff", data.org.county, "county_staff", full_name="张明")
    return data


def click_bar(page, key, index):
    """Click the middle of bar `index` of the horizontal bar chart `key` (drawn on a canvas)."""
    chart = page.locator(f'[data-chart="{key}"]')
    chart.scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([key, index]) => {
            const element = document.querySelector(`[data-chart="${key}"]`);
            const chart = window.echarts.getInstanceByDom(element);
            const value = chart.getOption().series[0].data[index];
            return chart.convertToPixel({seriesIndex: 0}, [value / 2, index]);
        }""", [key, index])
    box = chart.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def wait_for_charts(page):
    """Until every chart is drawn, its animation finished (dashboard.js marks it data-rendered)."""
    page.wait_for_function("() => !document.querySelector('[data-deferred]') && [...document.querySelectorAll("
                           "'[data-chart]')].every(e => e.hasAttribute('data-rendered'))")


def sheet(download):
    with open(download.path(), "rb") as handle:
        return CalamineWorkbook.from_filelike(io.BytesIO(handle.read())).get_sheet_by_index(0).to_python()


def test_drill_down_at_a_desk(live_server, new_page, output_dir, county):
    org = county.org
    page = new_page(1366, 900)
    browser_login(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/dashboard/?period=2025")
    expect(page.locator(".page-title")).to_have_text("数据看板 · 测试县")
    expect(page.locator('[data-card="people.total"]')).to_contain_text("6")
    expect(page.locator('[data-chart="people_by_unit"] canvas')).to_have_count(1)
    # The duty lists come after the page (htmx), with their own charts, table and download buttons.
    duties = page.locator('[data-section="duties"]')
    expect(duties.locator('[data-chart="duties_ranking"]')).to_have_count(1)
    expect(page.locator("[data-deferred]")).to_have_count(0)
    duties.locator('[data-chart-toggle="duties_ranking"]').click()
    expect(duties.locator('[data-chart-table="duties_ranking"]')).to_be_visible()
    duties.locator('[data-chart-toggle="duties_ranking"]').click()
    wait_for_charts(page)
    page.screenshot(path=str(output_dir / "dashboard-county-1366.png"), full_page=True)

    # The numbers one click away: the table, then back to the chart.
    toggle = page.locator('[data-chart-toggle="people_by_unit"]')
    toggle.click()
    table = page.locator('[data-chart-table="people_by_unit"]')
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tbody tr").first).to_contain_text("东溪镇")
    expect(table.locator("tfoot")).to_contain_text("6")
    expect(page.locator('[data-chart="people_by_unit"]')).to_be_hidden()
    toggle.click()
    expect(page.locator('[data-chart="people_by_unit"]')).to_be_visible()

    # …and as Excel.
    with page.expect_download() as info:
        page.click('[data-chart-export="people_by_unit"]')
    rows = sheet(info.value)
    assert rows[0][0] == "在册统战成员（按单位）（测试县，2025年）"
    assert [r[:2] for r in rows[2:6]] == [["单位", "在册人数"], ["东溪镇", 3.0], ["西岭镇", 2.0],
                                         ["本级及其他单位（1个）", 1.0]]

    # Click 东溪镇's bar: the same dashboard for 东溪镇, the period kept.
    click_bar(page, "people_by_unit", 0)
    page.wait_for_url(re.compile(rf"/dashboard/\?period=2025&unit={org.town1.pk}$"))
    expect(page.locator(".page-title")).to_have_text("数据看板 · 东溪镇")
    expect(page.locator('[data-card="people.total"]')).to_contain_text("3")
    crumbs = page.locator(".breadcrumb")
    expect(crumbs).to_contain_text("测试县")
    expect(crumbs.locator(".active")).to_have_text("东溪镇")
    wait_for_charts(page)
    page.screenshot(path=str(output_dir / "dashboard-town-1366.png"), full_page=True)

    # The village through the table's link, then back up to the county through the breadcrumbs.
    page.click('[data-chart-toggle="people_by_unit"]')
    page.locator('[data-chart-table="people_by_unit"] a:has-text("东溪村")').click()
    page.wait_for_url(re.compile(rf"unit={org.village1.pk}$"))
    expect(page.locator(".page-title")).to_have_text("数据看板 · 东溪村")
    expect(page.locator('[data-chart="people_by_unit"]')).to_have_count(0)  # no units below a village
    page.locator(".breadcrumb a:has-text('测试县')").click()
    page.wait_for_url(re.compile(rf"unit={org.county.pk}$"))
    expect(page.locator(".page-title")).to_have_text("数据看板 · 测试县")


def test_phone(live_server, new_page, output_dir, county):
    page = new_page(390, 844)
    browser_login(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/dashboard/?period=2025")
    expect(page.locator('[data-chart="people_by_unit"] canvas')).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    first, second = page.locator("[data-chart-card]").nth(0), page.locator("[data-chart-card]").nth(1)
    assert first.bounding_box()["width"] >= 340  # the charts stack, one per row
    assert second.bounding_box()["y"] > first.bounding_box()["y"] + first.bounding_box()["height"] - 1
    page.click('[data-chart-toggle="friendship_by_unit"]')
    table = page.locator('[data-chart-table="friendship_by_unit"]')
    expect(table).to_be_visible()
    assert table.evaluate("el => getComputedStyle(el).overflowX") == "auto"  # a wide table scrolls by itself
    wait_for_charts(page)
    page.screenshot(path=str(output_dir / "dashboard-county-390.png"), full_page=True)

    click_bar(page, "people_by_unit", 1)  # 西岭镇
    page.wait_for_url(re.compile(rf"unit={county.org.town2.pk}$"))
    expect(page.locator(".page-title")).to_have_text("数据看板 · 西岭镇")
    wait_for_charts(page)
    page.screenshot(path=str(output_dir / "dashboard-town-390.png"), full_page=True)


def test_big_screen(live_server, new_page, output_dir, county):
    page = new_page(1920, 1080)
    browser_login(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/dashboard/?period=2025")
    page.click("[data-screen-link]")
    page.wait_for_url(re.compile(r"/dashboard/screen/\?period=2025"))
    expect(page.locator(".screen-title")).to_have_text("测试县统战工作数据")
    panels = page.locator(".screen-panel")
    expect(panels).to_have_count(6)
    expect(page.locator(".screen-panel canvas")).to_have_count(6)
    # One screen, no scrolling: everything inside 1920×1080, the headline numbers big.
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    for index in range(6):
        box = panels.nth(index).bounding_box()
        assert box["y"] + box["height"] <= 1080 and box["height"] >= 300, (index, box)
    size = page.locator('[data-card="people.total"]').evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 40
    expect(page.locator('.screen-card [data-card="duties.completion_rate"]')).to_have_count(0)  # "—": left out
    wait_for_charts(page)
    page.screenshot(path=str(output_dir / "dashboard-screen-1920.png"))

    click_bar(page, "people_by_unit", 1)  # 西岭镇, still on the big screen
    page.wait_for_url(re.compile(rf"/dashboard/screen/\?period=2025&unit={county.org.town2.pk}$"))
    expect(page.locator(".screen-title")).to_have_text("西岭镇统战工作数据")
    wait_for_charts(page)
    page.screenshot(path=str(output_dir / "dashboard-screen-town-1920.png"))


def test_the_screens_reload_is_not_activity(live_server, new_page, county):
    """The big screen reloads itself marked auto_refresh=1, and that reload leaves the idle timeout where it was
    (the 31-minute case is in test_dashboard_views.ScreenIdleTests)."""
    from unittest import mock

    from django.conf import settings
    from django.contrib.sessions.models import Session

    page = new_page(1920, 1080)
    browser_login(page, live_server.url, "staff")
    with mock.patch("dashboard.views.REFRESH_SECONDS", 2):
        page.goto(f"{live_server.url}/dashboard/screen/?period=2025")
        key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
        expiry = Session.objects.get(pk=key).expire_date
        page.wait_for_url(re.compile(r"/dashboard/screen/\?period=2025&auto_refresh=1$"))
        expect(page.locator(".screen-title")).to_have_text("测试县统战工作数据")
    assert Session.objects.get(pk=key).expire_date == expiry
