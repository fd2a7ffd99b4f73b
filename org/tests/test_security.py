"""Every URL of the org tree (组织机构) as every demo role: configuration, the system administrator's alone."""


from accounts.testing import DemoRolesMatrixTestCase
from core.security_testing import ACTION, ANYWHERE, FORM, Redirect, Target, admin

MATRIX = {
    "org:tree": admin("system"),
    "org:unit_add_root": admin("system", post=FORM),
    "org:unit_add_child": admin("system", "unit", post=FORM),
    "org:unit_edit": admin("system", "unit", post=FORM),
    # An empty form is valid for these (move to the top, deactivate, activate, delete): never sent when allowed.
    "org:unit_move": admin("system", "unit", post=ACTION),
    "org:unit_deactivate": admin("system", "unit", post=ACTION),
    "org:unit_activate": admin("system", "unit", post=ACTION),
    "org:unit_delete": admin("system", "unit", post=ACTION),
    "org:import": admin("system", post=FORM),
    "org:import_confirm": admin("system", get=Redirect("org:import"), post=FORM, post_ok=Redirect("org:import")),
    "org:import_template": admin("system"),
}


class OrgUrlSecurityTests(DemoRolesMatrixTestCase):
    app = "org"
    matrix = MATRIX

    @classmethod
    def build_targets(cls, places):
        return {"unit": {ANYWHERE: Target({"pk": places["village1"].unit.pk})}}
