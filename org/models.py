import re

from django.core.exceptions import ValidationError
from django.db import models
from treebeard.mp_tree import MP_Node

from core.text import is_number


def validate_division_code(value):
    """GB/T 2260 county codes have 6 digits; 统计用区划代码 for towns 9 and for villages 12."""
    if not re.fullmatch(r"\d{6}|\d{9}|\d{12}", value or ""):
        raise ValidationError("区划代码须为6位、9位或12位数字。", code="division_code")


class Unit(MP_Node):
    class Type(models.TextChoices):
        COUNTY = "county", "县区"
        TOWN = "town", "镇街"
        VILLAGE = "village", "村社"
        MEMBER = "member", "成员单位"
        PARK = "park", "园区"
        ENTERPRISE = "enterprise", "企业"
        SCHOOL = "school", "学校"
        HOSPITAL = "hospital", "医院"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    type = models.CharField("类型", max_length=20, choices=Type.choices)
    division_code = models.CharField(
        "区划代码", max_length=12, blank=True, null=True, unique=True, validators=[validate_division_code]
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    # No node_order_by: sorted insertion would rewrite siblings' paths, and paths anchor data scopes.
    # Siblings are shown ordered by (sort_order, name) instead.
    steplen = 4

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        default_permissions = ()

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return self.short_name or self.name

    def save(self, *args, **kwargs):
        # An empty code is stored as NULL so that uniqueness applies only to codes that are set.
        self.division_code = self.division_code or None
        super().save(*args, **kwargs)

    def subtree_q(self, prefix=""):
        """A Q object matching this unit and everything below it, through `prefix` (e.g. "owner_unit__")."""
        return models.Q(**{f"{prefix}path__startswith": self.path})

    def ancestors_and_self(self):
        return list(Unit.objects.get_ancestors(self)) + [self]

    @classmethod
    def resolve(cls, reference):
        """A unit from a division code or a numeric id, as command-line tools accept them."""
        reference = str(reference).strip()
        unit = cls.objects.filter(division_code=reference).first()
        if unit is None and is_number(reference) and len(reference) < 6:
            unit = cls.objects.filter(pk=int(reference)).first()
        return unit
