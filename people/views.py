"""The ledger's pages, built on core's generic views. Every record is reached through `visible_to`."""

import mimetypes
import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from django_tables2 import SingleTableMixin

from core import audit, crypto, views
from core.models import AuditEvent

from . import lookups
from .filtersets import PersonFilterSet, looks_like_id_number
from .forms import (
    AttachmentForm,
    BulkTagForm,
    BulkTransferForm,
    IdNumberSearchForm,
    PersonForm,
    RevealForm,
    SocialPositionFormSet,
    StatusForm,
    TierForm,
    TransferForm,
)
from .history import history_entries
from .models import Attachment, Person, Tag, Transfer, acting_unit
from .privacy import SensitiveScope, birth_date_text, may_reveal, may_see_sensitive
from .services import person_choices
from .tables import CachedCountPaginator, PersonTable, TransferTable

MAX_PER_PAGE = 100
MAX_BULK = 5000  # people one bulk action handles at most
# Filters behind "更多条件" on the list page (search, category, status and unit are always shown).
ADVANCED_FILTERS = ("tier", "affiliation", "ethnicity", "age_min", "age_max", "representative", "tag")


class CappedCountPaginator(CachedCountPaginator):
    def __init__(self, object_list, per_page, *args, **kwargs):
        super().__init__(object_list, max(1, min(int(per_page), MAX_PER_PAGE)), *args, **kwargs)


# --- list ----------------------------------------------------------------------------------------------

