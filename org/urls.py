from django.urls import path

from . import views

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
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/confirm/", views.ImportConfirmView.as_view(), name="import_confirm"),
    path("import/template/", views.ImportTemplateView.as_view(), name="import_template"),
]
