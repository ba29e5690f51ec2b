"""Seeded random HUBOs for the reduction tests."""
from __future__ import annotations

import dimod
import numpy as np


def random_hubo(n: int, num_terms: int, max_degree: int, seed: int, sign: str = "mixed") -> dimod.BinaryPolynomial:
    """BINARY HUBO over 0..n-1 with ``num_terms`` distinct terms of degree 1..max_degree."""
    rng = np.random.default_rng(seed)
    terms: dict[tuple, float] = {}
    tries = 0
    while len(terms) < num_terms and tries < 50 * num_terms:
        tries += 1
        k = int(rng.integers(1, min(max_degree, n) + 1))
        t = tuple(sorted(rng.choice(n, size=k, replace=False).tolist()))
        mag = float(rng.uniform(0.1, 2.0))
        if sign == "positive":
            c = mag
        elif sign == "negative":
            c = -mag
        else:
            c = mag if rng.random() < 0.5 else -mag
        terms[t] = c
    terms[()] = float(rng.normal())
    return dimod.BinaryPolynomial(terms, "BINARY")
