"""Reminder letters (发函提醒) and progress notices (进度通报): registers, issuing pages, downloads.

County staff (the "manage" action on ReminderLetter / Notice) issue them; a unit sees the letters addressed to
it (ReminderLetter.owner_unit, through `visible_to`). The documents are built by duties.documents.
"""

import re

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views import View
from django.views.generic import TemplateView

from core import audit, views, word
from core.filtersets import ScopedFilterSet
from core.models import AuditEvent
from core.text import is_number

from .documents import common, letters, notices
from .models import Notice, ReminderLetter, Scheme
from .periods import parse_key
from .workdays import add_working_days

DOC_NUMBER = re.compile(r"(?:统战提醒)?(?:[〔\[(（](?P<year>\d{4})[〕\])）])?第?(?P<number>\d{1,5})号?")
TABLE_ATTRS = {"class": "table table-vcenter card-table table-striped"}
SECONDARY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}


def published_schemes(user):
    return Scheme.objects.visible_to(user, "view").published().order_by("-year", "title")


def year_choices(model):
    def choices():
        years = model.objects.order_by("-year").values_list("year", flat=True).distinct()
        return [(str(y), f"{y}年") for y in years]

    return choices


def download_button(url, label="下载"):
    return format_html('<a class="btn btn-sm" href="{}"><i class="ti ti-download me-1"></i>{}</a>', url, label)


def show_errors(request, error):
    for message in getattr(error, "messages", [str(error)]):
        messages.error(request, message)


# --- reminder letters --------------------------------------------------------------------------------------


