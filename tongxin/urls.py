from django.urls import include, path

from core import pwa
from core.views import WorkbenchView
from tongxin.api import api

urlpatterns = [
    path("", WorkbenchView.as_view(), name="workbench"),
    # At the root: a service worker controls only the pages under its own path.
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("accounts/", include("accounts.urls")),
    path("org/", include("org.urls")),
    path("audit/", include("core.urls")),
    path("people/", include("people.urls")),
    path("representatives/", include("representatives.urls")),
    path("friendship/", include("friendship.urls")),
    path("activities/", include("activities.urls")),
    path("duties/", include("duties.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("notifications/", include("core.notification_urls")),
    path("me/", include("selfservice.urls")),
    path("selfservice/", include("selfservice.review_urls")),
    path("api/v1/", api.urls),
]

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
