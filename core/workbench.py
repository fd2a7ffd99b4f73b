"""Workbench (工作台) widgets: apps register small panels; each user sees those their roles allow."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Widget:
    template: str
    visible: Callable  # (user) -> bool
    context: Callable = lambda request: {}  # (request) -> dict
    order: int = 100


_widgets: list[Widget] = []


def register_widget(widget):
    _widgets.append(widget)


def widgets_for(request):
    user = request.user
    shown = sorted((w for w in _widgets if w.visible(user)), key=lambda w: w.order)
    return [{"template": w.template, **w.context(request)} for w in shown]
