"""Settings come from defaults, then LOGDASH_* variables, then overrides; all are documented."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import settings

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_layers() -> None:
    env = {"LOGDASH_PORT": "9000", "LOGDASH_INGEST_TOKEN": "123", "LOGDASH_HOST": ""}
    values = settings.load(env, {"PORT": 9100, "QUEUE_SIZE": None})
    assert values["PORT"] == 9100 and values["INGEST_TOKEN"] == "123"
    assert values["HOST"] == "127.0.0.1" and values["QUEUE_SIZE"] == 2000
    assert settings.load({}, {})["DATABASE_URL"] == "sqlite:///logdash.db"


def test_bad_number_names_the_variable() -> None:
    with pytest.raises(ValueError, match="LOGDASH_PORT must be a whole number"):
        settings.load({"LOGDASH_PORT": "eighty"})


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_readme(setting) -> None:
    assert f"`LOGDASH_{setting.name}`" in README
