"""Test helpers shared by every app: a small county, users holding built-in roles, export text, browser sign-in.
The view-test base (NetBox's ViewTestCases) is core.view_testing."""

from types import SimpleNamespace

from django.contrib.auth import get_user_model

from accounts.models import Grant, Role
from org.models import Unit

PASSWORD = "Tongxin#2026"


def build_county():
    """示范县 with two towns, a village under the first and a member unit.

    Returns a namespace: county, town1, town2, village1 (in town1), village2 (in town2), member.
    """
    county = Unit.objects.add_root(instance=Unit(name="测试县", type=Unit.Type.COUNTY, division_code="330998"))

    def child(parent, **fields):
        return Unit.objects.add_child(Unit.objects.get(pk=parent.pk), instance=Unit(**fields))

    town1 = child(county, name="东溪镇", type=Unit.Type.TOWN, division_code="330998001", sort_order=1)
    town2 = child(county, name="西岭镇", type=Unit.Type.TOWN, division_code="330998002", sort_order=2)
    village1 = child(town1, name="东溪村", type=Unit.Type.VILLAGE, division_code="330998001001")
    village2 = child(town2, name="西岭村", type=Unit.Type.VILLAGE, division_code="330998002001")
    member = child(county, name="县教育局", type=Unit.Type.MEMBER, sort_order=50)
    return SimpleNamespace(
        county=Unit.objects.get(pk=county.pk), town1=Unit.objects.get(pk=town1.pk),
        town2=Unit.objects.get(pk=town2.pk), village1=village1, village2=village2, member=member,
    )


def create_user(username, unit, *role_codes, password=PASSWORD, **extra):
    user = get_user_model().objects.create_user(
        username=username, password=password, unit=unit, must_change_password=False, **extra
    )
    for code in role_codes:
        Grant.objects.create(user=user, role=Role.objects.get(code=code))
    return user


def export_text(response):
    """All cell text of an xlsx download, for assertions about what an export contains."""
    import io

    from python_calamine import CalamineWorkbook

    assert response.status_code == 200, response.status_code
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    cells = []
    for name in workbook.sheet_names:
        for row in workbook.get_sheet_by_name(name).to_python():
            cells.extend(str(c) for c in row)
    return "\n".join(cells)


def browser_login(page, base_url, username, password=PASSWORD):
    """Sign in through the real login page in a Playwright page and wait for the workbench."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
