"""Every URL of the ledger (统战成员台账) as every demo role, inside and outside their scope (core.security_testing)."""

import datetime

from django.core.files.base import ContentFile

from accounts.testing import DemoRolesMatrixTestCase
from core.models import ImportJob
from core.security_testing import ACTION, ANYWHERE, FORM, Redirect, Target, admin, needs, post_only
from people.identity import check_digit
from people.models import Attachment, Category, Person, Tag
from people.tasks import KIND as IMPORT_KIND

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def id_number(serial):
    first17 = f"330998{datetime.date(1960, 1, 1) + datetime.timedelta(days=serial):%Y%m%d}{serial:03d}"
    return first17 + check_digit(first17)


MATRIX = {
    "people:person_list": needs(Person, "view"),
    # Searched for the tag every fixture's name shares: only the actor's own people may come back.
    "people:person_autocomplete": needs(Person, "view", query={"q": "栾"}),
    "people:person_detail": needs(Person, "view", "person"),
    "people:person_add": needs(Person, "add", post=FORM),
    "people:person_edit": needs(Person, "change", "person", post=FORM),
    "people:person_delete": needs(Person, "delete", "person", post=ACTION),
    "people:person_find": post_only(Person, "view", method_first=True, post=FORM,
                                    post_ok=Redirect("people:person_list")),
    "people:person_reveal": needs(Person, "view_sensitive", "person", post=FORM),
    "people:person_status": needs(Person, "change", "person", post=FORM),
    "people:person_tier": needs(Person, "change", "person", post=FORM),
    "people:person_transfer": needs(Person, "change", "person", post=FORM),
    "people:person_photo": needs(Person, "view", "person"),
    "people:attachment_upload": post_only(Person, "change", "person", post=FORM,
                                          post_ok=Redirect("people:person_detail")),
    "people:attachment_download": needs(Person, "view", "attachment"),
    "people:attachment_delete": post_only(Person, "change", "attachment"),
    "people:person_bulk_transfer": needs(Person, "change", get=Redirect("people:person_list"), post=FORM,
                                         post_ok=Redirect("people:person_list")),
    "people:person_bulk_tag": needs(Person, "change", get=Redirect("people:person_list"), post=FORM,
                                    post_ok=Redirect("people:person_list")),
    "people:transfer_list": needs(Person, "view"),
    # A selection may be POSTed (an empty one exports the filtered list). The full export (clear ID and phone
    # numbers) is never a GET, nor a POST without the user's password: `full=1` may then be refused or ignored,
    # but the secrets (every fixture's clear ID number and phone) must not come back.
    "people:person_export": needs(Person, "export", post=FORM, also=(
        needs(Person, "export", get=None, query={"full": "1"}, post=FORM, post_ok=None, post_data={"full": "1"}),)),
    "people:person_template": needs(Person, "import"),
    "people:person_import": needs(Person, "import", post=FORM),
    # An import job is its creator's alone: inside = the actor's own job, outside = another user's.
    "people:person_import_job": needs(Person, "import", "import_job", post=FORM,
                                      post_ok=Redirect("people:person_import_job")),
    "people:person_import_status": needs(Person, "import", "import_job"),
    "people:person_import_errors": needs(Person, "import", "import_job", get=Redirect("people:person_import_job")),
    # Categories are configuration: the system administrator's.
    "people:category_list": admin("system"),
    "people:category_add": admin("system", post=FORM),
    "people:category_edit": admin("system", "category", post=FORM),
    "people:category_delete": admin("system", "category", post=ACTION),
}


class PeopleUrlSecurityTests(DemoRolesMatrixTestCase):
    app = "people"
    matrix = MATRIX

    @classmethod
    def build_targets(cls, places):
        people, attachments = {}, {}
        secrets = []
        for serial, (name, place) in enumerate(places.items(), start=1):
            person = Person.objects.create(
                name=place.tag, owner_unit=place.unit, created_by=place.owner,
                id_number=id_number(serial), phone=f"1370000{serial:04d}", workplace=f"{place.tag}公司",
                photo=ContentFile(PNG, name="photo.png"),
            )
            person.tags.add(Tag.objects.create(name=f"{place.tag}标签"))
            secrets += [id_number(serial), f"1370000{serial:04d}"]
            attachment = Attachment.objects.create(person=person, file=ContentFile(b"%PDF-1.4", name="a.pdf"),
                                                   name=f"{place.tag}证书.pdf", size=8)
            people[name] = Target({"pk": person.pk})
            attachments[name] = Target({"pk": person.pk, "attachment": attachment.pk})
        cls.secrets = tuple(secrets)
        parent = Category.objects.filter(parent=None).order_by("code").first()
        subtype = Category.objects.create(code=f"{parent.code}99", name="安全测试子类", parent=parent)
        return {"person": people, "attachment": attachments, "category": {ANYWHERE: Target({"pk": subtype.pk})}}

    @classmethod
    def build_actor_targets(cls, actor, user):
        others = [u for name, u in cls.users.items() if name != actor.name]
        inside = _job(user) if user is not None else None
        return {"import_job": (inside, _job(others[0]))}


def _job(user):
    job = ImportJob.objects.create(kind=IMPORT_KIND, user=user, unit=user.unit, file_name="台账.xlsx",
                                   status=ImportJob.Status.CHECKED, result={"counts": {}})
    return Target({"pk": job.pk})
