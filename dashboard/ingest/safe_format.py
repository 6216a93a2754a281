"""Untrusted args and %-formats: parsed and applied only within bounds.

The stock handler sends `args` as a repr and `msg` unformatted. Rebuilding the
message means `ast.literal_eval` on attacker-controlled text (which can crash or
exhaust memory on deep or huge input) and `msg % args` (where "%500000000s"
allocates hundreds of MB). Both are bounded here before they run; never `eval`.
"""
from __future__ import annotations

import ast
import threading
from typing import Any

MAX_ARGS_TEXT = 10_000       # longer args text is never parsed
MAX_DEPTH = 50               # deeper ( [ { nesting (or unary-operator runs) is never parsed
MAX_SPEC = 10_000            # largest %-width / precision we agree to format
MAX_MESSAGE = 1_000_000      # largest formatted message we agree to build


def _safe_to_parse(text: str) -> bool:
    """Bound literal_eval: short text, shallow brackets outside quotes, no long unary-operator runs."""
    if len(text) > MAX_ARGS_TEXT or "'''" in text or '"""' in text:
        return False
    depth = run = 0
    quote, escaped = "", False
    for ch in text:
        if quote:  # inside a string literal: only its end matters
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        run = run + 1 if ch in "+-~" else run if ch.isspace() else 0
        if depth > MAX_DEPTH or run > MAX_DEPTH:
            return False
    return not quote


# Under load on many threads, CPython 3.11's compile() was seen failing with "AST constructor
# recursion depth mismatch" (a SystemError): parse one at a time, and never let it escape.
_COMPILE_LOCK = threading.Lock()


def safe_literal(text: str) -> Any:
    """ast.literal_eval within the bounds above; None when refused or invalid."""
    if not _safe_to_parse(text):
        return None
    try:
        with _COMPILE_LOCK:
            return ast.literal_eval(text.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError, OverflowError, SystemError):
        return None


def _format_cost(msg: str, args_len: int) -> int | None:
    """Upper bound of len(msg % args), or None when a width/precision is `*` or too large.

    Mirrors the %-format grammar (nested parentheses in mapping keys included) so a spec
    like "%(a(b))500000000s" cannot slip past a simple regex.
    """
    cost, i, n = len(msg), 0, len(msg)
    while (i := msg.find("%", i)) >= 0:
        i += 1
        if msg[i:i + 1] == "(":
            depth = 0
            while i < n:
                depth += {"(": 1, ")": -1}.get(msg[i], 0)
                i += 1
                if depth == 0:
                    break
        while i < n and msg[i] in "-+ #0":
            i += 1
        for leader in ("", "."):  # width, then .precision
            if msg[i:i + len(leader)] != leader:
                break
            i += len(leader)
            if msg[i:i + 1] == "*":
                return None
            start = i
            while i < n and msg[i] in "0123456789":
                i += 1
            digits = msg[start:i]
            if len(digits) > 5 or int(digits or 0) > MAX_SPEC:
                return None
            cost += int(digits or 0)
        cost += 2 * args_len + 400  # repr of one arg (or the whole mapping) plus float/int digits
        i += 1
    return cost


def format_message(msg: str, args: tuple[Any, ...] | dict[Any, Any] | None, args_text: str | None) -> str:
    """msg % args like LogRecord.getMessage, but bounded; msg as sent whenever that is not safe."""
    if args is None:
        return msg
    cost = _format_cost(msg, len(args_text or ""))
    if cost is None or cost > MAX_MESSAGE:
        return msg
    try:
        result = msg % args
    except Exception:  # TypeError, ValueError, KeyError, MemoryError, RecursionError, OverflowError...
        return msg
    return result if len(result) <= MAX_MESSAGE else msg
