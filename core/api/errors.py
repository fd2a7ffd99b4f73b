"""Every error of the REST API is JSON with a Chinese `detail`, and every operation declares them."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

NOT_FOUND = "未找到该对象，或不在您的数据范围内。"
API_PREFIX = "/api/"


def is_api_request(request):
    return request.path_info.startswith(API_PREFIX)


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | list[dict] | None = None


class FormInvalid(Exception):
    """A form (or FilterSet form) that did not validate: 422 with its messages per field."""

    def __init__(self, form, detail="数据有误，未保存。"):
        super().__init__(detail)
        self.form, self.detail = form, detail


def responses(ok_schema, *, ok_status=200):
    """The `response=` of an operation: its success schema and the error statuses any operation may answer."""
    return {ok_status: ok_schema, **{status: ErrorOut for status in (400, 401, 403, 404, 422, 429)}}


def install(api):
    def answer(request, status, detail, errors=None):
        body = {"detail": detail} if errors is None else {"detail": detail, "errors": errors}
        return api.create_response(request, body, status=status)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return answer(request, 401, "缺少有效的访问令牌：请在请求头中提供 Authorization: Bearer <令牌>。")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return answer(request, 404, NOT_FOUND)

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request, exc):
        return answer(request, 404, NOT_FOUND)

    @api.exception_handler(PermissionDenied)
    def denied(request, exc):
        return answer(request, 403, str(exc) or "您的角色无权执行该操作。")

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        return answer(request, 429, "请求过于频繁，请稍后再试。")

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return answer(request, exc.status_code, str(exc))

    @api.exception_handler(ValidationError)
    def invalid_request(request, exc):
        errors = [{"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
                  for error in exc.errors]
        return answer(request, 422, "请求参数有误，请按接口文档填写。", errors)

    @api.exception_handler(FormInvalid)
    def form_invalid(request, exc):
        errors = {name: [str(message) for message in messages] for name, messages in exc.form.errors.items()}
        return answer(request, 422, exc.detail, errors)
