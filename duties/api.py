"""据单督查 over the REST API (/api/v1/duties/): a unit's duty list, its submissions and their review outcome.

The pages' rules hold: a unit's list and its submissions exist for a user whose scope for submissions reaches the
unit (else 404); evidence is written through the page's SubmissionForm and duties.services.save_submission (same
checks, attachments through core.uploads, links only to records the user may see, audited); the review itself
(通过、退回、评分) stays on the county's pages, and the API only reads its outcome.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from ninja import File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from core.api.errors import FormInvalid, responses
from core.api.filters import apply_filters, filter_schema
from core.api.pagination import StablePagination
from core.api.schemas import Ref
from core.api.scoping import get_visible, require_action, visible

from .assessment import assess
from .filtersets import SubmissionFilterSet
from .models import Submission, SubmissionLink
from .periods import parse_key
from .services import duty_list, may, new_submission, save_submission
from .submission_forms import SubmissionForm
from .submission_views import category_heading

router = Router(tags=["职责清单"])
SubmissionFilters = filter_schema(SubmissionFilterSet, "SubmissionFilters")


class OccurrenceOut(Schema):
    period_key: str
    label: str
    start: date
    end: date
    due: date
    status: str
    status_label: str
    overdue: bool
    done: bool
    submission_id: int | None


class ItemOut(Schema):
    """An item of the unit's list with its occurrences in the scheme year, as 我的职责清单 shows them."""

    id: int
    number: str
    category: str
    text: str
    unit: Ref
    scheme: Ref
    method: str
    method_label: str
    points: float
    scoring: str
    deadline: str
    evidence_required: str
    rule: str
    score: float | None
    occurrences: list[OccurrenceOut]


class SubmissionListOut(Schema):
    id: int
    scheme: Ref
    indicator: Ref
    unit: Ref
    period_key: str
    period_label: str
    status: str
    status_label: str
    score: float | None
    count: int | None
    submitted_at: datetime | None
    reviewed_at: datetime | None

    @staticmethod
    def resolve_scheme(submission):
        return _ref(submission.indicator.scheme, submission.indicator.scheme.title)

    @staticmethod
    def resolve_indicator(submission):
        return _ref(submission.indicator)

    @staticmethod
    def resolve_unit(submission):
        return _ref(submission.owner_unit, submission.owner_unit.name)

    @staticmethod
    def resolve_period_label(submission):
        return parse_key(submission.period_key).label

    @staticmethod
    def resolve_status_label(submission):
        return submission.get_status_display()


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    uploaded_at: datetime
    url: str


class LinkOut(Schema):
    """A record the evidence refers to; `url` is its page where the user may view it, else empty."""

    id: int
    label: str
    url: str


class StepOut(Schema):
    action: str
    action_label: str
    comment: str
    score: float | None
    status_after: str
    user: str
    created_at: datetime


class SubmissionOut(SubmissionListOut):
    """A submission: the evidence, and the review outcome (status, score, reviewer, every step with comments).
    `editable`: whether the token user may still change and submit it."""

    text: str
    editable: bool
    reviewed_by: str
    attachments: list[AttachmentOut]
    links: list[LinkOut]
    steps: list[StepOut]

    @staticmethod
    def resolve_editable(submission, context):
        user = context["request"].user
        return submission.is_editable and user.has_action(Submission, "change") \
            and may(user, "change", submission.owner_unit)

    @staticmethod
    def resolve_reviewed_by(submission):
        return _user(submission.reviewed_by)

    @staticmethod
    def resolve_attachments(submission, context):
        request = context["request"]
        return [{"id": a.pk, "name": a.name, "size": a.size, "uploaded_at": a.uploaded_at,
                 "url": request.build_absolute_uri(reverse("duties:submission_attachment",
                                                           kwargs={"pk": submission.pk, "attachment": a.pk}))}
                for a in submission.attachments.all()]

    @staticmethod
    def resolve_links(submission, context):
        request = context["request"]
        return [{"id": link.pk, "label": link.label, "url": request.build_absolute_uri(link.url) if link.url else ""}
                for link in SubmissionLink.with_urls(submission.links.all(), request.user)]

    @staticmethod
    def resolve_steps(submission):
        return [{"action": step.action, "action_label": step.get_action_display(), "comment": step.comment,
                 "score": step.score, "status_after": step.status_after, "user": _user(step.user),
                 "created_at": step.created_at} for step in submission.steps.select_related("user")]


class EvidenceIn(Schema):
    """Evidence as on the page: `text`; `records` to link ("activities.activity:12", "friendship.contact:3",
    "people.person:7"); attachment and link ids to remove; `submit` true submits it for review (提交审核), else it
    is saved as a draft."""

    text: str | None = None
    records: list[str] | None = None
    remove_attachments: list[int] | None = None
    remove_links: list[int] | None = None
    submit: bool = False


class SubmissionIn(EvidenceIn):
    """The item (`indicator`), the unit and the period (`period_key`, e.g. "2026-Q3") of the list, and the
    evidence."""

    indicator: int
    unit: int
    period_key: str


def _ref(obj, name=None):
    return {"id": obj.pk, "name": name if name is not None else str(obj)}


def _number(value):
    return float(value) if value is not None else None


def _user(user):
    return str(user) if user is not None else ""


