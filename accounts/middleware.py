from django.contrib.sessions.middleware import SessionMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers

# Marks a request a page makes by itself, not the user: the big screen's periodic reload (dashboard.js).
AUTO_REFRESH = "auto_refresh"


class ForcePasswordChangeMiddleware:
    """An account created by an administrator must replace its initial password before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse("password_change"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


def is_auto_refresh(request):
    return request.method == "GET" and request.GET.get(AUTO_REFRESH) == "1"


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware (SESSION_SAVE_EVERY_REQUEST: every request moves the idle logout 30 minutes
    on), except that an automatic reload (`?auto_refresh=1`) and what a browser fetches by itself (views marked
    core.middleware.not_user_activity: the service worker, the manifest) are not activity: they leave the session
    as it is.
    An unattended big screen therefore signs out 30 minutes after its user's last own request, and its next
    reload shows the login page."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        by_itself = is_auto_refresh(request) or getattr(response, "not_user_activity", False)
        if session is not None and by_itself and not session.modified:
            if session.accessed:
                patch_vary_headers(response, ("Cookie",))
            return response
        return super().process_response(request, response)
