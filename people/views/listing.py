"""The ledger's list page, the person autocomplete and the exact search by ID number."""

from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.http import require_POST

from core import crypto, views

from .. import lookups
from ..filtersets import PersonFilterSet, looks_like_id_number
from ..forms import (
    IdNumberSearchForm,
)
from ..models import Person
from ..privacy import SensitiveScope
from ..services import person_choices
from ..tables import CachedCountPaginator, PersonTable

MAX_PER_PAGE = 100


# Filters behind "更多条件" on the list page (search, category, status and unit are always shown).
ADVANCED_FILTERS = ("tier", "affiliation", "ethnicity", "age_min", "age_max", "representative", "tag")


class CappedCountPaginator(CachedCountPaginator):
    def __init__(self, object_list, per_page, *args, **kwargs):
        super().__init__(object_list, max(1, min(int(per_page), MAX_PER_PAGE)), *args, **kwargs)


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
