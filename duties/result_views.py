"""Final assessment (按单考核) and commendation (表彰): the results page, finalising, commending, exports.

County staff ("manage" on FinalResult) see the computed ranking of a scheme, finalise it (stored as FinalResult
rows, audited; finalising again overwrites them) and mark units for commendation (优秀). Every other user sees
the finalised results inside their scope: a town its own.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core import audit, views, word
from core.exports import export_xlsx
from core.models import AuditEvent
from core.text import is_number

from . import ranking
from .documents.results import RESULT_COLUMNS, results_docx, results_title
from .models import FinalResult, Scheme


def result_schemes(user):
    """The schemes the user may look at results of: for county staff the published ones (and any with results),
    for others those with a result the user may see."""
    pks = set(FinalResult.objects.visible_to(user, "view").values_list("scheme", flat=True).distinct())
    if user.has_action(FinalResult, "manage"):
        pks |= set(Scheme.objects.visible_to(user, "view").published().values_list("pk", flat=True))
    return Scheme.objects.filter(pk__in=pks).order_by("-year", "title")


def chosen_scheme(request, value=None):
    """The scheme named by `value` (or ?scheme=) among the user's, else the latest; None when there is none."""
    schemes = result_schemes(request.user)
    value = str(value if value is not None else request.GET.get("scheme", ""))
    if is_number(value):
        scheme = schemes.filter(pk=value).first()
        if scheme is None:
            raise Http404
        return scheme
    return schemes.first()


def results_of(user, scheme, action="view"):
    return (FinalResult.objects.visible_to(user, action).filter(scheme=scheme)
            .select_related("owner_unit", "scheme__owner_unit"))


def scheme_url(name, scheme):
    url = reverse(name)
    return f"{url}?scheme={scheme.pk}" if scheme is not None else url


class FinalResultListView(views.ScopedViewMixin, TemplateView):
    model = FinalResult
    template_name = "duties/result_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scheme = chosen_scheme(self.request)
        can_manage = user.has_action(FinalResult, "manage")
        results = list(results_of(user, scheme)) if scheme else []
        # How many units each group ranks (a unit that sees only its own result still learns "11th of 12").
        sizes = FinalResult.objects.group_sizes(scheme) if scheme else {}
        groups = [(label, sizes.get(code, len(rows)), [(r, ranking.result_percent(r)) for r in rows])
                  for code, label, rows in ranking.group_results(results)]
        preview = None
        if scheme is not None and can_manage and (self.request.GET.get("preview") or not results):
            preview = _preview_groups(scheme)
        finalized = [r.finalized_at for r in results if r.finalized_at]
        context.update(
            scheme=scheme, schemes=result_schemes(user), groups=groups, has_results=bool(results),
            preview=preview, can_manage=can_manage, finalized_at=max(finalized) if finalized else None,
            export_url=scheme_url("duties:finalresult_export", scheme),
            word_url=scheme_url("duties:finalresult_word", scheme),
            commended=[r for r in results if r.commended],
        )
        return context


def _preview_groups(scheme):
    groups = {}
    for row in ranking.compute_results(scheme):
        groups.setdefault(row.group_label, []).append(row)
    return list(groups.items())


class FinalResultFinaliseView(views.ScopedViewMixin, View):
    """POST: compute and store the scheme's results (again: overwriting them, commendations kept)."""

    model = FinalResult
    action = "manage"

    def post(self, request):
        schemes = Scheme.objects.visible_to(request.user, "view").published()
        value = request.POST.get("scheme", "")
        scheme = schemes.filter(pk=value).first() if is_number(value) else None
        if scheme is None:
            messages.error(request, "请选择已发布的考核细则。")
            return HttpResponseRedirect(reverse("duties:finalresult_list"))
        again = FinalResult.objects.filter(scheme=scheme).exists()
        rows = ranking.finalise(scheme, request.user)
        verb = "重新确定" if again else "确定"
        messages.success(request, f"已{verb}《{scheme.title}》{len(rows)}个单位的考核结果。")
        return HttpResponseRedirect(scheme_url("duties:finalresult_list", scheme))


class CommendForm(forms.Form):
    commended = forms.BooleanField(label="表彰为优秀单位", required=False,
                                   widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    commendation = forms.CharField(label="表彰说明", max_length=200, required=False,
                                   widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
                                   help_text="如：职责清单全部按时完成，同心行活动日做法被市委统战部推广")

    def clean(self):
        data = super().clean()
        if data.get("commendation", "").strip() and not data.get("commended"):
            self.add_error("commended", "填写了表彰说明，请勾选“表彰为优秀单位”，或清空说明。")
        return data


class FinalResultCommendView(views.ScopedViewMixin, TemplateView):
    model = FinalResult
    action = "manage"
    template_name = "duties/result_commend.html"

    def get_result(self):
        return get_object_or_404(self.get_queryset().select_related("owner_unit", "scheme"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result = kwargs.get("result") or self.get_result()
        form = kwargs.get("form") or CommendForm(initial={"commended": result.commended,
                                                          "commendation": result.commendation})
        context.update(result=result, form=form, percent=ranking.result_percent(result),
                       group_label=ranking.type_label(result.rank_group),
                       back_url=scheme_url("duties:finalresult_list", result.scheme))
        return context

    def post(self, request, *args, **kwargs):
        result = self.get_result()
        form = CommendForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(result=result, form=form))
        data = form.cleaned_data
        ranking.commend(result, data["commended"], data["commendation"], request.user)
        if result.commended:
            messages.success(request, f"已将{result.owner_unit.name}列为表彰（优秀）单位。")
        else:
            messages.success(request, f"已取消{result.owner_unit.name}的表彰。")
        return HttpResponseRedirect(scheme_url("duties:finalresult_list", result.scheme))


class ResultExportMixin(views.ScopedViewMixin):
    model = FinalResult
    action = "export"

    def export_results(self):
        scheme = chosen_scheme(self.request)
        if scheme is None:
            raise Http404
        results = [r for _, _, rows in ranking.group_results(results_of(self.request.user, scheme, "export"))
                   for r in rows]
        return scheme, results


class FinalResultExportView(ResultExportMixin, View):
    def get(self, request):
        scheme, results = self.export_results()
        return export_xlsx(
            request, models=[FinalResult], title=results_title(scheme), filename=f"{scheme.year}年度考核结果",
            sheet="考核结果", headers=[header for header, _ in RESULT_COLUMNS],
            widths={"单位": 24, "表彰说明": 40}, changes={"考核细则": str(scheme)},
            rows=([getter(result) for _, getter in RESULT_COLUMNS] for result in results),
        )


class FinalResultWordView(ResultExportMixin, View):
    def get(self, request):
        scheme, results = self.export_results()
        try:
            data = results_docx(scheme, results)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(scheme_url("duties:finalresult_list", scheme))
        title = results_title(scheme)
        audit.record(AuditEvent.Action.EXPORT, object_type=FinalResult._meta.label, label=f"{title}（Word）",
                     changes={"考核细则": str(scheme), "行数": len(results)})
        return word.docx_response(data, f"{title}.docx")
