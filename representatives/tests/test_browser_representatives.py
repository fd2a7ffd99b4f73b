"""A town officer makes a person of the ledger a representative with the picker (pinyin initials), takes them
through 培养 to 认定 and sees the timeline, at desk and phone widths."""

import pytest
from playwright.sync_api import expect

from accounts.testing import browser_login, create_user
from org.testing import build_county
from people.models import Person
from representatives.models import Representative, Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(db):
    org = build_county()
    create_user("town01", org.town1, "town_officer")
    Person.objects.create(name="张三", owner_unit=org.village1, phone="13812345678")
    Person.objects.create(name="张山", owner_unit=org.village2)  # town02's: never offered to town01
    return org


@pytest.mark.parametrize("width,height", [(1366, 800), (390, 844)])
def test_town_officer_creates_and_certifies(live_server, new_page, output_dir, county, width, height):
    page = new_page(width, height)
    browser_login(page, live_server.url, "town01")
    page.goto(f"{live_server.url}/representatives/add/")
    page.click("#id_person-ts-control")
    page.keyboard.type("zs")
    option = page.locator(".ts-dropdown .option")
    expect(option).to_have_count(1)
    expect(option).to_have_text("张三（东溪村）")
    option.click()
    page.select_option("#id_level", "town")
    page.select_option("#id_field", "intellectual")
    page.fill("#id_reason", "村党支部推荐")
    page.screenshot(path=str(output_dir / f"representative-create-{width}.png"), full_page=True)
    page.click("button[type=submit]:has-text('保存')")
    rep = Representative.objects.get(person__name="张三")
    page.wait_for_url(f"{live_server.url}/representatives/{rep.pk}/")

    assert page.locator("#id_stage option").all_inner_texts() == ["请选择", "培养", "退出"]
    page.select_option("#id_stage", "cultivating")
    page.fill("#id_reason", "列入镇年度培养计划")
    page.click("button:has-text('确认变更')")
    page.wait_for_url(f"{live_server.url}/representatives/{rep.pk}/#timeline")
    page.select_option("#id_stage", "certified")
    page.fill("#id_reason", "镇党委研究认定")
    page.click("button:has-text('确认变更')")
    page.wait_for_url(f"{live_server.url}/representatives/{rep.pk}/#timeline")
    timeline = page.locator("#timeline").inner_text()
    for text in ("村党支部推荐", "列入镇年度培养计划", "镇党委研究认定", "town01"):
        assert text in timeline
    assert "13812345678" not in page.content()
    page.screenshot(path=str(output_dir / f"representative-detail-{width}.png"), full_page=True)
    rep.refresh_from_db()
    assert rep.stage == Stage.CERTIFIED
    assert page.evaluate("document.documentElement.scrollWidth") <= width
