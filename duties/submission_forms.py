"""Forms of 据单督查: a unit's evidence for one item and period, the reviewer's decision, and the filters of the
review queue and the progress matrix.

Evidence may link to records already in the system (活动、联系记录、台账人员). They are named in the form as
"<app_label>.<model_name>:<pk>" and resolved through the app registry and the model's own
`visible_to(user)`: this module imports no other app.
"""

from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from core.text import is_number
from core.uploads import ATTACHMENT_ACCEPT, clean_attachment

from .models import Submission, SubmissionLink
from .scoring import Spec, dec, fmt, score_problem

MAX_FILES = 10  # attachments per upload
MAX_LINKS = 30  # records linked in one save
# --- records evidence may link to ------------------------------------------------------------------------

@dataclass(frozen=True)
class RecordType:
    """A kind of record evidence may link to: how to find it by typed text and how to show it."""

    label: str  # app_label.ModelName
    name: str  # shown before each match, e.g. "活动"
    search: tuple  # field lookups matched with icontains
    pinyin: tuple = ()  # fields matched by prefix when the text is plain letters
    related: tuple = ()  # select_related for the text
    order: tuple = ("-pk",)

    @property
    def model(self):
        try:
            return apps.get_model(self.label)
        except LookupError:
            return None

    @property
    def key(self):
        return self.label.lower()


RECORD_TYPES = (
    RecordType("activities.Activity", "活动", ("title", "place", "activity_type__name"),
               related=("owner_unit", "activity_type"), order=("-start", "-pk")),
    RecordType("friendship.Contact", "联系记录", ("summary", "place", "pairing__representative__person__name",
                                              "pairing__official_name"),
               pinyin=("pairing__representative__person__name_pinyin",
                       "pairing__representative__person__name_initials"),
               related=("owner_unit", "pairing__representative__person"), order=("-date", "-pk")),
    RecordType("people.Person", "统战成员", ("name",), pinyin=("name_pinyin", "name_initials"),
               related=("owner_unit",), order=("name", "pk")),
)


def record_types():
    """The record types of the installed apps."""
    return [t for t in RECORD_TYPES if t.model is not None]


def record_value(obj):
    return f"{obj._meta.label_lower}:{obj.pk}"


def record_text(obj, type_name=None):
    """"活动：同心大讲堂（东溪镇，2026-03-20）" — what the picker shows for a record."""
    name = type_name or next((t.name for t in RECORD_TYPES if t.key == obj._meta.label_lower),
                             str(obj._meta.verbose_name))
    details = []
    unit = getattr(obj, "owner_unit", None)
    if unit is not None:
        details.append(unit.name)
    when = getattr(obj, "start", None) or getattr(obj, "date", None)
    if when is not None:
        from django.utils import timezone

        day = timezone.localtime(when).date() if hasattr(when, "hour") and timezone.is_aware(when) else when
        details.append(f"{day:%Y-%m-%d}")
    suffix = f"（{'，'.join(details)}）" if details else ""
    return f"{name}：{obj}{suffix}"