class LetterFilterSet(ScopedFilterSet):
    year = django_filters.ChoiceFilter(label="年度", choices=year_choices(ReminderLetter), empty_label="全部")

    class Meta:
        model = ReminderLetter
        fields = ["year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = "文号序号或单位名称"
        self.form.fields["unit"].label = "收函单位"

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        match = DOC_NUMBER.fullmatch(value)
        if match:  # "3", "3号", "〔2026〕3号", "统战提醒〔2026〕3号"
            query = Q(number=int(match["number"]))
            if match["year"]:
                query &= Q(year=int(match["year"]))
            return queryset.filter(query)
        return queryset.filter(Q(owner_unit__name__icontains=value) | Q(scheme__title__icontains=value))


class LetterTable(tables.Table):
    doc_number = tables.Column(verbose_name="文号", accessor="number", order_by=("-year", "-number"))
    owner_unit = tables.Column(verbose_name="收函单位", order_by=("owner_unit__path",))
    scheme = tables.Column(verbose_name="考核细则", attrs=SECONDARY)
    items = tables.Column(verbose_name="逾期事项", accessor="items_snapshot", orderable=False)
    deadline = tables.DateColumn(verbose_name="整改期限", format="Y-m-d")
    sent_at = tables.DateTimeColumn(verbose_name="发函时间", format="Y-m-d H:i", attrs=SECONDARY)
    download = tables.Column(verbose_name="", accessor="pk", orderable=False, attrs={"td": {"class": "text-end"}})

    class Meta:
        model = ReminderLetter
        fields = ()
        sequence = ("doc_number", "owner_unit", "scheme", "items", "deadline", "sent_at", "download")
        attrs = TABLE_ATTRS
        empty_text = "没有提醒函"

    def render_doc_number(self, record):
        return format_html('<a href="{}">{}</a>', letters.letter_url(record), record.doc_number)

    def render_items(self, value):
        return f"{len(value or [])}项"

    def render_download(self, record):
        return download_button(reverse("duties:reminderletter_download", kwargs={"pk": record.pk}))


class LetterQuerysetMixin:
    model = ReminderLetter

    def get_queryset(self):
        return super().get_queryset().select_related("owner_unit", "scheme", "created_by")


class ReminderLetterListView(LetterQuerysetMixin, views.ObjectListView):
    table_class = LetterTable
    filterset_class = LetterFilterSet
    template_name = "duties/letter_list.html"

    def get_table_kwargs(self):
        return {} if self.request.user.has_action(ReminderLetter, "export") else {"exclude": ("download",)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.request.user.has_action(ReminderLetter, "manage")
        return context


class ReminderLetterDetailView(LetterQuerysetMixin, views.ObjectDetailView):
    template_name = "duties/letter_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        letter = self.object
        context.update(
            items=letter.items_snapshot or [],
            issue_date=letters.letter_issue_date(letter),
            download_url=reverse("duties:reminderletter_download", kwargs={"pk": letter.pk})
            if self.allows("export") else None,
            can_manage=self.request.user.has_action(ReminderLetter, "manage"),
        )
        return context


class ReminderLetterDownloadView(views.ScopedViewMixin, View):
    """The letter as sent (its stored .docx; rendered again from its snapshot if the file is missing). An export:
    "export" on the letter, audited."""

    model = ReminderLetter
    action = "export"

    def get(self, request, pk):
        letter = get_object_or_404(self.get_queryset().select_related("owner_unit", "scheme__owner_unit",
                                                                      "created_by"), pk=pk)
        try:
            data = common.document_bytes(letter, letters.render_letter)
        except ValidationError as error:
            raise Http404 from error
        audit.record(AuditEvent.Action.EXPORT, obj=letter, label=f"{letter.doc_number}（提醒函Word）")
        return word.docx_response(data, letters.letter_filename(letter))


class LetterIssueForm(forms.Form):
    scheme = forms.ModelChoiceField(label="考核细则", queryset=Scheme.objects.none(), empty_label=None,
                                    widget=forms.Select(attrs={"class": "form-select"}))
    cutoff = forms.DateField(label="统计截至", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
                             help_text="截至该日已过完成期限、仍未完成且未报送的事项列入提醒函")
    days = forms.IntegerField(label="整改期限（工作日）", min_value=1, max_value=60,
                              widget=forms.NumberInput(attrs={"class": "form-control"}),
                              help_text="自发函之日起的工作日数，按法定节假日计算")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = published_schemes(user)
        self.fields["scheme"].error_messages["invalid_choice"] = "请选择已发布的考核细则。"

    def clean_cutoff(self):
        cutoff = self.cleaned_data["cutoff"]
        if cutoff > timezone.localdate():
            raise ValidationError("统计截止日期不能晚于今天。")
        return cutoff


class ReminderLetterIssueView(views.ScopedViewMixin, TemplateView):
    """GET: the units with overdue items on the cut-off day (choose the scheme, day and deadline);
    POST: a numbered letter to each unit ticked."""

    model = ReminderLetter
    action = "manage"
    template_name = "duties/letter_issue.html"

    def get_form(self, data, *, fill=True):
        user = self.request.user
        if fill and (data is None or "scheme" not in data):
            scheme = published_schemes(user).first()
            data = {"scheme": scheme.pk if scheme else "", "cutoff": timezone.localdate().isoformat(),
                    "days": letters.DEFAULT_DEADLINE_DAYS}
        return LetterIssueForm(data, user=user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or self.get_form(self.request.GET)
        found = None
        deadline = None
        if form.is_valid():
            data = form.cleaned_data
            found = letters.candidates(data["scheme"], data["cutoff"])
            deadline = add_working_days(timezone.localdate(), data["days"])
        context.update(form=form, candidates=found, deadline=deadline, preselect=letters.PRESELECT_OVERDUE,
                       has_schemes=published_schemes(self.request.user).exists())
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST, fill=False)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        scheme = data["scheme"]
        chosen = [value for value in request.POST.getlist("units") if is_number(value)]
        units = scheme.covered_units().filter(pk__in=chosen)
        if not chosen or not units:
            messages.error(request, "请至少勾选一个单位。")
            return self.render_to_response(self.get_context_data(form=form))
        try:
            issued = letters.issue_letters(scheme, units, cutoff=data["cutoff"], days=data["days"],
                                           user=request.user)
        except ValidationError as error:
            show_errors(request, error)
            return self.render_to_response(self.get_context_data(form=form))
        if issued:
            numbers = "、".join(letter.doc_number for letter in issued)
            messages.success(request, f"已向{len(issued)}个单位发出提醒函：{numbers}。")
        skipped = len(units) - len(issued)
        if skipped:
            messages.warning(request, f"{skipped}个单位截至统计日没有逾期事项，未发函。")
        return HttpResponseRedirect(reverse("duties:reminderletter_list"))


# --- progress notices --------------------------------------------------------------------------------------


class NoticeFilterSet(ScopedFilterSet):
    year = django_filters.ChoiceFilter(label="年度", choices=year_choices(Notice), empty_label="全部")
    search_fields = ("title", "scheme__title")

    class Meta:
        model = Notice
        fields = ["year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.form.fields["unit"]  # notices are the county's own
        self.form.fields["q"].widget.attrs["placeholder"] = "标题或考核细则"


class NoticeTable(tables.Table):
    doc_number = tables.Column(verbose_name="文号", accessor="number", order_by=("-year", "-number"))
    title = tables.Column(verbose_name="标题", attrs={"td": {"class": "text-wrap"}})
    period = tables.Column(verbose_name="通报期间", accessor="content", orderable=False, attrs=SECONDARY)
    created_at = tables.Column(verbose_name="成文日期", attrs=SECONDARY)
    download = tables.Column(verbose_name="", accessor="pk", orderable=False, attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Notice
        fields = ()
        sequence = ("doc_number", "title", "period", "created_at", "download")
        attrs = TABLE_ATTRS
        empty_text = "没有通报"

    def render_doc_number(self, record):
        return format_html('<a href="{}">{}</a>', reverse("duties:notice_detail", kwargs={"pk": record.pk}),
                           record.doc_number)

    def render_period(self, record):
        return (record.content or {}).get("period_label") or record.period_key

    def render_created_at(self, record):
        return notices.notice_date_text(record)

    def render_download(self, record):
        return download_button(reverse("duties:notice_download", kwargs={"pk": record.pk}))


class NoticeQuerysetMixin:
    model = Notice

    def get_queryset(self):
        return super().get_queryset().select_related("scheme__owner_unit", "created_by")


class NoticeListView(NoticeQuerysetMixin, views.ObjectListView):
    table_class = NoticeTable
    filterset_class = NoticeFilterSet
    template_name = "duties/notice_list.html"

    def get_table_kwargs(self):
        return {} if self.request.user.has_action(Notice, "export") else {"exclude": ("download",)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.request.user.has_action(Notice, "manage")
        return context


def notice_display(content):
    """The stored content of a notice, with the rates as text, for the notice pages."""
    content = dict(content or {})
    if content.get("as_of"):
        content["as_of"] = common.day_text(content["as_of"])
    if content.get("issue_date"):
        content["issue_text"] = common.day_text(content["issue_date"])
    content["completion_text"] = common.percent_text(content.get("completion_rate"))
    groups = []
    for group in content.get("groups", []):
        rows = [{**row, "rate_text": common.percent_text(row.get("completion_rate"))} for row in group["rows"]]
        groups.append({**group, "rows": rows})
    content["groups"] = groups
    content["lagging"] = [{**row, "rate_text": common.percent_text(row.get("completion_rate"))}
                          for row in content.get("lagging", [])]
    return content


class NoticeDetailView(NoticeQuerysetMixin, views.ObjectDetailView):
    template_name = "duties/notice_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            content=notice_display(self.object.content),
            download_url=reverse("duties:notice_download", kwargs={"pk": self.object.pk})
            if self.allows("export") else None,
        )
        return context


class NoticeDownloadView(views.ScopedViewMixin, View):
    """The notice as issued (.docx). An export: "export" on the notice, audited."""

    model = Notice
    action = "export"

    def get(self, request, pk):
        notice = get_object_or_404(self.get_queryset().select_related("scheme__owner_unit"), pk=pk)
        try:
            data = common.document_bytes(notice, notices.render_notice)
        except ValidationError as error:
            raise Http404 from error
        audit.record(AuditEvent.Action.EXPORT, obj=notice, label=f"{notice.doc_number}（通报Word）")
        return word.docx_response(data, notices.notice_filename(notice))


class NoticeIssueForm(forms.Form):
    scheme = forms.ModelChoiceField(label="考核细则", queryset=Scheme.objects.none(), empty_label=None,
                                    widget=forms.Select(attrs={"class": "form-select", "data-autosubmit": ""}))
    period = forms.ChoiceField(label="通报期间", widget=forms.Select(attrs={"class": "form-select"}))
    lagging_rate = forms.IntegerField(label="进度滞后标准（完成率低于%）", min_value=1, max_value=100,
                                      widget=forms.NumberInput(attrs={"class": "form-control"}))
    title = forms.CharField(label="标题", max_length=200, required=False,
                            widget=forms.TextInput(attrs={"class": "form-control"}),
                            help_text="留空则为“关于××统战工作职责清单落实情况的通报”")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schemes = published_schemes(user)
        self.fields["scheme"].queryset = schemes
        self.fields["scheme"].error_messages["invalid_choice"] = "请选择已发布的考核细则。"
        scheme = None
        value = self.data.get("scheme") if self.is_bound else None
        if value and is_number(str(value)):
            scheme = schemes.filter(pk=value).first()
        self.scheme = scheme or schemes.first()
        periods = notices.notice_periods(self.scheme) if self.scheme else []
        self.fields["period"].choices = [(o.key, o.label) for o in periods]
        self.fields["period"].error_messages["invalid_choice"] = "请选择本考核细则已开始的通报期间。"

    @staticmethod
    def default_period(scheme):
        """The latest period already over (else the latest begun) of the scheme."""
        periods = notices.notice_periods(scheme)
        today = timezone.localdate()
        over = [o for o in periods if o.end < today and o.frequency != "year"]
        if over:  # the latest to end; of those ending together (Q2, H1) the shorter
            return max(over, key=lambda o: (o.end, o.start)).key
        return periods[-1].key if periods else ""


class NoticeIssueView(views.ScopedViewMixin, TemplateView):
    """GET: a preview of the notice for the chosen scheme and period; POST: number, render and store it."""

    model = Notice
    action = "manage"
    template_name = "duties/notice_issue.html"

    def get_form(self, data, *, fill=True):
        """The form of `data`; with `fill` (the GET of the page), missing or stale values are replaced by the
        defaults: the latest scheme, its latest period over, the usual lagging rate."""
        user = self.request.user
        if not fill:
            return NoticeIssueForm(data, user=user)
        values = {"lagging_rate": notices.DEFAULT_LAGGING_RATE, "title": ""}
        values.update(data.items() if data is not None else {})
        schemes = published_schemes(user)
        chosen = str(values.get("scheme") or "")
        scheme = (schemes.filter(pk=chosen).first() if is_number(chosen) else None) or schemes.first()
        values["scheme"] = scheme.pk if scheme else ""
        keys = [o.key for o in notices.notice_periods(scheme)] if scheme else []
        if values.get("period") not in keys:
            values["period"] = NoticeIssueForm.default_period(scheme) if scheme else ""
        return NoticeIssueForm(values, user=user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or self.get_form(self.request.GET)
        preview = title = None
        if form.is_valid():
            data = form.cleaned_data
            occurrence = parse_key(data["period"])
            preview = notice_display(notices.notice_content(data["scheme"], occurrence,
                                                            lagging_rate=data["lagging_rate"]))
            title = data["title"] or notices.default_notice_title(occurrence.label)
        context.update(form=form, preview=preview, title=title,
                       has_schemes=published_schemes(self.request.user).exists())
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST, fill=False)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            notice = notices.issue_notice(data["scheme"], data["period"], title=data["title"],
                                          lagging_rate=data["lagging_rate"], user=request.user)
        except ValidationError as error:
            show_errors(request, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, f"通报{notice.doc_number}已生成。")
        return HttpResponseRedirect(reverse("duties:notice_detail", kwargs={"pk": notice.pk}))
