"""Data scopes are computed and taken apart in core and accounts only (#12).

Every other module reaches business data through the scoped manager (`visible_to`, `units_in_scope`,
`unit_in_scope`, `scope_top_units`, …) and `user.can(action, obj)`. Ruff's banned-api rule (TID251 in
pyproject.toml) refuses an import of core.scope outside core/ and accounts/; it sees imports and qualified
names, not a method called on an object (`user._scope_for(…)`, `scope.covers_unit(…)`) or a name imported from
a module that re-exports it (`from core.models import scope_for`). This test reads every other module's syntax
tree and refuses those too.
"""

import ast
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]
# Where scopes live, and what is not the project's code.
ALLOWED = {"core", "accounts"}
NOT_CODE = {"node_modules", "var", "build", "static", "migrations"}
# The names of core.scope's functions and of a Scope's parts: a module outside core and accounts naming one of
# them — called, imported, defined, or looked up as a string — is computing or taking apart a scope by hand.
SCOPE_NAMES = frozenset({
    "scope_for", "_scope_for", "union_scope_for", "register_scope_provider", "Scope",
    "covers_unit", "covers_unit_id", "covers_subtree", "units_q", "top_units", "everything_", "subtree_paths",
})


def scope_violations(source, filename="<source>"):
    """[(line, what)] of the places in `source` (Python) that import core.scope or name a scope's internals."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name}") for a in node.names if _is_scope_module(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module or ""
            if _is_scope_module(module):
                found.append((node.lineno, f"from {module} import …"))
            elif module == "core" and any(a.name == "scope" for a in node.names):
                found.append((node.lineno, "from core import scope"))
            found += [(node.lineno, f"import of {a.name}") for a in node.names if a.name in SCOPE_NAMES]
        elif isinstance(node, ast.Attribute) and node.attr in SCOPE_NAMES:
            found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.Name) and node.id in SCOPE_NAMES:
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name in SCOPE_NAMES:
            found.append((node.lineno, f"definition of {node.name}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in SCOPE_NAMES:
            found.append((node.lineno, f'"{node.value}"'))
    return sorted(found)


def _is_scope_module(name):
    return name == "core.scope" or name.startswith("core.scope.")


def checked_modules():
    """The project's Python modules outside core/ and accounts/ (tests and scripts included)."""
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in ALLOWED or any(p.startswith(".") or p in NOT_CODE for p in parts[:-1]):
            continue
        yield path


class ScopeBoundaryTests(SimpleTestCase):
    def test_no_module_outside_core_and_accounts_handles_a_scope(self):
        modules = list(checked_modules())
        # the walk finds the apps, inside their packages too
        self.assertTrue(any(p.parts[-3:] == ("people", "views", "listing.py") for p in modules))
        problems = [f"{path.relative_to(ROOT)}:{line}: {what}" for path in modules
                    for line, what in scope_violations(path.read_text(encoding="utf-8"), str(path))]
        self.assertEqual(problems, [], "Use Model.objects.visible_to(user, action), units_in_scope, unit_in_scope, "
                                       "scope_top_units or user.can(action, obj) instead:\n" + "\n".join(problems))

    def test_the_checker_finds_each_way_of_reaching_a_scope(self):
        planted = {
            "from core.scope import Scope": "from core.scope import …",
            "import core.scope": "import core.scope",
            "from core import scope": "from core import scope",
            "from core.models import scope_for": "import of scope_for",
            "user._scope_for(Person, 'view')": "._scope_for",
            "scope.covers_unit(unit)": ".covers_unit",
            "Unit.objects.filter(scope.units_q())": ".units_q",
            "tops = jurisdiction.top_units(fallback=None)": ".top_units",
            "wide = scope.everything_ or bool(scope.subtree_paths)": ".everything_",
            "def top_units(user):\n    return []": "definition of top_units",
            "getattr(user, '_scope_for')": '"_scope_for"',
            "x = Scope.nothing()": "Scope",
        }
        for source, expected in planted.items():
            with self.subTest(source=source):
                self.assertIn(expected, [what for _, what in scope_violations(source)])

    def test_the_scoped_api_is_not_a_violation(self):
        source = (
            "from core.models import ScopedQuerySet, ScopeRule, top_units_in_scope\n"
            "people = Person.objects.visible_to(user, 'view', via='to_unit')\n"
            "units = Person.objects.units_in_scope(user, 'import')\n"
            "tops = Plan.objects.scope_top_units(user)\n"
            "ok = user.can('change', person) and Plan.objects.unit_in_scope(user, 'view', unit)\n"
            "class SensitiveScope:\n    pass\n"
        )
        self.assertEqual(scope_violations(source), [])
