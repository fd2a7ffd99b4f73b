"""Test helpers shared by every app: a small county, users holding built-in roles, and the
standard scoped-view test case (in the spirit of NetBox's ViewTestCases)."""

from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse

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


class ScopedViewTestCase(TestCase):
    """Subclass with `model`, `url_prefix` ("app:modelname") and `make_object(unit)`; optionally
    `form_data(unit)` for create/edit and `search_term(obj)`. Every model's views then get:
    anonymous → login, no permission → 403, permitted → 200, other jurisdiction → 404 on
    detail/edit/delete and absent from list, search, autocomplete and export.
    """

    model = None
    url_prefix = ""
    __test__ = False  # the base itself has no model; each subclass is collected

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.__test__ = True

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.county_staff = create_user("t_county", cls.org.county, "county_staff")
        cls.town1_user = create_user("t_town1", cls.org.town1, "town_officer")
        cls.town2_user = create_user("t_town2", cls.org.town2, "town_officer")
        cls.no_role_user = create_user("t_norole", cls.org.town1)
        cls.sysadmin = create_user("t_sysadmin", cls.org.county, "sysadmin")

    def setUp(self):
        self.obj1 = self.make_object(self.org.village1)
        self.obj2 = self.make_object(self.org.village2)

    def make_object(self, unit):
        raise NotImplementedError

    def form_data(self, unit):
        return None

    def search_term(self, obj):
        return str(obj)

    def url(self, kind, obj=None):
        name = f"{self.url_prefix}_{kind}"
        return reverse(name, kwargs={"pk": obj.pk} if obj is not None else None)

    def has_route(self, kind):
        from django.urls import NoReverseMatch

        try:
            self.url(kind, self.obj1 if kind in ("detail", "edit", "delete") else None)
        except NoReverseMatch:
            return False
        return True

    def kinds(self, *kinds):
        return [k for k in kinds if self.has_route(k)]

    def test_anonymous_is_sent_to_login(self):
        for kind in self.kinds("list", "add", "export", "detail", "edit", "delete"):
            obj = self.obj1 if kind in ("detail", "edit", "delete") else None
            response = self.client.get(self.url(kind, obj))
            self.assertEqual(response.status_code, 302, kind)
            self.assertTrue(response["Location"].startswith(reverse("login")), kind)

    def test_user_without_permission_is_forbidden(self):
        for user in (self.no_role_user, self.sysadmin):
            self.client.force_login(user)
            for kind in self.kinds("list", "add", "export", "detail", "edit", "delete"):
                obj = self.obj1 if kind in ("detail", "edit", "delete") else None
                response = self.client.get(self.url(kind, obj))
                self.assertEqual(response.status_code, 403, f"{user} {kind}")
                self.assertNotContains(response, str(self.obj1), status_code=403)

    def test_permitted_user_gets_pages(self):
        self.client.force_login(self.town1_user)
        for kind in self.kinds("list", "add", "detail", "edit", "delete"):
            obj = self.obj1 if kind in ("detail", "edit", "delete") else None
            self.assertEqual(self.client.get(self.url(kind, obj)).status_code, 200, kind)

    def test_other_jurisdiction_is_not_found(self):
        self.client.force_login(self.town1_user)
        for kind in self.kinds("detail", "edit", "delete"):
            self.assertEqual(self.client.get(self.url(kind, self.obj2)).status_code, 404, kind)
            if kind != "detail":
                self.assertEqual(self.client.post(self.url(kind, self.obj2), {}).status_code, 404, kind)
        self.assertTrue(self.model.objects.filter(pk=self.obj2.pk).exists())

    def test_other_jurisdiction_absent_from_list_search_and_export(self):
        self.client.force_login(self.town1_user)
        listing = self.client.get(self.url("list"))
        self.assertContains(listing, str(self.obj1))
        self.assertNotContains(listing, str(self.obj2))
        self.assertNotIn(self.obj2, list(listing.context["table"].data))
        search = self.client.get(self.url("list"), {"q": self.search_term(self.obj2)})
        self.assertEqual(list(search.context["table"].data), [])
        if self.has_route("autocomplete"):
            found = self.client.get(self.url("autocomplete"), {"q": self.search_term(self.obj2)}).json()
            self.assertEqual(found["results"], [])
        if self.has_route("export"):
            text = export_text(self.client.get(self.url("export")))
            self.assertIn(str(self.obj1), text)
            self.assertNotIn(str(self.obj2), text)

    def test_county_staff_sees_both_towns(self):
        self.client.force_login(self.county_staff)
        listing = self.client.get(self.url("list"))
        self.assertContains(listing, str(self.obj1))
        self.assertContains(listing, str(self.obj2))

    def test_cannot_create_in_other_jurisdiction(self):
        data = self.form_data(self.org.town2)
        if data is None or not self.has_route("add"):
            self.skipTest("no create form")
        self.client.force_login(self.town1_user)
        before = self.model.objects.count()
        response = self.client.post(self.url("add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.model.objects.count(), before)


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
