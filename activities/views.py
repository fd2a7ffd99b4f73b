"""Activities (活动记录), plans (活动计划), the month calendar and the due-vs-done table (应开展与已开展).

Built on core's generic views: every record is reached through `visible_to(user, action)`, creates and updates
are audited by ObjectEditView. Photos are never served from /media/: only through PhotoView, for a user who
may see the activity.
"""

import calendar
import datetime
import mimetypes
from dataclasses import dataclass, field

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core import audit, views
from core.idempotency import IdempotentCreateMixin
from core.models import AuditEvent
from core.text import is_number
from org.models import Unit
from people.services import visible_people, with_person_visible

from . import exports
from .filtersets import ActivityFilterSet, PlanFilterSet
from .forms import ActivityForm, PlanForm, year_choices
from .metrics import occurrence_span
from .models import OCCURRENCES_PER_YEAR, Activity, Frequency, Photo, Plan, SignIn, SignUp
from .services import add_photos, visible_participants
from .tables import ActivityTable, PlanTable

# --- occurrences -----------------------------------------------------------------------------------------

OCCURRENCE_NAMES = {
    Frequency.MONTH: lambda n: f"{n}月",
    Frequency.QUARTER: lambda n: f"第{'一二三四'[n - 1]}季度",
    Frequency.HALF_YEAR: lambda n: "上半年" if n == 1 else "下半年",
    Frequency.YEAR: lambda n: "全年",
}


@dataclass
class Occurrence:
    key: str
    label: str
    first_day: datetime.date
    last_day: datetime.date
    activities: list = field(default_factory=list)
    fulfilled: bool = False

    def status(self, today):
        """"done", "missing" (ended, nothing held), "current" (running, nothing yet) or "future"."""
        if self.fulfilled:
            return "done"
        if self.last_day < today:
            return "missing"
        return "current" if self.first_day <= today else "future"


def plan_occurrences(plan, activities=()):
    """The plan's occurrences in order, each with the given activities that record it."""
    by_key = {}
    for activity in activities:
        by_key.setdefault(activity.occurrence, []).append(activity)
    result = []
    for number in range(1, OCCURRENCES_PER_YEAR[plan.frequency] + 1):
        key = plan.occurrences()[number - 1]
        first, last = occurrence_span(plan.frequency, plan.year, number)
        found = by_key.get(key, [])
        result.append(Occurrence(key, OCCURRENCE_NAMES[plan.frequency](number), first, last, found, bool(found)))
    return result


# --- activities ------------------------------------------------------------------------------------------

class ActivityQuerysetMixin:
    def get_queryset(self):
        return super().get_queryset().select_related("owner_unit", "activity_type", "plan").with_counts()


class ActivityListView(ActivityQuerysetMixin, views.FoldedFiltersMixin, views.ObjectListView):
    model = Activity
    table_class = ActivityTable
    filterset_class = ActivityFilterSet
    template_name = "activities/activity_list.html"


class ActivityDetailView(views.ObjectDetailView):
    model = Activity
    template_name = "activities/activity_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("owner_unit", "activity_type", "plan", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity, user = self.object, self.request.user
        plan_visible = activity.plan_id and user.can("view", activity.plan)
        occurrence_label = ""
        if activity.plan_id and activity.occurrence:
            for item in plan_occurrences(activity.plan):
                if item.key == activity.occurrence:
                    occurrence_label = f"{activity.plan.year}年{item.label}"
        participants, hidden = visible_participants(activity, user)
        context.update(
            photos=activity.photos.all(),
            participants=participants,
            participant_count=len(participants) + hidden,
            hidden_participants=hidden,
            co_organisers=activity.co_organisers.order_by("path"),
            plan_visible=plan_visible,
            occurrence_label=occurrence_label,
            signin_qr_url=reverse("activities:signin_qr", args=[activity.pk]) if context["can_change"] else None,
            signin_count=activity.signins.count(),
            pending_signins=(with_person_visible(activity.signins.filter(status=SignIn.Status.PENDING)
                                                 .select_related("person__owner_unit"), self.request.user)
                             if context["can_change"] else []),
            signups=(with_person_visible(activity.signups.filter(status=SignUp.Status.SIGNED_UP)
                                         .select_related("person__owner_unit"), user)
                     if context["can_change"] else []),
        )
        return context


