"""Pages of the ledger health check (台账体检): the ranking of units and the list of what to fix, and its export."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core import cache as figure_cache
from core import checks
from core.exports import export_xlsx
from core.text import is_number
from core.views import ScopedViewMixin
from org.models import Unit

from . import health
from .jurisdiction import ledger_model

FIX_HEADERS = ["序号", "单位", "姓名", "问题", "说明", "记录链接"]
RANK_HEADERS = ["排名", "单位", "在册人数", "信息完整", "完整率(%)", "身份证号缺失", "身份证号无效", "疑似重复",
                "超过一年未更新", "代表人士", "未结对", "体检得分"]


class HealthMixin(ScopedViewMixin):
    @property
    def model(self):
        return ledger_model()

    def chosen_unit(self):
        """The unit drilled into (?unit=id), which must lie in the user's scope; None for the default."""
        value = self.request.GET.get("unit", "")
        if not value:
            return None
        if not is_number(value):
            raise Http404
        unit = get_object_or_404(Unit, pk=int(value))
        if not health.may_check(self.request.user, unit):
            raise Http404
        return unit

    def chosen_kind(self):
        kind = self.request.GET.get("kind", "")
        return kind if kind in checks.kind_labels() else ""

    def check(self, action="view"):
        """The check of the chosen unit over the records the user may `action`, cached per data scope and day
        until the data changes (core.cache): paging through the fix list or exporting it does not run it again (the
        entry is named by the data scope for `action`, so an export within the same scope reuses it)."""
        user, unit = self.request.user, self.chosen_unit()
        parts = (figure_cache.scope_key(user, action), unit.pk if unit is not None else None,
                 timezone.localdate().isoformat())
        return figure_cache.cached("dashboard.health", parts, lambda: health.run(user, unit, action=action))


class HealthView(HealthMixin, TemplateView):
    template_name = "dashboard/health.html"
    per_page = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        result = self.check()
        kind = self.chosen_kind()
        issues = result.issues_of(kind)
        page = Paginator(issues, self.per_page).get_page(self.request.GET.get("page"))
        tops = health.ledger_tops(user)
        trail = []
        if result.parent is not None and not any(t.pk == result.parent.pk for t in tops):
            trail = [u for u in Unit.objects.get_ancestors(result.parent) if health.may_check(user, u)]
        unit_query = f"unit={result.parent.pk}" if result.parent is not None and self.request.GET.get("unit") else ""
        query = "&".join(q for q in (unit_query, f"kind={kind}" if kind else "") if q)
        context.update(
            result=result, rows=result.rows, total=result.total, parent=result.parent, trail=trail,
            kind=kind, kind_label=checks.kind_labels().get(kind, ""), kind_counts=result.kind_counts(),
            page_obj=page, issues=page.object_list, unit_query=unit_query, querystring=query,
            formula=health.formula(), weights=health.weights(), descriptions=health.descriptions(),
            can_export=user.has_action(self.model, "export"), export_url=reverse("dashboard:health_export"),
            checked_at=timezone.localtime(result.checked_at),
        )
        return context


class HealthExportView(HealthMixin, View):
    action = "export"

    def get(self, request, *args, **kwargs):
        result = self.check("export")  # only what the user may export
        kind = self.chosen_kind()
        issues = result.issues_of(kind)
        where = result.parent.name if result.parent is not None else "本人数据范围"
        base = request.build_absolute_uri("/").rstrip("/")
        # The ranking goes below the list, after a blank row.
        ranking = [[], ["各单位体检得分"], RANK_HEADERS, *(
            [row.rank or ("合计" if row.is_total else "—"), row.label, row.people, row.complete,
             row.completeness_rate if row.completeness_rate is not None else "—", row.id_missing, row.id_invalid,
             row.duplicates, row.stale, row.reps, row.unpaired, row.score if row.score is not None else "—"]
            for row in [*result.rows, result.total])]
        kind_label = f"：{checks.kind_labels()[kind]}" if kind else ""
        return export_xlsx(
            request, models=[ledger_model()], title=f"台账体检问题清单（{where}）{kind_label}",
            filename="台账体检问题清单", sheet="问题清单", headers=FIX_HEADERS, notes=[health.formula()],
            widths={"单位": 28, "说明": 60, "记录链接": 40},
            rows=([index, issue.unit_label, issue.name, issue.kind_label, issue.detail, base + issue.url]
                  for index, issue in enumerate(issues, start=1)),
            appendix=ranking,
            changes={"单位": where, "问题类型": checks.kind_labels().get(kind, "全部"), "条数": len(issues)},
        )
