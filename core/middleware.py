import threading
import uuid
from functools import wraps

_local = threading.local()


def current_request():
    """The request being served on this thread, for code (audit, history) called far from the view."""
    return getattr(_local, "request", None)


class RequestIdMiddleware:
    """Tags each request with an id, echoed in a response header and written to audit events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class CurrentRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _local.request = request
        try:
            return self.get_response(request)
        finally:
            _local.request = None


def not_user_activity(view):
    """Mark a view's responses as requests a browser makes by itself (the service worker's update check, the
    web-app manifest): they do not move the idle logout on (accounts.middleware.IdleSessionMiddleware)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.not_user_activity = True
        return response

    return wrapped
