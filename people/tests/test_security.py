"""Every URL of the ledger (统战成员台账) as every demo role, inside and outside their scope (core.security_testing)."""


from django.core.files.base import ContentFile

from accounts.testing import DemoRolesMatrixTestCase
from core.models import ImportJob
from core.security_testing import ACTION, ANYWHERE, FORM, Redirect, Target, admin, needs, post_only
from core.testing import PNG
from people.importers import LedgerImporter
from people.models import Attachment, Category, Person, Tag
from people.testing import birth_date, day_texts, id_number

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
    # The masked export: the filtered list by GET, a selection by GET or POST (nothing ticked: back to the list).
    # The selection names every fixture's person: only those the actor may export come back. The full export
    # (clear ID and phone numbers) is never a GET (`full=1` leads to the password page), nor a POST without the
    # user's password (the password page again, for who holds view_sensitive): the secrets (every fixture's
    # clear ID number and phone) never come back.
    "people:person_export": needs(Person, "export", post=FORM, post_ok=Redirect("people:person_list"), also=(
        needs(Person, "export", "selection", post=FORM),
        needs(Person, "export", query={"full": "1"}, get=Redirect("people:person_export_full"), post=FORM,
              post_data={"full": "1"}, post_ok=Redirect("people:person_list")),
        needs(Person, "export", "selection", query={"full": "1"}, get=Redirect("people:person_export_full"),
              post=FORM, post_data={"full": "1"}, post_action=("export", "view_sensitive")),
        needs(Person, "export", query={"full": "1"}, get=Redirect("people:person_export_full"), post=FORM,
              post_data={"full": "1", "password": "不是本人的密码"}, post_action=("export", "view_sensitive")),
    )),
    # The full export's password page (the filter as query string): who may export and see sensitive values.
    "people:person_export_full": needs(Person, ("export", "view_sensitive")),
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
        secrets, birth_days = [], []
        for serial, (name, place) in enumerate(places.items(), start=1):
            person = Person.objects.create(
                name=place.tag, owner_unit=place.unit, created_by=place.owner,
                id_number=id_number(serial), phone=f"1370000{serial:04d}", workplace=f"{place.tag}公司",
                birth_date=birth_date(serial), photo=ContentFile(PNG, name="photo.png"),
            )
            person.tags.add(Tag.objects.create(name=f"{place.tag}标签", owner_unit=place.unit,
                                                   created_by=place.owner))
            # The clear numbers, and the end of the ID number behind a mask (a mask shows the region only).
            secrets += [id_number(serial), f"1370000{serial:04d}", f"*{id_number(serial)[-4:]}"]
            birth_days += day_texts(birth_date(serial))
            attachment = Attachment.objects.create(person=person, file=ContentFile(b"%PDF-1.4", name="a.pdf"),
                                                   name=f"{place.tag}证书.pdf", size=8)
            people[name] = Target({"pk": person.pk})
            attachments[name] = Target({"pk": person.pk, "attachment": attachment.pk})
        cls.secrets = tuple(secrets)
        # The day of birth is sensitive: month only for who may not see sensitive values.
        cls.secrets_without = {"view_sensitive": tuple(birth_days)}
        parent = Category.objects.filter(parent=None).order_by("code").first()
        subtype = Category.objects.create(code=f"{parent.code}99", name="安全测试子类", parent=parent)
        everyone = sorted(t.kwargs["pk"] for t in people.values())
        return {"person": people, "attachment": attachments, "category": {ANYWHERE: Target({"pk": subtype.pk})},
                "selection": {ANYWHERE: Target(query={"ids": everyone}, data={"ids": everyone})}}

    @classmethod
    def build_actor_targets(cls, actor, user):
        others = [u for name, u in cls.users.items() if name != actor.name]
        inside = _job(user) if user is not None else None
        return {"import_job": (inside, _job(others[0]))}


def _job(user):
    # Checked, its upload held (sealed) until the user confirms or cancels.
    job = ImportJob.objects.create(kind=LedgerImporter.kind, user=user, unit=user.unit, file_name="台账.xlsx",
                                   file_size=len(PNG), data=ImportJob.seal(PNG), status=ImportJob.Status.CHECKED,
                                   result={"counts": {}})
    return Target({"pk": job.pk})
