"""The representatives' pages (党外代表人士), on core's generic views. Every record through `visible_to`."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core import audit, views
from core.exports import describe_filter, export_xlsx
from core.text import is_number
from people.choices import Status
from people.models import Person
from people.services import (
    birth_date_text,
    mark_representative,
    may_reveal,
    may_see_person,
    may_see_sensitive,
    person_choices,
    visible_people,
    with_person_visible,
)

from . import services
from .exports import TITLE, write_representatives
from .filtersets import RepresentativeFilterSet
from .forms import AssessmentForm, CultivationForm, RepresentativeCreateForm, RepresentativeEditForm, StageForm
from .models import Assessment, Cultivation, Representative, Stage
from .tables import STAGE_BADGES, RepresentativeTable

STAGE_ICONS = {Stage.DISCOVERED: "ti-search", Stage.CULTIVATING: "ti-plant-2", Stage.CERTIFIED: "ti-award",
               Stage.EXITED: "ti-door-exit"}
# Filters behind "更多条件" (search, stage, level, field and unit are always shown).
ADVANCED_FILTERS = ("kind", "category", "status", "tier", "affiliation", "ethnicity", "age_min", "age_max", "tag")


# --- list and export -----------------------------------------------------------------------------------

class RepresentativeListView(views.ObjectListView):
    model = Representative
    table_class = RepresentativeTable
    filterset_class = RepresentativeFilterSet
    template_name = "representatives/representative_list.html"
    results_template_name = "representatives/representative_list_results.html"

    def get_queryset(self):
        queryset = (
            super().get_queryset().select_related("person", "owner_unit")
            .only("pk", "level", "field", "kind", "stage", "stage_date", "owner_unit", "person__name",
                  "person__name_pinyin", "owner_unit__name", "owner_unit__short_name", "owner_unit__path")
            .prefetch_related(services.prefetch_political_positions(), "assessments")
        )
        return with_person_visible(queryset, self.request.user)  # the table shows the person's arrangements

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["filter"].form
        context.update(
            advanced_fields=ADVANCED_FILTERS,
            advanced_open=any(form.data.get(name) for name in ADVANCED_FILTERS if name != "status")
            or form.data.get("status") not in (None, "", Status.ACTIVE),
        )
        return context


class RepresentativeExportView(views.ScopedViewMixin, View):
    """The filtered list as xlsx: phone numbers masked, no ID numbers; audited with the filter and row count."""

    model = Representative
    action = "export"

    def get(self, request, *args, **kwargs):
        user = request.user
        filterset = RepresentativeFilterSet(request.GET, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            messages.error(request, "导出条件有误：" + "；".join(
                f"{filterset.form.fields[name].label if name in filterset.form.fields else name}：{'，'.join(errors)}"
                for name, errors in filterset.form.errors.items()
            ))
            return HttpResponseRedirect(reverse("representatives:representative_list"))
        queryset = filterset.qs.order_by("owner_unit__path", "person__name_pinyin", "pk")
        notes = ["联系电话已脱敏"]
        if queryset.exclude(person__in=visible_people(user).values("pk")).exists():
            notes.append("台账档案不在您数据范围内的人员，只导出姓名和代表人士档案")
        return export_xlsx(
            request, models=[Representative], title=TITLE, filters=describe_filter(filterset), notes=notes,
            write=lambda target, title, subtitle: write_representatives(target, queryset, user=user, title=title,
                                                                       subtitle=subtitle),
        )


class CandidateAutocompleteView(views.ObjectAutocompleteView):
    """The ledger's person picker (scoped, pinyin search), without people who already are representatives."""

    model = Person

    def get(self, request, *args, **kwargs):
        term = request.GET.get("q", "").strip()
        candidates = self.get_queryset().filter(status=Status.ACTIVE, representative__isnull=True)
        return JsonResponse({"results": person_choices(candidates, term, self.limit)})


# --- detail --------------------------------------------------------------------------------------------

