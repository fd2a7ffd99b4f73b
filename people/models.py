from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.fields import EncryptedCharField
from core.models import BusinessModel, ScopedManager, ScopedQuerySet, ScopeRule
from org.models import Unit

from . import choices
from .identity import normalize_id_number, normalize_phone
from .pinyin import name_initials, name_pinyin


class Category(models.Model):
    """A category of 统战成员: the 12 statutory ones are seeded; sub-types hang under them."""

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级类别", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    synonyms = models.CharField("别名", max_length=200, blank=True, help_text="导入时可识别的其他写法，用“、”分隔")
    is_statutory = models.BooleanField("法定类别", default=False, editable=False)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "统战成员类别"
        verbose_name_plural = "统战成员类别"
        ordering = ["sort_order", "code"]
        default_permissions = ()

    def __str__(self):
        return self.name


class TagQuerySet(ScopedQuerySet):
    def lookup(self, names, *, unit):
        """{name: tag id} of the existing tags `names` mean for someone acting in `unit`, choosing among the tags
        of this queryset (those the user sees): `unit`'s own tag of that name first, else the only tag of that
        name. A name with no such tag, or with several of other units, is left out: `ensure` makes it in `unit`."""
        names = set(names)
        if not names:
            return {}
        found = dict(Tag.objects.filter(owner_unit=unit, name__in=names).values_list("name", "pk"))
        others = {}
        for name, pk in self.filter(name__in=names - set(found)).values_list("name", "pk"):
            others.setdefault(name, []).append(pk)
        found.update((name, pks[0]) for name, pks in others.items() if len(pks) == 1)
        return found

    def ensure(self, names, *, unit, user=None):
        """`lookup`, with a new tag of `unit` for each name it leaves out. Returns {name: tag id}."""
        found = self.lookup(names, unit=unit)
        missing = sorted(set(names) - set(found))
        if missing:
            Tag.objects.bulk_create([Tag(name=name, owner_unit=unit, created_by=user) for name in missing],
                                    ignore_conflicts=True)
            found.update(Tag.objects.filter(owner_unit=unit, name__in=missing).values_list("name", "pk"))
        return found


def acting_unit(user, fallback=None):
    """The unit a user's new tags belong to: their own unit; else `fallback`, else the root of the org tree."""
    if user is not None and user.unit_id:
        return user.unit
    if fallback is not None:
        return fallback
    return Unit.objects.get_first_root_node()


class Tag(models.Model):
    """A working label of one unit (e.g. a town's “重点联系对象”): seen by the users whose ledger scope covers
    that unit, so a town's tags are its own and a county tag is not imposed on every town.

    `Tag.objects.visible_to(user)`: the tags of the units inside the user's ledger scope (and, under a “仅本人”
    scope, those they made). A tag of another town, or of the county for a town, is not seen: not on a person, in
    a filter, a suggestion list or an export."""

    name = models.CharField("标签", max_length=30)
    owner_unit = models.ForeignKey("org.Unit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )

    objects = TagQuerySet.as_manager()
    scope_rule = ScopeRule(("owner_unit", "created_by"), permission="people.Person")

    class Meta:
        verbose_name = "标签"
        verbose_name_plural = "标签"
        ordering = ["name", "id"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["owner_unit", "name"], name="tag_unique_unit_name")]

    def __str__(self):
        return self.name


