"""The unit import in a real browser, from an Excel 97-2003 (.xls) file as many WPS installs still save: the
system administrator uploads, reads every problem by row and column, uploads the corrected file, reads the
preview and confirms — at desk and phone widths."""

import pytest
from playwright.sync_api import expect

from accounts.testing import browser_login, create_user
from core.tests.spreadsheets import xls_bytes
from org.models import Unit
from org.testing import build_county

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["单位名称", "简称", "类型", "区划代码", "上级单位", "排序"]


@pytest.mark.parametrize("width,height", [(1366, 800), (390, 844)])
def test_system_admin_imports_units_from_an_xls_file(live_server, new_page, output_dir, tmp_path, width, height):
    org = build_county()
    create_user("t_sysadmin", org.county, "sysadmin")
    page = new_page(width, height)
    browser_login(page, live_server.url, "t_sysadmin")

    bad = tmp_path / "单位.xls"
    bad.write_bytes(xls_bytes([("单位", [HEADER, ["南湖镇", "", "乡镇", "330998003", "测试县", 3],
                                         ["南湖村", "", "村社", "", "南湖镇", ""]])]))
    page.goto(f"{live_server.url}/org/import/")
    page.set_input_files("input[type=file]", str(bad))
    page.click("button:has-text('上传并检查')")
    problems = page.locator("#import-problems")
    expect(problems).to_contain_text("“乡镇”不是有效的类型", timeout=30000)
    expect(problems).to_contain_text("第2行")
    expect(page.locator("button:has-text('确认导入')")).to_have_count(0)
    page.screenshot(path=str(output_dir / f"import-units-problems-{width}.png"), full_page=True)

    good = tmp_path / "单位（改正）.xls"
    good.write_bytes(xls_bytes([("单位", [HEADER, ["南湖镇", "", "镇街", "330998003", "测试县", 3],
                                          ["南湖村", "", "村社", "", "南湖镇", ""]])]))
    page.goto(f"{live_server.url}/org/import/")
    page.set_input_files("input[type=file]", str(good))
    page.click("button:has-text('上传并检查')")
    expect(page.locator("text=检查通过：将新增 2 个单位")).to_be_visible(timeout=30000)
    expect(page.locator("#import-preview")).to_contain_text("南湖镇（本文件第2行）")
    assert not Unit.objects.filter(name="南湖村").exists(), "the preview must not write"
    page.screenshot(path=str(output_dir / f"import-units-preview-{width}.png"), full_page=True)

    page.click("button:has-text('确认导入')")
    expect(page.locator("text=已从“单位（改正）.xls”导入 2 个单位")).to_be_visible(timeout=30000)
    town, village = Unit.objects.get(name="南湖镇"), Unit.objects.get(name="南湖村")
    assert village.path[:-Unit.steplen] == town.path
    page.screenshot(path=str(output_dir / f"import-units-done-{width}.png"), full_page=True)
