"""Replay the raw captures in tests/wire/ over a socket, as the original clients sent them."""
from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

WIRE = Path(__file__).parent / "wire"
STOCK = sorted(p for p in WIRE.glob("py*/*.bin"))
OTHERS = sorted(p for p in (WIRE / "other-clients").glob("*.bin") if p.name != "sockethandler.bin")


def split(raw: bytes) -> tuple[str, list[tuple[str, str]], bytes]:
    """Request line, headers and body of a capture."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(x.strip() for x in line.split(":", 1)) for line in lines[1:]]
    return lines[0], headers, body  # type: ignore[return-value]


def with_host(raw: bytes, host: str) -> bytes:
    """The capture with its Host header pointed at our server and the connection closed after."""
    line, headers, body = split(raw)
    kept = [(k, v) for k, v in headers if k.lower() not in ("host", "connection")]
    kept += [("Host", host), ("Connection", "close")]
    head = "\r\n".join([line, *(f"{k}: {v}" for k, v in kept)])
    return head.encode("latin-1") + b"\r\n\r\n" + body


def as_get(raw: bytes) -> bytes:
    """A urlencoded POST capture re-sent the way HTTPHandler(method="GET") would send it."""
    line, headers, body = split(raw)
    _, target, version = line.split(" ")
    sep = "&" if "?" in target else "?"
    kept = [(k, v) for k, v in headers if k.lower() not in ("content-type", "content-length")]
    head = "\r\n".join([f"GET {target}{sep}{body.decode('latin-1')} {version}", *(f"{k}: {v}" for k, v in kept)])
    return head.encode("latin-1") + b"\r\n\r\n"


def as_post(raw: bytes) -> bytes:
    """A GET capture re-sent as HTTPHandler(method="POST") would send it."""
    line, headers, _ = split(raw)
    _, target, version = line.split(" ")
    path, _, query = target.partition("?")
    body = query.encode("latin-1")
    head = "\r\n".join([f"POST {path} {version}", *(f"{k}: {v}" for k, v in headers),
                        "Content-type: application/x-www-form-urlencoded", f"Content-length: {len(body)}"])
    return head.encode("latin-1") + b"\r\n\r\n" + body


def send_raw(port: int, raw: bytes, timeout: float = 30) -> tuple[int | None, bytes]:
    """Send bytes to 127.0.0.1:port; return the answer's status code (None if not HTTP/1.x) and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        is_http = raw[:1].isalpha()
        s.sendall(with_host(raw, f"127.0.0.1:{port}") if is_http else raw)
        if not is_http:
            s.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    status_line = answer.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
    if not status_line[0].startswith("HTTP/1."):
        return None, answer
    return int(status_line[1]), answer.partition(b"\r\n\r\n")[2]


def fields_of(raw: bytes) -> dict[str, str]:
    """The record fields a stock capture carried (query for GET, body for POST)."""
    line, _, body = split(raw)
    target = line.split(" ")[1]
    text = target.partition("?")[2] if line.startswith("GET") else body.decode("latin-1")
    return dict(parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace"))


__all__ = ["OTHERS", "STOCK", "WIRE", "as_get", "as_post", "fields_of", "send_raw", "split", "urlencode"]
