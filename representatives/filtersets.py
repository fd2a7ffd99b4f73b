import django_filters
from django.db.models import Q

from people.choices import Status
from people.services import PersonFilterSet, visible_people

from .models import Field, Kind, Level, Representative, Stage


class RepresentativeFilterSet(PersonFilterSet):
    """The ledger's filters, applied to each representative's person (`person__…`), plus the profile's own.

    The unit filter is the representative record's own unit (its jurisdiction); 人员状态 defaults to 在册 as
    on the ledger. Filters on the person match only people the user may see (people.visibility), except that a
    profile whose person the user may not see passes 在册: that person's status is not the user's to know (so no
    choice of status may tell it), and the default list still shows every profile the user keeps.
    """

    person_prefix = "person__"
    representative = None  # every row is one

    level = django_filters.ChoiceFilter(label="层级", choices=Level.choices, empty_label="全部")
    field = django_filters.ChoiceFilter(label="领域", choices=Field.choices, empty_label="全部")
    kind = django_filters.ChoiceFilter(label="类型", choices=Kind.choices, empty_label="全部")
    stage = django_filters.ChoiceFilter(label="阶段", choices=Stage.choices, empty_label="全部")

    class Meta:
        model = Representative
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["status"].label = "人员状态"
        # The profile's own filters first, then the ledger's.
        self.form.order_fields(["q", "stage", "level", "field", "kind", "unit"])

    def filter_status(self, queryset, name, value):
        if value != Status.ACTIVE:
            return super().filter_status(queryset, name, value)
        hidden = ~Q(person__in=visible_people(self.request.user).values("pk"))
        return queryset.filter(Q(person__status=Status.ACTIVE) | hidden)
