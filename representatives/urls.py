from django.urls import path

from core.urls_helpers import object_urls

from . import views
from .models import Representative

app_name = "representatives"

urlpatterns = [
    path("candidates/", views.CandidateAutocompleteView.as_view(), name="candidate_autocomplete"),
    path("<int:pk>/stage/", views.StageChangeView.as_view(), name="representative_stage"),
    path("<int:pk>/cultivations/add/", views.CultivationFormView.as_view(), name="cultivation_add"),
    path("<int:pk>/cultivations/<int:record>/edit/", views.CultivationFormView.as_view(), name="cultivation_edit"),
    path("<int:pk>/cultivations/<int:record>/done/", views.CultivationDoneView.as_view(), name="cultivation_done"),
    path("<int:pk>/cultivations/<int:record>/delete/", views.CultivationDeleteView.as_view(),
         name="cultivation_delete"),
    path("<int:pk>/assessments/add/", views.AssessmentFormView.as_view(), name="assessment_add"),
    path("<int:pk>/assessments/<int:record>/edit/", views.AssessmentFormView.as_view(), name="assessment_edit"),
    path("<int:pk>/assessments/<int:record>/delete/", views.AssessmentDeleteView.as_view(), name="assessment_delete"),
    *object_urls(Representative, views, "Representative"),
]
