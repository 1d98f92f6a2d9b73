"""A packed bulk load of an empty GeoPackage R-tree (SQLite's ``rtree`` module), as GDAL does.

SQLite inserts into an R-tree one rectangle at a time (choose a leaf, split, adjust the
parents): about 9 µs a feature, the largest single cost of importing 100,000 plots. When the
layer's R-tree is empty the whole tree can be written at once instead, sorted and packed
bottom-up (Sort-Tile-Recursive), straight into the three shadow tables that the module keeps
(``<name>_node``, ``<name>_rowid``, ``<name>_parent``). GDAL's GeoPackage driver does the same
for new layers; the format below is SQLite's own (``ext/rtree/rtree.c``):

- a node is a blob of the node size SQLite chose when the table was made (the length of the
  root's blob: 1,228 bytes, room for 51 cells, with the default page size): a big-endian
  16-bit tree depth (root only; 0 elsewhere), a big-endian 16-bit cell count, then the cells,
  zero padding after them;
- a cell is a big-endian 64-bit id (a feature's rowid in a leaf, a child node's number above)
  and the box as big-endian 32-bit floats in column order (minx, maxx, miny, maxy), each
  minimum rounded down and each maximum rounded up to a float32 exactly as SQLite rounds them;
- the root is node 1; ``_rowid`` maps each feature to its leaf, ``_parent`` each other node to
  its parent.

The tree that results is checked by SQLite's own ``rtreecheck()`` in the tests and answers
every box query as the tree built by the insert trigger does; later inserts, updates and
deletes go through SQLite's code as usual.
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any

import numpy as np

CELL = np.dtype([("id", ">i8"), ("minx", ">f4"), ("maxx", ">f4"), ("miny", ">f4"),
                 ("maxy", ">f4")])  # 24 bytes: SQLite's cell for a 2-D float R-tree


# SQLite's rounding (rtreeValueDown / rtreeValueUp): when the nearest float32 is on the wrong
# side of the value, scale the value by one part in 2**23 towards (or away from) zero and take
# the float32 nearest to that. Copied exactly so that a packed tree holds the very boxes the
# insert trigger would have stored.
_TOWARDS, _AWAY = 1.0 - 1.0 / 8388608.0, 1.0 + 1.0 / 8388608.0


def _down(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """float64 → a float32 not above each value, as SQLite stores a box's minimum."""
    out = values.astype(np.float32)
    over = out.astype(np.float64) > values
    scaled = values[over] * np.where(values[over] < 0, _AWAY, _TOWARDS)
    out[over] = scaled.astype(np.float32)
    return out