class ActivityEditView(IdempotentCreateMixin, views.ObjectEditView):
    """Create or edit; the photos chosen in the form are added once the activity is saved (and in scope)."""

    model = Activity
    form_class = ActivityForm
    template_name = "activities/activity_form.html"

    def get_initial(self):
        """From a plan's page (`?plan=`): that plan, its type and unit."""
        initial = super().get_initial()
        value = self.request.GET.get("plan", "")
        if self.action == "add" and is_number(value):
            plan = Plan.objects.visible_to(self.request.user).filter(pk=int(value)).first()
            if plan is not None:
                initial.update(plan=plan.pk, activity_type=plan.activity_type_id, owner_unit=plan.owner_unit_id)
        return initial

    def form_valid(self, form):
        photos = form.cleaned_data.get("photos") or []
        if not photos:
            return super().form_valid(form)

        def save_photos(activity):
            # In the activity's transaction: a save rolled back (out of scope, a duplicate submission) keeps none.
            add_photos(activity, photos, self.request.user)
            messages.success(self.request, f"已上传 {len(photos)} 张照片。")

        return super().form_valid(form, after_save=save_photos)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.object.get_absolute_url() if self.object.pk else reverse(
            "activities:activity_list")
        context["photos"] = self.object.photos.all() if self.object.pk else []
        return context


class ActivityDeleteView(views.ObjectDeleteView):
    model = Activity

    def form_valid(self, form):
        files = [name for photo in self.get_object().photos.all() for name in (photo.image, photo.thumbnail)]
        response = super().form_valid(form)
        if not Activity.objects.filter(pk=self.kwargs["pk"]).exists():
            transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files if f.name])
        return response


class ActivityExportView(views.ObjectExportView):
    model = Activity
    filterset_class = ActivityFilterSet
    filename_stem = "活动记录"

    def get_queryset(self):
        visible = Prefetch("participants", queryset=visible_people(self.request.user).order_by("name_pinyin", "pk"),
                           to_attr="visible_participants")
        return super().get_queryset().select_related("owner_unit", "activity_type", "plan").prefetch_related(
            visible, "co_organisers").with_counts()

    def get_columns(self):
        return exports.ACTIVITY_COLUMNS


# --- photos ----------------------------------------------------------------------------------------------

class PhotoMixin(views.ScopedViewMixin):
    """A photo exists for a user who may `action` its activity; for anyone else it does not (404)."""

    model = Activity

    def get_photo(self):
        activities = Activity.objects.visible_to(self.request.user, self.action)
        return get_object_or_404(Photo.objects.filter(activity__in=activities.values("pk")), pk=self.kwargs["pk"])


class PhotoView(PhotoMixin, View):
    thumbnail = False

    def get(self, request, *args, **kwargs):
        photo = self.get_photo()
        stored = photo.thumbnail if self.thumbnail else photo.image
        if not stored:
            raise Http404
        try:
            handle = stored.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
        response = FileResponse(handle, content_type=content_type)
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class PhotoDeleteView(PhotoMixin, View):
    action = "change"

    def post(self, request, *args, **kwargs):
        photo = self.get_photo()
        activity = photo.activity
        files = [photo.image, photo.thumbnail]
        with transaction.atomic():
            photo.delete()
            audit.record(AuditEvent.Action.UPDATE, obj=activity, changes={"删除照片": f"照片 {kwargs['pk']}"})
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files if f.name])
        messages.success(request, "照片已删除。")
        return HttpResponseRedirect(activity.get_absolute_url() + "#photos")


# --- plans -----------------------------------------------------------------------------------------------

class PlanQuerysetMixin:
    def get_queryset(self):
        return super().get_queryset().select_related("owner_unit", "activity_type").annotate(
            fulfilled_count=Count("activities__occurrence", distinct=True,
                                  filter=~Q(activities__occurrence="")),
        ).order_by(*Plan._meta.ordering)  # a GROUP BY query drops the model's default ordering


class PlanListView(PlanQuerysetMixin, views.FoldedFiltersMixin, views.ObjectListView):
    model = Plan
    table_class = PlanTable
    filterset_class = PlanFilterSet
    template_name = "activities/plan_list.html"


