"""The records side: filter, queries, JSON, API, pages, tree, histogram, export, live tail."""
