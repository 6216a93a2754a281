"""The logs page's URL state: which arguments it understands, the filter they make, chips and links.

The page URL may say `last=15m` (a range that moves with the clock) where the
API needs `since`; everything the page's script sends to the API and the tail
comes from `PageFilter.flt.to_args()`, so the list, the tail, the histogram and
the export all see exactly the same records.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from ..ingest.levels import level_label
from ..web.args import BadArgument
from ..web.format import stamp
from .filter import RecordFilter
from .query import QueryError, Term, add_term, format_term, parse, without

MUTE_KEYS = ("logger", "name")

QUICK_RANGES = {"15m": 15 * 60, "1h": 3600, "24h": 86400, "7d": 7 * 86400}
PAGE_ARGS = ("level", "logger", "q", "app", "last", "since", "until", "trace_id", "span_id")


@dataclass
class Chip:
    """One active filter: what it says, and the URL without it."""
    name: str
    label: str
    remove_url: str
    epoch: float | None = None
    q_left: str | None = None  # a search chip's: the search that removing it leaves


@dataclass
class PageFilter:
    """The understood page arguments, the filter they make, and what had to be ignored."""
    args: dict[str, str]
    flt: RecordFilter
    problems: list[str] = field(default_factory=list)


def page_url(args: Mapping[str, str], **changes: str | None) -> str:
    """The logs page URL for `args` with some arguments changed (None removes one)."""
    merged = {k: v for k, v in {**args, **changes}.items() if v not in (None, "")}
    ordered = [(k, merged[k]) for k in PAGE_ARGS if k in merged]
    return "/?" + urlencode(ordered) if ordered else "/"


def _query(args: Mapping[str, str], now: float) -> dict[str, str]:
    """The API arguments for the page arguments: `last` becomes an absolute `since`."""
    query = {k: v for k, v in args.items() if k != "last"}
    if "last" in args:
        query["since"] = repr(now - QUICK_RANGES[args["last"]])
    return query


def read_page_filter(raw: Mapping[str, str], now: float | None = None) -> PageFilter:
    """Read the page URL; a bad argument is dropped and reported instead of failing the page."""
    now = time.time() if now is None else now
    args = {k: raw[k] for k in PAGE_ARGS if raw.get(k, "") != ""}
    problems: list[str] = []
    if "last" in args:
        if args["last"] not in QUICK_RANGES:
            problems.append(f"last: {args.pop('last')!r} is not one of {', '.join(QUICK_RANGES)}")
        else:
            args.pop("since", None)
    while True:
        try:
            return PageFilter(args, RecordFilter.from_args(_query(args, now)), problems)
        except BadArgument as e:
            if e.argument not in args:
                raise
            problems.append(str(e))
            del args[e.argument]


def chips(page: PageFilter) -> list[Chip]:
    """The active filters, each with a link that drops it."""
    flt, args = page.flt, page.args
    out: list[Chip] = []
    if flt.level is not None:
        out.append(Chip("level", f"level ≥ {level_label(flt.level)}", page_url(args, level=None)))
    if flt.logger is not None:
        out.append(Chip("logger", f"logger {flt.logger}", page_url(args, logger=None)))
    if flt.q is not None:
        out.extend(search_chips(args, flt.q))
    if flt.app is not None:
        out.append(Chip("app", f"app {flt.app}", page_url(args, app=None)))
    if "last" in args:
        out.append(Chip("last", f"last {args['last']}", page_url(args, last=None)))
    elif flt.since is not None:
        out.append(Chip("since", f"since {stamp(flt.since)}", page_url(args, since=None), flt.since))
    if flt.until is not None:
        out.append(Chip("until", f"until {stamp(flt.until)}", page_url(args, until=None), flt.until))
    if flt.trace_id is not None:
        out.append(Chip("trace_id", f"trace {flt.trace_id}", page_url(args, trace_id=None)))
    if flt.span_id is not None:
        out.append(Chip("span_id", f"span {flt.span_id}", page_url(args, span_id=None)))
    return out


def muted_terms(q: str | None) -> list[Term]:
    """The `-logger=name` terms of a search: the logger subtrees it mutes."""
    try:
        return [t for t in parse(q or "") if t.kind == "field" and t.exclude and (t.key or "").lower() in MUTE_KEYS]
    except QueryError:
        return []


def search_chips(args: Mapping[str, str], q: str) -> list[Chip]:
    """A chip per muted logger, and one for the rest of the search (each removable on its own)."""
    mutes = muted_terms(q)
    out = []
    rest = q
    for term in sorted(mutes, key=lambda t: -t.span[0]):
        rest = without(rest, term.span)
    for term in mutes:
        left = without(q, term.span) or None
        out.append(Chip("mute", f"muted {term.value}", page_url(args, q=left), q_left=left))
    if rest:
        left = " ".join(q[t.span[0]:t.span[1]] for t in mutes) or None
        out.append(Chip("q", f"search “{rest}”", page_url(args, q=left), q_left=left))
    return out


def mute_url(args: Mapping[str, str], name: str) -> str:
    """The page with the logger `name` (and the loggers below it) muted."""
    return page_url(args, q=add_term(args.get("q"), format_term("logger", name, exclude=True)))


def unmute_url(args: Mapping[str, str], name: str, **changes: str | None) -> str:
    """The page without the mute of `name` (and with `changes`: showing that logger unmutes it)."""
    q = args.get("q") or ""
    for term in sorted(muted_terms(q), key=lambda t: -t.span[0]):
        if term.value == name:
            q = without(q, term.span)
    return page_url(args, q=q or None, **changes)


def export_url(flt: RecordFilter, fmt: str) -> str:
    """/api/export for exactly this filter."""
    return "/api/export?" + urlencode({**flt.to_args(), "format": fmt})
