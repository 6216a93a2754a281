"""Tracebacks sent as data, read back as the text Python prints; and the exception named by such text.

structlog's `dict_tracebacks` sends a list of exception dicts (the raised one first, then its causes);
the record page and the search index want the familiar text. Clients that send only traceback text
still deserve the exception type and value the stock handler's repr gives.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["render_stacks", "summary_of_traceback"]

MAX_GROUP_DEPTH = 10          # nested exception groups rendered at most this deep
MAX_TAIL = 20_000             # only this much of a traceback's end is read for its exception line
_CAUSE = "The above exception was the direct cause of the following exception:"
_CONTEXT = "During handling of the above exception, another exception occurred:"
_EXC_LINE = re.compile(r"([A-Za-z_][\w.]*)(?::(?: (.*))?)?", re.S)
_HEAD = "Traceback (most recent call last):"


def render_stacks(stacks: Any, depth: int = 0) -> str | None:
    """structlog's dict tracebacks as Python's text, oldest cause first; None when it is not that shape."""
    if not isinstance(stacks, list) or not stacks or not all(isinstance(s, Mapping) for s in stacks):
        return None
    parts: list[str] = []
    ordered = list(reversed(stacks))
    for i, stack in enumerate(ordered):
        parts.append(_render_stack(stack, depth))
        if i + 1 < len(ordered):  # this one caused (or was being handled during) the next
            parts.append(_CAUSE if stack.get("is_cause") else _CONTEXT)
    return "\n\n".join(parts)


def _render_stack(stack: Mapping[str, Any], depth: int) -> str:
    lines = [_HEAD]
    frames = stack.get("frames")
    for frame in frames if isinstance(frames, list) else []:
        if isinstance(frame, Mapping):
            lines.append(f'  File "{frame.get("filename", "?")}", line {frame.get("lineno", "?")}, '
                         f'in {frame.get("name", "?")}')
            if frame.get("line"):
                lines.append(f"    {str(frame['line']).strip()}")
    value = str(stack.get("exc_value") or "")
    lines.append(f"{stack.get('exc_type', 'Exception')}: {value}" if value else str(stack.get("exc_type", "Exception")))
    notes = stack.get("exc_notes")
    lines.extend(str(n) for n in (notes if isinstance(notes, list) else []))
    inner = stack.get("exceptions")
    if isinstance(inner, list) and inner and depth < MAX_GROUP_DEPTH:  # an ExceptionGroup's members
        for n, member in enumerate(inner, 1):
            text = render_stacks(member if isinstance(member, list) else [member], depth + 1) or ""
            lines.append(f"  +---------------- {n} ----------------")
            lines.extend("    " + line for line in text.splitlines())
    return "\n".join(lines)


def summary_of_traceback(text: Any) -> tuple[str | None, str | None]:
    """(type, value) from a traceback's exception line: the first unindented line after the last frame."""
    if not isinstance(text, str):
        return None, None
    lines = text[-MAX_TAIL:].rstrip().splitlines()
    start = len(lines)
    while start > 0 and not lines[start - 1][:1].isspace():  # back over the unindented tail
        start -= 1
    tail = [line for line in lines[start:] if line.strip() and line.strip() != _HEAD]
    if not tail:
        return None, None
    match = _EXC_LINE.fullmatch("\n".join(tail))
    if match is None:
        return None, None
    return match.group(1), match.group(2) or ""
