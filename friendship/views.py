"""Pairings (结对联系), contact records (联系记录), follow-up items (跟进事项) and coverage (联系覆盖率).

Built on core's generic views: every record is reached through `visible_to(user, action)`, creates and
updates are audited by ObjectEditView. Officials with the "仅本人" scope see their own pairings and contacts.
"""

from django.apps import apps
from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core import audit, views
from core.exports import export_xlsx
from core.idempotency import IdempotentCreateMixin
from core.models import AuditEvent

from . import services
from .filtersets import ContactFilterSet, FollowUpFilterSet, PairingFilterSet
from .forms import ContactForm, FollowUpCloseForm, FollowUpForm, PairingForm
from .models import Contact, FollowUp, Pairing
from .tables import ContactTable, FollowUpTable, PairingTable, is_overdue


def progress_on(request):
    return services.progress_date(services.chosen_year(request.GET.get("year")))


# --- pairings --------------------------------------------------------------------------------------------

class PairingQuerysetMixin:
    def get_queryset(self):
        queryset = super().get_queryset().select_related("owner_unit", "official", "representative__person")
        return services.with_progress(queryset, progress_on(self.request))


class PairingListView(PairingQuerysetMixin, views.FoldedFiltersMixin, views.ObjectListView):
    always_shown = ("q", "whose")
    model = Pairing
    table_class = PairingTable
    filterset_class = PairingFilterSet
    template_name = "friendship/pairing_list.html"

    def get_table_kwargs(self):
        return {"can_add_contact": self.request.user.has_action(Contact, "add")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["progress_on"] = progress_on(self.request)
        return context


class PairingDetailView(views.ObjectDetailView):
    model = Pairing
    template_name = "friendship/pairing_detail.html"

    def get_queryset(self):
        queryset = super().get_queryset().select_related(
            "owner_unit", "official__unit", "representative__person", "representative__owner_unit",
            "created_by")
        return services.with_progress(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairing, user = self.object, self.request.user
        today = timezone.localdate()
        representative = pairing.representative
        representative_url = None
        if user.can("view", representative):
            representative_url = views.reverse_or_none("representatives:representative_detail",
                                                        pk=representative.pk)
        percent = min(100, round(100 * pairing.contacts_made / pairing.contacts_per_year)) \
            if pairing.contacts_per_year else 100
        context.update(
            today=today,
            percent=percent,
            representative_url=representative_url,
            # The pairing's contacts and their follow-ups that the user may see: a contact kept by another unit
            # (recorded before the pairing moved, or by the department) is not listed.
            contacts=Contact.objects.visible_to(user).filter(pairing=pairing).order_by("-date", "-id")
            .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.visible_to(user))),
            can_add_contact=_may_add_contact(user, pairing),
        )
        return context


def _may_add_contact(user, pairing):
    """Whether a contact recorded in `pairing` (it belongs to the pairing's unit) would fall inside what the user
    may add: Contact's scope rule decides — by the unit or, for an official's own scope, by the pairing's official."""
    return user.can("add", Contact(pairing=pairing, owner_unit=pairing.owner_unit))


class PairingEditView(views.ObjectEditView):
    model = Pairing
    form_class = PairingForm
    template_name = "friendship/object_form.html"


class PairingDeleteView(views.ObjectDeleteView):
    """A pairing with contacts is not deleted (core's view says why); one that ends gets an end date."""

    model = Pairing


def pairing_columns():
    return [
        ("结对", str),
        ("联系干部", lambda p: p.official_display),
        ("联系干部职务", lambda p: p.official_post),
        ("联系对象", lambda p: p.representative.person.name),
        ("所属单位", lambda p: p.owner_unit.name),
        ("每年联系次数", lambda p: p.contacts_per_year),
        ("开始日期", lambda p: p.start_date),
        ("结束日期", lambda p: p.end_date),
        ("今年已联系", lambda p: p.contacts_made),
        ("截至统计日应联系", lambda p: p.expected),
        ("进度", lambda p: "进度落后" if p.behind else "进度正常"),
    ]


class PairingExportView(PairingQuerysetMixin, views.ObjectExportView):
    model = Pairing
    filterset_class = PairingFilterSet
    filename_stem = "结对联系"

    def get_columns(self):
        return pairing_columns()


# --- contacts --------------------------------------------------------------------------------------------

class ContactQuerysetMixin:
    def get_queryset(self):
        return super().get_queryset().select_related(
            "owner_unit", "pairing__official", "pairing__representative__person")


