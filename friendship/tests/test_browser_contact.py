"""An official records a contact on a phone (and at a desk): the reminder in the top bar → the pairing →
记录联系 (date prefilled, form as big buttons) → the contact → its issue turned into a follow-up."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.testing import browser_login, create_user
from core.models import Notification
from friendship.models import Contact, FollowUp
from org.testing import build_county

from .helpers import make_contact, make_follow_up, make_pairing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pairing(db):
    org = build_county()
    official = create_user("official01", org.county, "pairing_official", full_name="王联络")
    # Paired since 2024 with no contact: behind at the end of last year, when the reminder ran.
    pairing = make_pairing(org.village1, official, name="张三", start=datetime.date(2024, 1, 1), per_year=2)
    call_command("remind_pairings", "--date", f"{timezone.localdate().year - 1}-12-31", stdout=io.StringIO())
    assert Notification.objects.filter(recipient=official).count() == 1
    return pairing


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 800)])
def test_official_records_a_contact(live_server, new_page, output_dir, pairing, width, height):
    page = new_page(width, height)
    browser_login(page, live_server.url, "official01")
    phone = width < 992
    bar = page.locator(".navbar-vertical [data-notification-bell]" if phone else "header [data-notification-bell]")
    expect(bar).to_be_visible()
    expect(bar.locator(".badge")).to_have_text("1")
    expect(page.locator("[data-widget=my-pairings]")).to_contain_text("张三")
    page.screenshot(path=str(output_dir / f"friendship-workbench-{width}.png"), full_page=True)

    bar.click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    page.click("button:has-text('您与张三的联系进度落后：今年已联系0次，应至少2次')")
    page.wait_for_url(f"{live_server.url}{pairing.get_absolute_url()}")
    expect(page.locator("header [data-notification-bell] .badge, .navbar-vertical [data-notification-bell] .badge")
           ).to_have_count(0)

    page.locator("a:has-text('记录联系'):visible").first.click()
    page.wait_for_url(f"{live_server.url}/friendship/pairings/{pairing.pk}/contacts/add/")
    today = timezone.localdate()
    assert page.input_value("#id_date") == f"{today:%Y-%m-%d}"
    talk = page.locator("label:has-text('谈心谈话')")
    box = talk.bounding_box()
    assert box["height"] >= 44  # a finger-sized button
    if phone:
        assert box["width"] >= 150  # two to a row on a phone
    talk.click()
    assert page.is_checked("input[name=form][value=talk]")
    page.fill("#id_place", "东溪茶厂")
    page.fill("#id_summary", "了解茶厂用工和销售情况")
    page.fill("#id_issues", "村道破损，运茶车辆通行困难")
    page.screenshot(path=str(output_dir / f"friendship-contact-form-{width}.png"), full_page=True)
    save = page.locator("button:has-text('保存联系记录')")
    if phone:
        assert save.bounding_box()["width"] >= 300  # full width on a phone
    save.click()

    # The form is sent by the page (static/js/drafts.js), then the contact's page opens.
    page.wait_for_url(re.compile(r"/friendship/contacts/\d+/$"))
    contact = Contact.objects.get(pairing=pairing)
    assert page.url == f"{live_server.url}{contact.get_absolute_url()}"
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    assert (contact.form, contact.place, contact.date) == ("talk", "东溪茶厂", today)
    page.screenshot(path=str(output_dir / f"friendship-contact-detail-{width}.png"), full_page=True)

    page.click("button:has-text('转为跟进事项')")
    description = page.locator("#follow-up-form textarea[name=description]")
    expect(description).to_be_visible()
    assert description.input_value() == "村道破损，运茶车辆通行困难"
    page.click("#follow-up-form button:has-text('保存跟进事项')")
    page.wait_for_url(re.compile(r"/friendship/follow-ups/\d+/$"))  # saved before the page is asked for
    follow_up = FollowUp.objects.get(contact=contact)
    assert page.url == f"{live_server.url}{follow_up.get_absolute_url()}"
    assert follow_up.assignee.username == "official01"
    page.screenshot(path=str(output_dir / f"friendship-follow-up-{width}.png"), full_page=True)


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 800)])
def test_staff_pairs_and_reads_coverage(live_server, new_page, output_dir, db, width, height):
    org = build_county()
    create_user("county_staff", org.county, "county_staff")
    official = create_user("official01", org.county, "pairing_official", full_name="王联络")
    behind = make_pairing(org.village1, official, name="张三", start=datetime.date(2024, 1, 1), per_year=52)
    on_track = make_pairing(org.village2, name="李四", start=datetime.date(2024, 1, 1))
    make_contact(on_track, timezone.localdate())
    make_contact(on_track, timezone.localdate())
    rep = make_pairing(org.village1, name="赵六", start=datetime.date(2024, 1, 1)).representative
    rep.pairings.all().delete()
    page = new_page(width, height)
    browser_login(page, live_server.url, "county_staff")

    page.goto(f"{live_server.url}/friendship/pairings/")
    expect(page.locator("#list-results")).to_contain_text("张三")
    page.screenshot(path=str(output_dir / f"friendship-pairings-{width}.png"), full_page=True)
    page.click("button:has-text('更多条件'), button[aria-controls=more-filters]")
    page.select_option("#id_progress", "behind")
    expect(page.locator("#list-results")).not_to_contain_text("李四")
    expect(page.locator("#list-results")).to_contain_text(behind.representative.person.name)

    page.goto(f"{live_server.url}/friendship/pairings/add/")
    page.locator("#id_representative + .ts-wrapper").click()
    page.keyboard.type("赵六")
    page.locator(".ts-dropdown .option:has-text('赵六')").first.click()
    page.fill("#id_official_name", "钱县长")
    page.fill("#id_official_post", "副县长")
    page.screenshot(path=str(output_dir / f"friendship-pairing-form-{width}.png"), full_page=True)
    page.click("button:has-text('保存')")
    page.wait_for_url(re.compile(r"/friendship/pairings/\d+/$"))
    expect(page.locator(".page-title")).to_contain_text("钱县长 ↔ 赵六")
    page.screenshot(path=str(output_dir / f"friendship-pairing-detail-{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/friendship/coverage/")
    table = page.locator("[data-coverage]")
    expect(table).to_contain_text("东溪镇")
    expect(table).to_contain_text("合计")
    page.screenshot(path=str(output_dir / f"friendship-coverage-{width}.png"), full_page=True)


def test_follow_ups_and_notifications_on_a_phone(live_server, new_page, output_dir, pairing):
    official = pairing.official
    contact = make_contact(pairing, timezone.localdate(), issues="村道破损")
    late = timezone.localdate() - datetime.timedelta(days=2)
    make_follow_up(contact, official, due=late, description="村道破损需修缮")
    make_follow_up(contact, official, description="协调茶叶销路")
    page = new_page(390, 844)
    browser_login(page, live_server.url, "official01")
    page.goto(f"{live_server.url}/friendship/follow-ups/?whose=mine")
    expect(page.locator("tr[data-overdue='1']")).to_have_count(1)
    expect(page.locator("tr[data-overdue='1']")).to_contain_text("村道破损需修缮")
    page.screenshot(path=str(output_dir / "friendship-follow-ups-390.png"), full_page=True)
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator("[data-notification]")).to_have_count(1)
    page.screenshot(path=str(output_dir / "notifications-390.png"), full_page=True)
    page.click("button:has-text('全部标为已读')")
    expect(page.locator(".alert-success")).to_contain_text("已将1条通知标为已读")
    expect(page.locator("[data-notification-bell] .badge")).to_have_count(0)
