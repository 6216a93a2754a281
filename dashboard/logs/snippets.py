"""Code the pages show users: how to connect the stock handler, and how to send tracebacks too."""
from __future__ import annotations

import inspect
from functools import lru_cache

from ..client import demo


def connect_snippet(host: str, secure: bool, token_required: bool, app: str = "myapp") -> str:
    """The exact stock-HTTPHandler setup for this server's address."""
    options = ['method="POST"']
    if secure:
        options.append("secure=True")
    if token_required:
        options.append(f'credentials=("{app}", "YOUR_INGEST_TOKEN")')
    return "\n".join([
        "import logging",
        "import logging.handlers",
        "",
        "handler = logging.handlers.HTTPHandler(",
        f'    "{host}", "/ingest?app={app}", {", ".join(options)})',
        "logging.getLogger().addHandler(handler)",
        "logging.getLogger().setLevel(logging.INFO)",
        "",
        f'logging.getLogger("{app}").info("hello, logdash")',
    ])


@lru_cache(maxsize=1)
def traceback_handler_source() -> str:
    """The `mapLogRecord` override that also sends the message and the formatted traceback."""
    source = inspect.getsource(demo.TracebackHTTPHandler).rstrip().splitlines()
    code = [line for line in source if not line.strip().startswith('"""')]
    return "\n".join(["import logging", "import logging.handlers", "", "", *code]).replace(":\n\n", ":\n")
