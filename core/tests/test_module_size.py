"""No module of the application or its tests is over 500 lines: past that, a module becomes a package of the same
name split by responsibility (README, 目录结构). Migrations are generated, and the benchmarks are scripts run by
hand, outside the application."""

import os
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

MAX_LINES = 500
NOT_APPLICATION_CODE = {".venv", "node_modules", "migrations", "bench", "build", "var", "static", ".git"}


def python_modules(root):
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in NOT_APPLICATION_CODE]
        yield from (Path(folder, name) for name in files if name.endswith(".py"))


class ModuleSizeTests(SimpleTestCase):
    def test_no_module_over_the_limit(self):
        root = Path(settings.BASE_DIR)
        too_long = {}
        for path in python_modules(root):
            with path.open(encoding="utf-8") as module:
                lines = sum(1 for _ in module)
            if lines > MAX_LINES:
                too_long[str(path.relative_to(root))] = lines
        self.assertEqual(too_long, {}, f"over {MAX_LINES} lines: split by responsibility into a package")

    def test_the_walk_sees_the_apps(self):
        modules = {str(path.relative_to(settings.BASE_DIR)) for path in python_modules(Path(settings.BASE_DIR))}
        self.assertIn("core/models.py", modules)
        self.assertIn("people/services.py", modules)
        self.assertFalse(any("/migrations/" in module for module in modules))
