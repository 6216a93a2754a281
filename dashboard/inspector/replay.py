"""Reproduce a captured request: the raw HTTP message, and a curl command that sends it again.

Both are reconstructions from the stored row: request line, headers in the
order stored (redacted values stay redacted), then the body as stored (cut at
the body cap when `truncated`).
"""
from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from .body import as_text

PATH_SAFE = "/:@!$&'()*+,;=-._~%"
SKIP_IN_CURL = {"host", "content-length", "transfer-encoding", "connection", "keep-alive", "expect"}


def target(path: str, query: str) -> str:
    """The request target as on the request line: the path percent-encoded again, then ?query."""
    return quote(path, safe=PATH_SAFE) + (f"?{query}" if query else "")


def raw_head(row: Mapping[str, Any], headers: Sequence[Sequence[str]]) -> str:
    """Request line and header lines, CRLF-terminated, ending with the blank line."""
    lines = [f"{row['method']} {target(row['path'], row['query'])} {row['http_version']}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return "\r\n".join(lines) + "\r\n\r\n"


def raw_request(row: Mapping[str, Any], headers: Sequence[Sequence[str]]) -> bytes:
    """The whole message as bytes (what /inspector/<id>/raw downloads)."""
    return raw_head(row, headers).encode("utf-8") + bytes(row["body"])


def raw_text(row: Mapping[str, Any], headers: Sequence[Sequence[str]]) -> str:
    """The message as text for the Raw tab; a binary body is named, not dumped."""
    body = bytes(row["body"])
    text = as_text(body, cut=bool(row["truncated"]))
    head = raw_head(row, headers).replace("\r\n", "\n")
    if not body:
        return head
    if text is None:
        text = f"[binary body: {len(body):,} bytes, shown in the Body tab as hex]"
    text = text.replace("\r\n", "\n")  # line ends read as lines; a lone CR stays visible
    if row["truncated"]:
        text += f"\n[... {row['body_size'] - len(body):,} more bytes not stored (body cap)]"
    return head + text


def _printf_octal(data: bytes) -> str:
    """A POSIX printf format that prints exactly `data` (octal escapes for anything unusual)."""
    out = []
    for b in data:
        ch = chr(b)
        if ch == "%":
            out.append("%%")
        elif ch == "\\":
            out.append("\\\\")
        elif 0x20 <= b < 0x7f:
            out.append(ch)
        else:
            out.append(f"\\{b:03o}")
    return "".join(out)


def curl_command(row: Mapping[str, Any], headers: Sequence[Sequence[str]], scheme: str = "http") -> str:
    """A shell command (shlex-quoted) that sends the request again; secrets stay redacted."""
    host = next((value for name, value in headers if name.lower() == "host"), "localhost")
    body = bytes(row["body"])
    method = row["method"]
    args = ["curl"]
    if method == "HEAD":
        args.append("--head")
    elif not (method == "GET" and not body) and not (method == "POST" and body):
        args += ["-X", method]
    url = f"{scheme}://{host}{target(row['path'], row['query'])}"
    if any(ch in url for ch in "[]{}"):
        args.append("--globoff")  # "[redacted]" and friends are not curl URL ranges
    args.append(url)
    for name, value in headers:
        if name.lower() not in SKIP_IN_CURL:
            args += ["-H", f"{name}: {value}" if value else f"{name};"]
    prefix = ""
    if row["truncated"]:
        prefix = f"# body cut at the cap: {len(body):,} of {row['body_size']:,} bytes stored\n"
    if body:
        text = as_text(body)
        if text is not None:
            args += ["--data-raw", text]  # literal: no @file reading, bytes as they are
        else:
            prefix += f"printf {shlex.quote(_printf_octal(body))} | "
            args += ["--data-binary", "@-"]
    return prefix + " ".join(shlex.quote(a) for a in args)
