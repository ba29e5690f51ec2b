"""``hubo-sa``: simulated annealing directly on a HUBO, with no reduction to a QUBO.

Reducing a degree-k HUBO adds ancillas and penalty terms that make the landscape far harder for
single-flip annealing (see the design notes: reduced QUBOs stall at -80..-107 where direct
annealing reaches -118.85). This sampler anneals the polynomial itself: single-variable
Metropolis sweeps over a geometric inverse-temperature schedule, with the energy change of a
flip computed from the terms that contain the variable (term adjacency) and updated
incrementally on acceptance. A zero-cost flip (a tie) is accepted with probability 1/2, not
always: the zero-one losses of the catalogue have wide plateaus, and always accepting ties makes
every cold sweep the same deterministic map, which cycles over a plateau without ever reaching its
exit (on fawaz-p2 that left 46% of reads at loss 2-4 whatever the number of sweeps). Many reads
run at once: in parallel threads with numba (the ``fast`` extra) when the anneal is large enough
to pay for them, or vectorized over reads with numpy otherwise.

Examples:
    >>> import dimod
    >>> from anneal_binn.solvers.hubo_sa import HuboSimulatedAnnealingSampler
    >>> poly = dimod.BinaryPolynomial({(0, 1, 2): -3.0, (0,): 1.0, (1, 2): 0.5}, "BINARY")
    >>> ss = HuboSimulatedAnnealingSampler().sample_poly(poly, num_reads=8, seed=1)
    >>> float(ss.first.energy)
    -1.5
"""
from __future__ import annotations

import math
import time
from typing import Any

import dimod
import numpy as np

from anneal_binn.polynomial import CompiledPolynomial
from anneal_binn.solvers._common import as_polynomial, check_num_reads, make_rng, sampleset


def sampled_deltas(cp: CompiledPolynomial, num_states: int = 16) -> np.ndarray:
    """|energy change| of every single flip from ``num_states`` random states, (num_states, n).

    Computed from the term adjacency in O(nonzeros) per state (compiled when numba is installed:
    this runs on every ``sample_poly`` and was a third of a small anneal's time), with a fixed seed:
    the beta range is a property of the problem, not of the run's seed.
    """
    X = np.random.default_rng(0).integers(0, 2, (num_states, cp.num_variables)).astype(np.int8)
    if cp.spin:
        X = 2 * X - 1
    if _numba_available() and cp.num_terms:
        from anneal_binn.solvers import _hubo_sa_numba

        return _hubo_sa_numba.flip_costs(X, cp.spin, cp.coef, cp.term_ptr, cp.term_vars, cp.var_ptr, cp.var_terms)
    return _sampled_deltas_numpy(cp, X)


def _sampled_deltas_numpy(cp: CompiledPolynomial, X: np.ndarray) -> np.ndarray:
    n = cp.num_variables
    owner = np.repeat(np.arange(n), np.diff(cp.var_ptr))  # variable of each var_terms entry
    out = np.empty(X.shape)
    for k, x in enumerate(X):
        if cp.spin:
            sign = np.multiply.reduceat(x[cp.term_vars], cp.term_ptr[:-1]) if cp.num_terms else np.zeros(0)
            d = -2.0 * np.bincount(owner, weights=cp.coef[cp.var_terms] * sign[cp.var_terms], minlength=n)
        else:
            zeros = np.add.reduceat((x[cp.term_vars] == 0).astype(np.int64), cp.term_ptr[:-1]) \
                if cp.num_terms else np.zeros(0, dtype=np.int64)
            live = zeros[cp.var_terms] - (1 - x[owner]) == 0
            d = np.bincount(owner, weights=cp.coef[cp.var_terms] * live, minlength=n)
        out[k] = np.abs(d)
    return out


def default_beta_range(cp: CompiledPolynomial) -> tuple[float, float]:
    """Inverse temperatures (hot, cold) for a polynomial.

    Hot end: the largest single-flip energy change seen from 16 random states is accepted with
    probability 1/2 (the sum of |biases| per variable, dwave-samplers' bound, is far too hot for
    dense Fourier HUBOs whose terms largely cancel). Cold end: the smallest nonzero change
    (the smaller of the smallest |bias| and the smallest sampled change) is accepted with
    probability 1e-6, so the last sweeps are a descent.
    """
    if cp.num_terms == 0:
        return 0.1, 1.0
    scale = 2.0 if cp.spin else 1.0
    abs_coef = np.abs(cp.coef)
    nonzero = abs_coef[abs_coef > 0]
    d = sampled_deltas(cp)
    max_delta = float(d.max()) if d.size and d.max() > 0 else scale * float(nonzero.max())
    dn = d[d > 1e-12 * max_delta]
    min_delta = min(scale * float(nonzero.min()), float(dn.min()) if dn.size else np.inf)
    hot = math.log(2.0) / max_delta
    cold = math.log(1e6) / min_delta
    return hot, max(cold, hot)


