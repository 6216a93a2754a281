"""Read a Python repr sent as text into values: parsed with `ast`, bounded, never evaluated.

The stock handler sends `args` and extras as `str(value)`. `ast.literal_eval` gives up on the
whole text as soon as one part is not a literal (`datetime.datetime(...)`, `<object object at
0x7f...>`), so the tree is walked here instead: literal nodes become their values (as
literal_eval would make them) and every other node is handed to a callback with its source
text. A linear scan refuses first what would make the parser slow or huge: each AST node
costs about 1 KB, so the number of tokens is capped, as are bracket depth and unary runs.
`<...>` reprs are not Python syntax: each one outside strings is swapped for a placeholder
name before parsing and the original text put back after.
"""
from __future__ import annotations

import ast
import re
import secrets
import threading
from collections.abc import Callable
from typing import Any

MAX_ARGS_TEXT = 1_048_576    # the default body limit: longer text is never parsed
MAX_DEPTH = 50               # deeper ( [ { nesting (or unary-operator runs) is never parsed
MAX_TOKENS = 20_000          # more tokens than this is never parsed (the tree would take ~20 MB)

# One token per match; strings whole (the unrolled loops are linear), then brackets, words, the rest.
_TOKEN = re.compile(r"""
    (?P<str>[bBrRuUfF]{0,2}(?:'[^'\\\n]*(?:\\.[^'\\\n]*)*'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"))
  | (?P<open>[(\[{]) | (?P<close>[)\]}]) | (?P<lt><) | (?P<gt>>)
  | (?P<word>\w+) | (?P<unary>[-+~]) | (?P<space>\s+) | (?P<quote>['"]) | (?P<other>.)
""", re.S | re.X)
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")

# Under load on many threads, CPython 3.11's compile() was seen failing with "AST constructor
# recursion depth mismatch" (a SystemError): parse one at a time, and never let it escape.
_COMPILE_LOCK = threading.Lock()


class Unreadable(ValueError):
    """Text that is refused or is not Python syntax; str() says why, for people."""


def _mask(text: str) -> tuple[str, dict[str, str], str]:
    """The text with each `<...>` run outside strings swapped for a placeholder name (and the names'
    prefix); raise Unreadable for what the parser must not see. One pass over at most MAX_TOKENS tokens."""
    prefix = "_lt"
    while prefix in text:  # a placeholder must never stand for text that was sent
        prefix = "_" + secrets.token_hex(8)
    parts: list[str] = []
    originals: dict[str, str] = {}
    depth = run = angle = tokens = 0
    last = angle_start = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "space":
            continue
        tokens += 1
        if tokens > MAX_TOKENS:
            raise Unreadable(f"more than {MAX_TOKENS:,} tokens")
        if angle:
            angle += {"lt": 1, "gt": -1}.get(kind or "", 0)
            if not angle:
                name = f"{prefix}{len(originals)}_"
                originals[name] = text[angle_start:m.end()]
                parts.append(name)
                last = m.end()
            continue
        if kind == "quote":
            raise Unreadable("a string is not closed")
        empty = kind == "str" and m.group().lstrip("bBrRuUfF") in ("''", '""')
        if empty and text[m.end():m.end() + 1] == m.group()[-1]:
            raise Unreadable("a triple-quoted string")
        if kind == "lt":
            parts.append(text[last:m.start()])
            angle, angle_start = 1, m.start()
            continue
        depth += 1 if kind == "open" else -1 if kind == "close" else 0
        run = run + 1 if kind == "unary" else 0
        if depth > MAX_DEPTH or run > MAX_DEPTH:
            raise Unreadable(f"nested over {MAX_DEPTH} deep")
    if angle:
        raise Unreadable("a < is not closed by >")
    parts.append(text[last:])
    return "".join(parts), originals, prefix


