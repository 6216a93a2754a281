"""The logger tree: per-name counts folded into dotted prefixes (`shop` holds `shop.db`, `shop.web`)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 24  # levels drawn; a deeper name keeps the rest of its parts in its last label


@dataclass
class Node:
    """One prefix: its full name (the `logger` filter value), last part, subtree count, children."""
    name: str
    label: str
    count: int = 0
    children: list[Node] = field(default_factory=list)

    def walk(self) -> Iterable[Node]:
        """This node and every node below it, depth first (without recursion)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


def build_tree(counts: Iterable[Mapping[str, Any]]) -> list[Node]:
    """Top-level nodes, sorted by name, from [{"name": "shop.db", "count": 3}, ...].

    At most MAX_DEPTH levels: the page draws the tree with nested elements, which a name of
    hundreds of dots would nest past what templates and browsers handle; the deepest node of such
    a name is labelled with all its remaining parts and still filters by the full name."""
    nodes: dict[str, Node] = {}
    roots: list[Node] = []
    for row in counts:
        parts = str(row["name"]).split(".")
        if len(parts) > MAX_DEPTH:
            parts = [*parts[:MAX_DEPTH - 1], ".".join(parts[MAX_DEPTH - 1:])]
        parent: Node | None = None
        for depth in range(1, len(parts) + 1):
            name = ".".join(parts[:depth])
            node = nodes.get(name)
            if node is None:
                node = nodes[name] = Node(name, parts[depth - 1] or "(empty)")
                (parent.children if parent else roots).append(node)
            node.count += int(row["count"])
            parent = node
    for node in nodes.values():
        node.children.sort(key=lambda n: n.name)
    return sorted(roots, key=lambda n: n.name)


def opened(node: Node, selected: str | None) -> bool:
    """Whether a node starts unfolded: the top level, and the path down to the selected logger."""
    if "." not in node.name:
        return True
    return selected is not None and (selected == node.name or selected.startswith(node.name + "."))