def person_rows(person, birth_day=True):
    """The person's basic facts shown on the profile (ID number and phone masked, never revealed here; the
    birth date to the month only without `birth_day`, see people.privacy)."""
    def label(name):
        return Person._meta.get_field(name).verbose_name

    def shown(name):
        field = Person._meta.get_field(name)
        return getattr(person, f"get_{name}_display")() if field.choices else getattr(person, name)

    return [
        (label("gender"), shown("gender")), (label("ethnicity"), shown("ethnicity")),
        (label("birth_date"), birth_date_text(person.birth_date, day=birth_day)),
        (label("affiliation"), shown("affiliation")),
        ("工作单位及职务", "".join(part for part in (person.workplace, person.position) if part)),
        (label("education"), shown("education")),
        (label("id_number"), Person._meta.get_field("id_number").masked(person.id_number)),
        (label("phone"), Person._meta.get_field("phone").masked(person.phone)),
        ("类别", "、".join(c.name for c in person.categories.all())),
        ("台账所属单位", person.owner_unit.name),
        (label("status"), shown("status")),
    ]


class RepresentativeDetailView(views.ObjectDetailView):
    model = Representative
    template_name = "representatives/representative_detail.html"
    detail_fields = ["level"]

    def get_queryset(self):
        return super().get_queryset().select_related(
            "person__owner_unit", "owner_unit", "created_by", "updated_by"
        ).prefetch_related(
            "stage_changes__created_by", "cultivations", "assessments", "person__categories",
            services.prefetch_political_positions(),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rep, user = self.object, self.request.user
        person = rep.person
        can_change = context["can_change"]
        person_visible = may_see_person(user, person)
        today = datetime.date.today()
        # The political arrangements are the person's, kept in the ledger: shown with the person's other fields.
        positions = [(p, services.position_title(p), services.term_flag(p, today))
                     for p in person.positions.all()] if person_visible else []
        timeline = list(rep.stage_changes.all())
        for step in timeline:
            step.badge_class, step.icon = STAGE_BADGES.get(step.stage, ""), STAGE_ICONS.get(step.stage, "ti-point")
        certify_next = Stage.CERTIFIED in services.next_stages(rep)
        context.update(
            rep=rep, person=person, person_visible=person_visible,
            person_rows=person_rows(person, birth_day=may_see_sensitive(user, person)) if person_visible else [],
            person_can_reveal=person_visible and may_reveal(user, person),
            stage_form=StageForm(representative=rep, user=user) if can_change else None,
            certify_refused=certify_next and not services.may_certify(user, rep),
            stage_badge=STAGE_BADGES.get(rep.stage, ""),
            stage_choices=Stage.choices,
            timeline=timeline,
            positions=positions,
            cultivations=list(rep.cultivations.all()),
            assessments=list(rep.assessments.all()),
        )
        return context


# --- create / edit / delete ----------------------------------------------------------------------------

class RepresentativeEditView(views.ObjectEditView):
    model = Representative
    template_name = "representatives/representative_form.html"

    def get_form_class(self):
        return RepresentativeCreateForm if self.action == "add" else RepresentativeEditForm

    def get_initial(self):
        initial = super().get_initial()
        person = self.request.GET.get("person", "")
        if self.action == "add" and is_number(person):
            initial["person"] = person  # "列为代表人士" from a person's page; the picker shows it if in scope
        return initial

    def get_queryset(self):
        return super().get_queryset().select_related("person")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.object.get_absolute_url() if self.object.pk \
            else reverse("representatives:representative_list")
        return context


class RepresentativeDeleteView(views.ObjectDeleteView):
    model = Representative
    protected_hint = "如不再作为代表人士，请办理“退出”。"

    def form_valid(self, form):
        rep = self.get_object()
        with transaction.atomic():
            response = super().form_valid(form)
            # The generic view refuses (and keeps the record) when pairings still refer to it.
            if not Representative.objects.filter(pk=rep.pk).exists():
                mark_representative(rep.person, self.request.user, False, "删除代表人士档案")
        return response


# --- the pipeline --------------------------------------------------------------------------------------

class RepresentativeMixin(views.ScopedViewMixin):
    """Views about one representative, who must be inside the user's scope for the view's action."""

    model = Representative
    action = "change"

    def get_representative(self):
        if not hasattr(self, "representative"):
            self.representative = get_object_or_404(
                self.get_queryset().select_related("person", "owner_unit"), pk=self.kwargs["pk"]
            )
        return self.representative

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(rep=self.get_representative(), opts=Representative._meta)
        return context


class StageChangeView(RepresentativeMixin, TemplateView):
    """GET: the stage form on its own page; POST: the step (re-checked under a row lock)."""

    template_name = "representatives/stage_form.html"

    def get_form(self):
        return StageForm(self.request.POST or None, representative=self.get_representative(), user=self.request.user)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        rep = self.get_representative()
        form = self.get_form()
        if form.change_stage() is not None:
            messages.success(request, f"“{rep}”已变更为“{rep.get_stage_display()}”阶段。")
            return HttpResponseRedirect(rep.get_absolute_url() + "#timeline")
        return self.render_to_response(self.get_context_data(form=form))


class RecordFormView(RepresentativeMixin, TemplateView):
    """Add or edit one cultivation or assessment of a representative (the representative must be changeable)."""

    template_name = "representatives/record_form.html"
    record_model = None
    form_class = None
    anchor = ""

    def get_record(self):
        rep = self.get_representative()
        if "record" in self.kwargs:
            return get_object_or_404(self.record_model, pk=self.kwargs["record"], representative=rep)
        return self.record_model(representative=rep)

    def get(self, request, *args, **kwargs):
        record = self.get_record()
        return self.render_to_response(self.get_context_data(form=self.form_class(instance=record), record=record))

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        before = {} if record.pk is None else audit.snapshot(record, self.form_class._meta.fields)
        form = self.form_class(request.POST, instance=record)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, record=record))
        rep = self.get_representative()
        record = services.save_record(form, rep, request.user, before)
        verbose = self.record_model._meta.verbose_name
        messages.success(request, f"{verbose}“{record}”已保存。")
        return HttpResponseRedirect(rep.get_absolute_url() + f"#{self.anchor}")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = kwargs.get("record")
        verbose = self.record_model._meta.verbose_name
        context["title"] = f"{'编辑' if record is not None and record.pk else '新增'}{verbose}"
        context["anchor"] = self.anchor
        return context


