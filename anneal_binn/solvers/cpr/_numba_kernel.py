"""The numba build of :func:`anneal_binn.solvers.cpr._kernels.train_numpy` (imported only when numba is installed).

Same arithmetic and the same SplitMix64 stream per read, so both backends give the same nets.
"""
import numba
import numpy as np

from anneal_binn.solvers.cpr._kernels import _GOLDEN, _MIX1, _MIX2, _TO_UNIT, CPR, SBPI

GOLDEN, MIX1, MIX2 = np.uint64(_GOLDEN), np.uint64(_MIX1), np.uint64(_MIX2)
S30, S27, S31, S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


@numba.njit(cache=True)
def uniform(state):
    state[0] += GOLDEN  # uint64 arithmetic wraps, as the & _MASK of the Python version
    z = state[0]
    z = (z ^ (z >> S30)) * MIX1
    z = (z ^ (z >> S27)) * MIX2
    z = z ^ (z >> S31)
    return np.float64(z >> S11) * _TO_UNIT


@numba.njit(cache=True)
def train_one(X, y, h, hmax, rule, theta, prob, max_sweeps, state, order):
    # one read in place; returns the sweeps used (stops after a sweep without errors)
    P, N = X.shape
    w = np.empty(N)
    for i in range(N):
        w[i] = 1.0 if h[i] >= 0.0 else -1.0
    for sweep in range(max_sweeps):
        for t in range(P - 1, 0, -1):
            j = int(uniform(state) * (t + 1))
            tmp = order[t]
            order[t] = order[j]
            order[j] = tmp
        errors = 0
        for t in range(P):
            mu = order[t]
            s = y[mu]
            z = 0.0
            for i in range(N):
                z += w[i] * X[mu, i]
            if (z >= 0.0) != (s > 0.0):  # the package's sign: z >= 0 predicts +1
                errors += 1
                for i in range(N):
                    h[i] = min(max(h[i] + 2.0 * s * X[mu, i], -hmax), hmax)
                    w[i] = 1.0 if h[i] >= 0.0 else -1.0
            elif rule == SBPI and s * z <= theta and uniform(state) < prob:
                for i in range(N):
                    if s * X[mu, i] * w[i] > 0.0:
                        h[i] = min(max(h[i] + 2.0 * s * X[mu, i], -hmax), hmax)
            if rule == CPR and uniform(state) < prob:
                for i in range(N):
                    h[i] = min(h[i] + 2.0, hmax) if h[i] >= 0.0 else max(h[i] - 2.0, -hmax)
        if errors == 0:
            return sweep + 1
    return max_sweeps

@numba.njit(cache=True)
def train_all(X, y, H, hmax, rule, theta, prob, max_sweeps, seeds, sweeps):
    # every read in turn: serial, since the benchmarks share two cores with other work
    P = X.shape[0]
    state = np.zeros(1, dtype=np.uint64)
    for r in range(H.shape[0]):
        state[0] = seeds[r]
        order = np.arange(P)
        sweeps[r] = train_one(X, y, H[r], hmax, rule, theta, prob, max_sweeps, state, order)