class PlanDetailView(views.ObjectDetailView):
    model = Plan
    template_name = "activities/plan_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("owner_unit", "activity_type")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan, user = self.object, self.request.user
        activities = Activity.objects.visible_to(user).filter(plan=plan).exclude(occurrence="").order_by("start")
        today = timezone.localdate()
        occurrences = [(o, o.status(today)) for o in plan_occurrences(plan, activities)]
        context.update(
            occurrences=occurrences,
            fulfilled=sum(1 for o, _ in occurrences if o.fulfilled),
            missing=sum(1 for _, s in occurrences if s == "missing"),
            co_organisers=plan.co_organisers.order_by("path"),
            can_add_activity=Activity.objects.unit_in_scope(user, "add", plan.owner_unit),
        )
        return context


class PlanEditView(views.ObjectEditView):
    model = Plan
    form_class = PlanForm
    template_name = "activities/plan_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.object.get_absolute_url() if self.object.pk else reverse("activities:plan_list")
        return context


class PlanDeleteView(views.ObjectDeleteView):
    model = Plan


# --- calendar --------------------------------------------------------------------------------------------

WEEKDAYS = "一二三四五六日"
TYPE_COLOURS = ["blue", "green", "orange", "purple", "teal", "pink", "cyan", "indigo", "lime", "azure"]


def parse_month(value):
    """(year, month) from "2026-11"; this month when the value is missing or wrong."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        datetime.date(year, month, 1)
        if not 1900 <= year <= 2999:
            raise ValueError
        return year, month
    except ValueError:
        today = timezone.localdate()
        return today.year, today.month


class CalendarView(views.ScopedViewMixin, TemplateView):
    model = Activity
    template_name = "activities/calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = parse_month(self.request.GET.get("month"))
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        first, last = weeks[0][0], weeks[-1][-1]
        activities = self.get_queryset().filter(start__date__gte=first, start__date__lte=last).select_related(
            "owner_unit", "activity_type").order_by("start", "pk")
        by_day = {}
        for activity in activities:
            activity.colour = TYPE_COLOURS[activity.activity_type.sort_order % len(TYPE_COLOURS)]
            by_day.setdefault(timezone.localtime(activity.start).date(), []).append(activity)
        today = timezone.localdate()
        this_month = datetime.date(year, month, 1)
        previous = (this_month - datetime.timedelta(days=1)).replace(day=1)
        following = (this_month + datetime.timedelta(days=32)).replace(day=1)
        context.update(
            weeks=[[(day, by_day.get(day, []), day.month == month) for day in week] for week in weeks],
            days=[(day, WEEKDAYS[day.weekday()], items) for day, items in sorted(by_day.items()) if day.month == month],
            month_label=f"{year}年{month}月", today=today,
            previous=f"{previous:%Y-%m}", following=f"{following:%Y-%m}", current=f"{today:%Y-%m}",
            month_value=f"{year}-{month:02d}", month_count=sum(len(v) for d, v in by_day.items() if d.month == month),
            weekdays=WEEKDAYS,
            can_add=self.request.user.has_action(Activity, "add"),
        )
        return context


# --- due vs done -----------------------------------------------------------------------------------------

@dataclass
class DueRow:
    """One unit's plans of a year: expected = occurrences due by today (ended, or already fulfilled); the whole
    year's occurrences are `planned`; missing = expected − fulfilled; rate = fulfilled / expected."""

    label: str
    unit: Unit | None
    exact: bool = False
    is_total: bool = False
    plans: int = 0
    planned: int = 0
    expected: int = 0
    fulfilled: int = 0

    @property
    def missing(self):
        return self.expected - self.fulfilled

    @property
    def rate(self):
        return round(100 * self.fulfilled / self.expected, 1) if self.expected else None

    def add(self, stats):
        self.plans += 1
        self.planned += stats["planned"]
        self.expected += stats["expected"]
        self.fulfilled += stats["fulfilled"]