def _up(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """float64 → a float32 not below each value, as SQLite stores a box's maximum."""
    out = values.astype(np.float32)
    under = out.astype(np.float64) < values
    scaled = values[under] * np.where(values[under] < 0, _TOWARDS, _AWAY)
    out[under] = scaled.astype(np.float32)
    return out


def _str_order(cells: np.ndarray[Any, Any], per_node: int) -> np.ndarray[Any, Any]:
    """Sort-Tile-Recursive: vertical slices by box centre x, each slice sorted by centre y, so
    that consecutive runs of ``per_node`` cells are compact boxes."""
    n = len(cells)
    nodes = math.ceil(n / per_node)
    slices = math.ceil(math.sqrt(nodes))
    per_slice = slices * per_node
    cx = cells["minx"].astype(np.float64) + cells["maxx"]
    cy = cells["miny"].astype(np.float64) + cells["maxy"]
    by_x = np.argsort(cx, kind="stable")
    slice_of = np.empty(n, dtype=np.int64)
    slice_of[by_x] = np.arange(n) // per_slice
    order: np.ndarray[Any, Any] = np.lexsort((cy, slice_of))
    return order


def pack(ids: np.ndarray[Any, Any], bounds: np.ndarray[Any, Any], *, node_size: int
         ) -> tuple[list[tuple[int, bytes]], list[tuple[int, int]], list[tuple[int, int]]]:
    """The rows of ``_node``, ``_rowid`` and ``_parent`` of a packed R-tree over ``ids`` with
    ``bounds`` (``(n, 4)``: minx, miny, maxx, maxy as shapely gives them), for nodes of
    ``node_size`` bytes. ``ids`` must not be empty."""
    per_node = (node_size - 4) // CELL.itemsize
    level = np.empty(len(ids), dtype=CELL)
    level["id"] = ids
    level["minx"], level["miny"] = _down(bounds[:, 0]), _down(bounds[:, 1])
    level["maxx"], level["maxy"] = _up(bounds[:, 2]), _up(bounds[:, 3])
    levels: list[np.ndarray[Any, Any]] = []  # each level's cells, in node order
    while True:
        level = level[_str_order(level, per_node)]
        levels.append(level)
        count = math.ceil(len(level) / per_node)
        if count == 1:
            break
        starts = np.arange(count) * per_node
        parent = np.empty(count, dtype=CELL)
        # Which node of the level below each parent cell points at (its index in node order);
        # made a node number below, once every level's first number is known.
        parent["id"] = np.arange(count)
        parent["minx"] = np.minimum.reduceat(level["minx"], starts)
        parent["miny"] = np.minimum.reduceat(level["miny"], starts)
        parent["maxx"] = np.maximum.reduceat(level["maxx"], starts)
        parent["maxy"] = np.maximum.reduceat(level["maxy"], starts)
        level = parent
    depth = len(levels) - 1
    # Node numbers: the root is 1, then each level from the top down, in node order.
    first: list[int] = []  # first node number of each level (bottom-up index)
    number = 1
    for cells in reversed(levels):
        first.insert(0, number)
        number += math.ceil(len(cells) / per_node)
    for index in range(1, len(levels)):
        levels[index]["id"] += first[index - 1]
    nodes: list[tuple[int, bytes]] = []
    parents: list[tuple[int, int]] = []
    rowids: list[tuple[int, int]] = []
    for index, cells in enumerate(levels):
        count = math.ceil(len(cells) / per_node)
        node_numbers = first[index] + np.arange(count)
        for j, nodeno in enumerate(node_numbers.tolist()):
            chunk = cells[j * per_node:(j + 1) * per_node]
            head = (depth if nodeno == 1 else 0).to_bytes(2, "big") + len(chunk).to_bytes(2, "big")
            body = head + chunk.tobytes()
            nodes.append((nodeno, body + bytes(node_size - len(body))))
        owner = np.repeat(node_numbers, per_node)[:len(cells)]
        if index == 0:
            rowids = list(zip(cells["id"].tolist(), owner.tolist(), strict=True))
        else:
            parents.extend(zip(cells["id"].tolist(), owner.tolist(), strict=True))
    return nodes, rowids, parents


def is_empty(cur: sqlite3.Cursor, rtree: str) -> bool:
    """Whether the R-tree ``rtree`` holds no entry (only an empty root node)."""
    return cur.execute(f'SELECT 1 FROM "{rtree}_rowid" LIMIT 1').fetchone() is None


def bulk_load(cur: sqlite3.Cursor, rtree: str, ids: np.ndarray[Any, Any],
              bounds: np.ndarray[Any, Any]) -> None:
    """Fill the empty R-tree ``rtree`` with ``ids`` and their ``bounds`` in one packed load
    (inside the caller's transaction). The caller checks ``is_empty`` first."""
    if not len(ids):
        return
    node_size = cur.execute(f'SELECT length(data) FROM "{rtree}_node" WHERE nodeno = 1'
                            ).fetchone()[0]
    nodes, rowids, parents = pack(ids, bounds, node_size=node_size)
    cur.execute(f'DELETE FROM "{rtree}_node"')
    cur.executemany(f'INSERT INTO "{rtree}_node" (nodeno, data) VALUES (?, ?)', nodes)
    cur.executemany(f'INSERT INTO "{rtree}_rowid" (rowid, nodeno) VALUES (?, ?)', rowids)
    cur.executemany(f'INSERT INTO "{rtree}_parent" (nodeno, parentnode) VALUES (?, ?)', parents)