PARALLEL_WORK = 2_000_000  # reads x sweeps x term memberships above which reads run in threads


def _numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def tie_tolerance(cp: CompiledPolynomial) -> float:
    """Energy changes within this of zero are ties (zero-cost flips), accepted with probability 1/2.

    Incremental local fields drift by rounding, so an exact zero test would call a plateau move
    uphill or downhill at random; 1e-9 of the largest |coefficient| is far above that drift and far
    below any real energy difference of the catalogue's HUBOs.

    Examples:
        >>> import dimod
        >>> cp = CompiledPolynomial.from_polynomial(dimod.BinaryPolynomial({(0, 1): -4.0}, "BINARY"))
        >>> tie_tolerance(cp)
        4e-09
    """
    return 1e-9 * float(np.abs(cp.coef).max()) if cp.num_terms else 0.0


def _anneal_numpy(states: np.ndarray, cp: CompiledPolynomial, betas: np.ndarray, rng: np.random.Generator) -> None:
    """The same anneal vectorized over reads (fallback without numba); updates ``states`` in place."""
    R, n = states.shape
    T = cp.num_terms
    adj = [cp.var_terms[cp.var_ptr[i]:cp.var_ptr[i + 1]] for i in range(n)]
    if cp.spin:
        cols = states[:, cp.term_vars].astype(np.int8)
        sign = np.multiply.reduceat(cols, cp.term_ptr[:-1], axis=1).astype(np.int8) if T else np.ones((R, 0), np.int8)
    else:
        cols = (states[:, cp.term_vars] == 0).astype(np.int32)
        zeros = np.add.reduceat(cols, cp.term_ptr[:-1], axis=1).astype(np.int32) if T else np.zeros((R, 0), np.int32)
    tie = tie_tolerance(cp)
    for beta in betas:
        u = rng.random((n, R))
        for i in range(n):
            ts = adj[i]
            if not len(ts):
                # a free variable: every flip is a tie, accepted with probability 1/2
                rows = u[i] < 0.5
                states[rows, i] = -states[rows, i] if cp.spin else 1 - states[rows, i]
                continue
            c = cp.coef[ts]
            if cp.spin:
                d = -2.0 * (sign[:, ts] @ c)
            else:
                xi = states[:, i]
                target = (1 - xi)[:, None]
                d = (zeros[:, ts] == target) @ c
                d = np.where(xi == 1, -d, d)
            with np.errstate(over="ignore"):
                # ties (zero-cost flips) are accepted with probability 1/2: always accepting them
                # makes the cold sweeps a deterministic cycle on a plateau that can miss its exit
                acc = np.where(np.abs(d) <= tie, u[i] < 0.5, (d < 0) | (u[i] < np.exp(-beta * d)))
            if not acc.any():
                continue
            rows = np.nonzero(acc)[0]
            if cp.spin:
                states[rows, i] = -states[rows, i]
                sign[np.ix_(rows, ts)] *= -1
            else:
                step = np.where(states[rows, i] == 1, 1, -1).astype(np.int32)
                states[rows, i] = 1 - states[rows, i]
                zeros[np.ix_(rows, ts)] += step[:, None]