class ContactListView(ContactQuerysetMixin, views.FoldedFiltersMixin, views.ObjectListView):
    always_shown = ("q", "whose")
    model = Contact
    table_class = ContactTable
    filterset_class = ContactFilterSet
    template_name = "friendship/contact_list.html"


class ContactDetailView(ContactQuerysetMixin, views.ObjectDetailView):
    model = Contact
    template_name = "friendship/contact_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contact, user = self.object, self.request.user
        # A follow-up belongs to the contact's unit and is seen by its assignee: the user may make one when
        # the unit is theirs, or (仅本人) when they will be its assignee — the form offers them as assignee.
        can_follow_up = user.can("add", FollowUp(contact=contact, owner_unit=contact.owner_unit, assignee=user))
        context.update(
            follow_ups=FollowUp.objects.visible_to(user).filter(contact=contact).select_related("assignee"),
            today=timezone.localdate(),
            follow_up_form=FollowUpForm(user=user, contact=contact) if can_follow_up else None,
            pairing_visible=user.can("view", contact.pairing),
        )
        return context


class ContactEditView(IdempotentCreateMixin, views.ObjectEditView):
    """Create (generic, choosing the pairing; or from a pairing's page, `pairing` in the URL) or edit."""

    model = Contact
    form_class = ContactForm
    template_name = "friendship/contact_form.html"

    def get_pairing(self):
        if "pairing" not in self.kwargs:
            return None
        if not hasattr(self, "pairing"):
            self.pairing = get_object_or_404(
                Pairing.objects.visible_to(self.request.user).select_related("representative__person", "official"),
                pk=self.kwargs["pairing"])
        return self.pairing

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["pairing"] = self.get_pairing()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairing = self.get_pairing() or (self.object.pairing if self.object.pk else None)
        context["pairing"] = pairing
        if self.object.pk:
            context["cancel_url"] = self.object.get_absolute_url()
        elif pairing is not None:
            context["cancel_url"] = pairing.get_absolute_url()
        else:
            context["cancel_url"] = reverse("friendship:contact_list")
        return context


class ContactDeleteView(views.ObjectDeleteView):
    model = Contact


class ContactExportView(ContactQuerysetMixin, views.ObjectExportView):
    model = Contact
    filterset_class = ContactFilterSet
    filename_stem = "联系记录"
    columns = [
        ("日期", lambda c: c.date),
        ("形式", lambda c: c.get_form_display()),
        ("联系对象", lambda c: c.pairing.representative.person.name),
        ("联系干部", lambda c: c.pairing.official_display),
        ("所属单位", lambda c: c.owner_unit.name),
        ("地点", lambda c: c.place),
        ("主要内容", lambda c: c.summary),
        ("反映的问题或建议", lambda c: c.issues),
    ]


# --- follow-ups ------------------------------------------------------------------------------------------

class FollowUpQuerysetMixin:
    def get_queryset(self):
        return super().get_queryset().select_related(
            "assignee", "owner_unit", "contact__pairing__representative__person", "contact__pairing__official")


class FollowUpListView(FollowUpQuerysetMixin, views.FoldedFiltersMixin, views.ObjectListView):
    always_shown = ("q", "whose")
    model = FollowUp
    table_class = FollowUpTable
    filterset_class = FollowUpFilterSet
    template_name = "friendship/followup_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = None  # a follow-up is made from a contact record
        return context


class FollowUpDetailView(FollowUpQuerysetMixin, views.ObjectDetailView):
    model = FollowUp
    template_name = "friendship/followup_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        follow_up, user = self.object, self.request.user
        can_change = context["can_change"]
        context.update(
            overdue=is_overdue(follow_up),
            contact_visible=user.can("view", follow_up.contact),
            close_form=FollowUpCloseForm(follow_up=follow_up)
            if can_change and follow_up.status == FollowUp.Status.OPEN else None,
        )
        return context


class FollowUpCreateView(views.ObjectEditView):
    """"One click turns an issue into a follow-up": from a contact record (`contact` in the URL)."""

    model = FollowUp
    form_class = FollowUpForm
    template_name = "friendship/object_form.html"

    def get_contact(self):
        if not hasattr(self, "contact"):
            self.contact = get_object_or_404(
                Contact.objects.visible_to(self.request.user).select_related("pairing__representative__person"),
                pk=self.kwargs["contact"])
        return self.contact

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["contact"] = self.get_contact()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.get_contact().get_absolute_url()
        context["title"] = "转为跟进事项"
        context["source"] = self.get_contact()
        return context


