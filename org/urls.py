from django.urls import include, path

from core.importing.urls import import_urls

from . import views
from .importers import UnitImporter

app_name = "org"
urlpatterns = [
    path("", views.TreeView.as_view(), name="tree"),
    path("add/", views.UnitFormView.as_view(), name="unit_add_root"),
    path("<int:parent_pk>/add/", views.UnitFormView.as_view(), name="unit_add_child"),
    path("<int:pk>/edit/", views.UnitFormView.as_view(), name="unit_edit"),
    path("<int:pk>/move/", views.MoveView.as_view(), name="unit_move"),
    path("<int:pk>/deactivate/", views.DeactivateView.as_view(), name="unit_deactivate"),
    path("<int:pk>/activate/", views.ActivateView.as_view(), name="unit_activate"),
    path("<int:pk>/delete/", views.DeleteView.as_view(), name="unit_delete"),
    # Import (core.importing): upload → check → preview → confirm; the job's pages; the blank template.
    path("import/", include(import_urls(UnitImporter, "import", template=True))),
]
