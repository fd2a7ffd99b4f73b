from django.urls import include, path

from core.importing.urls import import_urls

from . import views
from .importers import IndicatorImporter, SchemeImporter

app_name = "duties"

urlpatterns = [
    # 考核细则 (county staff)
    path("schemes/", views.SchemeListView.as_view(), name="scheme_list"),
    path("schemes/add/", views.SchemeEditView.as_view(), name="scheme_add"),
    # A new scheme from Excel, and a scheme's indicators replaced from Excel (core.importing: upload → check →
    # preview → confirm, and the job's pages).
    path("schemes/import/", include(import_urls(SchemeImporter, "scheme_import"))),
    path("schemes/", include(import_urls(IndicatorImporter, "scheme_indicator_import", upload_route="<int:pk>/import/",
                                         jobs_route="indicator-imports/"))),
    path("schemes/<int:pk>/", views.SchemeDetailView.as_view(), name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views.SchemeEditView.as_view(), name="scheme_edit"),
    path("schemes/<int:pk>/delete/", views.SchemeDeleteView.as_view(), name="scheme_delete"),
    path("schemes/<int:pk>/publish/", views.SchemePublishView.as_view(), name="scheme_publish"),
    path("schemes/<int:pk>/copy/", views.SchemeCopyView.as_view(), name="scheme_copy"),
    path("schemes/<int:pk>/export/", views.SchemeExportView.as_view(), name="scheme_export"),
    path("schemes/<int:pk>/categories/add/", views.IndicatorFormView.as_view(kind="category"),
         name="indicator_category_add"),
    path("schemes/<int:pk>/items/add/", views.IndicatorFormView.as_view(kind="item"), name="indicator_item_add"),
    path("schemes/<int:pk>/indicators/<int:indicator>/edit/", views.IndicatorFormView.as_view(),
         name="indicator_edit"),
    path("schemes/<int:pk>/indicators/<int:indicator>/move/", views.IndicatorMoveView.as_view(),
         name="indicator_move"),
    path("schemes/<int:pk>/indicators/<int:indicator>/delete/", views.IndicatorDeleteView.as_view(),
         name="indicator_delete"),
    # 节假日 (system administrator)
    path("holidays/", views.HolidayListView.as_view(), name="holiday_list"),
    path("holidays/add/", views.HolidayEditView.as_view(), name="holiday_add"),
    path("holidays/reset/", views.HolidayResetView.as_view(), name="holiday_reset"),
    path("holidays/<int:pk>/edit/", views.HolidayEditView.as_view(), name="holiday_edit"),
    path("holidays/<int:pk>/delete/", views.HolidayDeleteView.as_view(), name="holiday_delete"),
    # 据单督查: the units' lists, submissions, review, progress (duties/submission_urls.py)
    path("", include("duties.submission_urls")),
    # 发函提醒, 进度通报, 考核结果 (duties/letter_urls.py)
    path("", include("duties.letter_urls")),
]
