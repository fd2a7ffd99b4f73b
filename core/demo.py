"""Demo data (示范数据): the machinery behind `python manage.py load_demo`.

Every app of the project may ship a `demo.py` module; `load_demo` finds them the way Django's
autodiscovery finds `admin.py`, so core imports no app. A demo module declares:

- `ORDER` (int): loaders run in ascending order (ties by app label). The org tree uses 10 and the
  accounts 20; apps that add people and records use larger numbers.
- `load(ctx)`: creates the app's demo data and may return a short summary for the progress line
  (e.g. "8 个账号"). It puts into `ctx.data` what later loaders need (the county, towns, villages, ...).
- `LABEL` (str, optional): what the progress line calls the module's data; the app's verbose name otherwise.
- `has_data()` (optional): True when the database already holds this app's data; `--if-empty` skips
  the whole load when any module says so.
- `report(ctx)` (optional): prints something after loading (or after a skipped load), e.g. the demo logins.

All loaders run in one transaction: a failure leaves the database as it was. Keep them fast — build
objects in memory and write them with `bulk_create`; the whole county must load in well under a minute.

No loader imports another app's demo module. What several loaders need to tell the same story (the county's
division code, the towns that are behind) is a shared fact here; what one loader built for the next is in
`ctx.data`; a test that needs another app's loader (to load the apps before its own, at a small size) gets it
from `loader(app_label)`.
"""

import importlib
import random
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import OutputWrapper
from django.db import transaction
from django.utils.module_loading import module_has_submodule

SEED = 2026

# Shared facts of the demo county (示范县), told by several loaders.
COUNTY_CODE = "330999"  # its division code: org builds the county with it, people finds it when loaded alone
# Indices (in code order) of the towns behind with their work: 东溪镇 (1, the demo account town02's) and two
# others miss activities (activities) and lag in their duty-list submissions (duties).
BEHIND_TOWNS = (1, 5, 9)


class DemoContext:
    """Shared by every loader of one run: output, a seeded random generator and a dict of results."""

    def __init__(self, stdout=None, verbosity=1, seed=SEED):
        self.stdout = stdout if stdout is not None else OutputWrapper(sys.stdout)
        self.verbosity = verbosity
        # One generator for the whole run, so the same code always builds the same county.
        self.random = random.Random(seed)
        self.data = {}

    def write(self, message="", level=1):
        if self.verbosity >= level:
            self.stdout.write(message)

    @staticmethod
    def table(headers, rows, indent="  "):
        """Rows as aligned plain text; Chinese characters count as two columns."""
        rows = [[str(cell) for cell in row] for row in [headers, *rows]]
        widths = [max(display_width(row[i]) for row in rows) for i in range(len(headers))]
        lines = []
        for row in rows:
            cells = [cell + " " * (width - display_width(cell)) for cell, width in zip(row, widths, strict=True)]
            lines.append(indent + "  ".join(cells).rstrip())
        return "\n".join(lines)


def weighted_pick(rng, pairs):
    """One value of [(value, weight), …], drawn with `rng` in proportion to its weight (the demo modules'
    random.Random, so that a seed gives the same demo county)."""
    total = sum(weight for _, weight in pairs)
    remaining = rng.random() * total
    for value, weight in pairs:
        remaining -= weight
        if remaining < 0:
            return value
    return pairs[-1][0]


def display_width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass(frozen=True)
class DemoModule:
    app_label: str
    label: str
    order: int
    module: ModuleType

    def has_data(self):
        check = getattr(self.module, "has_data", None)
        return bool(check()) if check is not None else False

    def load(self, ctx):
        return self.module.load(ctx)

    def report(self, ctx):
        report = getattr(self.module, "report", None)
        if report is not None:
            report(ctx)


def _is_project_app(app_config):
    """Apps of this repository, not installed packages (whose `demo` modules, if any, are not ours)."""
    path = Path(app_config.path).resolve()
    base = Path(settings.BASE_DIR).resolve()
    return path.is_relative_to(base) and "site-packages" not in path.parts


def discover(only=None):
    """The demo modules of the project's installed apps, in loading order (`only`: these app labels)."""
    found = []
    for config in apps.get_app_configs():
        if only is not None and config.label not in only:
            continue
        if not _is_project_app(config) or not module_has_submodule(config.module, "demo"):
            continue
        module = importlib.import_module(f"{config.name}.demo")
        if module.__name__ == __name__:
            continue  # this machinery, not a loader
        order = getattr(module, "ORDER", None)
        if not isinstance(order, int) or isinstance(order, bool) or not callable(getattr(module, "load", None)):
            raise ImproperlyConfigured(f"{config.name}.demo must define an integer ORDER and a load(ctx) function.")
        label = getattr(module, "LABEL", None) or str(config.verbose_name)
        found.append(DemoModule(config.label, label, order, module))
    found.sort(key=lambda m: (m.order, m.app_label))
    return found


def loader(app_label):
    """The demo module of the app `app_label`, whose `load(ctx, …)` may take the app's own options (a size, a
    day to plan as of)."""
    found = discover(only=[app_label])
    if not found:
        raise LookupError(f"No demo loader for app {app_label!r}.")
    return found[0].module


def load_all(ctx, modules=None):
    """Run every loader in one transaction, printing one progress line per module."""
    modules = discover() if modules is None else modules
    started = time.perf_counter()
    ctx.write("正在加载示范数据……")
    with transaction.atomic():
        for demo in modules:
            begun = time.perf_counter()
            summary = demo.load(ctx)
            elapsed = time.perf_counter() - begun
            ctx.write(f"  {demo.label}：{summary or '完成'}（{elapsed:.1f} 秒）")
    ctx.write(f"示范数据加载完成，用时 {time.perf_counter() - started:.1f} 秒。")
    return modules


def report_all(ctx, modules):
    for demo in modules:
        demo.report(ctx)
