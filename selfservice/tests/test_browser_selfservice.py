"""On a phone (390 px): a member signs in, asks to change their workplace; the town approves; the record and its
history show the change as "本人申报"."""

import pytest
from playwright.sync_api import expect

from accounts.testing import PASSWORD, browser_login, create_user
from org.testing import build_county
from people.models import Person
from selfservice.models import MemberLink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = (390, 844)


@pytest.fixture
def member(db):
    org = build_county()
    create_user("town01", org.town1, "town_officer", full_name="李红梅")
    person = Person.objects.create(name="王秀英", owner_unit=org.village1, workplace="东溪小学")
    user = create_user("member01", org.village1, "member", full_name="王秀英")
    MemberLink.objects.create(user=user, person=person)
    return person


def test_member_requests_a_change_and_the_town_approves(live_server, new_page, output_dir, member):
    page = new_page(*PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "member01")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/me/")
    expect(page.locator("[data-member-home]")).to_contain_text("我的信息")
    page.screenshot(path=str(output_dir / "selfservice-home-390.png"), full_page=True)

    page.click("text=申报信息变更")
    page.click("a:has-text('工作单位')")
    expect(page.locator("[data-current]")).to_have_text("东溪小学")
    page.fill("input[name=workplace]", "县第一中学")
    page.fill("input[name=note]", "九月起调入")
    page.screenshot(path=str(output_dir / "selfservice-change-390.png"), full_page=True)
    page.click("button:has-text('提交申报')")
    page.wait_for_url(f"{live_server.url}/me/record/")
    expect(page.locator("[data-my-requests]")).to_contain_text("待审核")
    expect(page.locator("[data-fact=工作单位]")).to_have_text("东溪小学")
    page.screenshot(path=str(output_dir / "selfservice-record-390.png"), full_page=True)

    unit = new_page(*PHONE)
    browser_login(unit, live_server.url, "town01")
    unit.goto(f"{live_server.url}/selfservice/requests/")
    unit.click("[data-request]")
    expect(unit.locator("[data-new-value]")).to_have_text("县第一中学")
    unit.check("input[name=decision][value=approve]")
    unit.screenshot(path=str(output_dir / "selfservice-review-390.png"), full_page=True)
    unit.click("button:has-text('提交审核结果')")
    unit.wait_for_url(f"{live_server.url}/selfservice/requests/")
    expect(unit.locator(".alert-success")).to_contain_text("台账已更新")

    member.refresh_from_db()
    assert member.workplace == "县第一中学"
    unit.goto(f"{live_server.url}{member.get_absolute_url()}#history")
    expect(unit.locator("body")).to_contain_text("本人申报：工作单位改为“县第一中学”")

    page.goto(f"{live_server.url}/me/record/")
    expect(page.locator("[data-fact=工作单位]")).to_have_text("县第一中学")
    expect(page.locator("[data-my-requests]")).to_contain_text("已通过")
