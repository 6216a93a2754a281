"""The demo's one failure type: a message a person can act on, printed as one line."""
from __future__ import annotations


class DemoFailed(Exception):
    """Nothing (more) arrived; the message names the cause and the fix."""
