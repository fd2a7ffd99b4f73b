"""The common contract of core's view-test base (core.view_testing) for the org tree: the system administrator's.
The tree's own rules (moving, deactivating, deleting a unit in use) are tested in test_tree_changes."""

from django.urls import reverse

from accounts.testing import AdminViewTestData
from core.view_testing import ViewTestCases
from org.models import Unit


class UnitViewTests(AdminViewTestData, ViewTestCases.ListObjects, ViewTestCases.CreateObject,
                    ViewTestCases.EditObject, ViewTestCases.DeleteObject):
    model = Unit
    url_prefix = "org:unit"
    admin_kind = "system"
    route_names = {"list": "org:tree", "add": "org:unit_add_child"}
    other_routes = ("add_root", "move", "deactivate", "activate")

    @classmethod
    def make_object(cls, unit):
        return Unit.objects.add_child(Unit.objects.get(pk=unit.pk),
                                      instance=Unit(name="县民族宗教事务局", type=Unit.Type.MEMBER, sort_order=60))

    def add_url(self, unit):
        return reverse("org:unit_add_child", kwargs={"parent_pk": unit.pk})

    def form_data(self, unit):
        return {"name": "县工商业联合会", "short_name": "县工商联", "type": Unit.Type.MEMBER, "division_code": "",
                "sort_order": "61", "is_active": "on"}

    def edit_data(self, obj):
        return {"name": "县民宗局", "short_name": "民宗局", "type": Unit.Type.MEMBER, "division_code": "",
                "sort_order": "62", "is_active": "on"}
