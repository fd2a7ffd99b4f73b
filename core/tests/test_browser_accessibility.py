"""axe-core on the main pages, as the roles that use them: every page of the sidebar menu of county staff, a
village liaison, the security and the audit administrators; for all but the liaison (whose pages are county
staff's in a smaller scope) also the first record each list links to and each list's add form. The audit
(conftest.new_page, core.testing.AxeAudit) checks each page at desk and phone widths against WCAG 2.1 A/AA;
the test fails naming rule, element and address."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from accounts.testing import browser_login
from core.demo import loader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# username -> whether to follow each menu page's first record and add form too
TOURS = {"county_staff": True, "village0101": False, "secadmin": True, "auditor": True}
RECORD = re.compile(r"/\d+/$")


def links(page, selector):
    return page.eval_on_selector_all(selector, "links => links.map(a => a.href)")


def test_main_pages_pass_axe_for_each_role(live_server, new_page, output_dir, monkeypatch):
    monkeypatch.setattr(loader("people"), "PEOPLE", 60)
    call_command("load_demo", verbosity=0)
    audit = new_page.audit
    checked, found = {}, []
    for username, deep in TOURS.items():
        page = new_page()
        browser_login(page, live_server.url, username)
        menu = links(page, "#sidebar-menu a.nav-link")
        assert len(menu) >= 2, (username, menu)
        addresses = list(menu) + [f"{live_server.url}/accounts/password/", f"{live_server.url}/notifications/"]
        for url in addresses:
            page.goto(url)
            found += audit.check(page)
            if deep and url in menu:
                record = next((href for href in links(page, "main table tbody a[href], .page-body table tbody a[href]")
                               if RECORD.search(urlsplit(href).path)), None)
                forms = [href for href in links(page, ".page-header .btn-list a[href]")
                         if urlsplit(href).path.endswith("/add/")]
                addresses += [href for href in [record, *forms] if href and href not in addresses]
        checked[username] = addresses
    assert found == [], "\n".join(found)
    # The tours reached records and forms, not only the menus.
    assert records(checked["county_staff"], "/people/") and records(checked["county_staff"], "/activities/")
    assert any(url.endswith("/add/") for url in checked["county_staff"]), checked["county_staff"]
    assert records(checked["secadmin"], "/accounts/users/"), checked["secadmin"]
    assert records(checked["auditor"], "/audit/"), checked["auditor"]


def records(urls, under):
    return [url for url in urls if urlsplit(url).path.startswith(under) and RECORD.search(urlsplit(url).path)]