def search_records(user, term, limit=20):
    """[(value, text)] of the records of every linkable type that `user` may view and that match `term`."""
    term = (term or "").strip()
    if not term:
        return []
    letters = term.replace(" ", "").lower()
    plain = letters.isascii() and letters.isalpha()
    per_type = max(5, limit // max(1, len(record_types())))
    results = []
    for record_type in record_types():
        model = record_type.model
        query = Q()
        for lookup in record_type.search:
            query |= Q(**{f"{lookup}__icontains": term})
        if plain:
            for lookup in record_type.pinyin:
                query |= Q(**{f"{lookup}__startswith": letters})
        found = model.objects.visible_to(user, "view").filter(query).select_related(*record_type.related)
        for obj in found.order_by(*record_type.order)[:per_type]:
            results.append((record_value(obj), record_text(obj, record_type.name)))
    return results[:limit]


def resolve_record(value, user):
    """The record named by `value` ("activities.activity:12") after checking `user` may view it; else a
    ValidationError that says nothing about records outside the user's scope."""
    label, _, pk = str(value).partition(":")
    types = {t.key: t for t in record_types()}
    if label not in types or not is_number(pk):
        raise ValidationError("只能关联活动、联系记录或统战成员。")
    model = types[label].model
    obj = model.objects.visible_to(user, "view").filter(pk=int(pk)).first()
    if obj is None:
        raise ValidationError("找不到所选记录，或您无权查看该记录。")
    SubmissionLink.check_record(obj, user)
    return obj


class RecordsField(forms.MultipleChoiceField):
    """Records chosen in the remote picker; any value is accepted by the widget and resolved in the form."""

    widget = forms.SelectMultiple

    def valid_value(self, value):
        return True


# --- uploads ---------------------------------------------------------------------------------------------

class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise ValidationError(f"一次最多上传{MAX_FILES}个附件。")
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(clean_attachment(super().clean(upload, initial)))
            except ValidationError as error:
                errors.append(f"“{Path(upload.name).name}”：{'；'.join(error.messages)}")
        if errors:
            raise ValidationError(errors)
        return cleaned


# --- evidence --------------------------------------------------------------------------------------------

class SubmissionForm(forms.Form):
    """The unit's evidence: text, new attachments, records to link, attachments and links to drop.

    `intent` is "draft" (保存草稿) or "submit" (提交审核); submitting needs some evidence.
    """

    text = forms.CharField(label="完成情况", required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 5, "placeholder": "简要说明本期完成情况、做法和成效"}))
    files = MultipleFileField(label="上传附件", required=False,
                              help_text="PDF、JPG、PNG、Word或Excel文件，每个不超过10MB，可一次选择多个")
    records = RecordsField(label="关联已有记录", required=False,
                           help_text="输入活动名称、联系对象或人员姓名（可用拼音首字母）查找本系统中已录入的记录")
    remove_attachments = forms.MultipleChoiceField(label="删除附件", required=False,
                                                   widget=forms.CheckboxSelectMultiple)
    remove_links = forms.MultipleChoiceField(label="移除关联", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, submission, intent="draft", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.submission = submission
        self.intent = intent
        self.fields["text"].initial = submission.text
        self.fields["text"].widget.attrs["class"] = "form-control"
        self.fields["files"].widget.attrs.update({"class": "form-control", "accept": ATTACHMENT_ACCEPT})
        self.fields["records"].widget.attrs["class"] = "form-select"
        existing = submission.pk is not None
        self.fields["remove_attachments"].choices = [
            (str(a.pk), a.name) for a in (submission.attachments.all() if existing else [])]
        self.fields["remove_links"].choices = [
            (str(link.pk), link.label) for link in (submission.links.all() if existing else [])]
        records = self.fields["records"]
        records.widget.attrs.update({
            "data-remote-picker": reverse("duties:submission_records"), "data-placeholder": "输入关键字查找记录",
            "data-no-results": "没有找到您可查看的记录",
        })
        # Keep what was chosen (with its text) when the form comes back with an error.
        chosen = self.data.getlist(self.add_prefix("records")) if self.is_bound and hasattr(self.data, "getlist") \
            else []
        choices = []
        for value in chosen[:MAX_LINKS]:
            try:
                choices.append((value, record_text(resolve_record(value, user))))
            except ValidationError:
                continue
        records.choices = choices

    def clean_records(self):
        values = self.cleaned_data.get("records") or []
        if len(values) > MAX_LINKS:
            raise ValidationError(f"一次最多关联{MAX_LINKS}条记录。")
        objects, seen = [], set()
        for value in values:
            if value in seen:
                continue
            seen.add(value)
            objects.append(resolve_record(value, self.user))
        return objects

    def clean(self):
        cleaned = super().clean()
        if self.intent == "submit" and not self.errors:
            text = (cleaned.get("text") or "").strip()
            removed_files = set(cleaned.get("remove_attachments") or [])
            removed_links = set(cleaned.get("remove_links") or [])
            submission = self.submission
            keeps_files = submission.pk is not None and submission.attachments.exclude(pk__in=removed_files).exists()
            keeps_links = submission.pk is not None and submission.links.exclude(pk__in=removed_links).exists()
            if not (text or cleaned.get("files") or cleaned.get("records") or keeps_files or keeps_links):
                raise ValidationError("请填写完成情况，或上传附件、关联已有记录后再提交。")
        return cleaned


# --- review ----------------------------------------------------------------------------------------------

class ReviewForm(forms.Form):
    """The reviewer's decision on a submission: 通过 (with an optional score/count), 退回 (comment required), or
    评分 (a new score for a submission already passed)."""

    APPROVE, RETURN, SCORE = "approve", "return", "score"

    score = forms.DecimalField(label="得分", required=False, max_digits=7, decimal_places=2,
                               widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
                               error_messages={"invalid": "得分应为数字。", "max_decimal_places": "得分最多两位小数。",
                                               "max_digits": "得分数值过大。", "max_whole_digits": "得分数值过大。"})
    count = forms.IntegerField(label="认定次数", required=False, min_value=0, max_value=9999,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    comment = forms.CharField(label="审核意见", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, submission, decision="", rule=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.decision = decision
        for name, css in (("score", "form-control"), ("count", "form-control"), ("comment", "form-control")):
            self.fields[name].widget.attrs["class"] = css
        indicator = submission.indicator
        self.spec = Spec.of(indicator)
        self.has_rule = bool(indicator.metric_key)
        low, high = self.spec.score_range
        method = indicator.Method
        what = {method.BONUS: "加分", method.DEDUCTION: "扣分"}.get(indicator.method, "得分")
        self.fields["score"].label = what
        hints = [f"本期{what}范围{fmt(low)}–{fmt(high)}分"]
        if indicator.method == method.DONE:
            hints.append("留空则通过即得满分")
        elif indicator.method == method.REVIEW:
            hints.append("通过时必须评分")
        else:
            hints.append(f"可只填认定次数（每次{fmt(indicator.unit_points)}分）")
        if rule is not None and rule.suggested is not None:
            hints.append(f"自动取数建议{fmt(rule.suggested)}分")
        self.fields["score"].help_text = "；".join(hints)
        self.fields["score"].widget.attrs.update({"min": str(low), "max": str(high)})
        if indicator.method not in indicator.COUNTED_METHODS:
            del self.fields["count"]
        else:
            self.fields["count"].help_text = f"按次计分：次数×{fmt(indicator.unit_points)}分，本项最高{fmt(high)}分"
        if submission.score is not None:
            self.fields["score"].initial = submission.score
        if "count" in self.fields and submission.count is not None:
            self.fields["count"].initial = submission.count

    def clean_score(self):
        score = self.cleaned_data.get("score")
        problem = score_problem(self.spec, score)
        if problem:
            raise ValidationError(problem)
        return dec(score) if score is not None else None

    def clean(self):
        cleaned = super().clean()
        decision = self.decision
        if decision not in (self.APPROVE, self.RETURN, self.SCORE):
            raise ValidationError("请选择“通过”或“退回”。")
        status = self.submission.status
        allowed = {self.APPROVE: (Submission.Status.SUBMITTED,),
                   self.RETURN: (Submission.Status.SUBMITTED, Submission.Status.PASSED),
                   self.SCORE: (Submission.Status.PASSED,)}[decision]
        if status not in allowed:
            raise ValidationError(f"该报送当前为“{self.submission.get_status_display()}”，不能执行此操作。")
        if self.errors:
            return cleaned
        score, count = cleaned.get("score"), cleaned.get("count")
        method = self.submission.indicator.Method
        if decision == self.RETURN:
            if not (cleaned.get("comment") or "").strip():
                self.add_error("comment", "退回时请填写审核意见，说明需要补充或修改的内容。")
        elif self.spec.method == method.REVIEW and score is None:
            self.add_error("score", "评审打分事项请填写得分。")
        elif self.spec.is_counted and score is None and count is None and not self.has_rule:
            self.add_error("count", "请填写认定次数或得分。")
        elif decision == self.SCORE and score is None and count is None:
            self.add_error("score", "请填写新的得分或认定次数。")
        return cleaned
