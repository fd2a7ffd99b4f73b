"""The workbench panel of the managing unit: the members' change requests waiting for it."""

from django.urls import reverse

from people.models import Person

from .models import ChangeRequest


def reviews_requests(user):
    """Users who may change people of the ledger by jurisdiction (the managing units)."""
    return user.is_authenticated and Person.objects.scope_has_units(user, "change")


def pending_requests(request):
    pending = ChangeRequest.objects.visible_to(request.user, "change").filter(
        status=ChangeRequest.Status.PENDING).count()
    return {"title": "本人自助", "stats": [
        {"label": "待审核的本人申报", "value": pending, "url": reverse("selfservice_review:request_list"),
         "alert": True},
    ]}
