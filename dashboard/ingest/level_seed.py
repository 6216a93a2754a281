"""Seed the custom level names this process knows from the database, once at start.

A record may carry only a custom level name ("NOTICE"); its number is known when a record with both
was stored before. The minute rollup holds every (app, levelno, levelname) ever counted, in far fewer
rows than the records, so one grouped read at start gives each worker what earlier ones learned.
"""
from __future__ import annotations

import logging

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from ..store.schema import counts_minute
from .levels import LEVELS, learn_levels

log = logging.getLogger(__name__)


def seed_levels(engine: Engine) -> int:
    """Learn every custom (app, name, number) the rollup has counted; returns how many pairs were read.

    The most frequent number of a name is learned last, so it wins. A database not yet migrated
    seeds nothing (the app still starts; `logdash serve` upgrades first).
    """
    t = counts_minute
    total = func.sum(t.c.n).label("total")
    query = (select(t.c.app, t.c.levelname, t.c.levelno, total)
             .where(t.c.levelname.not_in(list(LEVELS)), ~t.c.levelname.like("Level %"))
             .group_by(t.c.app, t.c.levelname, t.c.levelno)
             .order_by(total))
    try:
        with engine.connect() as conn:
            rows = conn.execute(query).all()
    except SQLAlchemyError as e:
        log.warning("custom level names not seeded: %s", e)
        return 0
    learn_levels((app or None, name, number) for app, name, number, _ in rows)
    return len(rows)