class Person(BusinessModel):
    """A person of the ledger (统战成员): public roles and the work done with them, nothing private."""

    # Basic (基本信息)
    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名拼音", max_length=200, editable=False, db_index=True)
    name_initials = models.CharField("姓名首字母", max_length=50, editable=False, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=choices.Gender.choices, blank=True)
    ethnicity = models.CharField("民族", max_length=2, choices=choices.ETHNICITIES, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    id_number = EncryptedCharField(
        "身份证号", hash_field="id_number_hash", mask="id_number", normalize=normalize_id_number
    )
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    phone = EncryptedCharField("联系电话", hash_field="phone_hash", mask="phone", normalize=normalize_phone)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    native_place = models.CharField("籍贯", max_length=50, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    photo = models.ImageField("照片", upload_to="people/photos/%Y/", blank=True)

    # Work and education (工作与学历)
    education = models.CharField("学历", max_length=20, choices=choices.Education.choices, blank=True)
    degree = models.CharField("学位", max_length=20, choices=choices.Degree.choices, blank=True)
    workplace = models.CharField("工作单位", max_length=100, blank=True)
    position = models.CharField("职务/职称", max_length=100, blank=True)
    field = models.CharField("所在领域", max_length=50, blank=True)

    # Political (政治面貌)
    affiliation = models.CharField("政治面貌", max_length=2, choices=choices.Affiliation.choices, blank=True)
    affiliation_date = models.DateField("加入时间", null=True, blank=True)

    # United front (统战信息)
    categories = models.ManyToManyField(Category, verbose_name="类别", related_name="people", blank=True)
    tier = models.CharField("管理层级", max_length=10, choices=choices.Tier.choices, default=choices.Tier.VILLAGE)
    is_representative = models.BooleanField("是否代表人士", default=False)
    tags = models.ManyToManyField(Tag, verbose_name="标签", related_name="people", blank=True)
    notes = models.TextField("备注", blank=True)

    # Dynamic adjustment (动态调整)
    status = models.CharField("状态", max_length=12, choices=choices.Status.choices, default=choices.Status.ACTIVE)
    status_date = models.DateField("状态变更日期", null=True, blank=True)
    status_reason = models.CharField("状态变更原因", max_length=200, blank=True)

    history = HistoricalRecords(
        excluded_fields=["name_pinyin", "name_initials", "id_number_hash", "phone_hash", "updated_at"],
        m2m_fields=[categories],
    )

    class Meta:
        verbose_name = "统战成员"
        verbose_name_plural = "统战成员"
        default_permissions = ("view", "add", "change", "delete", "export", "import", "view_sensitive")
        ordering = ["-id"]
        # Hashes get plain B-tree indexes: db_index=True would add a second, LIKE-pattern index on
        # PostgreSQL that no query uses and every insert pays for.
        indexes = [
            models.Index(fields=["id_number_hash"], name="person_id_number_hash"),
            models.Index(fields=["phone_hash"], name="person_phone_hash"),
            models.Index(fields=["owner_unit", "status"], name="person_unit_status"),
            models.Index(fields=["birth_date"], name="person_birth_date"),
        ]
        constraints = [
            # One ledger entry per ID number in the county; records without an ID number are allowed.
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=~models.Q(id_number_hash=""), name="person_unique_id_number"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:person_detail", kwargs={"pk": self.pk})

    def save(self, *args, **kwargs):
        self.name = self.name.strip()
        self.name_pinyin = name_pinyin(self.name)
        self.name_initials = name_initials(self.name)
        super().save(*args, **kwargs)


class SocialPosition(models.Model):
    """A public position (人大代表, 政协委员, 特约人员, 商会/联谊会职务) with its level and term."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="positions")
    kind = models.CharField("类型", max_length=20, choices=choices.PositionKind.choices)
    level = models.CharField("级别", max_length=20, choices=choices.PositionLevel.choices)
    title = models.CharField("职务名称", max_length=100, blank=True, help_text="例如：政协常委、商会副会长")
    term_start = models.DateField("任期开始", null=True, blank=True)
    term_end = models.DateField("任期结束", null=True, blank=True)

    class Meta:
        verbose_name = "社会职务"
        verbose_name_plural = "社会职务"
        ordering = ["-term_start", "kind"]
        default_permissions = ()

    def __str__(self):
        return f"{self.get_level_display()}{self.title or self.get_kind_display()}"


class Transfer(models.Model):
    """A move of a person between units of the county, made by the sending side. Seen, by the ledger's scope, on
    both sides: `Transfer.objects.visible_to(user, via="to_unit")` are the arrivals (调入) of the user's units,
    `via="from_unit"` their departures (调出)."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="transfers")
    from_unit = models.ForeignKey("org.Unit", verbose_name="调出单位", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("org.Unit", verbose_name="调入单位", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("调动日期")
    reason = models.CharField("原因", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ScopedManager()
    scope_rule = ScopeRule(("from_unit", None), ("to_unit", None), permission="people.Person")

    class Meta:
        verbose_name = "调动记录"
        verbose_name_plural = "调动记录"
        ordering = ["-date", "-id"]
        default_permissions = ()

    def __str__(self):
        return f"{self.person}：{self.from_unit} → {self.to_unit}"


class Attachment(models.Model):
    """A file kept with a person's archive (e.g. 任职文件, 证书扫描件); served only through a scoped view."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="people/attachments/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["-uploaded_at"]
        default_permissions = ()

    def __str__(self):
        return self.name
