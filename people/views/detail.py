"""A person's page (its sections), and the reveal of the sensitive fields."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from core import audit, views
from core.models import AuditEvent

from ..forms import (
    AttachmentForm,
    RevealForm,
)
from ..history import history_entries
from ..models import Person, Tag
from ..privacy import birth_date_text, may_reveal, may_see_sensitive


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
            if form.password_confirmed(request):
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
