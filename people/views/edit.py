"""Creating, editing and deleting a person, and the dynamic adjustments (动态调整) of status and tier."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from core import audit, views
from core.models import AuditEvent

from ..forms import (
    PersonForm,
    SocialPositionFormSet,
    StatusForm,
    TierForm,
)
from ..models import Person
from .detail import PersonMixin


class PersonEditView(views.ObjectEditView):
    model = Person
    form_class = PersonForm
    template_name = "people/person_form.html"

    def get_positions(self):
        if not hasattr(self, "positions"):
            data = self.request.POST if self.request.method == "POST" else None
            self.positions = SocialPositionFormSet(data, instance=self.object, prefix="positions")
        return self.positions

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        positions = self.get_positions()
        if form.is_valid() and positions.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def form_valid(self, form):
        form.instance._change_reason = "新增" if self.action == "add" else "编辑"

        def save_positions(person):
            positions = self.get_positions()
            positions.instance = person
            positions.save()

        return super().form_valid(form, after_save=save_positions)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["positions"] = self.get_positions()
        context["cancel_url"] = self.object.get_absolute_url() if self.object.pk else reverse("people:person_list")
        return context


class PersonDeleteView(views.ObjectDeleteView):
    model = Person

    def form_valid(self, form):
        # Files are not rows: remove the person's photo and attachments from storage once the delete commits.
        person = self.get_object()
        files = [a.file for a in person.attachments.all()] + ([person.photo] if person.photo else [])
        response = super().form_valid(form)
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])
        return response


class PersonAdjustView(PersonMixin, TemplateView):
    """A small form about one person that the user must be able to change."""

    action = "change"
    template_name = "people/person_adjust.html"
    form_class = None
    title = ""

    def get_form(self):
        return self.form_class(self.request.POST or None, person=self.get_person())

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        with transaction.atomic():
            message = self.apply(self.get_person(), form.cleaned_data)
        messages.success(request, message)
        return self.redirect_after()

    def redirect_after(self):
        person = self.get_person()
        if self.request.user.can("view", person):
            return HttpResponseRedirect(person.get_absolute_url())
        return HttpResponseRedirect(reverse("people:person_list"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(person=self.get_person(), title=self.title, opts=Person._meta)
        return context


def save_person(person, user, reason, before, fields):
    person.updated_by = user
    person._change_reason = reason
    person.save()
    changes = audit.field_changes(person, before, fields)
    changes["原因"] = reason
    audit.record(AuditEvent.Action.UPDATE, obj=person, changes=changes)


class PersonStatusView(PersonAdjustView):
    form_class = StatusForm
    title = "变更状态"

    def apply(self, person, data):
        fields = ["status", "status_date", "status_reason"]
        before = audit.snapshot(person, fields)
        person.status, person.status_date, person.status_reason = data["status"], data["date"], data["reason"]
        label = person.get_status_display()
        save_person(person, self.request.user, f"状态变更为{label}：{data['reason']}", before, fields)
        return f"“{person.name}”的状态已变更为{label}。"


class PersonTierView(PersonAdjustView):
    form_class = TierForm
    title = "调整管理层级"

    def apply(self, person, data):
        before = audit.snapshot(person, ["tier"])
        person.tier = data["tier"]
        label = person.get_tier_display()
        save_person(person, self.request.user, f"管理层级调整为{label}：{data['reason']}", before, ["tier"])
        return f"“{person.name}”的管理层级已调整为{label}。"
