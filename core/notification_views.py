"""The notifications page (/notifications/): a user's own notifications, read and marked read there.

Every query is filtered by `recipient=request.user`: another user's notification does not exist here (404).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import ListView

from .models import Notification
from .notifications import mark_read


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "core/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 20

    def get_queryset(self):
        rows = Notification.objects.filter(recipient=self.request.user)
        if self.request.GET.get("unread") == "1":
            rows = rows.filter(read_at__isnull=True)
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["only_unread"] = self.request.GET.get("unread") == "1"
        return context


class NotificationOpenView(LoginRequiredMixin, View):
    """POST: mark the notification read and go to the page it links to (a local page only)."""

    def post(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
        if notification.read_at is None:
            Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
        url = notification.url
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
            return HttpResponseRedirect(url)
        return HttpResponseRedirect(reverse("notifications:list"))


class NotificationReadView(LoginRequiredMixin, View):
    """POST: mark one notification (pk) or all of the user's notifications read."""

    def post(self, request, pk=None):
        if pk is not None:
            get_object_or_404(Notification, pk=pk, recipient=request.user)
        changed = mark_read(request.user, pk)
        if pk is None:
            messages.success(request, f"已将{changed}条通知标为已读。" if changed else "没有未读通知。")
        return HttpResponseRedirect(_back(request))


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("notifications:list")
