"""How a REST API request proves who it is (a bearer access token) and how often it may ask."""

from django.conf import settings
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from . import tokens

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """`Authorization: Bearer tx_…`. The request then acts as the token's user — roles, scope, history and
    audit alike — and carries the token (`request.api_token`), which every audit event it writes names."""

    def authenticate(self, request, token):
        api_token = tokens.authenticate(token, request)
        if api_token is None:
            return None
        if request.method not in SAFE_METHODS and not api_token.can_write:
            raise HttpError(403, "该访问令牌为只读令牌，不能修改数据。")
        request.user = api_token.user
        request.api_token = api_token
        return api_token


class TokenRateThrottle(SimpleRateThrottle):
    """At most `API_RATE_LIMIT` requests per token (e.g. "600/m"); the rest get 429 with Retry-After.

    The rate is read per request, so a changed setting applies without a restart of the throttle's owner."""

    scope = "api_token"

    def __init__(self):
        super().__init__(rate=settings.API_RATE_LIMIT)

    def allow_request(self, request):
        self.rate = settings.API_RATE_LIMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        token = getattr(request, "api_token", None)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.digest}
