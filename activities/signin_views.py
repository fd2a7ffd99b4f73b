"""QR sign-in pages: the staff QR page and SVG, the staff list of sign-ins and their confirmation, and the
public phone page."""

import io

import segno
from django import forms
from django.contrib import messages
from django.core.validators import RegexValidator
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.decorators.cache import never_cache

from core import audit
from core.models import AuditEvent
from core.network import client_ip
from core.text import is_number
from core.views import ScopedViewMixin
from people.services import with_person_visible

from . import signin
from .models import Activity, SignIn


def public_url(request, activity):
    return request.build_absolute_uri(reverse("activities:signin", kwargs={"token": activity.signin_token}))


def qr_svg(url):
    """The QR code of `url` as a standalone SVG document (made locally by segno, no external service)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=8, border=2, xmldecl=True, svgns=True, title="扫码签到", desc=url, encoding="utf-8"
    )
    return buffer.getvalue()


class ActivitySignInMixin(ScopedViewMixin):
    model = Activity
    action = "change"

    def get_activity(self):
        queryset = self.get_queryset().select_related("owner_unit", "activity_type")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])


class SignInQRView(ActivitySignInMixin, View):
    """GET: the QR code page to show on a screen; POST open/close toggles `signin_open` (audited)."""

    template_name = "activities/signin_qr.html"

    def get(self, request, pk):
        activity = self.get_activity()
        return render(request, self.template_name, {
            "activity": activity,
            "signin_url": public_url(request, activity),
            "closed_reason": signin.closed_reason(activity),
            "ended": timezone.now() >= activity.end,
            "signin_count": activity.signins.count(),
        })

    def post(self, request, pk):
        activity = self.get_activity()
        wanted = request.POST.get("action")
        if wanted not in ("open", "close"):
            messages.error(request, "未知操作。")
            return HttpResponseRedirect(request.path)
        open_ = wanted == "open"
        if open_ and timezone.now() >= activity.end:
            messages.error(request, "活动已结束，不能再开放签到。")
            return HttpResponseRedirect(request.path)
        if activity.signin_open != open_:
            fields = ["signin_open"]
            before = audit.snapshot(activity, fields)
            activity.signin_open = open_
            activity.updated_by = request.user
            with transaction.atomic():
                activity.save(update_fields=["signin_open", "updated_by", "updated_at"])
                audit.record(AuditEvent.Action.UPDATE, obj=activity,
                             changes=audit.field_changes(activity, before, fields))
        messages.success(request, "已开放扫码签到。" if open_ else "已关闭扫码签到。")
        return HttpResponseRedirect(request.path)


class SignInQRSvgView(ActivitySignInMixin, View):
    """The QR code image, served by us as image/svg+xml (same origin, no script in it)."""

    def get(self, request, pk):
        activity = self.get_activity()
        response = HttpResponse(qr_svg(public_url(request, activity)), content_type="image/svg+xml")
        response["Content-Disposition"] = 'inline; filename="signin-qr.svg"'
        response["Cache-Control"] = "private, no-store"
        return response


class SignInListView(ActivitySignInMixin, View):
    """Who signed in (guests marked, pending ones first to decide), with the same confirm buttons as the
    activity's page."""

    action = "view"
    template_name = "activities/signin_list.html"

    def get(self, request, pk):
        activity = self.get_activity()
        signins = list(with_person_visible(activity.signins.select_related("person__owner_unit"), request.user))
        return render(request, self.template_name, {
            "activity": activity,
            "signins": signins,
            "guest_count": sum(1 for s in signins if s.is_guest),
            "pending_count": sum(1 for s in signins if s.status == SignIn.Status.PENDING),
            "participant_ids": set(activity.participants.values_list("pk", flat=True)),
            "can_change": request.user.can("change", activity),
        })


class SignInConfirmView(ActivitySignInMixin, View):
    """POST `decision` (confirm | ignore) and optionally `signin` (one sign-in; all pending ones without it).
    Confirming adds the matched ledger people to the participants. Back to the activity, or to the sign-in
    list with `back=list`."""

    http_method_names = ["post"]

    def post(self, request, pk):
        activity = self.get_activity()
        decision = request.POST.get("decision")
        one = request.POST.get("signin", "")
        if decision not in ("confirm", "ignore") or (one and not is_number(one)):
            messages.error(request, "未知操作。")
            return HttpResponseRedirect(self.back(activity))
        with transaction.atomic():
            outcome = signin.decide(activity, request.user, confirm=decision == "confirm",
                                    signin_ids=[int(one)] if one else None)
        if not outcome.decided:
            messages.info(request, "没有待确认的签到。")
        elif decision == "ignore":
            messages.success(request, f"已忽略 {outcome.decided} 条签到。")
        else:
            added = f"，{len(outcome.added)} 名台账人员已加入参加人员" if outcome.added else ""
            messages.success(request, f"已确认 {outcome.decided} 条签到{added}。")
        return HttpResponseRedirect(self.back(activity))

    def back(self, activity):
        if self.request.POST.get("back") == "list":
            return reverse("activities:signin_list", kwargs={"pk": activity.pk})
        return activity.get_absolute_url() + "#signins"


class SignInForm(forms.Form):
    name = forms.CharField(
        label="姓名", max_length=50,
        error_messages={"required": "请填写姓名。", "max_length": "姓名过长。"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "class": "form-control form-control-lg"}),
    )
    last4 = forms.CharField(
        label="手机号后4位", max_length=20,
        error_messages={"required": "请填写手机号后4位。"},
        widget=forms.TextInput(attrs={
            "inputmode": "numeric", "autocomplete": "off", "maxlength": "4", "pattern": "[0-9]{4}",
            "class": "form-control form-control-lg",
        }),
    )

    def clean_name(self):
        name = signin.clean_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("请填写姓名。")
        return name

    def clean_last4(self):
        value = signin.clean_last4(self.cleaned_data["last4"])
        RegexValidator(r"^\d{4}$", "请填写手机号的后4位数字。")(value)
        return value


@never_cache
def signin_page(request, token):
    """The public phone page (no login): name + last 4 phone digits. Never audited."""
    activity = get_object_or_404(Activity.objects.select_related("owner_unit"), signin_token=token)
    context = {"activity": activity, "closed_reason": signin.closed_reason(activity)}
    if context["closed_reason"]:
        return render(request, "activities/signin_page.html", context, status=403 if request.method == "POST" else 200)
    if request.method == "POST":
        if signin.rate_limited(client_ip(request), activity.pk):
            context.update(form=SignInForm(), rate_limited=signin.RATE_LIMIT_MESSAGE)
            return render(request, "activities/signin_page.html", context, status=429)
        form = SignInForm(request.POST)
        if form.is_valid():
            signin.sign_in(activity, form.cleaned_data["name"], form.cleaned_data["last4"])
            # The answer is built from what was typed only: the same for a first or repeated sign-in, a
            # ledger match or a guest.
            context.update(done=True, signed_name=form.cleaned_data["name"])
            return render(request, "activities/signin_page.html", context)
    else:
        form = SignInForm()
    context["form"] = form
    return render(request, "activities/signin_page.html", context)

