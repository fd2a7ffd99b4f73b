"""Workbench panels: an official's own pairings (behind ones first) and, for staff, their jurisdiction's figures."""

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from . import services
from .models import Contact, FollowUp, Pairing

MY_PAIRINGS_SHOWN = 10


def _own(user):
    return Pairing.objects.visible_to(user).filter(official=user)


def has_own_pairings(user):
    return user.is_authenticated and _own(user).exists()


def my_pairings(request):
    user, today = request.user, timezone.localdate()
    pairings = list(
        services.with_progress(services.active_in_year(_own(user), today), today)
        .select_related("representative__person").order_by("-behind", "representative__person__name_pinyin", "pk")
        [:MY_PAIRINGS_SHOWN]
    )
    return {
        "pairings": pairings,
        "behind": sum(1 for p in pairings if p.behind),
        "today": today,
        "can_add_contact": user.has_action(Contact, "add"),
        "list_url": reverse("friendship:pairing_list"),
    }


def oversees_pairings(user):
    """Users who see pairings by jurisdiction (not only their own)."""
    return user.is_authenticated and Pairing.objects.scope_has_units(user, "view")


def pairings_overview(request):
    user, today = request.user, timezone.localdate()
    figures = services.with_progress(
        services.active_in_year(Pairing.objects.visible_to(user), today), today
    ).aggregate(pairings=Count("pk"), behind=Count("pk", filter=services.BEHIND), contacts=Sum("contacts_made"))
    overdue = FollowUp.objects.visible_to(user).filter(
        Q(status=FollowUp.Status.OPEN) & Q(due_date__lt=today)).count()
    pairing_url = reverse("friendship:pairing_list")
    return {"title": f"联谊交友（{today.year}年，本人数据范围）", "stats": [
        {"label": "结对", "value": figures["pairings"], "url": pairing_url},
        {"label": "联系进度落后", "value": figures["behind"], "url": f"{pairing_url}?progress=behind", "alert": True},
        {"label": "今年联系次数", "value": figures["contacts"] or 0, "url": reverse("friendship:contact_list")},
        {"label": "逾期跟进事项", "value": overdue, "url": reverse("friendship:followup_list") + "?status=overdue",
         "alert": True},
    ]}


def due_follow_ups(user, month):
    """本月到期 (core.workbench): the open follow-ups in the user's scope due this month — one query."""
    from core.workbench import DueItem

    follow_ups = FollowUp.objects.visible_to(user).filter(
        status=FollowUp.Status.OPEN, due_date__range=(month.first_day, month.last_day))
    return [DueItem(f"跟进：{f.description[:40]}", f.due_date, f.get_absolute_url()) for f in follow_ups]