class _Source:
    """The original text of any node: byte offsets (what ast gives) mapped back, placeholders undone."""

    def __init__(self, masked: str, originals: dict[str, str], prefix_re: re.Pattern[str] | None) -> None:
        self.data = masked.encode("utf-8", "surrogatepass")
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self.data)]
        self.originals, self.prefix_re = originals, prefix_re

    def __call__(self, node: ast.AST) -> str:
        start = self.starts[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
        end = self.starts[node.end_lineno - 1] + node.end_col_offset  # type: ignore[attr-defined]
        text = self.data[start:end].decode("utf-8", "surrogatepass")
        if self.prefix_re is None:
            return text
        return self.prefix_re.sub(lambda m: self.originals.get(m.group(), m.group()), text)


Other = Callable[[ast.AST, "Reader"], Any]


class Reader:
    """One parsed text: `value(node)` turns a node into a value, `source(node)` gives its text."""

    def __init__(self, source: _Source, originals: dict[str, str], other: Other) -> None:
        self.source, self.originals, self.other = source, originals, other

    def placeholder(self, node: ast.AST) -> str | None:
        """The `<...>` text a placeholder name stands for, else None."""
        return self.originals.get(node.id) if isinstance(node, ast.Name) else None

    def value(self, node: ast.AST) -> Any:
        """What ast.literal_eval makes of a literal node; anything else goes to `other`."""
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and not any(isinstance(e, ast.Starred) for e in node.elts):
            items = [self.value(e) for e in node.elts]
            try:
                return tuple(items) if isinstance(node, ast.Tuple) else items if isinstance(node, ast.List) \
                    else set(items)
            except TypeError:  # an unhashable item in a set
                return self.other(node, self)
        if isinstance(node, ast.Dict) and None not in node.keys:
            try:
                return {self.value(k): self.value(v) for k, v in zip(node.keys, node.values, strict=True)}
            except TypeError:  # an unhashable key
                return self.other(node, self)
        if isinstance(node, ast.Call) and _is_empty_set(node):  # repr(set()) is "set()"
            return set()
        if isinstance(node, ast.Name) and node.id in ("inf", "nan"):  # repr(float("inf")) is "inf"
            return float(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            number = self.value(node.operand)
            if type(number) in (int, float, complex):
                return -number if isinstance(node.op, ast.USub) else +number
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):  # 1+2j
            left, right = self.value(node.left), self.value(node.right)
            if type(left) in (int, float) and type(right) is complex:
                return left + right if isinstance(node.op, ast.Add) else left - right
        return self.other(node, self)


def _is_empty_set(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Name) and node.func.id == "set" and not node.args and not node.keywords


def parse(text: str, other: Other) -> Any:
    """The value of `text`, with `other(node, reader)` deciding every non-literal node; raise Unreadable."""
    text = text.strip()
    if len(text) > MAX_ARGS_TEXT:
        raise Unreadable(f"text over {MAX_ARGS_TEXT:,} characters")
    masked, originals, prefix = _mask(text)
    prefix_re = re.compile(re.escape(prefix) + r"\d+_") if originals else None
    try:
        with _COMPILE_LOCK:
            tree = ast.parse(masked, mode="eval")
    except SyntaxError as e:
        raise Unreadable(f"not Python syntax ({e.msg}, column {e.offset})") from None
    except (ValueError, MemoryError, RecursionError, OverflowError, SystemError) as e:
        raise Unreadable(f"not readable ({type(e).__name__})") from None
    reader = Reader(_Source(masked, originals, prefix_re), originals, other)
    try:
        return reader.value(tree.body)
    except RecursionError:
        raise Unreadable("nested too deep") from None


def as_text(node: ast.AST, reader: Reader) -> str:
    """`other` for extras: a non-literal part becomes its source text."""
    return reader.source(node)


def literal(text: str) -> Any:
    """The restored value when the whole text is a literal; raise Unreadable otherwise."""
    def refuse(node: ast.AST, reader: Reader) -> Any:
        raise Unreadable("not a literal")
    return parse(text, refuse)