class HuboSimulatedAnnealingSampler(dimod.PolySampler):
    """Simulated annealing of a HUBO (BINARY or SPIN ``dimod.BinaryPolynomial``), no reduction.

    Args:
        num_sweeps: default sweeps per read (one sweep = one Metropolis attempt per variable).
        backend: ``"auto"`` (numba when installed), ``"numba"`` or ``"numpy"``.
        **defaults: default values for any :meth:`sample_poly` parameter.

    Examples:
        >>> import dimod
        >>> poly = dimod.BinaryPolynomial({(0, 1): -1.0, (0, 1, 2): 2.0}, "SPIN")
        >>> ss = HuboSimulatedAnnealingSampler(backend="numpy").sample_poly(poly, num_reads=4, seed=0)
        >>> float(ss.first.energy)
        -3.0
    """

    def __init__(self, num_sweeps: int = 1000, backend: str = "auto", **defaults: Any):
        if backend not in ("auto", "numba", "numpy"):
            raise ValueError(f"backend: must be 'auto', 'numba' or 'numpy', got {backend!r}")
        self.backend = backend
        self.defaults = {"num_sweeps": num_sweeps, **defaults}
        # the numba kernels are compiled (or loaded from numba's cache) on the first numba
        # sample_poly, not here: building a sampler -- the registry does for every listing --
        # must not cost seconds nor need numba at all
        self._properties = {"backend": backend}
        self._parameters = {
            "num_reads": [], "num_sweeps": [], "beta_range": [], "beta_schedule_type": [],
            "seed": [], "initial_states": [],
        }

    @property
    def properties(self) -> dict:
        return self._properties

    @property
    def parameters(self) -> dict:
        return self._parameters

    def sample_poly(self, polynomial: dimod.BinaryPolynomial, **kwargs: Any) -> dimod.SampleSet:
        """Anneal ``polynomial``.

        Args:
            polynomial: the HUBO, BINARY or SPIN; the samples come back in its vartype.
            num_reads: independent anneals (default 1).
            num_sweeps: sweeps per anneal (default 1000).
            beta_range: (hot, cold) inverse temperatures; default from the biases.
            beta_schedule_type: ``"geometric"`` (default) or ``"linear"``.
            seed: int seed; the same seed gives the same samples for a given backend.
            initial_states: optional (num_reads, n) array in the polynomial's vartype, columns in
                sorted variable order.

        Returns:
            One row per read, energies of the polynomial, ``info`` with the beta range, backend, timing.
        """
        from anneal_binn.solvers._common import drop_unknown_kwargs

        opts = {**self.defaults, **drop_unknown_kwargs(self, dict(kwargs))}  # dimod's policy: warn, drop
        poly = as_polynomial(polynomial)
        num_reads = check_num_reads(opts.get("num_reads"))
        num_sweeps = opts.get("num_sweeps", 1000)
        if not isinstance(num_sweeps, (int, np.integer)) or num_sweeps < 1:
            raise ValueError(f"num_sweeps: must be a positive int, got {num_sweeps!r}")
        rng = make_rng(opts.get("seed"))
        cp = CompiledPolynomial.from_polynomial(poly)
        n = cp.num_variables
        hot, cold = opts.get("beta_range") or default_beta_range(cp)
        if not (0 < hot <= cold):
            raise ValueError(f"beta_range: need 0 < hot <= cold, got {(hot, cold)!r}")
        kind = opts.get("beta_schedule_type", "geometric")
        if kind == "geometric":
            betas = np.geomspace(hot, cold, int(num_sweeps))
        elif kind == "linear":
            betas = np.linspace(hot, cold, int(num_sweeps))
        else:
            raise ValueError(f"beta_schedule_type: must be 'geometric' or 'linear', got {kind!r}")

        init = opts.get("initial_states")
        if init is not None:
            states = np.array(init, dtype=np.int8).reshape(-1, n)
            if states.shape[0] != num_reads:
                raise ValueError(f"initial_states: need {num_reads} rows (num_reads), got {states.shape[0]}")
            allowed = (-1, 1) if cp.spin else (0, 1)
            if not np.isin(states, allowed).all():
                raise ValueError(f"initial_states: values must be in {allowed} for a {poly.vartype.name} polynomial")
        else:
            states = rng.integers(0, 2, size=(num_reads, n), dtype=np.int8)
            if cp.spin:
                states = 2 * states - 1
        backend = self.backend
        if backend == "auto":
            backend = "numba" if _numba_available() else "numpy"
        t0 = time.perf_counter()
        if n == 0:
            backend = "none"  # no variables: nothing to anneal
        elif backend == "numba":
            from anneal_binn.errors import require

            require("numba", "fast")
            from anneal_binn.solvers import _hubo_sa_numba

            t_compile = time.perf_counter()
            _hubo_sa_numba.warm_up()  # first use compiles; kept out of the anneal timing below
            t0 += time.perf_counter() - t_compile
            seeds = rng.integers(1, 2**63 - 1, size=num_reads, dtype=np.int64).astype(np.uint64)
            # threads pay off only past ~1e6 field updates; below that their start-up dominates
            work = num_reads * int(num_sweeps) * max(len(cp.var_terms), 1)
            kernel = _hubo_sa_numba.anneal if work > PARALLEL_WORK else _hubo_sa_numba.anneal_serial
            energies = cp.offset + kernel(states, cp.spin, cp.coef, cp.term_ptr, cp.term_vars, cp.var_ptr,
                                          cp.var_terms, betas, tie_tolerance(cp), seeds)
        else:
            _anneal_numpy(states, cp, betas, rng)
        elapsed = time.perf_counter() - t0
        if backend != "numba":
            energies = cp.energies(states)
        info = {"beta_range": [float(hot), float(cold)], "num_sweeps": int(num_sweeps), "backend": backend,
                "timing": {"anneal_s": elapsed}}
        return sampleset(states, energies, cp.variables, poly.vartype, info)
