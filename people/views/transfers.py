"""Transfers (调动): one person or a selection moved to another unit, and the register of arrivals and departures
(调入 / 调出记录)."""

from django.views.generic import TemplateView
from django_tables2 import SingleTableMixin

from core import audit, views

from ..forms import (
    BulkTransferForm,
    TransferForm,
)
from ..models import Person, Transfer
from ..tables import TransferTable
from ..visibility import with_person_visible
from .bulk import BulkActionView
from .edit import PersonAdjustView, save_person


def transfer_person(person, to_unit, date, reason, user):
    """Move `person` to `to_unit` (the sending side's action): a Transfer row, history and audit."""
    from_unit = person.owner_unit
    Transfer.objects.create(person=person, from_unit=from_unit, to_unit=to_unit, date=date, reason=reason,
                            created_by=user)
    before = audit.snapshot(person, ["owner_unit"])
    person.owner_unit = to_unit
    save_person(person, user, f"调出至{to_unit.name}", before, ["owner_unit"])
    return from_unit


class PersonTransferView(PersonAdjustView):
    form_class = TransferForm
    title = "调动（调出至其他单位）"

    def get_form(self):
        return self.form_class(self.request.POST or None, exclude_unit=self.get_person().owner_unit)

    def apply(self, person, data):
        transfer_person(person, data["to_unit"], data["date"], data["reason"], self.request.user)
        if not self.request.user.can("view", person):
            return f"“{person.name}”已调出至{data['to_unit'].name}，该人员已不在您的数据范围内。"
        return f"“{person.name}”已调出至{data['to_unit'].name}。"


class BulkTransferView(BulkActionView):
    form_class = BulkTransferForm
    title = "批量调动"

    def summary(self, data):
        return f"调出至{data['to_unit'].name}"

    def apply(self, people, data):
        done = 0
        for person in people:
            if person.owner_unit_id == data["to_unit"].pk:
                continue
            transfer_person(person, data["to_unit"], data["date"], data["reason"], self.request.user)
            done += 1
        return done


class TransferListView(views.ScopedViewMixin, SingleTableMixin, TemplateView):
    """Arrivals (调入: the receiving unit is in the user's scope) and departures (调出)."""

    model = Person
    template_name = "people/transfer_list.html"
    table_class = TransferTable
    paginate_by = 25

    def direction(self):
        return "out" if self.request.GET.get("direction") == "out" else "in"

    def get_table_data(self):
        side = "from_unit" if self.direction() == "out" else "to_unit"
        return with_person_visible(
            Transfer.objects.visible_to(self.request.user, "view", via=side)
            .select_related("person", "from_unit", "to_unit", "created_by"),
            self.request.user,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["direction"] = self.direction()
        return context
