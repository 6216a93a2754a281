"""The requests side: capture, filter, queries, JSON, body views, replay, pages, live, request bin."""
