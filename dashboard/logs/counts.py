"""How many matching records per group (time bucket, level, logger), without scanning a range.

Whole time units come from the rollups the writer keeps (store.rollup); only the
ragged edges of a range (less than one unit at each end) and filters a rollup
cannot answer (text search, extras, a trace) are counted from the records themselves.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, func, select

from ..store import rollup
from ..store.schema import records
from .filter import RecordFilter


def _rollup_for(flt: RecordFilter, columns: tuple[str, ...], bucket: int | None) -> rollup.Rollup | None:
    """The coarsest rollup that keys every grouped and filtered column and divides the bucket."""
    filtered = flt.rollup_keys()
    if filtered is None:  # text, extras, a trace: only the records know
        return None
    needed = {*columns, *filtered}
    for candidate in rollup.ROLLUPS:
        if candidate.covers(needed) and (bucket is None or bucket % candidate.unit == 0):
            return candidate
    return None


def _raw(conn: Connection, flt: RecordFilter, columns: tuple[str, ...], bucket: int | None) -> Counter[tuple]:
    dialect = conn.dialect.name
    groups = [records.c[c] for c in columns]
    if bucket is not None:
        groups.insert(0, rollup.time_unit(records.c.created, bucket, dialect))
    stmt = select(*groups, func.count()).where(flt.clause(dialect, conn=conn)).group_by(*groups)
    return Counter({tuple(row[:-1]): row[-1] for row in conn.execute(stmt)})


def _rolled(conn: Connection, flt: RecordFilter, columns: tuple[str, ...], bucket: int | None,
            table: rollup.Rollup, first_unit: int | None, end_unit: int | None) -> Counter[tuple]:
    t = table.table
    groups: list[Any] = [t.c[c] for c in columns]
    if bucket is not None:
        groups.insert(0, t.c.unit * table.unit // bucket if bucket != table.unit else t.c.unit)
    where = [flt.without("since", "until").clause(conn.dialect.name, t)]
    if first_unit is not None:
        where.append(t.c.unit >= first_unit)
    if end_unit is not None:
        where.append(t.c.unit < end_unit)
    stmt = select(*groups, func.sum(t.c.n)).where(*where).group_by(*groups)
    app_at = len(groups) - len(columns) + columns.index("app") if "app" in columns else -1
    out: Counter[tuple] = Counter()
    for row in conn.execute(stmt):
        key = list(row[:-1])
        if app_at >= 0 and key[app_at] == "":
            key[app_at] = None  # rollups keep a missing app as ""
        out[tuple(key)] += int(row[-1])
    return out


def count_groups(conn: Connection, flt: RecordFilter, columns: tuple[str, ...],
                 bucket: int | None = None) -> Counter[tuple]:
    """Counts of the records matching `flt` grouped by `columns` (record column names), each key
    led by the bucket index floor(created / bucket) when `bucket` (seconds) is given."""
    table = _rollup_for(flt, columns, bucket)
    if table is None:
        return _raw(conn, flt, columns, bucket)
    unit = table.unit
    first = math.ceil(flt.since / unit) if flt.since is not None else None  # first whole unit
    end = math.floor(flt.until / unit) if flt.until is not None else None   # after the last whole unit
    if first is not None and end is not None and first >= end:  # under one unit: the records are few
        return _raw(conn, flt, columns, bucket)
    counts = _rolled(conn, flt, columns, bucket, table, first, end)
    if first is not None and flt.since < first * unit:
        counts += _raw(conn, replace(flt, until=first * unit), columns, bucket)
    if end is not None and end * unit < flt.until:  # type: ignore[operator]
        counts += _raw(conn, replace(flt, since=end * unit), columns, bucket)
    return counts


def data_range(conn: Connection, flt: RecordFilter) -> tuple[float | None, float | None]:
    """When the matching records start and end, to the rollup's unit: the starts of the oldest
    and newest units that hold any (None, None when none)."""
    table = _rollup_for(flt, (), None)
    if table is None:
        row = conn.execute(select(func.min(records.c.created), func.max(records.c.created))
                           .where(flt.clause(conn.dialect.name, conn=conn))).one()
        return row[0], row[1]
    for candidate in (rollup.MINUTE, table):  # the finest that can answer
        if candidate.covers(flt.rollup_keys() or ()):
            table = candidate
            break
    t = table.table
    held = select(t.c.unit).where(flt.without("since", "until").clause(conn.dialect.name, t)).limit(1)
    # each end alone, along the key's order: min() and max() in one statement read the whole table
    first = conn.execute(held.order_by(t.c.unit)).scalar()
    if first is None:
        return None, None
    last = conn.execute(held.order_by(t.c.unit.desc())).scalar_one()
    return float(first * table.unit), float(last * table.unit)
