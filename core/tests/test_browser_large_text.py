"""Larger-text mode (大字模式): one click doubles the text, the choice survives a reload and other pages, and
the main pages stay usable at 200 % text at desk and phone widths: nothing wider than the screen but tables,
which scroll inside their own box. Screenshots: build/test-output/large-text-*.png."""

import pytest
from django.core.management import call_command

from accounts.testing import browser_login
from core.demo import loader
from core.testing import HTMX_SETTLED, SETTLE_TIMEOUT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/people/", "/representatives/", "/friendship/pairings/", "/activities/", "/activities/add/",
         "/duties/list/", "/dashboard/", "/notifications/"]

ROOT_FONT_SIZE = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
# Elements that stick out of the screen sideways, partly: tables scroll inside their own box, and an element
# wholly off the screen is hidden there on purpose.
OVERFLOWING = """() => [...document.querySelectorAll('body *')].filter(el => {
  if (el.closest('.table-responsive, .ts-dropdown, .dropdown-menu, .collapse:not(.show), .visually-hidden')) {
    return false;
  }
  const box = el.getBoundingClientRect();
  return box.width > 0 && ((box.right > innerWidth + 1 && box.left < innerWidth) || (box.left < -1 && box.right > 0));
}).map(el => el.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize("width,height", [(1366, 800), (390, 844)])
def test_large_text_is_one_click_remembered_and_keeps_pages_usable(live_server, new_page, output_dir, width,
                                                                   height, monkeypatch):
    monkeypatch.setattr(loader("people"), "PEOPLE", 30)
    call_command("load_demo", verbosity=0)
    page = new_page(width, height)
    browser_login(page, live_server.url, "county_staff")
    normal = page.evaluate(ROOT_FONT_SIZE)
    toggle = page.get_by_role("button", name="大字模式")
    assert toggle.get_attribute("aria-pressed") == "false"

    toggle.click()
    assert page.evaluate(ROOT_FONT_SIZE) == 2 * normal
    page.reload()
    assert page.evaluate(ROOT_FONT_SIZE) == 2 * normal
    assert page.get_by_role("button", name="大字模式").get_attribute("aria-pressed") == "true"

    for path in PAGES:
        page.goto(live_server.url + path)
        page.wait_for_function(HTMX_SETTLED, timeout=SETTLE_TIMEOUT)
        name = path.strip("/").replace("/", "-") or "workbench"
        page.screenshot(path=str(output_dir / f"large-text-{name}-{width}.png"), full_page=True)
        assert page.evaluate(ROOT_FONT_SIZE) == 2 * normal, path
        assert page.evaluate(OVERFLOWING) == [], path
        assert new_page.audit.check(page) == [], path  # axe-clean with doubled text too

    page.get_by_role("button", name="大字模式").click()
    page.reload()
    assert page.evaluate(ROOT_FONT_SIZE) == normal
    assert page.get_by_role("button", name="大字模式").get_attribute("aria-pressed") == "false"
