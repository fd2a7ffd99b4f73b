import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import BUSINESS_PERMISSIONS, BusinessModel, ScopedQuerySet


class Frequency(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    HALF_YEAR = "half", "每半年"
    YEAR = "year", "每年"


# How many occurrences a frequency expects in a year, and the key of the n-th one (1-based).
OCCURRENCES_PER_YEAR = {Frequency.MONTH: 12, Frequency.QUARTER: 4, Frequency.HALF_YEAR: 2, Frequency.YEAR: 1}


def occurrence_key(frequency, year, number):
    """"2026-03", "2026-Q2", "2026-H1", "2026": the period a plan expects an activity in."""
    return {
        Frequency.MONTH: f"{year}-{number:02d}",
        Frequency.QUARTER: f"{year}-Q{number}",
        Frequency.HALF_YEAR: f"{year}-H{number}",
        Frequency.YEAR: f"{year}",
    }[frequency]


def occurrence_for(frequency, day):
    """The key of the occurrence of `frequency` that contains `day`."""
    number = {
        Frequency.MONTH: day.month,
        Frequency.QUARTER: (day.month - 1) // 3 + 1,
        Frequency.HALF_YEAR: (day.month - 1) // 6 + 1,
        Frequency.YEAR: 1,
    }[frequency]
    return occurrence_key(frequency, day.year, number)


class ActivityType(models.Model):
    """A kind of activity (同心行活动日, 同心大讲堂, …), with how often a unit is expected to hold one."""

    name = models.CharField("名称", max_length=50, unique=True)
    expected_frequency = models.CharField(
        "应开展频次", max_length=10, choices=Frequency.choices, blank=True, help_text="留空表示不作频次要求"
    )
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "活动类型"
        verbose_name_plural = "活动类型"
        ordering = ["sort_order", "id"]
        default_permissions = ()

    def __str__(self):
        return self.name


class Plan(BusinessModel):
    """A recurring plan of a unit (e.g. 每月同心行活动日): it expects one activity per occurrence of a year."""

    title = models.CharField("计划名称", max_length=100)
    activity_type = models.ForeignKey(ActivityType, verbose_name="活动类型", on_delete=models.PROTECT)
    frequency = models.CharField("频次", max_length=10, choices=Frequency.choices)
    year = models.PositiveIntegerField("年度")
    co_organisers = models.ManyToManyField("org.Unit", verbose_name="协办单位", blank=True, related_name="+")
    notes = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "活动计划"
        verbose_name_plural = "活动计划"
        ordering = ["-year", "activity_type__sort_order", "id"]
        default_permissions = BUSINESS_PERMISSIONS

    def __str__(self):
        return f"{self.year}年 {self.title}"

    def get_absolute_url(self):
        return reverse("activities:plan_detail", kwargs={"pk": self.pk})

    def occurrences(self):
        """The keys of the occurrences this plan expects in its year, in order."""
        count = OCCURRENCES_PER_YEAR[self.frequency]
        return [occurrence_key(self.frequency, self.year, n) for n in range(1, count + 1)]

    def occurrence_of(self, day):
        return occurrence_for(self.frequency, day) if day.year == self.year else None


def new_signin_token():
    """The unguessable part of a sign-in link: 24 random bytes, 32 URL-safe characters (the column's length)."""
    return secrets.token_urlsafe(24)


class ActivityQuerySet(ScopedQuerySet):
    def with_counts(self):
        """With `participant_count` (people of the ledger) and `photo_count`, in the model's order."""
        return self.annotate(
            participant_count=models.Count("participants", distinct=True),
            photo_count=models.Count("photos", distinct=True),
        ).order_by(*self.model._meta.ordering)  # a GROUP BY query drops the model's default ordering

    def occurrences_held(self, plan_ids):
        """{(plan id, occurrence key)}: the occurrences of the plans `plan_ids` that an activity records.

        Read over every activity, not through `visible_to`, on purpose: whether a plan's occurrence was held is a
        fact about the plan, which the caller took from `Plan.objects.visible_to(user)`, and stays true whether or
        not the user may see the activity that held it (kept by another unit, say). Only plan ids and occurrence
        keys come out, nothing of the activity itself."""
        return set(self.filter(plan__in=plan_ids).exclude(occurrence="").values_list("plan_id", "occurrence")
                   .distinct())


class Activity(BusinessModel):
    """An activity held: when, where, who organised it, who took part, what came of it."""

    title = models.CharField("活动名称", max_length=100)
    activity_type = models.ForeignKey(ActivityType, verbose_name="活动类型", on_delete=models.PROTECT)
    start = models.DateTimeField("开始时间")
    end = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=100)
    co_organisers = models.ManyToManyField("org.Unit", verbose_name="协办单位", blank=True, related_name="+")
    plan = models.ForeignKey(
        Plan, verbose_name="对应计划", on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    occurrence = models.CharField("计划期次", max_length=10, blank=True, editable=False)
    participants = models.ManyToManyField(
        "people.Person", verbose_name="参加人员（台账）", blank=True, related_name="activities"
    )
    other_participants = models.PositiveIntegerField("其他参加人数", default=0)
    content = models.TextField("活动内容")
    outcome = models.TextField("活动成效", blank=True)
    signin_token = models.CharField(max_length=32, unique=True, editable=False, default=new_signin_token)
    signin_open = models.BooleanField("开放扫码签到", default=False)
    # 本人自助: an activity published for sign-up is seen by the members of the ledger of its unit and below
    # (activities.services.open_for_signup); they sign up on their phone.
    signup_open = models.BooleanField("开放本人报名", default=False,
                                      help_text="开放后，本单位及下级单位台账中开通自助账号的成员可在手机上报名")
    signup_deadline = models.DateTimeField("报名截止时间", null=True, blank=True, help_text="留空则活动开始前均可报名")
    signup_capacity = models.PositiveIntegerField("报名名额", null=True, blank=True, help_text="留空表示不限")

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        ordering = ["-start", "-id"]
        default_permissions = BUSINESS_PERMISSIONS
        indexes = [models.Index(fields=["owner_unit", "start"], name="activity_unit_start")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("activities:activity_detail", kwargs={"pk": self.pk})

    def save(self, *args, **kwargs):
        local_day = timezone.localtime(self.start).date() if timezone.is_aware(self.start) else self.start.date()
        self.occurrence = (self.plan.occurrence_of(local_day) or "") if self.plan_id else ""
        super().save(*args, **kwargs)


class Photo(models.Model):
    """A photo of an activity: checked by content, location data stripped, thumbnail made once on upload."""

    activity = models.ForeignKey(Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("照片", upload_to="activities/photos/%Y/%m/")
    thumbnail = models.ImageField("缩略图", upload_to="activities/thumbs/%Y/%m/")
    caption = models.CharField("说明", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "活动照片"
        verbose_name_plural = "活动照片"
        ordering = ["uploaded_at", "id"]
        default_permissions = ()

    def __str__(self):
        return self.caption or f"照片 {self.pk}"


class SignIn(models.Model):
    """A participant signing in on their phone: matched to the ledger by name and phone, or kept as a guest.

    A sign-in waits for the organiser: only their confirmation adds a matched person to the participants (a
    stranger who knows a name and a phone tail could otherwise put anyone on the record)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        IGNORED = "ignored", "已忽略"

    activity = models.ForeignKey(Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="signins")
    person = models.ForeignKey(
        "people.Person", verbose_name="台账人员", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField("姓名", max_length=50)
    phone_last4 = models.CharField("手机尾号", max_length=4)
    signed_at = models.DateTimeField("签到时间", default=timezone.now)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "签到"
        verbose_name_plural = "签到"
        ordering = ["signed_at"]
        default_permissions = ()

    def __str__(self):
        return self.name

    @property
    def is_guest(self):
        return self.person_id is None


class SignUp(models.Model):
    """A member of the ledger signing up for an activity published for sign-up (本人报名), on their phone. One row
    per person and activity: cancelling keeps it (status), signing up again reopens it."""

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", "已报名"
        CANCELLED = "cancelled", "已取消"

    activity = models.ForeignKey(Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey("people.Person", verbose_name="报名人", on_delete=models.CASCADE, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SIGNED_UP)
    signed_up_at = models.DateTimeField("报名时间", default=timezone.now)

    class Meta:
        verbose_name = "活动报名"
        verbose_name_plural = "活动报名"
        ordering = ["signed_up_at", "id"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="signup_unique_activity_person")]

    def __str__(self):
        return f"{self.person} · {self.activity}"