class CultivationFormView(RecordFormView):
    record_model = Cultivation
    form_class = CultivationForm
    anchor = "cultivation"


class AssessmentFormView(RecordFormView):
    record_model = Assessment
    form_class = AssessmentForm
    anchor = "assessment"


class CultivationDoneView(RepresentativeMixin, View):
    """POST: a planned cultivation is marked done (its end date today unless one is set)."""

    def post(self, request, *args, **kwargs):
        rep = self.get_representative()
        cultivation = get_object_or_404(Cultivation, pk=kwargs["record"], representative=rep)
        try:
            done = services.complete_cultivation(cultivation, rep, request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            if done:
                messages.success(request, f"“{cultivation}”已标记为已完成。")
            else:
                messages.info(request, f"“{cultivation}”已是已完成状态。")
        return HttpResponseRedirect(rep.get_absolute_url() + "#cultivation")


class RecordDeleteView(RepresentativeMixin, View):
    """POST: delete one cultivation or assessment (confirmed in the browser), audited on the representative."""

    record_model = None
    anchor = ""

    def post(self, request, *args, **kwargs):
        rep = self.get_representative()
        record = get_object_or_404(self.record_model, pk=kwargs["record"], representative=rep)
        label, verbose = str(record), self.record_model._meta.verbose_name
        services.delete_record(record, rep, request.user)
        messages.success(request, f"{verbose}“{label}”已删除。")
        return HttpResponseRedirect(rep.get_absolute_url() + f"#{self.anchor}")


class CultivationDeleteView(RecordDeleteView):
    record_model = Cultivation
    anchor = "cultivation"


class AssessmentDeleteView(RecordDeleteView):
    record_model = Assessment
    anchor = "assessment"
