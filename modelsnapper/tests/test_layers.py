"""The layering rules, read from the source: the project package stands under the apps, no
import hides inside a function to dodge a cycle, and each layer module imports on its own."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "billing", "generation", "social")
PROJECT = "modelsnapper"

# Function-level imports of another app (or of an app from the project package) that stay,
# each because the import is truly optional, with the reason. Keyed by (file, imported module).
OPTIONAL_FUNCTION_IMPORTS: dict[tuple[str, str], str] = {}

# Modules named like these are the layers whose imports matter: each must import alone.
LAYER_NAMES = {
    "services",
    "selectors",
    "views",
    "tasks",
    "seed",
    "ending",
    "running",
    "polling",
    "webhooks",
    "training",
    "eligibility",
    "consent",
    "onboarding",
    "landing",
    "seeding",
}


def _is_product(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return (
        parts[0] in (*APPS, PROJECT)
        and "tests" not in parts
        and "migrations" not in parts
        and parts[0:2] != (PROJECT, "testing")
        and parts[0:2] != (PROJECT, "migrations_contrib")
        and path.name != "conftest.py"
    )


def product_files() -> list[Path]:
    return sorted(path for path in ROOT.rglob("*.py") if ".venv" not in path.parts and _is_product(path))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_apps(tree: ast.AST, *, inside_functions: bool) -> list[tuple[int, str]]:
    """(line, module) of every absolute import of a project app or package, at module
    level or inside functions."""
    nested = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nested.update(id(sub) for sub in ast.walk(node) if sub is not node)
    found = []
    for node in ast.walk(tree):
        if (id(node) in nested) != inside_functions:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.split(".")[0] in (*APPS, PROJECT)]
    return found


def test_the_project_package_imports_no_app_except_its_url_configuration():
    """Every app stands on ``modelsnapper``; only its URLs (and the test-support package,
    which is not product code) look up at the apps."""
    offenders = []
    for path in product_files():
        relative = path.relative_to(ROOT).as_posix()
        if not relative.startswith(f"{PROJECT}/") or relative == f"{PROJECT}/urls.py":
            continue
        tree = ast.parse(path.read_text())
        for inside in (False, True):
            offenders += [
                f"{relative}:{line} imports {name}"
                for line, name in imported_apps(tree, inside_functions=inside)
                if name.split(".")[0] in APPS
            ]
    assert offenders == []


def test_function_level_imports_of_another_app_are_only_the_optional_ones_listed():
    found = {}
    for path in product_files():
        relative = path.relative_to(ROOT).as_posix()
        own = relative.split("/")[0]
        tree = ast.parse(path.read_text())
        for line, name in imported_apps(tree, inside_functions=True):
            if name.split(".")[0] != own:
                found[(relative, name)] = line
    assert sorted(found) == sorted(OPTIONAL_FUNCTION_IMPORTS), (
        "a function-level import of another app dodges a cycle: import it at the top, move the "
        "code to the layer it belongs to, or list it above with why it is optional"
    )


# Runs in a fresh interpreter: Django set up once, then each module imported in a forked
# child from which every product module but the models (the app registry's) was dropped,
# so the module and everything it needs load from nothing, as if imported alone.
IMPORT_ALONE = textwrap.dedent(
    """
    import importlib, os, sys, traceback
    import django
    django.setup()
    APPS = {apps!r}
    KEEP = ("models", "apps", "settings", "celery", "env", "embedded")
    def dropped(name):
        parts = name.split(".")
        return parts[0] in APPS and len(parts) > 1 and parts[-1] not in KEEP
    failed = []
    for target in sys.argv[1:]:
        pid = os.fork()
        if pid == 0:
            for name in [name for name in sys.modules if dropped(name)]:
                del sys.modules[name]
            try:
                importlib.import_module(target)
            except BaseException:
                traceback.print_exc()
                os._exit(1)
            os._exit(0)
        if os.waitpid(pid, 0)[1]:
            failed.append(target)
    print("FAILED:", failed)
    sys.exit(1 if failed else 0)
    """
)


def test_each_layer_module_imports_alone_in_a_fresh_interpreter():
    modules = [
        module_name(path)
        for path in product_files()
        if LAYER_NAMES & set(module_name(path).split(".")) and "management" not in path.parts
    ]
    assert len(modules) > 40  # the selection finds the layers (services, selectors, views...)
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALONE.format(apps=(*APPS, PROJECT)), *modules],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "modelsnapper.settings"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
