"""Generic views every app builds on. Each one reaches its records through `visible_to(user, action)`."""

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.forms import modelform_factory
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, TemplateView
from django.views.generic.edit import DeleteView, UpdateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from . import audit, editing
from .api import errors as api_errors
from .exports import deny_export, export_xlsx, query_filters
from .fields import EncryptedCharField
from .models import AuditEvent
from .workbench import due_this_month, home_for, quick_actions_for, widgets_for


def url_name(model, view):
    return f"{model._meta.app_label}:{model._meta.model_name}_{view}"


class ScopedViewMixin(AccessMixin):
    """Login required; the role must grant `action` on `model` (else 403 without naming any record);
    objects outside the user's scope do not exist for them (404)."""

    model = None
    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_action(self.model, self.action):
            if self.action == "export":
                deny_export(f"导出{self.model._meta.verbose_name}", self.model._meta.label)
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user, self.action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        opts = self.model._meta
        context.update(
            opts=opts,
            verbose_name=opts.verbose_name,
            can_add=user.has_action(self.model, "add"),
            can_change=user.has_action(self.model, "change"),
            can_delete=user.has_action(self.model, "delete"),
            can_export=user.has_action(self.model, "export"),
            list_url=reverse(url_name(self.model, "list")),
        )
        return context


class AdminRoleRequiredMixin(AccessMixin):
    """Sign-in required; then only the holder of one separated admin role (三员分立), everyone else 403."""

    admin_kind = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.is_admin_of(self.admin_kind):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class SystemAdminRequiredMixin(AdminRoleRequiredMixin):
    """Configuration pages (org tree, categories, ...): the system administrator (系统管理员) only."""

    admin_kind = "system"


class HtmxListMixin:
    """A list page whose results part alone is re-rendered for htmx requests (filtering, paging, sorting)."""

    results_template_name = "core/object_list_results.html"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return [self.results_template_name]
        return super().get_template_names()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        return context


class FoldedFiltersMixin:
    """For core/folded_filter_list.html: the filters other than the search box (and `always_shown`) stay folded
    unless one of them is set."""

    always_shown = ("q",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        names = [n for n in context["filter"].form.fields if n not in self.always_shown]
        context["filters_open"] = any(self.request.GET.get(n) for n in names)
        return context


class ObjectListView(HtmxListMixin, ScopedViewMixin, SingleTableMixin, FilterView):
    template_name = "core/object_list.html"
    # The table paginates; the ListView must not paginate (and count) the same rows a second time.
    paginate_by = None
    table_pagination = {"per_page": 25}
    export_columns = None  # [(header, accessor)] for the Excel export of this list

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset if queryset.ordered else queryset.order_by("-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            add_url=reverse_or_none(url_name(self.model, "add")),
            export_url=reverse_or_none(url_name(self.model, "export")),
        )
        return context


class ObjectDetailView(ScopedViewMixin, DetailView):
    template_name = "core/object_detail.html"
    detail_fields = None  # field names shown on the generic detail page

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        fields = self.detail_fields or [f.name for f in obj._meta.fields if f.editable and f.name != "id"]
        rows = []
        for name in fields:
            field = obj._meta.get_field(name)
            value = getattr(obj, name)
            if isinstance(field, EncryptedCharField):
                value = field.masked(value)
            elif field.choices:
                value = getattr(obj, f"get_{name}_display")()
            rows.append((field.verbose_name, value))
        context.update(
            fields=rows,
            edit_url=reverse_or_none(url_name(self.model, "edit"), pk=obj.pk),
            delete_url=reverse_or_none(url_name(self.model, "delete"), pk=obj.pk),
            can_change=self.allows("change"),
            can_delete=self.allows("delete"),
        )
        return context

    def allows(self, action):
        """Whether the user may `action` (change, delete, …) this object: it is in their scope for that action."""
        return self.request.user.can(action, self.object)


class ObjectEditView(ScopedViewMixin, UpdateView):
    """Create (no pk in the URL, action "add") or update (action "change").

    The save and the scope check share one transaction: a change that would put the record outside
    what the user may change is rolled back and explained.
    """

    template_name = "core/object_edit.html"
    form_class = None
    fields = None

    def dispatch(self, request, *args, **kwargs):
        self.action = "change" if "pk" in kwargs else "add"
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        if self.action == "add":
            return self.model()
        obj = super().get_object(queryset)
        # Taken before the form writes the submitted values onto the instance, for the audit diff.
        self.values_before = audit.snapshot(obj, [f.name for f in obj._meta.concrete_fields])
        return obj

    def get_form_class(self):
        if self.form_class:
            return self.form_class
        return modelform_factory(self.model, fields=self.fields or "__all__")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if editing.accepts_user(self.get_form_class()):
            kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form, after_save=None):
        if not editing.save_in_scope(form, self.request.user, values_before=getattr(self, "values_before", None),
                                     after_save=after_save):
            return self.form_invalid(form)
        self.object = form.instance
        messages.success(self.request, f"{self.model._meta.verbose_name}“{self.object}”已保存。")
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        if hasattr(self.object, "get_absolute_url"):
            return self.object.get_absolute_url()
        return reverse(url_name(self.model, "detail"), kwargs={"pk": self.object.pk})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["creating"] = self.action == "add"
        return context


