"""Activities on the workbench (core.workbench): the plan occurrences of this month not yet held, in the user's
scope — two queries, whatever the number of plans."""

from django.urls import reverse

from core.workbench import DueItem

from .models import Activity, Plan
from .views import plan_occurrences


def due_items(user, month):
    plans = list(Plan.objects.visible_to(user).filter(year=month.today.year).select_related("owner_unit"))
    held = Activity.objects.occurrences_held([p.pk for p in plans])
    can_record = user.has_action(Activity, "add")
    found = []
    for plan in plans:
        for occurrence in plan_occurrences(plan):
            if month.overlaps(occurrence.first_day, occurrence.last_day) and (plan.pk, occurrence.key) not in held:
                url = (reverse("activities:activity_add") + f"?plan={plan.pk}" if can_record
                       else plan.get_absolute_url())
                found.append(DueItem(f"{plan.owner_unit.name} · {plan.title}（{occurrence.label}）",
                                     occurrence.last_day, url))
    return found
