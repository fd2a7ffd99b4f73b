"""The REST API under /api/v1/: one router per app (`<app>/api.py`), bearer tokens, a rate limit per token.

Schema: /api/v1/openapi.json; documentation: /api/v1/docs (Swagger UI from django-ninja's own static files,
nothing from a CDN). Built from core.api's machinery: see its docstring for the rules every router follows."""

from ninja import NinjaAPI

from accounts.api_auth import TokenAuth, TokenRateThrottle
from core.api import errors
from core.api.rendering import Utf8JSONRenderer

api = NinjaAPI(
    title="同心 API",
    version="1",
    description=(
        "县区统战工作平台“同心”的接口。每个请求须带访问令牌（请求头 `Authorization: Bearer <令牌>`，"
        "在右上角用户菜单“访问令牌”中创建）；令牌的账号能看到什么，接口就返回什么：数据范围之外的对象一律 404。"
    ),
    urls_namespace="api",
    auth=TokenAuth(),
    throttle=TokenRateThrottle(),
    renderer=Utf8JSONRenderer(),
)
errors.install(api)

api.add_router("/units/", "org.api.router")
api.add_router("/people/", "people.api.router")
api.add_router("/representatives/", "representatives.api.router")
api.add_router("/pairings/", "friendship.api.pairings_router")
api.add_router("/contacts/", "friendship.api.contacts_router")
api.add_router("/activities/", "activities.api.router")
api.add_router("/duties/", "duties.api.router")
api.add_router("/figures/", "dashboard.api.router")
