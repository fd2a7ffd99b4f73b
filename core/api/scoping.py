"""Objects of the REST API reached exactly like the pages reach them: through `visible_to(user, action)`."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

ACTION_WORDS = {"view": "查看", "add": "新增", "change": "修改", "delete": "删除", "export": "导出"}


def require_action(request, model, action):
    """403 when no role of the user grants `action` on `model` anywhere (names no record, like the pages)."""
    if not request.user.has_action(model, action):
        raise PermissionDenied(f"您的角色无权{ACTION_WORDS.get(action, '执行该操作')}（{model._meta.verbose_name}）。")


def visible(request, queryset_or_model, action="view"):
    """The records of this kind the user may `action`: the only way an endpoint reads business data."""
    manager = getattr(queryset_or_model, "objects", queryset_or_model)
    return manager.visible_to(request.user, action)


def get_visible(request, queryset_or_model, pk, action="view"):
    """One record the user may `action`; 404 (never a hint) for anything else, another town's included."""
    return get_object_or_404(visible(request, queryset_or_model, action), pk=pk)
