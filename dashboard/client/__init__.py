"""Code that runs beside the user's app: DashboardHandler, the `send` command's parts, the demo sender.

Stdlib only where the app imports it: `from dashboard.client import DashboardHandler` loads no Flask.
"""
from .handler import DashboardHandler

__all__ = ["DashboardHandler"]
