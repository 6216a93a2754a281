"""The list's column widths follow the names in range (nine in ten fit), and logger names split so the
last part always shows: pure helpers the page template uses."""
from __future__ import annotations

import pytest

from dashboard.logs.columns import APP_WIDTHS, LOGGER_WIDTHS, column_widths
from dashboard.logs.present import logger_parts
from dashboard.logs.tree import build_tree


def tree(*names: str):
    return build_tree([{"name": n, "count": 1} for n in names])


def test_widths_fit_the_names_and_one_outlier_does_not_widen_every_row() -> None:
    assert column_widths([], []) == {"app": APP_WIDTHS[0], "logger": LOGGER_WIDTHS[0]}
    assert column_widths(["shop", "billing"], tree("shop.web", "auth")) == {"app": 10, "logger": 16}
    assert column_widths(["billing-reconciliation"], tree("a" * 30)) == {"app": 18, "logger": 36}
    short = [f"app{i}" for i in range(12)]
    loggers = [f"shop.web.m{i}" for i in range(12)]
    wide = column_widths([*short, "a-very-long-app-name-indeed"], tree(*loggers, "x." * 40 + "y"))
    assert wide == {"app": 6, "logger": 16}


@pytest.mark.parametrize(("name", "parts"), [
    ("worker.queue.consumer", ("worker.queue.", "consumer")),
    ("root", ("", "root")),
    ("trailing.", ("", "trailing.")),
    (".leading", ("", ".leading")),
    ("", ("", "")),
])
def test_logger_parts_keep_the_last_part_whole(name: str, parts: tuple[str, str]) -> None:
    assert logger_parts(name) == parts
