import re
from collections import Counter

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict

from core.filtersets import ScopedFilterSet
from core.text import to_halfwidth

from . import choices
from .models import Category, Person, Tag
from .privacy import SensitiveScope, born_by_age_q
from .visibility import only_visible_people

ALL = "all"
DEMOCRATIC_PARTIES = "dp"
MINORITY = "minority"


def category_ids_with_subtypes(category):
    """The category and every sub-type below it (categories are few: one query, walked in memory)."""
    children = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    ids, todo = set(), [category.pk]
    while todo:
        pk = todo.pop()
        if pk not in ids:
            ids.add(pk)
            todo.extend(children.get(pk, []))
    return ids


def looks_like_id_number(value):
    """Digits typed into the search box: an ID number must not travel in a URL, so it is not searched."""
    return bool(re.fullmatch(r"[\d\s]{6,}[\dXx]?", to_halfwidth(value or "").strip()))


def search_people(queryset, value, prefix=""):
    """Letters search the pinyin keys by prefix (`zs`, `zhangsan`, `zhang san`); anything else the name.

    `prefix` is the path from the queryset's model to the person (e.g. "person__" for representatives).
    """
    value = value.strip()
    if not value:
        return queryset
    if looks_like_id_number(value):
        return queryset.none()
    letters = re.sub(r"[\s'’]+", "", value).lower()
    if letters.isascii() and letters.isalpha():
        return queryset.filter(
            Q(**{f"{prefix}name_pinyin__startswith": letters}) | Q(**{f"{prefix}name_initials__startswith": letters})
            | Q(**{f"{prefix}name__icontains": value})
        )
    return queryset.filter(**{f"{prefix}name__icontains": value})


def visible_tags(request):
    if request is None:
        return Tag.objects.none()
    return Tag.objects.visible_to(request.user).select_related("owner_unit")


class TagChoiceField(forms.ModelChoiceField):
    """Tags by name; where the user sees several tags of one name (e.g. the county sees each town's
    “重点联系对象”), each is told apart by its unit."""

    def label_from_instance(self, tag):
        if not hasattr(self, "_repeated"):
            counts = Counter(self.queryset.values_list("name", flat=True))
            self._repeated = {name for name, count in counts.items() if count > 1}
        return f"{tag.name}（{tag.owner_unit.name}）" if tag.name in self._repeated else tag.name


class TagFilter(django_filters.ModelChoiceFilter):
    field_class = TagChoiceField


class PersonFilterSet(ScopedFilterSet):
    """The ledger's filters. Status defaults to 在册 when the request does not choose one.

    Every person lookup goes through `person_prefix`, so a list of records that belong to a person (e.g.
    representatives, `person_prefix = "person__"`) reuses these filters by subclassing. There a filter on the
    person's attributes matches only records whose person the user may see (people.visibility): it must not
    confirm an attribute of a person kept outside the user's ledger scope.
    """

    person_prefix = ""

    category = django_filters.ModelChoiceFilter(
        label="类别", queryset=Category.objects.filter(is_active=True), method="filter_category", empty_label="全部",
    )
    tier = django_filters.ChoiceFilter(
        label="管理层级", choices=choices.Tier.choices, method="filter_tier", empty_label="全部",
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=[(ALL, "全部状态"), *choices.Status.choices], method="filter_status", empty_label=None,
    )
    affiliation = django_filters.ChoiceFilter(
        label="政治面貌", choices=[(DEMOCRATIC_PARTIES, "民主党派（八个党派）"), *choices.Affiliation.choices],
        method="filter_affiliation", empty_label="全部",
    )
    ethnicity = django_filters.ChoiceFilter(
        label="民族", choices=[(MINORITY, "少数民族（非汉族）"), *choices.ETHNICITIES],
        method="filter_ethnicity", empty_label="全部",
    )
    age_min = django_filters.NumberFilter(
        label="年龄不小于", method="filter_age_min", min_value=0, max_value=150,
        widget=forms.NumberInput(attrs={"placeholder": "岁", "min": 0, "max": 150}),
    )
    age_max = django_filters.NumberFilter(
        label="年龄不大于", method="filter_age_max", min_value=0, max_value=150,
        widget=forms.NumberInput(attrs={"placeholder": "岁", "min": 0, "max": 150}),
    )
    representative = django_filters.ChoiceFilter(
        label="代表人士", choices=[("1", "是"), ("0", "否")], method="filter_representative", empty_label="全部",
    )
    tag = TagFilter(label="标签", queryset=visible_tags, method="filter_tag", empty_label="全部")

    class Meta:
        model = Person
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        if data is None or "status" not in data:
            data = data.copy() if data is not None else QueryDict(mutable=True)
            data["status"] = choices.Status.ACTIVE
        super().__init__(data, *args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = "姓名、拼音或首字母（如 zs）"
        self.form.fields["age_min"].widget.attrs["class"] = "form-control"
        self.form.fields["age_max"].widget.attrs["class"] = "form-control"

    def person_q(self, **lookups):
        """Keyword lookups on the person, through `person_prefix`."""
        return {f"{self.person_prefix}{key}": value for key, value in lookups.items()}

    def with_visible_person(self, queryset):
        """`queryset` for a filter on the person's attributes: the ledger itself is already scoped; records of a
        person keep only those whose person the user may see."""
        if not self.person_prefix:
            return queryset
        user = getattr(self.request, "user", None)
        return only_visible_people(queryset, user, self.person_prefix.removesuffix("__"))

    def filter_person(self, queryset, **lookups):
        return self.with_visible_person(queryset).filter(**self.person_q(**lookups))

    def filter_search(self, queryset, name, value):
        return search_people(queryset, value, prefix=self.person_prefix)

    def filter_category(self, queryset, name, category):
        ids = category_ids_with_subtypes(category)
        through = Person.categories.through.objects.filter(category_id__in=ids).values("person_id")
        return self.filter_person(queryset, pk__in=through)

    def filter_tier(self, queryset, name, value):
        return self.filter_person(queryset, tier=value)

    def filter_tag(self, queryset, name, tag):
        return self.filter_person(queryset, tags=tag)

    def filter_status(self, queryset, name, value):
        return queryset if value in ("", ALL) else self.filter_person(queryset, status=value)

    def filter_affiliation(self, queryset, name, value):
        if value == DEMOCRATIC_PARTIES:
            return self.filter_person(queryset, affiliation__in=sorted(choices.DEMOCRATIC_PARTIES))
        return self.filter_person(queryset, affiliation=value)

    def filter_ethnicity(self, queryset, name, value):
        if value == MINORITY:
            return self.with_visible_person(queryset).exclude(**self.person_q(ethnicity="")).exclude(
                **self.person_q(ethnicity=choices.HAN))
        return self.filter_person(queryset, ethnicity=value)

    def filter_age_min(self, queryset, name, value):
        return self.with_visible_person(queryset).filter(**born_by_age_q(self.person_prefix, int(value), at_least=True,
                                               day=self.ages_to_the_day()))

    def filter_age_max(self, queryset, name, value):
        return self.with_visible_person(queryset).filter(**born_by_age_q(self.person_prefix, int(value), at_least=False,
                                               day=self.ages_to_the_day()))

    def ages_to_the_day(self):
        """Ages count from the birth day only for a user who may see every birth day in their list; for the
        others from the first of the birth month, else a daily look at the filter would give the day away."""
        return self.request is None or SensitiveScope(self.request.user).everything

    def filter_representative(self, queryset, name, value):
        return self.filter_person(queryset, is_representative=value == "1")
