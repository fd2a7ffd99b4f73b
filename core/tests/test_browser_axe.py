"""The accessibility audit every browser test runs (conftest.new_page, core.testing.AxeAudit) fails on a page
that breaks WCAG 2.1 A/AA, naming rule, element and address, and passes a page that keeps it."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD = """<!doctype html><html lang="zh-CN"><head><title>坏页面</title></head><body><main>
<h1>坏页面</h1>
<p style="color:#aaa;background:#fff">浅灰色的说明文字</p>
<select id="town"><option>东溪镇</option></select>
<button type="button" id="close"><svg width="10" height="10"></svg></button>
</main></body></html>"""

GOOD = """<!doctype html><html lang="zh-CN"><head><title>好页面</title></head><body><main>
<h1>好页面</h1>
<p style="color:#595959;background:#fff">深灰色的说明文字</p>
<label for="town">乡镇</label><select id="town"><option>东溪镇</option></select>
<button type="button" aria-label="关闭"><svg width="10" height="10"></svg></button>
</main></body></html>"""


def serve(page, url, html):
    page.context.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=html))


def test_a_page_breaking_wcag_fails_with_rule_target_and_address(live_server, new_page):
    page = new_page()
    bad, good = f"{live_server.url}/axe-bad/", f"{live_server.url}/axe-good/"
    serve(page, bad, BAD)
    serve(page, good, GOOD)
    page.goto(bad)
    page.goto(good)
    page.goto(bad)  # checked once, not twice

    found = new_page.audit.sweep()

    assert sorted(line.split(" · ")[:4] for line in found) == sorted(
        [rule, target, bad, f"{width}px"]
        for rule, target in [("color-contrast", "p"), ("select-name", "#town"), ("button-name", "#close")]
        for width in (1366, 390)
    ), found
    assert new_page.audit.sweep() == []  # everything loaded has been checked: the fixture's own sweep passes


def test_the_viewport_is_restored_after_the_phone_width_run(live_server, new_page):
    page = new_page(1024, 700)
    url = f"{live_server.url}/axe-good/"
    serve(page, url, GOOD)
    page.goto(url)

    assert new_page.audit.check(page) == []
    assert page.viewport_size == {"width": 1024, "height": 700}
