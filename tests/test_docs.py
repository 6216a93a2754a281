"""The docs agree with the pages: every search example the `?` overlay shows is in README.md's Search section."""
from __future__ import annotations

import html
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_section(title: str) -> str:
    """The text of README.md's `## title` section, up to the next `## ` heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else None]


def test_every_search_help_example_is_in_the_readme() -> None:
    shown = [html.unescape(code) for code in
             re.findall(r"<code>(.*?)</code>", (ROOT / "templates" / "_search_help.html").read_text(encoding="utf-8"))]
    documented = set(re.findall(r"`([^`]+)`", readme_section("Search")))
    assert len(shown) > 10 and len(documented) > 10
    # a field named bare in the overlay ("also pathname, filename …") is documented as `pathname=…`
    missing = [code for code in shown if code not in documented
               and not (re.fullmatch(r"\w+", code) and any(d.startswith(f"{code}=") for d in documented))]
    assert not missing, f"shown in the ? overlay (templates/_search_help.html), not in README.md's Search: {missing}"