class FollowUpEditView(views.ObjectEditView):
    model = FollowUp
    form_class = FollowUpForm
    template_name = "friendship/object_form.html"


class FollowUpCloseView(views.ScopedViewMixin, View):
    """POST: close a follow-up with its result (办结). Audited as an update."""

    model = FollowUp
    action = "change"

    def post(self, request, pk):
        follow_up = get_object_or_404(self.get_queryset().select_related("contact"), pk=pk)
        if follow_up.status != FollowUp.Status.OPEN:
            messages.warning(request, "该事项已办结。")
            return HttpResponseRedirect(follow_up.get_absolute_url())
        form = FollowUpCloseForm(request.POST, follow_up=follow_up)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(follow_up.get_absolute_url())
        fields = ["status", "result", "closed_at"]
        before = audit.snapshot(follow_up, fields)
        follow_up.status = FollowUp.Status.DONE
        follow_up.result = form.cleaned_data["result"]
        follow_up.closed_at = form.cleaned_data["closed_at"]
        follow_up.updated_by = request.user
        with transaction.atomic():
            follow_up.save()
            audit.record(AuditEvent.Action.UPDATE, obj=follow_up,
                         changes=audit.field_changes(follow_up, before, fields))
        messages.success(request, f"跟进事项“{follow_up}”已办结。")
        return HttpResponseRedirect(follow_up.get_absolute_url())


class FollowUpDeleteView(views.ObjectDeleteView):
    model = FollowUp


class FollowUpExportView(FollowUpQuerysetMixin, views.ObjectExportView):
    model = FollowUp
    filterset_class = FollowUpFilterSet
    filename_stem = "跟进事项"
    columns = [
        ("问题", lambda f: f.description),
        ("代表人士", lambda f: f.contact.pairing.representative.person.name),
        ("联系日期", lambda f: f.contact.date),
        ("责任人", lambda f: str(f.assignee or "")),
        ("办理期限", lambda f: f.due_date),
        ("状态", lambda f: "已逾期" if is_overdue(f) else f.get_status_display()),
        ("办理结果", lambda f: f.result),
        ("办结日期", lambda f: f.closed_at),
    ]


# --- coverage --------------------------------------------------------------------------------------------

def coverage_rows(user):
    """[(label, unit, exact)]: the units below the user's top unit (and the top unit's own records), or
    the top units themselves when the user's scope has several."""
    Unit = apps.get_model("org", "Unit")
    tops = Pairing.objects.scope_top_units(user, "view", fallback=user.unit if user.unit_id else None)
    if len(tops) != 1:
        return [(t.name, t, False) for t in tops]
    top = tops[0]
    children = Unit.objects.filter(path__startswith=top.path, depth=top.depth + 1, is_active=True)
    rows = [(c.name, c, False) for c in sorted(children, key=lambda u: (u.sort_order, u.name))]
    return [*rows, (f"{top.name}（本级）", top, True)]


class CoverageMixin(views.ScopedViewMixin):
    model = Pairing

    def coverage(self):
        user = self.request.user
        on = progress_on(self.request)
        queryset = Pairing.objects.visible_to(user, self.action)
        return on, services.coverage(queryset, coverage_rows(user), on)


class CoverageView(CoverageMixin, TemplateView):
    template_name = "friendship/coverage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        on, rows = self.coverage()
        year = services.chosen_year(self.request.GET.get("year"))
        context.update(
            rows=rows, on=on, year=year or on.year, years=services.year_choices(),
            querystring=f"year={year}" if year else "",
            export_url=reverse("friendship:coverage_export"),
        )
        return context


COVERAGE_HEADERS = ["单位", "结对数", "进度正常", "进度落后", "今年联系次数", "截至统计日应联系", "今年已联系的结对",
                    "联系率（%）", "进度正常率（%）"]


class CoverageExportView(CoverageMixin, View):
    action = "export"

    def get(self, request, *args, **kwargs):
        on, rows = self.coverage()
        return export_xlsx(
            request, models=[Pairing], title=f"联系覆盖率（{on.year}年，统计至{on:%Y-%m-%d}）", filename="联系覆盖率",
            headers=COVERAGE_HEADERS, widths={"单位": 24}, changes={"年度": on.year},
            rows=([row.label, row.pairings, row.on_track, row.behind, row.contacts, row.expected, row.contacted,
                   row.contact_rate, row.on_track_rate] for row in rows),
        )
