"""Storage: the engine, the schema and its migrations, the writer, the live feed, paging."""
