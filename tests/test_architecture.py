"""The layering of DESIGN.md, checked on the source: features on two shared layers, small files.

- store/ knows nothing of pages: no feature, no web layer, no templates.
- A feature (logs, inspector, ingest, client) never imports another feature's views.
- web/ imports no feature's views.
- No Python file over 300 lines.

Imports are read with `ast` (inside functions too), so nothing is imported to check them.
"""
from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dashboard"
FEATURES = ("logs", "inspector", "ingest", "client")
VIEWS = ("views", "pages", "api", "live", "requestbin", "export", "histogram")
LAYERS_ABOVE_STORE = ("web", *FEATURES)
PAGE_MACHINERY = {"render_template", "render_template_string", "stream_template", "stream_template_string"}
MAX_LINES = 300


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, name: str, is_package: bool) -> Iterator[tuple[str, str | None]]:
    """(module, imported name or None) for every import in `source`, relative ones resolved against `name`.

    `from .logs import pages` yields ("dashboard.logs", "pages"); the name may be a submodule.
    """
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) if node.level \
                else node.module or ""
            for alias in node.names:
                yield base, alias.name


def targets(source: str, name: str, is_package: bool = False) -> set[str]:
    """Every dotted name an import may reach: the module, and module.name (a submodule or an attribute)."""
    out = set()
    for module, imported in imports(source, name, is_package):
        out.add(module)
        if imported is not None:
            out.add(f"{module}.{imported}")
    return out


def layer(dotted: str) -> tuple[str | None, str | None]:
    """("logs", "pages") for dashboard.logs.pages[.x]; (None, None) outside dashboard's subpackages."""
    parts = dotted.split(".")
    if parts[0] != "dashboard" or len(parts) < 2:
        return None, None
    return parts[1], parts[2] if len(parts) > 2 else None


def store_problems(source: str, name: str, is_package: bool = False) -> list[str]:
    """What a store/ module must not import."""
    problems = []
    for target in targets(source, name, is_package):
        above, _ = layer(target)
        if above in LAYERS_ABOVE_STORE:
            problems.append(f"{name} imports {target}")
        if target.split(".")[0] in ("jinja2", "markupsafe") or target.startswith("flask.templating"):
            problems.append(f"{name} imports {target}")
        if target.startswith("flask.") and target.rpartition(".")[2] in PAGE_MACHINERY:
            problems.append(f"{name} imports {target}")
    return problems


def view_problems(source: str, name: str, is_package: bool = False) -> list[str]:
    """Imports of another feature's view modules (web/ belongs to no feature, so any feature's views)."""
    own, _ = layer(name)
    problems = []
    for target in targets(source, name, is_package):
        feature, module = layer(target)
        if feature in FEATURES and feature != own and module in VIEWS:
            problems.append(f"{name} imports {target}")
    return problems


def modules(subpackage: str) -> list[Path]:
    return sorted((PACKAGE / subpackage).rglob("*.py"))


def check(path: Path, rule) -> list[str]:
    return rule(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")


def test_the_checker_resolves_imports() -> None:
    found = targets("from ..web.errors import get_or_404\nfrom . import schema\nimport flask\n"
                    "def f():\n    from ..logs import pages as p\n", "dashboard.store.writer")
    assert found == {"dashboard.web.errors", "dashboard.web.errors.get_or_404", "dashboard.store",
                     "dashboard.store.schema", "flask", "dashboard.logs", "dashboard.logs.pages"}
    assert targets("from .logs import pages", "dashboard", is_package=True) == {"dashboard.logs",
                                                                                "dashboard.logs.pages"}
    assert "dashboard.store.schema" in targets((PACKAGE / "store" / "batch.py").read_text(), "dashboard.store.batch")


@pytest.mark.parametrize(("source", "rule", "bad"), [
    ("from ..web.errors import get_or_404", store_problems, True),
    ("from dashboard.logs.queries import get_record", store_problems, True),
    ("from flask import current_app, render_template", store_problems, True),
    ("import jinja2", store_problems, True),
    ("from flask import current_app\nfrom .schema import records", store_problems, False),
    ("from ..inspector import pages", view_problems, True),
    ("from ..inspector.api import bp", view_problems, True),
    ("from ..inspector.capture import capture", view_problems, False),
    ("from .pages import logs", view_problems, False),
])
def test_the_rules_catch_what_they_should(source: str, rule, bad: bool) -> None:
    name = "dashboard.store.writer" if rule is store_problems else "dashboard.logs.export"
    assert bool(rule(source, name)) == bad


def test_store_knows_nothing_of_pages_features_or_the_web_layer() -> None:
    found = modules("store")
    assert {p.name for p in found} >= {"engine.py", "schema.py", "writer.py", "feed.py"}
    assert [problem for path in found for problem in check(path, store_problems)] == []


@pytest.mark.parametrize("feature", FEATURES)
def test_features_never_import_another_features_views(feature: str) -> None:
    assert [problem for path in modules(feature) for problem in check(path, view_problems)] == []


def test_the_web_layer_imports_no_features_views() -> None:
    assert [problem for path in modules("web") for problem in check(path, view_problems)] == []


def test_no_python_file_is_over_300_lines() -> None:
    files = [p for folder in ("dashboard", "tests", "migrations", "bench") for p in (ROOT / folder).rglob("*.py")]
    assert len(files) > 50
    lines = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in files}
    assert {path: n for path, n in lines.items() if n > MAX_LINES} == {}
