"""On a phone (390 px) an official records a contact while the network drops at the moment of sending: the
draft stays on the phone, goes out by itself when the network is back, and arrives exactly once."""

import pytest
from playwright.sync_api import expect

from accounts.testing import browser_login, create_user
from core.models import IdempotencyKey
from friendship.models import Contact
from org.testing import build_county

from .helpers import make_pairing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFLINE_BANNER = "网络已断开，草稿已保存在本机，恢复网络后自动提交"


def test_contact_sent_offline_arrives_once(live_server, new_page, output_dir):
    org = build_county()
    official = create_user("official01", org.county, "pairing_official", full_name="王联络")
    pairing = make_pairing(org.village1, official, name="张三")
    page = new_page(390, 844)
    browser_login(page, live_server.url, "official01")
    page.goto(f"{live_server.url}/friendship/pairings/{pairing.pk}/contacts/add/")
    page.locator("label:has-text('走访')").click()
    page.fill("#id_place", "东溪茶厂")
    page.fill("#id_summary", "了解茶厂用工和销售情况")

    page.context.set_offline(True)
    page.click("button:has-text('保存联系记录')")
    banner = page.locator("[data-draft-banner]")
    expect(banner).to_have_text(OFFLINE_BANNER)
    expect(banner).to_be_visible()
    assert not Contact.objects.exists()
    page.screenshot(path=str(output_dir / "friendship-contact-offline-390.png"), full_page=True)

    page.context.set_offline(False)
    page.wait_for_url(f"{live_server.url}/friendship/contacts/*/")
    # "已保存", or — when the request sent as the network dropped did reach the server, only its answer was lost —
    # "此前已提交并保存，未重复保存": either way the one record.
    expect(page.locator(".alert-success, .alert-info")).to_contain_text("保存")
    contact = Contact.objects.get()
    assert (contact.pairing, contact.form, contact.place) == (pairing, "visit", "东溪茶厂")
    assert IdempotencyKey.objects.get().object_id == contact.pk
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('tongxin-draft:'))") == []

    # The page sent the draft once; sending it again (a second tap, a copy in another tab) makes nothing new.
    page.go_back()
    page.wait_for_url(f"{live_server.url}/friendship/pairings/{pairing.pk}/contacts/add/")
    assert Contact.objects.count() == 1


def test_a_draft_survives_closing_the_page_and_is_sent_when_reopened(live_server, new_page):
    org = build_county()
    official = create_user("official01", org.county, "pairing_official", full_name="王联络")
    pairing = make_pairing(org.village1, official, name="张三")
    page = new_page(390, 844)
    browser_login(page, live_server.url, "official01")
    form_url = f"{live_server.url}/friendship/pairings/{pairing.pk}/contacts/add/"
    page.goto(form_url)
    page.locator("label:has-text('座谈')").click()
    page.fill("#id_summary", "座谈民营企业发展")
    page.context.set_offline(True)
    page.click("button:has-text('保存联系记录')")
    expect(page.locator("[data-draft-banner]")).to_have_text(OFFLINE_BANNER)
    context = page.context
    page.close()  # the phone's browser is closed while offline
    context.set_offline(False)
    page = context.new_page()
    page.goto(form_url)  # the form opened again later, online: the kept submission goes out, once
    page.wait_for_url(f"{live_server.url}/friendship/contacts/*/")
    # "已保存", or — when the request sent as the network dropped did reach the server, only its answer was lost —
    # "此前已提交并保存，未重复保存": either way the one record.
    expect(page.locator(".alert-success, .alert-info")).to_contain_text("保存")
    contact = Contact.objects.get()
    assert (contact.form, contact.summary) == ("forum", "座谈民营企业发展")


def test_the_service_worker_registers_and_caches_static_assets_only(live_server, new_page):
    org = build_county()
    create_user("official01", org.county, "pairing_official")
    page = new_page(390, 844)
    browser_login(page, live_server.url, "official01")
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{live_server.url}/"
    worker = page.context.service_workers[0] if page.context.service_workers else \
        page.context.wait_for_event("serviceworker")
    assert worker.url == f"{live_server.url}/sw.js"
    handled = worker.evaluate("""[
        handles("GET", "/static/js/app.js"), handles("GET", "/static/vendor/tabler-icons/fonts/x.woff2?v3"),
        handles("GET", "/"), handles("GET", "/friendship/contacts/"), handles("GET", "/api/v1/people/"),
        handles("GET", "/media/photos/a.jpg"), handles("POST", "/static/js/app.js"),
        handles("GET", "/static/../people/"), handles("GET", "https://example.org/static/x.js"),
    ]""")
    assert handled == [True, True, False, False, False, False, False, False, False]
    page.reload()  # now controlled by the worker: the page's own assets go through it
    page.goto(f"{live_server.url}/friendship/contacts/")
    cached = page.evaluate("""caches.keys().then(names => Promise.all(names.map(
        name => caches.open(name).then(cache => cache.keys())))).then(lists => lists.flat().map(r => r.url))""")
    assert f"{live_server.url}/static/js/app.js" in cached
    assert any("/static/vendor/tabler-icons/fonts/tabler-icons.woff2" in url for url in cached)  # icons offline
    assert all(url.startswith(f"{live_server.url}/static/") for url in cached), cached
