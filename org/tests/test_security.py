"""Every URL of the org tree (组织机构) as every demo role: configuration, the system administrator's alone."""


from accounts.testing import DemoRolesMatrixTestCase
from core.models import ImportJob
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
    # An import job is its creator's alone: inside = the actor's own job, outside = another user's.
    "org:import_job": admin("system", "import_job", post=FORM, post_ok=Redirect("org:import_job")),
    "org:import_status": admin("system", "import_job"),
    "org:import_errors": admin("system", "import_job", get=Redirect("org:import_job")),
    "org:import_template": admin("system"),
}


class OrgUrlSecurityTests(DemoRolesMatrixTestCase):
    app = "org"
    matrix = MATRIX

    @classmethod
    def build_targets(cls, places):
        return {"unit": {ANYWHERE: Target({"pk": places["village1"].unit.pk})}}

    @classmethod
    def build_actor_targets(cls, actor, user):
        others = [u for name, u in cls.users.items() if name != actor.name]
        inside = _job(user) if user is not None else None
        return {"import_job": (inside, _job(others[0]))}


def _job(user):
    # Checked, its upload held (sealed) until the user confirms or cancels.
    job = ImportJob.objects.create(kind="org.unit", user=user, file_name="单位.xlsx", data=ImportJob.seal(b"PK"),
                                   status=ImportJob.Status.CHECKED, result={"counts": {}})
    return Target({"pk": job.pk})
