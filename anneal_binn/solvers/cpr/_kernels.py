"""The per-pattern update loops of CP+R and SBPI: a numba kernel and a numpy fallback.

Both draw their random numbers from one SplitMix64 stream per read (not from numpy's or numba's
global generators) and consume it identically, so a seed gives the same nets with either backend.
"""
from __future__ import annotations

import numpy as np

CPR, SBPI = 0, 1

_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB
_MASK = (1 << 64) - 1
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def _uniform_py(state: list) -> float:
    """SplitMix64 on a Python int held in ``state[0]`` -> a uniform in [0, 1)."""
    state[0] = (state[0] + _GOLDEN) & _MASK
    z = state[0]
    z = ((z ^ (z >> 30)) * _MIX1) & _MASK
    z = ((z ^ (z >> 27)) * _MIX2) & _MASK
    z ^= z >> 31
    return (z >> 11) * _TO_UNIT


def _shuffle_py(order: np.ndarray, state: list) -> None:
    for t in range(len(order) - 1, 0, -1):  # Fisher-Yates
        j = int(_uniform_py(state) * (t + 1))
        order[t], order[j] = order[j], order[t]


def train_numpy(X, y, H, hmax, rule, theta, prob, max_sweeps, seeds, sweeps) -> None:
    """Fallback without numba: the kernel's loop over patterns, vectorized over synapses."""
    P = X.shape[0]
    for r in range(H.shape[0]):
        h = H[r]
        state = [int(seeds[r])]
        order = np.arange(P)
        w = np.where(h >= 0, 1.0, -1.0)
        sweeps[r] = max_sweeps
        for sweep in range(max_sweeps):
            _shuffle_py(order, state)
            errors = 0
            for mu in order:
                s = y[mu]
                z = float(w @ X[mu])
                if (z >= 0.0) != (s > 0.0):
                    errors += 1
                    np.clip(h + 2.0 * s * X[mu], -hmax, hmax, out=h)
                    w = np.where(h >= 0, 1.0, -1.0)
                elif rule == SBPI and s * z <= theta and _uniform_py(state) < prob:
                    agree = s * X[mu] * w > 0.0
                    h[agree] = np.clip(h[agree] + 2.0 * s * X[mu][agree], -hmax, hmax)
                if rule == CPR and _uniform_py(state) < prob:
                    h[:] = np.where(h >= 0, np.minimum(h + 2.0, hmax), np.maximum(h - 2.0, -hmax))
            if errors == 0:
                sweeps[r] = sweep + 1
                break


def numba_kernel():
    """The numba-compiled trainer (cached on disk by numba); same signature as :func:`train_numpy`."""
    from anneal_binn.solvers.cpr._numba_kernel import train_all

    return train_all