class ObjectDeleteView(ScopedViewMixin, DeleteView):
    action = "delete"
    template_name = "core/object_delete.html"
    protected_hint = ""  # what to do instead when other records still refer to this one

    def form_valid(self, form):
        obj = self.get_object()
        label = str(obj)
        try:
            with transaction.atomic():
                audit.record(AuditEvent.Action.DELETE, obj=obj, label=label)
                obj.delete()
        except ProtectedError as exc:
            # Names the kinds of records in the way, not the records: they may lie outside the user's scope.
            kinds = "、".join(sorted({str(o._meta.verbose_name) for o in exc.protected_objects}))
            name = self.model._meta.verbose_name
            messages.error(self.request, f"{name}“{label}”仍有{kinds}关联，不能删除。{self.protected_hint}")
            return HttpResponseRedirect(obj.get_absolute_url() if hasattr(obj, "get_absolute_url")
                                        else reverse(url_name(self.model, "list")))
        messages.success(self.request, f"{self.model._meta.verbose_name}“{label}”已删除。")
        return HttpResponseRedirect(reverse(url_name(self.model, "list")))


class ObjectExportView(ScopedViewMixin, View):
    """The filtered list (what the list page shows, whole) as an xlsx download. Audited with its filter."""

    action = "export"
    filterset_class = None
    columns = None  # [(header, callable(obj) -> value)]
    text_headers = ()
    filename_stem = None

    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        if self.filterset_class is not None:
            filterset = self.filterset_class(request.GET, queryset=queryset, request=request)
            queryset = filterset.qs if filterset.is_valid() else queryset.none()
        columns = self.get_columns()
        return export_xlsx(
            request, models=[self.model], title=self.filename_stem or str(self.model._meta.verbose_name),
            headers=[h for h, _ in columns], text_headers=self.text_headers, filters=query_filters(request.GET),
            rows=([getter(obj) for _, getter in columns] for obj in queryset.iterator(chunk_size=2000)),
        )

    def get_columns(self):
        if self.columns:
            return self.columns
        fields = [f for f in self.model._meta.fields if f.editable and f.name != "id"]
        return [(str(f.verbose_name), _field_getter(f)) for f in fields]


class ObjectAutocompleteView(ScopedViewMixin, View):
    """JSON for Tom Select pickers: only records in scope, matched by the model's search."""

    limit = 20

    def get(self, request, *args, **kwargs):
        term = request.GET.get("q", "").strip()
        queryset = self.get_queryset()
        if term:
            queryset = self.model.objects.search(queryset, term) if hasattr(self.model.objects, "search") \
                else queryset.filter(name__icontains=term)
        return JsonResponse({"results": [{"value": o.pk, "text": str(o)} for o in queryset[: self.limit]]})


class WorkbenchView(AccessMixin, TemplateView):
    template_name = "core/workbench.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        home = home_for(request.user)
        if home is not None:
            return redirect(home)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["widgets"] = widgets_for(self.request)
        context["grants"] = user.grants.select_related("role", "unit").prefetch_related("units")
        context["quick_actions"] = quick_actions_for(user)
        context["due"] = due_this_month(user)
        # The grid of every menu entry is the first screen of those who oversee the whole tree (the county's
        # staff and leaders) and of roles with nothing to record; the others lead with their quick actions.
        context["show_tiles"] = not context["quick_actions"] or oversees_the_tree(user)
        return context


def oversees_the_tree(user):
    """Whether the user's scope over some business records starts at a root unit (the county, or the city)."""
    from .cache import business_models
    from .models import top_units_in_scope

    return any(unit.is_root() for unit in top_units_in_scope(user, business_models(), "view"))


def _field_getter(field):
    if isinstance(field, EncryptedCharField):
        return lambda obj: field.masked(getattr(obj, field.attname))
    if field.choices:
        return lambda obj: getattr(obj, f"get_{field.name}_display")()
    if field.is_relation:
        return lambda obj: str(getattr(obj, field.name) or "")
    return lambda obj: getattr(obj, field.attname)


def reverse_or_none(name, **kwargs):
    from django.urls import NoReverseMatch

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    if api_errors.is_api_request(request):  # a path under /api/ that no operation has: JSON like the API's own
        return JsonResponse({"detail": api_errors.NOT_FOUND}, status=404, json_dumps_params={"ensure_ascii": False})
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)

