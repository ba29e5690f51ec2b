"""How local selection cuts the selection bits into subproblems of at most ``block_size`` bits.

Three partitions (seed 001's "local neuron selection"), each a list of arrays of selection
positions (indices into the selection's bits):

- ``"neuron"``: one unit's bits (for edges: its incoming connections; for neurons: its own bit);
  a unit with more than ``block_size`` bits is cut into near-equal consecutive pieces;
- ``"layer"``: one layer's bits, cut into near-equal consecutive pieces of at most ``block_size``;
- ``"block"``: consecutive units of one layer packed together while their bits fit in
  ``block_size`` (blocks of k neurons); a unit larger than that is cut as in ``"neuron"``.

Examples:
    >>> from anneal_binn.model.architecture import Role
    >>> roles = [Role("mask", 0, u, i) for u in range(3) for i in range(4)]
    >>> [len(b) for b in partition(roles, "neuron", 3)]
    [2, 2, 2, 2, 2, 2]
    >>> [len(b) for b in partition(roles, "block", 8)]
    [8, 4]
    >>> [len(b) for b in partition(roles, "layer", 5)]
    [4, 4, 4]
"""
from __future__ import annotations

import math

import numpy as np

from anneal_binn.errors import UsageError

PARTITIONS = ("neuron", "layer", "block")


def _cut(positions: np.ndarray, size: int) -> list[np.ndarray]:
    """Consecutive near-equal pieces of at most ``size``."""
    pieces = math.ceil(len(positions) / size)
    return [p for p in np.array_split(positions, pieces) if len(p)]


def partition(roles, how: str = "neuron", block_size: int = 12) -> list[np.ndarray]:
    """Blocks of selection positions; ``roles`` are the register roles of the selection bits in order."""
    if how not in PARTITIONS:
        raise UsageError("select.partition", f"choose one of {', '.join(PARTITIONS)}, got {how!r}")
    if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)) or block_size < 1:
        raise UsageError("select.block_size", f"must be a positive integer, got {block_size!r}")
    units: dict = {}
    for pos, r in enumerate(roles):
        units.setdefault((r.layer, r.unit), []).append(pos)
    groups = [np.asarray(v, dtype=np.int64) for v in units.values()]
    if how == "neuron":
        return [b for g in groups for b in _cut(g, block_size)]
    layers: dict = {}
    for (layer, _), g in zip(units, groups):
        layers.setdefault(layer, []).append(g)
    if how == "layer":
        return [b for gs in layers.values() for b in _cut(np.concatenate(gs), block_size)]
    out = []
    for gs in layers.values():
        cur: list = []
        for g in gs:
            if len(g) > block_size:
                if cur:
                    out.append(np.concatenate(cur))
                    cur = []
                out.extend(_cut(g, block_size))
            elif sum(len(c) for c in cur) + len(g) <= block_size:
                cur.append(g)
            else:
                out.append(np.concatenate(cur))
                cur = [g]
        if cur:
            out.append(np.concatenate(cur))
    return out
