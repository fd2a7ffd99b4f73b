"""Every URL of pairings, contacts and follow-ups (联谊交友) as every demo role, inside and outside their scope."""

import datetime

from accounts.testing import DemoRolesMatrixTestCase
from core.security_testing import ACTION, FORM, Redirect, Target, needs, post_only, public
from friendship.models import Contact, FollowUp, Pairing
from people.models import Person
from representatives.models import Field, Level, Representative

MATRIX = {
    "friendship:index": public(get=Redirect("friendship:pairing_list")),
    "friendship:coverage": needs(Pairing, "view"),
    "friendship:coverage_export": needs(Pairing, "export"),
    "friendship:pairing_list": needs(Pairing, "view"),
    "friendship:pairing_export": needs(Pairing, "export"),
    "friendship:pairing_add": needs(Pairing, "add", post=FORM),
    # The detail lists the pairing's contacts: only those the user may see (see build_targets).
    "friendship:pairing_detail": needs(Pairing, "view", "pairing"),
    "friendship:pairing_edit": needs(Pairing, "change", "pairing", post=FORM),
    "friendship:pairing_delete": needs(Pairing, "delete", "pairing", post=ACTION),
    "friendship:pairing_contact_add": needs(Contact, "add", "pairing", post=FORM),
    "friendship:contact_list": needs(Contact, "view"),
    "friendship:contact_export": needs(Contact, "export"),
    "friendship:contact_add": needs(Contact, "add", post=FORM),
    "friendship:contact_detail": needs(Contact, "view", "contact"),
    "friendship:contact_edit": needs(Contact, "change", "contact", post=FORM),
    "friendship:contact_delete": needs(Contact, "delete", "contact", post=ACTION),
    "friendship:followup_create": needs(FollowUp, "add", "contact", post=FORM),
    "friendship:followup_list": needs(FollowUp, "view"),
    "friendship:followup_export": needs(FollowUp, "export"),
    "friendship:followup_detail": needs(FollowUp, "view", "followup"),
    "friendship:followup_edit": needs(FollowUp, "change", "followup", post=FORM),
    "friendship:followup_close": post_only(FollowUp, "change", "followup", post=FORM,
                                           post_ok=Redirect("friendship:followup_detail")),
    "friendship:followup_delete": needs(FollowUp, "delete", "followup", post=ACTION),
}


class FriendshipUrlSecurityTests(DemoRolesMatrixTestCase):
    app = "friendship"
    matrix = MATRIX

    @classmethod
    def build_targets(cls, places):
        pairings, contacts, follow_ups = {}, {}, {}
        made = {}
        for name, place in places.items():
            person = Person.objects.create(name=place.tag, owner_unit=place.unit)
            rep = Representative.objects.create(person=person, owner_unit=place.unit, level=Level.TOWN,
                                                field=Field.NON_PARTY)
            pairing = Pairing.objects.create(
                owner_unit=place.unit, representative=rep, official=place.owner, created_by=place.owner,
                official_name="" if place.owner else f"{place.tag}干部", start_date=datetime.date(2024, 1, 1))
            contact = Contact.objects.create(pairing=pairing, owner_unit=place.unit, date=datetime.date(2025, 5, 1),
                                             form=Contact.Form.VISIT, summary=f"{place.tag}走访",
                                             issues=f"{place.tag}问题", created_by=place.owner)
            follow_up = FollowUp.objects.create(contact=contact, owner_unit=place.unit, assignee=place.owner,
                                                description=f"{place.tag}跟进", created_by=place.owner,
                                                due_date=datetime.date.today() + datetime.timedelta(days=30))
            made[name] = pairing
            pairings[name] = Target({"pk": pairing.pk})
            contacts[name] = Target({"pk": contact.pk})
            follow_ups[name] = Target({"pk": follow_up.pk})
        # The town records a contact in a village's pairing: the village liaison sees the pairing, not the
        # town's contact.
        Contact.objects.create(pairing=made["village1"], owner_unit=places["town1"].unit,
                               date=datetime.date(2025, 6, 1), form=Contact.Form.TALK,
                               summary=f"{places['town1'].tag}谈话")
        return {
            "pairing": pairings, "contact": contacts, "followup": follow_ups,
        }
