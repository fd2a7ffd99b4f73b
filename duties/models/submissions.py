"""A unit's evidence for an item (据单督查): the submission, its review steps, files and links to records."""

from collections import defaultdict

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from core.models import BusinessModel, ScopedQuerySet

from .common import POINTS
from .indicators import Indicator


class SubmissionQuerySet(ScopedQuerySet):
    def of_assessed_units(self, scheme, units):
        """The submissions of `units` under `scheme`, for their assessment (duties.assessment).

        Not through `visible_to`, on purpose: an assessment is computed for the units its caller chose, and the
        choice is where the scope is applied — the units inside the user's scope (`Scheme.assessed_units_for`:
        the unit's list, the progress matrix, the dashboard's figures), or every unit the scheme assesses for the
        county's own documents (ranking, notices, reminder letters), which only those who manage them make."""
        return self.filter(indicator__scheme=scheme, owner_unit__in=units)


class Submission(BusinessModel):
    """A unit's evidence for one item and one occurrence (据单督查). `owner_unit` is the unit assessed."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未开始"
        IN_PROGRESS = "in_progress", "进行中"
        SUBMITTED = "submitted", "已提交"
        PASSED = "passed", "已通过"
        RETURNED = "returned", "退回"

    # Statuses in which the unit may still edit and (re)submit its evidence.
    EDITABLE = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED)

    indicator = models.ForeignKey(Indicator, verbose_name="考核指标", on_delete=models.PROTECT,
                                  related_name="submissions")
    period_key = models.CharField("期次", max_length=10, help_text="2026、2026-H1、2026-Q3 或 2026-03")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NOT_STARTED,
                              db_index=True)
    text = models.TextField("完成情况", blank=True)
    count = models.PositiveIntegerField("次数", null=True, blank=True, help_text="按次计分、加分项、扣分项：认定的次数")
    score = models.DecimalField("评定得分", **POINTS, null=True, blank=True,
                                help_text="审核人给出的得分（加分项、扣分项为加、扣的分数）；留空则按规则计算")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = "职责清单报送"
        verbose_name_plural = "职责清单报送"
        ordering = ["indicator__scheme", "owner_unit__path", "indicator__sort_order", "period_key"]
        default_permissions = ("view", "add", "change", "export")
        permissions = [("review_submission", "审核职责清单报送")]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "owner_unit", "period_key"],
                                    name="submission_unique_item_unit_period"),
        ]
        indexes = [models.Index(fields=["owner_unit", "status"], name="submission_unit_status")]

    def __str__(self):
        return f"{self.owner_unit} · {self.indicator} · {self.period_key}"

    @property
    def unit(self):
        return self.owner_unit

    @property
    def occurrence(self):
        from ..periods import parse_key

        return parse_key(self.period_key)

    @property
    def is_editable(self):
        """Whether the unit may still change and submit its evidence (not while submitted or once passed)."""
        return self.status in self.EDITABLE

    def clean(self):
        from ..periods import parse_key

        errors = {}
        try:
            occurrence = parse_key(self.period_key)
        except ValueError as error:
            errors["period_key"] = str(error)
        else:
            if self.indicator_id:
                indicator = self.indicator
                if indicator.is_category:
                    errors["indicator"] = "类别不是考核事项，不能报送。"
                elif occurrence.frequency != indicator.frequency or occurrence.year != indicator.scheme.year:
                    errors["period_key"] = f"期次“{self.period_key}”与该事项的频次或年度不符。"
        if self.indicator_id and self.owner_unit_id and not self.indicator.is_category \
                and not self.indicator.applies_to_unit(self.owner_unit):
            errors["owner_unit"] = "该事项不在本单位的职责清单中。"
        if self.score is not None and self.indicator_id:
            from ..scoring import Spec, score_problem

            problem = score_problem(Spec.of(self.indicator), self.score)
            if problem:
                errors["score"] = problem
        if errors:
            raise ValidationError(errors)


class SubmissionStep(models.Model):
    """One step of a submission's review flow, kept for good: who did what, when, with which comment."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "提交"
        APPROVE = "approve", "通过"
        RETURN = "return", "退回"
        SCORE = "score", "评分"

    submission = models.ForeignKey(Submission, verbose_name="报送", on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    comment = models.TextField("意见", blank=True)
    score = models.DecimalField("得分", **POINTS, null=True, blank=True)
    status_after = models.CharField("操作后状态", max_length=12, choices=Submission.Status.choices, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.SET_NULL, null=True,
                             related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "报送审核记录"
        verbose_name_plural = "报送审核记录"
        ordering = ["created_at", "id"]
        default_permissions = ()

    def __str__(self):
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}" if self.created_at \
            else self.get_action_display()


class SubmissionAttachment(models.Model):
    """A file of evidence; served only through a scoped view, never from /media/."""

    submission = models.ForeignKey(Submission, verbose_name="报送", on_delete=models.CASCADE,
                                   related_name="attachments")
    file = models.FileField("文件", upload_to="duties/attachments/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证附件"
        verbose_name_plural = "佐证附件"
        ordering = ["uploaded_at", "id"]
        default_permissions = ()

    def __str__(self):
        return self.name


def linkable(obj):
    """Whether `obj` is a record evidence may link to: a scoped business record outside the duty lists."""
    return isinstance(obj, BusinessModel) and obj._meta.app_label != "duties"


class SubmissionLink(models.Model):
    """A link from evidence to an existing record (an activity, a contact, a person …): entered once, used here.

    `label` keeps the record's name at the time of linking, so the list shows something when the record is
    later deleted. Create links with `SubmissionLink.link(submission, obj, user)`, which checks that the user
    may see the record.
    """

    submission = models.ForeignKey(Submission, verbose_name="报送", on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, verbose_name="记录类型", on_delete=models.CASCADE,
                                     related_name="+")
    object_id = models.PositiveBigIntegerField("记录编号")
    record = GenericForeignKey("content_type", "object_id")
    label = models.CharField("记录", max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="关联人", on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField("关联时间", auto_now_add=True)

    class Meta:
        verbose_name = "关联记录"
        verbose_name_plural = "关联记录"
        ordering = ["created_at", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["submission", "content_type", "object_id"], name="submission_link_once"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="submission_link_record")]

    def __str__(self):
        return self.label

    @classmethod
    def check_record(cls, obj, user):
        """ValidationError unless `user` may view `obj` and it is a record evidence may link to."""
        if obj is None or not linkable(obj):
            raise ValidationError("只能关联台账、活动、联系记录等业务记录。")
        if not user.can("view", obj):
            # Says nothing about the record: it may be outside the user's scope.
            raise ValidationError("找不到该记录，或您无权查看该记录。")

    @classmethod
    def link(cls, submission, obj, user):
        """Link `obj` to `submission` (idempotent) after checking the user may see it. Returns the link."""
        cls.check_record(obj, user)
        content_type = ContentType.objects.get_for_model(obj)
        link, _ = cls.objects.get_or_create(
            submission=submission, content_type=content_type, object_id=obj.pk,
            defaults={"label": f"{obj._meta.verbose_name}：{obj}"[:200], "created_by": user},
        )
        return link

    @classmethod
    def with_urls(cls, links, user):
        """`links` as a list, each with `url`: its record's page where `user` may view the record (the record
        model's own `visible_to`), else "". A record the user may not see — moved out of their scope since it
        was linked, or deleted — is named by its label alone."""
        links = list(links)
        ids = defaultdict(list)
        for link in links:
            ids[link.content_type_id].append(link.object_id)
        urls = {}
        for content_type_id, object_ids in ids.items():
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            if model is None or not issubclass(model, BusinessModel) or not hasattr(model, "get_absolute_url"):
                continue
            for record in model.objects.visible_to(user, "view").filter(pk__in=object_ids):
                urls[(content_type_id, record.pk)] = record.get_absolute_url()
        for link in links:
            link.url = urls.get((link.content_type_id, link.object_id), "")
        return links
