"""Actions on a selection of the list (批量操作): the confirm-then-apply view, and tagging."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from core import audit, views
from core.models import AuditEvent
from core.text import is_number

from ..forms import (
    BulkTagForm,
)
from ..models import Person, Tag, acting_unit
from ..tables import CachedCountPaginator

MAX_BULK = 5000  # people one bulk action handles at most


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
        ids = sorted({int(v) for v in request.POST.getlist("ids") if is_number(v)})[:MAX_BULK]
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
