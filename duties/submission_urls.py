"""据单督查 URLs, included by duties/urls.py (namespace "duties")."""

from django.urls import path

from . import progress_views, review_views, submission_views

urlpatterns = [
    path("list/", submission_views.UnitListView.as_view(), name="unit_list"),
    path("submissions/item/<int:indicator>/<int:unit>/<str:period>/", submission_views.SubmissionStartView.as_view(),
         name="submission_start"),
    path("submissions/records/", submission_views.RecordAutocompleteView.as_view(), name="submission_records"),
    path("submissions/review/", review_views.ReviewQueueView.as_view(), name="review_queue"),
    path("submissions/<int:pk>/", submission_views.SubmissionDetailView.as_view(), name="submission_detail"),
    path("submissions/<int:pk>/review/", review_views.ReviewView.as_view(), name="review"),
    path("submissions/<int:pk>/attachments/<int:attachment>/", submission_views.AttachmentDownloadView.as_view(),
         name="submission_attachment"),
    path("progress/", progress_views.ProgressView.as_view(), name="progress"),
    path("progress/export/", progress_views.ProgressExportView.as_view(), name="progress_export"),
]