def plan_stats(plan, fulfilled_keys, today):
    """The counts of one plan: its occurrences, those due by `today` and those fulfilled."""
    planned = expected = fulfilled = 0
    for number, key in enumerate(plan.occurrences(), start=1):
        _, last = occurrence_span(plan.frequency, plan.year, number)
        done = key in fulfilled_keys
        planned += 1
        if done or last < today:
            expected += 1
            fulfilled += done
    return {"planned": planned, "expected": expected, "fulfilled": fulfilled}


def due_table(user, year, parent=None, today=None):
    """(rows, missing) for the plans of `year` in the user's scope.

    Rows: with `parent` (a unit in scope), its children each aggregated over their subtree, then the parent's
    own plans (本级); without, the same below the user's single top unit (several top units: one row each).
    Units without plans are listed with zeros, so a unit that made no plan shows. The last row is the total.
    Missing: [(plan, occurrence)] of the occurrences that ended without an activity.
    """
    today = today or timezone.localdate()
    plans = list(Plan.objects.visible_to(user).filter(year=year).select_related("owner_unit", "activity_type"))
    keys = {}
    for plan_id, key in Activity.objects.occurrences_held([p.pk for p in plans]):
        keys.setdefault(plan_id, set()).add(key)
    if parent is None:
        tops = Plan.objects.scope_top_units(user)  # the county for county staff, a town for its officer
        parent = tops[0] if len(tops) == 1 else None
    if parent is not None:
        children = Unit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        rows = [DueRow(c.name, c) for c in sorted(children, key=lambda u: (u.sort_order, u.name))]
        rows.append(DueRow(f"{parent.name}（本级）", parent, exact=True))
        plans = [p for p in plans if p.owner_unit.path.startswith(parent.path)]
    else:
        rows = [DueRow(t.name, t) for t in tops]
    total = DueRow("合计", parent, is_total=True)
    missing = []
    for plan in sorted(plans, key=lambda p: (p.owner_unit.path, p.activity_type.sort_order, p.pk)):
        stats = plan_stats(plan, keys.get(plan.pk, set()), today)
        for row in rows:
            if (plan.owner_unit_id == row.unit.pk) if row.exact else plan.owner_unit.path.startswith(row.unit.path):
                row.add(stats)
                break
        total.add(stats)
        for occurrence in plan_occurrences(plan):
            if occurrence.key not in keys.get(plan.pk, set()) and occurrence.last_day < today:
                missing.append((plan, occurrence))
    # No 本级 row when the parent has no plans of its own; a unit that was closed shows only if it had plans.
    rows = [r for r in rows if r.plans or not (r.exact or not r.unit.is_active)]
    return [*rows, total], missing


def chosen_year(request):
    value = request.GET.get("year", "")
    years = {y for y, _ in year_choices()}
    return int(value) if is_number(value) and int(value) in years else timezone.localdate().year


class DueMixin(views.ScopedViewMixin):
    model = Plan

    def due(self):
        user = self.request.user
        year = chosen_year(self.request)
        parent = None
        if is_number(self.request.GET.get("unit", "")):
            parent = get_object_or_404(Unit, pk=int(self.request.GET["unit"]))
            if not Plan.objects.unit_in_scope(user, "view", parent):
                raise Http404
        rows, missing = due_table(user, year, parent)
        return year, parent, rows, missing


class DueView(DueMixin, TemplateView):
    template_name = "activities/due.html"
    missing_limit = 200

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, parent, rows, missing = self.due()
        tops = Plan.objects.scope_top_units(self.request.user)
        trail = []
        if parent is not None and not any(t.pk == parent.pk for t in tops):
            trail = [u for u in Unit.objects.get_ancestors(parent) if Plan.objects.unit_in_scope(self.request.user,
                                                                                                 "view", u)]
        query = f"year={year}" + (f"&unit={parent.pk}" if parent is not None else "")
        context.update(
            year=year, years=year_choices(), parent=parent, rows=rows, trail=trail,
            missing=missing[: self.missing_limit], missing_total=len(missing), today=timezone.localdate(),
            querystring=query, export_url=reverse("activities:due_export"),
            can_export=self.request.user.has_action(Plan, "export"),
        )
        return context


class DueExportView(DueMixin, View):
    action = "export"

    def get(self, request, *args, **kwargs):
        year, parent, rows, missing = self.due()
        return exports.due_response(request, year, parent, rows, missing)
