"""`pip install .` (not only -e) must ship every module of the package, and templates/, static/ and
migrations/ inside it."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def test_wheel_carries_every_module_templates_static_and_migrations(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
                             str(ROOT)], capture_output=True, text=True, timeout=300)
    if result.returncode != 0 and "No matching distribution" in result.stderr:
        pytest.skip("building a wheel needs setuptools from the package index")
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("logdash-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for source in ("templates", "static", "migrations"):
        for path in (ROOT / source).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert f"dashboard/{path.relative_to(ROOT).as_posix()}" in names, path
    for path in (ROOT / "dashboard").rglob("*.py"):  # a new subpackage must be listed in pyproject.toml
        assert path.relative_to(ROOT).as_posix() in names, path
    assert any(n.endswith("entry_points.txt") for n in names)
