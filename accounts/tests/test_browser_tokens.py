"""In a browser, on a phone: a user makes an access token from the user menu, copies the secret shown once, and
revokes the token after confirming."""

import pytest

from accounts.models import ApiToken
from accounts.testing import browser_login, create_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_make_copy_and_revoke_a_token(live_server, new_page, output_dir, org):
    create_user("town01", org.town1, "town_officer")
    page = new_page(390, 844)
    browser_login(page, live_server.url, "town01")
    page.get_by_role("link", name="用户菜单").click()
    page.click("a.dropdown-item:has-text('访问令牌')")
    page.click("text=新建访问令牌")
    page.fill("input[name=name]", "市平台对接")
    page.fill("input[name=days]", "30")
    page.check("input[name=can_write]")
    page.screenshot(path=output_dir / "tokens-create-phone.png", full_page=True)
    page.click("button:has-text('创建令牌')")
    secret = page.locator("[data-token-secret]").input_value()
    assert secret.startswith("tx_")
    assert f'curl -H "Authorization: Bearer {secret}" {live_server.url}/api/v1/people/' in page.inner_text("pre")
    page.click("[data-copy-target]")
    page.wait_for_selector("[data-copy-status]:has-text('复制')")
    page.screenshot(path=output_dir / "tokens-created-phone.png", full_page=True)

    page.click("text=返回访问令牌")
    assert secret not in page.content()
    assert "读写" in page.inner_text("table")
    page.screenshot(path=output_dir / "tokens-list-phone.png", full_page=True)
    page.click("a:has-text('吊销')")
    page.click("button:has-text('吊销')")
    page.wait_for_selector("text=已吊销，使用它的请求将被拒绝")
    assert ApiToken.objects.get().revoked_at is not None


def test_the_security_administrator_makes_a_token_for_a_service_account(live_server, new_page, output_dir, org):
    create_user("secadmin", org.county, "secadmin")
    create_user("svc_city", org.county, "leader", full_name="市平台服务账号")
    page = new_page()
    browser_login(page, live_server.url, "secadmin")
    page.click("a[href='/accounts/tokens/all/']:visible")  # 安全管理 → 访问令牌
    page.click("text=为服务账号新建令牌")
    page.select_option("select[name=account]", label="svc_city（市平台服务账号），测试县")
    page.fill("input[name=name]", "市平台只读")
    page.click("button:has-text('创建令牌')")
    assert page.locator("[data-token-secret]").input_value().startswith("tx_")
    page.click("text=返回访问令牌")
    assert "svc_city（市平台服务账号）" in page.inner_text("table")
    page.screenshot(path=output_dir / "tokens-admin-list.png", full_page=True)
    assert ApiToken.objects.get().created_by.username == "secadmin"
