"""Routes of the reminder letters, notices and final results, included by duties/urls.py (namespace "duties")."""

from django.urls import path

from . import letter_views, result_views

urlpatterns = [
    path("letters/", letter_views.ReminderLetterListView.as_view(), name="reminderletter_list"),
    path("letters/issue/", letter_views.ReminderLetterIssueView.as_view(), name="reminderletter_issue"),
    path("letters/<int:pk>/", letter_views.ReminderLetterDetailView.as_view(), name="reminderletter_detail"),
    path("letters/<int:pk>/download/", letter_views.ReminderLetterDownloadView.as_view(),
         name="reminderletter_download"),
    path("notices/", letter_views.NoticeListView.as_view(), name="notice_list"),
    path("notices/issue/", letter_views.NoticeIssueView.as_view(), name="notice_issue"),
    path("notices/<int:pk>/", letter_views.NoticeDetailView.as_view(), name="notice_detail"),
    path("notices/<int:pk>/download/", letter_views.NoticeDownloadView.as_view(), name="notice_download"),
    path("results/", result_views.FinalResultListView.as_view(), name="finalresult_list"),
    path("results/finalise/", result_views.FinalResultFinaliseView.as_view(), name="finalresult_finalise"),
    path("results/export/", result_views.FinalResultExportView.as_view(), name="finalresult_export"),
    path("results/word/", result_views.FinalResultWordView.as_view(), name="finalresult_word"),
    path("results/<int:pk>/commend/", result_views.FinalResultCommendView.as_view(), name="finalresult_commend"),
]
