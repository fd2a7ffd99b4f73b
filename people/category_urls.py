"""Routes of the category pages (统战成员类别, the system administrator's); included by people/urls.py at
categories/ inside the "people" namespace."""

from django.urls import path

from .views import categories

urlpatterns = [
    path("", categories.CategoryListView.as_view(), name="category_list"),
    path("add/", categories.CategoryEditView.as_view(), name="category_add"),
    path("<int:pk>/edit/", categories.CategoryEditView.as_view(), name="category_edit"),
    path("<int:pk>/delete/", categories.CategoryDeleteView.as_view(), name="category_delete"),
]
