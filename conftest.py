import os
from pathlib import Path

import pytest

from org.testing import build_county

BASE_DIR = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture
def org(db):
    return build_county()


@pytest.fixture(scope="session")
def output_dir():
    """Where browser tests leave their screenshots (build/test-output unless TEST_OUTPUT_DIR says otherwise)."""
    path = Path(os.environ.get("TEST_OUTPUT_DIR", BASE_DIR / "build" / "test-output"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open pages at a given viewport; every page fails the test on a console error, a non-local request or an
    accessibility violation (axe-core, WCAG 2.1 A/AA at desk and phone widths: core.testing.AxeAudit)."""
    from core.testing import AxeAudit

    contexts = []
    problems = []
    audit = AxeAudit()

    def open_page(width=1366, height=800):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        audit.watch(page)
        page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("request", lambda req: req.url.startswith(live_server.url) or req.url.startswith("data:")
                or req.url.startswith("blob:") or problems.append(f"external request: {req.url}"))
        return page

    open_page.audit = audit
    yield open_page
    problems += audit.sweep()
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)
