from django.urls import path

from . import health_views, report_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("screen/", views.ScreenView.as_view(), name="screen"),
    path("section/<slug:key>/", views.SectionView.as_view(), name="section"),
    path("export/<slug:key>/", views.ExportView.as_view(), name="export"),
]

# Ledger health check (台账体检) and Word work report (工作汇报): health_views.py, report_views.py.
urlpatterns += [
    path("health/", health_views.HealthView.as_view(), name="health"),
    path("health/export/", health_views.HealthExportView.as_view(), name="health_export"),
    path("report/", report_views.ReportView.as_view(), name="report"),
    path("report/templates/", report_views.TemplateListView.as_view(), name="report_templates"),
    path("report/templates/default/", report_views.DefaultTemplateDownloadView.as_view(),
         name="report_template_default"),
    path("report/templates/<int:pk>/activate/", report_views.TemplateActivateView.as_view(),
         name="report_template_activate"),
    path("report/templates/<int:pk>/delete/", report_views.TemplateDeleteView.as_view(),
         name="report_template_delete"),
    path("report/templates/<int:pk>/download/", report_views.TemplateDownloadView.as_view(),
         name="report_template_download"),
]
