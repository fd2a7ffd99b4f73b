from django.urls import include, path

from core.urls_helpers import object_urls

from . import views
from .models import Activity, Plan

app_name = "activities"

urlpatterns = [
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("due/", views.DueView.as_view(), name="due"),
    path("due/export/", views.DueExportView.as_view(), name="due_export"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path("photos/<int:pk>/thumb/", views.PhotoView.as_view(thumbnail=True), name="photo_thumb"),
    path("photos/<int:pk>/delete/", views.PhotoDeleteView.as_view(), name="photo_delete"),
    path("signin/", include("activities.signin_urls")),
    *object_urls(Plan, views, "Plan", prefix="plans/"),
    *object_urls(Activity, views, "Activity"),
]
