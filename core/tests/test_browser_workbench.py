"""Each demo account signs in through the real login page and sees its workbench, at desk and phone widths."""

import pytest
from django.core.management import call_command

from accounts.testing import browser_login
from core.demo import loader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# username -> a menu entry (or text) that the account's workbench must show, and one it must not
EXPECTED = {
    "county_staff": ("工作台", "组织机构"),
    "town01": ("工作台", "用户管理"),
    "town02": ("工作台", "审计日志"),
    "village0101": ("工作台", "组织机构"),
    "leader": ("工作台", "用户管理"),
    "dept_leader": ("授权审批", "用户管理"),
    "sysadmin": ("组织机构", "审计日志"),
    "secadmin": ("用户管理", "组织机构"),
    "auditor": ("审计日志", "用户管理"),
}



@pytest.mark.parametrize("width,height", [(1366, 800), (390, 844)])
def test_demo_accounts_see_their_workbench(live_server, new_page, output_dir, width, height, monkeypatch):
    # The workbench needs the accounts, not a county-sized ledger.
    monkeypatch.setattr(loader("people"), "PEOPLE", 200)
    call_command("load_demo", verbosity=0)
    for username, (shown, hidden) in EXPECTED.items():
        page = new_page(width, height)
        browser_login(page, live_server.url, username)
        assert page.locator("h2.page-title").inner_text() == "工作台"
        if width < 992:
            page.click("button.navbar-toggler")
            page.wait_for_selector("#sidebar-menu.show")
        menu = page.locator("#sidebar-menu").inner_text()
        assert shown in menu, (username, menu)
        assert hidden not in menu, (username, menu)
        page.screenshot(path=str(output_dir / f"workbench-{username}-{width}.png"), full_page=True)
