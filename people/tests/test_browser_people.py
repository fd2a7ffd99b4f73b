"""The ledger in a real browser at desk and phone widths: search by initials (htmx), the detail tabs with
the history, the reveal dialog (password, audited), and the form."""

import pytest
from playwright.sync_api import expect

from accounts.testing import PASSWORD, browser_login, create_user
from core.models import AuditEvent
from org.testing import build_county
from people.models import Person

from .test_views import make_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



@pytest.fixture
def ledger(db):
    org = build_county()
    create_user("town01", org.town1, "town_officer")
    create_user("county_staff", org.county, "county_staff")
    zhang = Person.objects.create(name="张三", id_number=make_id(seq="111"), phone="13812345678",
                                  owner_unit=org.village1, workplace="东溪茶厂")
    Person.objects.create(name="李四", id_number=make_id(seq="222"), owner_unit=org.village1)
    Person.objects.create(name="王西岭", id_number=make_id(seq="333"), owner_unit=org.village2)
    return zhang


@pytest.mark.parametrize("width,height", [(1366, 800), (390, 844)])
def test_town_officer_finds_by_initials_and_reads_history(live_server, new_page, output_dir, ledger, width, height):
    page = new_page(width, height)
    browser_login(page, live_server.url, "town01")
    page.goto(f"{live_server.url}/people/")
    assert "王西岭" not in page.content()
    with page.expect_response(lambda r: "/people/?" in r.url and "q=zs" in r.url):
        page.fill("#id_q", "zs")
        page.keyboard.up("s")
    expect(page.locator("#list-results")).not_to_contain_text("李四")
    results = page.locator("#list-results").inner_text()
    assert "张三" in results and "李四" not in results
    assert "138****5678" in results or width < 768  # the phone column is hidden on phones
    assert "q=zs" in page.url
    page.screenshot(path=str(output_dir / f"people-list-search-{width}.png"), full_page=True)

    page.click("#list-results a:has-text('张三')")
    page.wait_for_url(f"{live_server.url}/people/{ledger.pk}/")
    assert ledger.id_number not in page.content()
    assert "显示" not in page.locator("#basic").inner_text()  # a town officer cannot reveal
    page.click("a[href='#history']")
    assert page.locator("#history").is_visible()
    page.screenshot(path=str(output_dir / f"people-detail-history-{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/people/{ledger.pk}/edit/")
    page.fill("#id_workplace", "西溪茶厂")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_url(f"{live_server.url}/people/{ledger.pk}/")
    page.goto(f"{live_server.url}/people/{ledger.pk}/#history")
    history = page.locator("#history").inner_text()
    assert "编辑" in history and "西溪茶厂" in history and "东溪茶厂" in history
    page.screenshot(path=str(output_dir / f"people-detail-edited-{width}.png"), full_page=True)


@pytest.mark.parametrize("width,height", [(1366, 800), (390, 844)])
def test_county_staff_reveals_after_password(live_server, new_page, output_dir, ledger, width, height):
    page = new_page(width, height)
    browser_login(page, live_server.url, "county_staff")
    page.goto(f"{live_server.url}/people/{ledger.pk}/")
    page.click("button:has-text('显示')")
    page.wait_for_selector("#reveal-password", state="visible")
    page.fill("#reveal-password", PASSWORD)
    page.click("#reveal-body button[type=submit]")
    page.wait_for_selector("[data-revealed=id_number]")
    assert page.locator("[data-revealed=id_number]").inner_text() == ledger.id_number
    page.screenshot(path=str(output_dir / f"people-reveal-{width}.png"))
    page.click("#reveal-body .modal-footer button")
    page.wait_for_selector("[data-revealed]", state="detached")  # closing the dialog forgets the values
    assert page.locator("#reveal-password").count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL, success=True,
                                     object_id=str(ledger.pk)).count() == 1

    page.goto(f"{live_server.url}/people/add/")
    page.screenshot(path=str(output_dir / f"people-form-{width}.png"), full_page=True)


@pytest.mark.parametrize("width,height", [(1366, 800), (390, 844)])
def test_full_export_asks_for_the_password_with_the_filter_on_screen(live_server, new_page, output_dir, ledger,
                                                                       width, height):
    import io

    from python_calamine import CalamineWorkbook

    page = new_page(width, height)
    browser_login(page, live_server.url, "county_staff")
    page.goto(f"{live_server.url}/people/")
    with page.expect_response(lambda r: "/people/?" in r.url and "q=zs" in r.url):
        page.fill("#id_q", "zs")
        page.keyboard.up("s")
    expect(page.locator("#list-results")).not_to_contain_text("李四")
    page.screenshot(path=str(output_dir / f"people-list-full-export-button-{width}.png"))
    page.click("a[data-full-export-link]")  # the filter typed after the page loaded (htmx) goes with it
    page.wait_for_url("**/people/export/full/?*")
    assert "q=zs" in page.url
    expect(page.locator("[data-export-count]")).to_have_text("1")
    expect(page.locator("[data-export-scope]")).to_contain_text("搜索=zs")
    assert ledger.id_number not in page.content()

    page.fill("#export-password", "not-my-password")
    page.click("form[data-full-export] button[type=submit]")
    expect(page.locator(".invalid-feedback")).to_have_text("密码不正确，未导出。")
    page.screenshot(path=str(output_dir / f"people-full-export-{width}.png"), full_page=True)

    page.fill("#export-password", PASSWORD)
    with page.expect_download() as download_info:
        page.click("form[data-full-export] button[type=submit]")
    download = download_info.value
    with open(download.path(), "rb") as handle:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(handle.read())).get_sheet_by_index(0).to_python()
    assert [(row[1], row[5]) for row in rows[3:]] == [("张三", ledger.id_number)]
    expect(page.locator("#export-password")).to_have_value("")  # not left typed in the page
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("id")
    assert [(e.success, e.changes["完整导出"]) for e in exports] == [(False, True), (True, True)]
    assert exports.last().changes["行数"] == 1
    assert exports.last().changes["筛选条件"]["搜索"] == "zs"
