"""Sign-in URLs, included by activities/urls.py under "signin/" in the "activities" namespace."""

from django.urls import path

from . import signin_views

urlpatterns = [
    path("<int:pk>/qr/", signin_views.SignInQRView.as_view(), name="signin_qr"),
    path("<int:pk>/qr.svg", signin_views.SignInQRSvgView.as_view(), name="signin_qr_svg"),
    path("<int:pk>/list/", signin_views.SignInListView.as_view(), name="signin_list"),
    path("<int:pk>/confirm/", signin_views.SignInConfirmView.as_view(), name="signin_confirm"),
    path("<str:token>/", signin_views.signin_page, name="signin"),
]
