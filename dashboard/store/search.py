"""How text search folds case: exactly as the database does, so SQL and the live predicate agree."""
from __future__ import annotations

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(value: str) -> str:
    """Lower-case ASCII letters only: exactly what SQLite's lower() and LIKE do."""
    return value.translate(_ASCII_LOWER)
