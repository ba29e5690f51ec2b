"""Estimated vs measured peak memory of every reduction method (calibrates ``core._BYTES``).

Usage: ``python benchmarks/reduction_memory.py``. For random HUBOs of several degree profiles it
prints, per method, ``estimate_memory / tracemalloc peak``: values >= 1 mean the estimate that
``reduce`` checks against the memory budget is an upper bound.
"""
from __future__ import annotations

import tracemalloc

import dimod
import numpy as np

from anneal_binn.reduction import METHODS, reduce
from anneal_binn.reduction.core import Footprint, estimate_memory

CASES = [(16, 3000, 3, 6, "BINARY"), (17, 6000, 6, 12, "BINARY"), (20, 4000, 3, 8, "BINARY"),
         (16, 2000, 10, 16, "BINARY"), (30, 8000, 3, 5, "BINARY"), (12, 300, 3, 9, "SPIN")]


def random_hubo(n: int, num_terms: int, dmin: int, dmax: int, seed: int, vartype: str) -> dimod.BinaryPolynomial:
    rng = np.random.default_rng(seed)
    terms = {}
    while len(terms) < num_terms:
        d = int(rng.integers(dmin, dmax + 1))
        terms[tuple(sorted(rng.choice(n, d, replace=False).tolist()))] = float(rng.normal())
    return dimod.BinaryPolynomial(terms, vartype)


def main() -> None:
    for n, T, dmin, dmax, vartype in CASES:
        hubo = random_hubo(n, T, dmin, dmax, 1, vartype)
        fp = Footprint.of(hubo)
        ratios = []
        for method in METHODS:
            tracemalloc.start()
            reduce(hubo, method, steps=3000)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            ratios.append(f"{method}:{estimate_memory(fp, method) / peak:.2f}")
        print(f"n={n} terms={T} degree {dmin}-{dmax} {vartype}: " + " ".join(ratios), flush=True)


if __name__ == "__main__":
    main()
