"""The rollup statements a baseline runs beside its rows: what the writer keeps per batch."""
from __future__ import annotations

# Rollup tables are `counts_<unit>[_app]` with `unit`, key columns and `n`; the unit in seconds by name.
ROLLUP_UNITS = {"minute": 60, "quarter": 900, "hour": 3600}


def rollup_work(tables: dict[str, list[str]], postgres: bool, where: str) -> list[str]:
    """One set-based upsert per rollup table of the schema (`tables`: name -> columns), over the
    records matching `where`: what the writer does beside the rows, so a baseline does it too."""
    work = []
    for name, columns in sorted(tables.items()):
        unit = ROLLUP_UNITS.get(name.split("_")[1]) if name.startswith("counts_") else None
        if unit is None:
            continue
        keys = [c for c in columns if c not in ("unit", "n")]
        picked = ", ".join("COALESCE(app, '')" if k == "app" else k for k in keys)
        bucket = f"CAST(floor(created / {unit}) AS BIGINT)" if postgres else f"CAST(created / {unit} AS BIGINT)"
        groups = ", ".join(str(i) for i in range(1, len(keys) + 2))
        target = ", ".join(["unit", *keys])
        work.append(f"INSERT INTO {name} ({target}, n) SELECT {bucket}, {picked}, count(*) FROM records "
                    f"WHERE {where} GROUP BY {groups} ON CONFLICT ({target}) DO UPDATE SET n = {name}.n + excluded.n")
    return work
