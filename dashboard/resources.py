"""Where the top-level templates/, static/ and migrations/ folders are.

In a source checkout (and an editable install) they sit beside the package;
in a wheel they are shipped inside it. One lookup serves both.
"""
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the folder `name` ("templates", "static" or "migrations")."""
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name
