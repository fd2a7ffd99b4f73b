"""Routes of the category pages (统战成员类别, the system administrator's); included by people/urls.py at
categories/ inside the "people" namespace."""

from django.urls import path

from . import category_views

urlpatterns = [
    path("", category_views.CategoryListView.as_view(), name="category_list"),
    path("add/", category_views.CategoryEditView.as_view(), name="category_add"),
    path("<int:pk>/edit/", category_views.CategoryEditView.as_view(), name="category_edit"),
    path("<int:pk>/delete/", category_views.CategoryDeleteView.as_view(), name="category_delete"),
]
