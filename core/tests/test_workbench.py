import pytest
from django.urls import reverse

from accounts.testing import create_user


@pytest.mark.parametrize("role,panel", [
    ("sysadmin", "组织机构概况"),
    ("secadmin", "账号安全概况"),
    ("auditor", "近7天审计概况"),
])
def test_each_admin_sees_their_own_panel_only(client, org, role, panel):
    client.force_login(create_user(f"w_{role}", org.county, role))
    page = client.get(reverse("workbench")).content.decode()
    assert panel in page
    others = {"组织机构概况", "账号安全概况", "近7天审计概况"} - {panel}
    assert not any(other in page for other in others)


def test_business_user_sees_role_and_scope(client, org):
    client.force_login(create_user("w_town", org.town1, "town_officer"))
    page = client.get(reverse("workbench")).content.decode()
    assert "镇街统战委员" in page and "本单位及以下（东溪镇）" in page
    assert "账号安全概况" not in page


def test_user_without_role_is_told_whom_to_ask(client, org):
    client.force_login(create_user("w_none", org.town1))
    assert "尚未分配角色" in client.get(reverse("workbench")).content.decode()