class PersonListView(views.ObjectListView):
    model = Person
    results_template_name = "people/person_list_results.html"
    table_class = PersonTable
    filterset_class = PersonFilterSet
    template_name = "people/person_list.html"
    table_pagination = {"per_page": 25, "paginator_class": CappedCountPaginator}

    def get_table_kwargs(self):
        return {**super().get_table_kwargs(), "sensitive": SensitiveScope(self.request.user)}

    def get_queryset(self):
        # The list never shows the ID number or free text: leave them (and their decryption) out.
        return (
            super().get_queryset().select_related("owner_unit").prefetch_related("categories")
            .defer("id_number", "notes", "address", "native_place", "photo", "status_reason")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = context["filter"].form
        context.update(
            advanced_fields=ADVANCED_FILTERS,
            advanced_open=any(form.data.get(name) for name in ADVANCED_FILTERS),
            id_number_in_search=looks_like_id_number(self.request.GET.get("q", "")),
            id_search_form=IdNumberSearchForm(),
            can_bulk_change=user.has_action(Person, "change"),
            can_full_export=user.has_action(Person, "view_sensitive") and user.has_action(Person, "export"),
            import_url=views.reverse_or_none("people:person_import") if user.has_action(Person, "import") else None,
        )
        return context


class PersonAutocompleteView(views.ObjectAutocompleteView):
    model = Person

    def get(self, request, *args, **kwargs):
        term = request.GET.get("q", "").strip()
        return JsonResponse({"results": person_choices(self.get_queryset(), term, self.limit)})


@method_decorator(require_POST, name="dispatch")
class PersonIdSearchView(views.ScopedViewMixin, View):
    """Exact search by the full ID number. Sent by POST (never in a URL), matched through the keyed hash,
    and only inside the user's scope: "未找到" says nothing about people outside it. Every search is an
    ID lookup (people.lookups): audited, and refused once the user has guessed too often."""

    model = Person

    def post(self, request, *args, **kwargs):
        form = IdNumberSearchForm(request.POST)
        list_url = reverse("people:person_list")
        if not form.is_valid():
            messages.error(request, "；".join(form.errors["id_number"]))
            return HttpResponseRedirect(list_url)
        number = form.cleaned_data["id_number"]
        number_hash = crypto.keyed_hash(number)
        person = Person.objects.filter(id_number_hash=number_hash).select_related("owner_unit").only(
            "pk", "owner_unit__name").first()
        found = person is not None and request.user.can("view", person)
        try:
            if found:
                lookups.settle(request.user, lookups.SEARCH, hits=[number_hash])
            else:
                outside = {number_hash: person.owner_unit.name} if person is not None else {}
                lookups.settle(request.user, lookups.SEARCH, misses=[(number, number_hash)], outside=outside)
        except lookups.LookupRefused as refused:
            messages.error(request, str(refused))
            return HttpResponseRedirect(list_url)
        if not found:
            messages.warning(request, "未找到：在您的数据范围内没有该身份证号对应的人员。")
            return HttpResponseRedirect(list_url)
        return HttpResponseRedirect(person.get_absolute_url())


# --- detail --------------------------------------------------------------------------------------------

def _display(person, name):
    field = Person._meta.get_field(name)
    value = getattr(person, name)
    if field.choices:
        return getattr(person, f"get_{name}_display")()
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def person_sections(person, birth_day=True):
    """[(title, [(label, value)])] of the five-part archive (attachments are shown separately). Without
    `birth_day` the birth date shows its month only (people.privacy)."""
    def rows(*names):
        return [(Person._meta.get_field(n).verbose_name, _display(person, n)) for n in names]

    birth = (Person._meta.get_field("birth_date").verbose_name, birth_date_text(person.birth_date, day=birth_day))
    basic = [*rows("name", "gender", "ethnicity"), birth, *rows("native_place", "address")]

    return [
        ("basic", "基本信息", basic),
        ("work", "工作与学历", rows("workplace", "position", "field", "education", "degree")),
        ("political", "政治面貌与社会职务", rows("affiliation", "affiliation_date")),
        ("unitedfront", "统战信息", [
            ("类别", "、".join(c.name for c in person.categories.all())),
            ("所属单位", person.owner_unit.name),
            *rows("tier", "is_representative"),
            ("标签", "、".join(t.name for t in person.tags.all())),
            *rows("status", "status_date", "status_reason", "notes"),
        ]),
    ]


class PersonDetailView(views.ObjectDetailView):
    model = Person
    template_name = "people/person_detail.html"
    detail_fields = ["name"]

    def get_queryset(self):
        return super().get_queryset().select_related("owner_unit", "created_by", "updated_by").prefetch_related(
            "categories", Prefetch("tags", queryset=Tag.objects.visible_to(self.request.user)), "positions",
            "attachments__uploaded_by",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person, user = self.object, self.request.user
        can_change = context["can_change"]
        birth_day = may_see_sensitive(user, person)
        context.update(
            sections=person_sections(person, birth_day=birth_day),
            id_number_masked=Person._meta.get_field("id_number").masked(person.id_number),
            phone_masked=Person._meta.get_field("phone").masked(person.phone),
            can_reveal=may_reveal(user, person) and bool(person.id_number or person.phone),
            reveal_form=RevealForm(),
            attachment_form=AttachmentForm() if can_change else None,
            history=history_entries(person, birth_day=birth_day),
            transfers=person.transfers.select_related("from_unit", "to_unit", "created_by"),
        )
        return context


class PersonMixin(views.ScopedViewMixin):
    """Views about one person: the person must be inside the user's scope for the view's action."""

    model = Person

    def get_person(self):
        if not hasattr(self, "person"):
            self.person = get_object_or_404(self.get_queryset().select_related("owner_unit"), pk=self.kwargs["pk"])
        return self.person


@method_decorator(never_cache, name="dispatch")
class PersonRevealView(PersonMixin, View):
    """Shows the full ID number and phone after the user types their password again; audited either way.
    No response of it is kept by a browser or proxy cache (never_cache: Cache-Control no-store)."""

    action = "view_sensitive"
    template_name = "people/person_reveal.html"

    def get(self, request, *args, **kwargs):
        return self.render(RevealForm())

    def post(self, request, *args, **kwargs):
        person = self.get_person()
        form = RevealForm(request.POST)
        fields = [label for label, value in (("身份证号", person.id_number), ("联系电话", person.phone)) if value]
        if form.is_valid():
            user = authenticate(request, username=request.user.get_username(), password=form.cleaned_data["password"])
            if user is not None and user.pk == request.user.pk:
                audit.record(AuditEvent.Action.REVEAL, obj=person, changes={"字段": fields})
                return self.render(None, revealed=True)
            form.add_error("password", "密码不正确，未显示敏感信息。")
            audit.record(AuditEvent.Action.REVEAL, obj=person, success=False,
                         changes={"字段": fields, "原因": "密码错误"})
        return self.render(form)

    def render(self, form, revealed=False):
        person = self.get_person()
        context = {"person": person, "object": person, "form": form, "revealed": revealed}
        template = "people/includes/reveal_body.html" if self.request.htmx else self.template_name
        return render(self.request, template, context)


# --- create / edit / delete ----------------------------------------------------------------------------

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
        with transaction.atomic():
            response = super().form_valid(form)
            if response.status_code == 302:
                positions = self.get_positions()
                positions.instance = self.object
                positions.save()
        return response

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


# --- dynamic adjustment (动态调整) ---------------------------------------------------------------------

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


# --- bulk actions --------------------------------------------------------------------------------------

class BulkActionView(views.ScopedViewMixin, TemplateView):
    """POST from the list with `ids`: first shows a confirmation form, then (with `confirm`) applies the
    action to the selected people the user may change. Other ids are ignored and counted."""

    model = Person
    action = "change"
    template_name = "people/person_bulk.html"
    form_class = None
    title = ""

    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(reverse("people:person_list"))

    def post(self, request, *args, **kwargs):
        confirming = "confirm" in request.POST
        form = self.form_class(request.POST if confirming else None, **self.form_kwargs())
        ids = sorted({int(v) for v in request.POST.getlist("ids") if v.isdigit()})[:MAX_BULK]
        people = self.get_queryset().filter(pk__in=ids).select_related("owner_unit")
        if not ids:
            messages.warning(request, "请先勾选人员。")
            return HttpResponseRedirect(reverse("people:person_list"))
        if confirming and form.is_valid():
            people = list(people)
            with transaction.atomic():
                done = self.apply(people, form.cleaned_data)
            ignored = len(ids) - len(people)
            message = f"已处理 {done} 人：{self.summary(form.cleaned_data)}。"
            if ignored:
                message += f"另有 {ignored} 条不在您的可修改范围内（或不存在），已忽略。"
            messages.success(request, message)
            return HttpResponseRedirect(reverse("people:person_list"))
        context = self.get_context_data(form=form, people=people.order_by("name_pinyin")[:200],
                                        count=people.count(), ids=ids, title=self.title)
        return self.render_to_response(context)

    def form_kwargs(self):
        return {}


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


class BulkTagView(BulkActionView):
    form_class = BulkTagForm
    title = "批量添加标签"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visible = Tag.objects.visible_to(self.request.user)
        context["tag_options"] = visible.order_by("name").values_list("name", flat=True).distinct()[:500]
        return context

    def summary(self, data):
        return f"添加标签“{data['tag']}”"

    def apply(self, people, data):
        user = self.request.user
        found = Tag.objects.visible_to(user).ensure([data["tag"]], unit=acting_unit(user), user=user)
        tag = Tag.objects.get(pk=found[data["tag"]])
        through = Person.tags.through
        has = set(through.objects.filter(tag=tag, person__in=people).values_list("person_id", flat=True))
        new = [through(person_id=p.pk, tag_id=tag.pk) for p in people if p.pk not in has]
        through.objects.bulk_create(new)
        audit.record(AuditEvent.Action.UPDATE, object_type=Person._meta.label, label=f"批量添加标签“{tag.name}”",
                     changes={"标签": tag.name, "人数": len(new), "人员编号": [p.pk for p in people][:500]})
        CachedCountPaginator.new_generation()
        return len(people)


# --- transfers (调入 / 调出记录) ------------------------------------------------------------------------

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
        visible = Person.objects.visible_to(self.request.user, "view").filter(pk=OuterRef("person_id"))
        return (
            Transfer.objects.visible_to(self.request.user, "view", via=side)
            .select_related("person", "from_unit", "to_unit", "created_by")
            .annotate(person_visible=Exists(visible))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["direction"] = self.direction()
        return context


# --- attachments and photo -----------------------------------------------------------------------------

class AttachmentUploadView(PersonMixin, View):
    action = "change"

    def post(self, request, *args, **kwargs):
        person = self.get_person()
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "附件未上传：" + "；".join(e for errors in form.errors.values() for e in errors))
            return HttpResponseRedirect(person.get_absolute_url() + "#attachments")
        upload = form.cleaned_data["file"]
        original = Path(upload.name).name[:200]
        upload.name = uuid.uuid4().hex + Path(original).suffix.lower()
        with transaction.atomic():
            Attachment.objects.create(person=person, file=upload, name=original, size=upload.size,
                                      uploaded_by=request.user)
            touch(person, request.user, f"上传附件：{original}")
            audit.record(AuditEvent.Action.UPDATE, obj=person, changes={"上传附件": original})
        messages.success(request, f"附件“{original}”已上传。")
        return HttpResponseRedirect(person.get_absolute_url() + "#attachments")


def touch(person, user, reason):
    """A history entry for a change that lives outside the person's own row (attachments)."""
    person.updated_by = user
    person._change_reason = reason
    person.save(update_fields=["updated_by", "updated_at"])


class AttachmentDownloadView(PersonMixin, View):
    """Attachments are never served from /media/: only through here, inside the user's scope."""

    def get(self, request, *args, **kwargs):
        person = self.get_person()
        attachment = get_object_or_404(Attachment, pk=kwargs["attachment"], person=person)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        content_type = mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
        # Attachments may be scans of certificates: every download is on the record.
        audit.record(AuditEvent.Action.EXPORT, obj=person, label=f"{person.name}：下载附件",
                     changes={"附件": attachment.name})
        return FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=content_type)


class AttachmentDeleteView(PersonMixin, View):
    action = "change"

    def post(self, request, *args, **kwargs):
        person = self.get_person()
        attachment = get_object_or_404(Attachment, pk=kwargs["attachment"], person=person)
        name = attachment.name
        with transaction.atomic():
            attachment.delete()
            touch(person, request.user, f"删除附件：{name}")
            audit.record(AuditEvent.Action.UPDATE, obj=person, changes={"删除附件": name})
        transaction.on_commit(lambda: attachment.file.storage.delete(attachment.file.name))
        messages.success(request, f"附件“{name}”已删除。")
        return HttpResponseRedirect(person.get_absolute_url() + "#attachments")


class PersonPhotoView(PersonMixin, View):
    def get(self, request, *args, **kwargs):
        person = self.get_person()
        if not person.photo:
            raise Http404
        try:
            handle = person.photo.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        content_type = mimetypes.guess_type(person.photo.name)[0] or "application/octet-stream"
        response = FileResponse(handle, content_type=content_type)
        response["Cache-Control"] = "private, max-age=300"
        return response

