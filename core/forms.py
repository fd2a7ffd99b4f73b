from django import forms
from django.apps import apps
from django.db.models import Q


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose unit choices are limited to the units the user may put records in."""

    unit_fields = ("owner_unit",)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        action = "change" if self.instance.pk else "add"
        scope = user.scope_for(self._meta.model, action)
        Unit = apps.get_model("org", "Unit")
        units = Unit.objects.filter(scope.units_q(), is_active=True)
        if scope.user_ids and user.unit_id:
            units = Unit.objects.filter(scope.units_q() | Q(pk=user.unit_id), is_active=True)
        for name in self.unit_fields:
            if name in self.fields:
                self.fields[name].queryset = units.order_by("path")
                # self.initial (built from the unsaved instance) wins over field.initial, so set it there.
                if not self.instance.pk and not self.initial.get(name) and units.filter(pk=user.unit_id).exists():
                    self.initial[name] = user.unit_id