@router.get("/list/", response=responses(list[ItemOut]), summary="我的职责清单（某单位某年度的考核事项及各期状态）")
@paginate(StablePagination)
def list_items(request, year: int | None = None, unit: int | None = None, scheme: int | None = None):
    require_action(request, Submission, "view")
    chosen = duty_list(request.user, year or "", unit or "", scheme or "")
    if year is not None and year not in chosen.years:
        raise HttpError(422, f"{year}年没有已发布的考核细则。")
    if chosen.unit is None and not chosen.units:
        raise HttpError(422, "您的数据范围内没有纳入考核的单位。")
    if chosen.unit is None:
        raise HttpError(422, "请用 unit 参数指定单位（您的数据范围内有多个考核单位）。")
    if scheme is not None and (chosen.scheme is None or chosen.scheme.pk != scheme):
        raise HttpError(404, "未找到该考核细则，或其不考核该单位。")
    if chosen.scheme is None:
        return []
    return _items(chosen.scheme, chosen.unit)


def _items(scheme, unit):
    """The items in the list's order (categories numbered like the page), each with its occurrences."""
    result, headings = [], {}
    for item in assess(scheme, unit).items:
        indicator = item.indicator
        if indicator.parent_id not in headings:
            headings[indicator.parent_id] = [category_heading(indicator.parent, len(headings) + 1), 0]
        heading = headings[indicator.parent_id]
        heading[1] += 1
        result.append({
            "id": indicator.pk, "number": f"{len(headings)}.{heading[1]}", "category": heading[0],
            "text": indicator.text, "unit": _ref(unit, unit.name), "scheme": _ref(scheme, scheme.title),
            "method": indicator.method, "method_label": indicator.get_method_display(),
            "points": float(indicator.points), "scoring": indicator.scoring_text(),
            "deadline": indicator.deadline_text(), "evidence_required": indicator.evidence_required,
            "rule": indicator.rule_text(), "score": _number(item.score.score if item.score else None),
            "occurrences": [{
                "period_key": occ.period_key, "label": occ.occurrence.label, "start": occ.occurrence.start,
                "end": occ.occurrence.end, "due": occ.due, "status": occ.status, "status_label": occ.status_label,
                "overdue": occ.overdue, "done": occ.done,
                "submission_id": occ.submission.pk if occ.submission is not None else None,
            } for occ in item.occurrences],
        })
    return result


def _submissions(request, action="view"):
    return visible(request, Submission, action).select_related("indicator__scheme", "owner_unit", "reviewed_by")


@router.get("/submissions/", response=responses(list[SubmissionListOut]), summary="职责清单报送列表")
@paginate(StablePagination)
def list_submissions(request, filters: Query[SubmissionFilters]):
    require_action(request, Submission, "view")
    return apply_filters(request, SubmissionFilterSet, _submissions(request), filters)


@router.get("/submissions/{int:submission_id}/", response=responses(SubmissionOut),
            summary="职责清单报送（佐证材料与审核结果）")
def get_submission(request, submission_id: int):
    require_action(request, Submission, "view")
    return get_visible(request, _submissions(request), submission_id)


@router.post("/submissions/", response=responses(SubmissionOut, ok_status=201),
             summary="填报职责清单事项（保存草稿或提交审核，同填报页的校验）")
def create_submission(request, payload: SubmissionIn):
    require_action(request, Submission, "add")
    submission = new_submission(request.user, payload.indicator, payload.unit, payload.period_key)
    if submission.pk is not None:
        raise HttpError(422, f"该单位本期的这项报送已存在（编号 {submission.pk}），请修改该报送。")
    if not may(request.user, "add", submission.owner_unit):
        raise PermissionDenied("您无权为该单位填报。")
    saved = _save(request, submission, payload)
    return Status(201, get_visible(request, _submissions(request), saved.pk))


@router.patch("/submissions/{int:submission_id}/", response=responses(SubmissionOut),
              summary="修改职责清单报送（只传要改的内容；submit=true 提交审核）")
def update_submission(request, submission_id: int, payload: EvidenceIn):
    submission = _editable(request, submission_id)
    _save(request, submission, payload)
    return get_visible(request, _submissions(request), submission_id)


@router.post("/submissions/{int:submission_id}/attachments/", response=responses(SubmissionOut, ok_status=201),
             summary="上传佐证附件（multipart，字段 files，可多个；同填报页的文件检查；报送保存为草稿）")
def upload_attachments(request, submission_id: int, files: File[list[UploadedFile]]):
    submission = _editable(request, submission_id)
    _save(request, submission, EvidenceIn(), MultiValueDict({"files": list(files)}))
    return Status(201, get_visible(request, _submissions(request), submission_id))


def _editable(request, submission_id):
    """The submission, for a user who may change it, while it may still change (not submitted, not passed)."""
    require_action(request, Submission, "change")
    submission = get_visible(request, _submissions(request), submission_id)
    if not may(request.user, "change", submission.owner_unit):
        raise PermissionDenied("您无权修改该单位的报送。")
    if not submission.is_editable:
        raise HttpError(422, f"该事项当前为“{submission.get_status_display()}”，不能修改。")
    return submission


def _save(request, submission, evidence, files=None):
    """The page's save: SubmissionForm, then save_submission; 422 with the form's messages, nothing stored."""
    intent = "submit" if evidence.submit else "draft"
    data = {"text": evidence.text if evidence.text is not None else submission.text,
            "records": evidence.records or [],
            "remove_attachments": [str(pk) for pk in evidence.remove_attachments or []],
            "remove_links": [str(pk) for pk in evidence.remove_links or []]}
    form = SubmissionForm(data, files or MultiValueDict(), user=request.user, submission=submission, intent=intent)
    if not form.is_valid():
        raise FormInvalid(form)
    try:
        with transaction.atomic():
            return save_submission(submission, form, request.user, intent)
    except IntegrityError as error:  # the unit's evidence for this item and period was started meanwhile
        raise HttpError(422, "该单位本期的这项报送已由他人创建，请在其基础上修改。") from error
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        raise FormInvalid(form) from error
