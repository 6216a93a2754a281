"""How record values are shown in the records' pages, beyond the shared twins in web.format."""
from __future__ import annotations

import json
from typing import Any

from ..ingest.levels import level_class
from ..web.format import printable


def extra_value(value: Any) -> str:
    """An extra's value as one readable string: text as is, anything else as JSON."""
    if isinstance(value, str):
        return printable(value)
    return printable(json.dumps(value, ensure_ascii=False))


HELPERS: dict[str, Any] = {"level_class": level_class, "extra_value": extra_value}
