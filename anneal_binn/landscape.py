"""Exact loss landscape of all 2^N configurations, and its Fourier (Walsh–Hadamard) HUBO.

The landscape is computed in chunks of configurations so memory stays bounded. When the
first layer has no connection masks, its pre-activations are additive over the first-layer
weight and bias bits, so a table over the lowest ``k`` of those bits is built once by doubling
(each new bit adds ``±x_i`` to one unit: O(P) per configuration, the same saving as a Gray-code
walk) and every chunk only adds the contribution of the higher bits. The cost per configuration
then drops from O(N·P) to O(units·P) for the first layer. Nets with one output unit after at
most one hidden layer (logistic regression, perceptrons, the Gaussian-mixture nets; zero-one, MSE
and BCE losses) go further with a fused compiled Gray-code walk when numba is installed
(:mod:`anneal_binn.landscape_kernels`): O(P) per configuration with a vectorized softplus, about
25x the plain numpy forward pass on the BCE specs (``benchmarks/landscape.py``).

Examples:
    >>> import anneal_binn as ab
    >>> L = ab.build(ab.load_spec("fawaz-p1")).landscape()
    >>> int((L == 0).sum())
    8
"""
from __future__ import annotations

from dataclasses import dataclass

import dimod
import numpy as np

from anneal_binn.errors import TooLargeError
from anneal_binn.model.architecture import index_to_bits
from anneal_binn.polynomial import check_dense, dense_to_poly, mobius, popcount, spin_coefficients, spin_values, zeta

DEFAULT_LIMIT = 26
CHUNK_BYTES = 4 * 2**20  # working memory per chunk of configurations (cache-friendly; measured best)
ASSUMED_RATE = 2e8  # configurations·samples per second, for the refusal message's time estimate


def _units(net) -> int:
    return sum(layer.max_width for layer in net.arch.layers)


def check_size(num_variables: int, num_samples: int, limit: int = DEFAULT_LIMIT) -> None:
    """Refuse an exact landscape beyond ``limit`` variables, saying what it would need."""
    if num_variables > limit:
        import math

        # in logarithms: at widths of millions 2^N overflows a float
        log2_mem = num_variables + 3 - 30  # GiB
        log10_secs = num_variables * math.log10(2) + math.log10(max(num_samples, 1)) - math.log10(ASSUMED_RATE)
        count = f"{2**num_variables:,}" if num_variables <= 64 else f"about 10^{num_variables * math.log10(2):,.0f}"
        mem = f"{2.0**log2_mem:,.1f} GiB" if log2_mem < 40 else f"2^{log2_mem:,} GiB"
        secs = f"{10**log10_secs:,.0f} s" if log10_secs < 15 else f"10^{log10_secs:,.0f} s"
        raise TooLargeError(
            f"the exact landscape of N = {num_variables} variables has 2^{num_variables} = "
            f"{count} configurations: it needs {mem} to store and about "
            f"{secs} to compute over {num_samples} samples (at {ASSUMED_RATE:.0e} configurations·samples/s). "
            f"The limit is N <= {limit}; raise it with limit=..., or use to_hubo(method='symbolic'/'auxiliary') "
            f"and a heuristic solver."
        )


def _fast_prefix(net, k_max: int) -> int:
    """Number of low variables (0..k-1) that are first-layer weights/biases with no masks."""
    reg = net.register
    if reg.mask_index[0] is not None:
        return 0
    k = 0
    while k < min(k_max, reg.num_variables) and reg.roles[k].layer == 0 and reg.roles[k].kind in ("weight", "bias"):
        k += 1
    return k


def _low_table(net, X: np.ndarray, k: int) -> np.ndarray:
    """First-layer pre-activation contributions of the low k bits for all 2^k settings: (2^k, units, P)."""
    reg = net.register
    units = net.arch.layers[0].max_width
    table = np.zeros((1, units, X.shape[0]))
    for v in range(k):
        role = reg.roles[v]
        delta = np.zeros((units, X.shape[0]))
        delta[role.unit] = X[:, role.input] if role.kind == "weight" else 1.0
        table = np.concatenate([table - delta, table + delta])  # bit v = 0 → -delta, 1 → +delta
    return table


def compute(net, X: np.ndarray, y: np.ndarray, limit: int = DEFAULT_LIMIT, fast: bool = True,
            chunk_bytes: int = CHUNK_BYTES) -> np.ndarray:
    """Loss of every configuration, index order (bit i of the index = variable i)."""
    n = net.num_variables
    P = X.shape[0]
    check_size(n, P, limit)
    if fast and n >= 10:
        from anneal_binn import landscape_kernels

        if landscape_kernels.supports(net) and landscape_kernels.available():
            return landscape_kernels.compute(net, X, y)
    out = np.empty(1 << n)
    width = max(_units(net), 1)
    per_config = 8 * P * width * 4  # pre-activations, activations and temporaries
    chunk = max(1, chunk_bytes // per_config)
    k = _fast_prefix(net, max(0, int(np.log2(max(chunk, 1))))) if fast else 0
    if k >= 8:  # below 256 table entries the plain path is as fast (measured)
        table = _low_table(net, X, k)
        block = 1 << k
        highs_per_chunk = max(1, chunk // block)
        num_high = 1 << (n - k)
        for h0 in range(0, num_high, highs_per_chunk):
            highs = np.arange(h0, min(h0 + highs_per_chunk, num_high), dtype=np.int64)
            base_bits = index_to_bits(highs << k, n)  # low bits all 0
            z_high = net.preactivation0(base_bits, X) - table[0][None]
            z0 = (z_high[:, None] + table[None]).reshape(-1, *table.shape[1:])
            idx = (highs[:, None] << k | np.arange(block)[None, :]).ravel()
            out[idx[0]: idx[-1] + 1] = net.losses(index_to_bits(idx, n), X, y, z0=z0)
    else:
        for c0 in range(0, 1 << n, chunk):
            idx = np.arange(c0, min(c0 + chunk, 1 << n), dtype=np.int64)
            out[c0: c0 + len(idx)] = net.losses(index_to_bits(idx, n), X, y)
    return out


# -- Fourier analysis -------------------------------------------------------------------------

DEFAULT_RTOL = 1e-10  # error budget of the round-off drop, relative to max |landscape|
BIT_ORDERS = ("lsb", "msb")


@dataclass(frozen=True)
class HuboInfo:
    """What building a HUBO from a landscape dropped, and the error that can cause.

    Every dropped monomial is a product of 0/1 (BINARY) or ±1 (SPIN) factors, so it changes the
    energy of any configuration by at most ``|coefficient|``: over all 2^N configurations,
    ``max |HUBO(x) - values[x]| <= error_bound = sum of |dropped coefficients|`` (plus the
    rounding of the transform itself, ~1e-16 · max|values| per term).

    Attributes:
        kept_terms: nonzero monomials in the HUBO (the constant included).
        dropped_terms: nonzero coefficients left out.
        error_bound: sum of their magnitudes, the bound above.
        tolerance: the budget ``rtol · max|values|`` the smallest coefficients were dropped within.
        rtol, atol: the tolerances asked for.
    """

    kept_terms: int
    dropped_terms: int
    error_bound: float
    tolerance: float
    rtol: float
    atol: float

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def drop_small(coefficients: np.ndarray, budget: float, atol: float = 0.0) -> tuple[np.ndarray, int, float]:
    """Zero the smallest coefficients whose magnitudes sum to at most ``budget``.

    Coefficients with ``|c| <= atol`` are zeroed first whatever their sum; then the smallest of the
    rest, in increasing magnitude (ties by index, so the result is deterministic), while the running
    sum stays within ``budget``. The constant (index 0) is always kept. Dropping by a *total*
    rather than a per-term threshold is what makes the error provable: the energy of any
    configuration moves by at most the sum returned, however many terms go.

    Args:
        coefficients: dense bitmask-indexed coefficients (not modified).
        budget: the largest total magnitude the rtol step may drop (>= 0).
        atol: drop every ``|c| <= atol`` (its magnitude is counted in the returned sum).

    Returns:
        ``(kept coefficients, number of nonzero coefficients dropped, sum of their magnitudes)``.

    Examples:
        >>> c, k, err = drop_small(np.array([5.0, 1e-13, -3e-13, 2.0]), budget=5e-13)
        >>> c.tolist(), k, err
        ([5.0, 0.0, 0.0, 2.0], 2, 4e-13)
    """
    c = np.array(coefficients, dtype=np.float64)
    a = np.abs(c)
    a[0] = np.inf  # never the constant
    dropped = (a <= atol) & (a > 0)
    total = float(a[dropped].sum())
    count = int(dropped.sum())
    c[a <= atol] = 0.0
    if budget > 0:
        cand = np.flatnonzero((c != 0) & np.isfinite(a))
        order = cand[np.argsort(a[cand], kind="stable")]
        k = int(np.searchsorted(np.cumsum(a[order]), budget, side="right"))
        c[order[:k]] = 0.0
        count += k
        total += float(a[order[:k]].sum())
    return c, count, total


def _check_rtol(rtol: float, atol: float) -> None:
    if not (np.isfinite(rtol) and rtol >= 0):
        raise ValueError(f"rtol: must be a finite number >= 0 (0 keeps every term), got {rtol!r}")
    if not (np.isfinite(atol) and atol >= 0):
        raise ValueError(f"atol: must be a finite number >= 0, got {atol!r}")


def fourier_hubo(values: np.ndarray, vartype=dimod.BINARY, *, rtol: float = DEFAULT_RTOL,
                 atol: float = 0.0) -> tuple[dimod.BinaryPolynomial, HuboInfo]:
    """The HUBO of a landscape (bit i of the index = variable i) and what dropping round-off cost.

    The exact transform of a real landscape has a nonzero coefficient for nearly every one of its
    2^N monomials, many of them floating-point round-off: on ``mnist4x4-logistic`` 47,310 of the
    129,890 nonzero BINARY coefficients fit within a total of 1e-10 · max|L|. They change no energy
    measurably yet make every reduction and annealer pay for each term, so the smallest
    coefficients are dropped while their magnitudes sum to at most ``rtol · max|values|``
    (see :func:`drop_small`), which bounds the error at every configuration by the same amount.

    Args:
        values: the 2^N losses, index order (bit i of the index = variable i).
        vartype: ``"BINARY"`` (Möbius coefficients) or ``"SPIN"`` (Fourier coefficients).
        rtol: error budget relative to ``max|values|``; 0 keeps every nonzero term.
        atol: also drop every ``|coefficient| <= atol`` (counted in the bound).

    Returns:
        ``(poly, info)``; ``info.error_bound`` bounds ``|poly(x) - values[x]|`` over all x.

    Examples:
        >>> L = np.array([1.0, 2.0, 3.0, 4.0 + 1e-15])   # x0 + 2 x1 + 1, plus round-off
        >>> poly, info = fourier_hubo(L)
        >>> sorted((tuple(t), c) for t, c in poly.items())
        [((), 1.0), ((0,), 1.0), ((1,), 2.0)]
        >>> info.dropped_terms, info.error_bound <= 1e-10 * 4
        (1, True)
    """
    _check_rtol(rtol, atol)
    vartype = dimod.as_vartype(vartype)
    values = np.asarray(values, dtype=np.float64)
    coeffs = mobius(values) if vartype is dimod.BINARY else spin_coefficients(values)
    scale = float(np.abs(values).max()) if values.size else 0.0
    kept, count, total = drop_small(coeffs, rtol * scale, atol)
    info = HuboInfo(int(np.count_nonzero(kept)), count, total, rtol * scale, float(rtol), float(atol))
    return dense_to_poly(kept, vartype), info


def hubo_from_landscape(values: np.ndarray, vartype=dimod.BINARY, atol: float = 0.0,
                        rtol: float = DEFAULT_RTOL) -> dimod.BinaryPolynomial:
    """The HUBO of a landscape: Möbius coefficients (BINARY) or Fourier coefficients (SPIN).

    Round-off terms are dropped within ``rtol · max|values|`` in total (see :func:`fourier_hubo`,
    which also returns the error bound); ``rtol=0`` keeps every nonzero coefficient.

    Examples:
        >>> sorted(hubo_from_landscape(np.array([0.0, 1.0, 1.0, 3.0])).items(), key=lambda tc: len(tc[0]))
        [(frozenset({0}), 1.0), (frozenset({1}), 1.0), (frozenset({0, 1}), 1.0)]
    """
    return fourier_hubo(values, vartype, rtol=rtol, atol=atol)[0]


def bit_reverse(num_bits: int) -> np.ndarray:
    """Permutation reversing the ``num_bits``-bit pattern of every index < 2^num_bits.

    Examples:
        >>> bit_reverse(3).tolist()
        [0, 4, 2, 6, 1, 5, 3, 7]
    """
    k = np.arange(1 << num_bits, dtype=np.int64)
    out = np.zeros_like(k)
    for i in range(num_bits):
        out |= ((k >> i) & 1) << (num_bits - 1 - i)
    return out


def hubo_from_values(values, bit_order: str = "lsb", vartype=dimod.BINARY, *, rtol: float = DEFAULT_RTOL,
                     atol: float = 0.0, return_info: bool = False):
    """The HUBO of your own landscape: a vector of 2^N losses, one per configuration.

    Variables are the integers ``0..N-1``; ``bit_order`` says how an index of ``values`` encodes
    them:

    * ``"lsb"``: bit ``i`` of the index (value ``2^i``) is variable ``i`` -- the package's order,
      what :meth:`Problem.landscape` returns;
    * ``"msb"``: the most significant bit of the index is variable 0, i.e. variable ``i`` is bit
      ``N-1-i``, the order of seed 002's published ``Cop_4x4.txt`` (reading the index as the
      binary string ``x0 x1 ... x_{N-1}``).

    A bit value 1 is ``x = 1`` in BINARY form and spin ``+1`` in SPIN form. Round-off terms are
    dropped within ``rtol · max|values|`` in total (:func:`fourier_hubo`); ``rtol=0`` keeps all.

    Args:
        values: 1-D sequence of 2^N finite numbers.
        bit_order: ``"lsb"`` or ``"msb"``, as above.
        vartype: ``"BINARY"`` or ``"SPIN"``.
        rtol, atol: see :func:`fourier_hubo`.
        return_info: also return the :class:`HuboInfo` (error bound of the dropped terms).

    Returns:
        The ``dimod.BinaryPolynomial``, or ``(poly, info)`` with ``return_info=True``.

    Raises:
        ValueError: the length is not a power of two, a value is not finite, or an option is unknown.

    Examples:
        >>> p = hubo_from_values([0.0, 1.0, 2.0, 3.0], bit_order="msb")   # index = 2*x0 + x1
        >>> sorted((tuple(t), c) for t, c in p.items())
        [((0,), 2.0), ((1,), 1.0)]
    """
    if bit_order not in BIT_ORDERS:
        raise ValueError(f"bit_order: must be 'lsb' (bit i of the index = variable i) or 'msb' "
                         f"(the most significant bit = variable 0), got {bit_order!r}")
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"values: expected a 1-D vector of 2^N losses, got an array of shape {arr.shape}; flatten it")
    size = arr.size
    n = size.bit_length() - 1
    if size == 0 or size != 1 << n:
        below = 1 << max(n, 0)
        raise ValueError(f"values: length {size:,} is not a power of two; give one loss per configuration "
                         f"of N variables, 2^N values (e.g. {below:,} or {below * 2:,})")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ValueError(f"values: {bad.size} value(s) are not finite (first at index {int(bad[0])}: "
                         f"{arr[bad[0]]}); replace them with finite losses")
    check_dense(n, DEFAULT_LIMIT, "a HUBO from 2^N values")
    if bit_order == "msb":
        arr = arr[bit_reverse(n)]  # lsb index j holds the msb index whose bit pattern is j reversed
    poly, info = fourier_hubo(arr, vartype, rtol=rtol, atol=atol)
    return (poly, info) if return_info else poly


def walsh_spectrum(values: np.ndarray) -> np.ndarray:
    """W(S) of seed 002 Eq. 9: sum of squared Fourier coefficients of Pauli weight S = 0..N."""
    f = spin_coefficients(values)
    n = values.size.bit_length() - 1
    return np.bincount(popcount(np.arange(values.size)), weights=f * f, minlength=n + 1)


@dataclass(frozen=True)
class Truncation:
    """What truncating the Fourier HUBO kept and what it cost.

    Attributes:
        kept_terms, dropped_terms: numbers of nonzero SPIN monomials kept and dropped by the
            degree/threshold truncation (and, for SPIN output, the round-off drop).
        rms_error, max_error: the returned polynomial vs the true landscape over all configurations.
        ground_state: index of the returned polynomial's minimum (bit i = variable i).
        ground_state_loss: its true loss; optimum: the true minimum.
        rank: 1 + number of configurations with a strictly smaller true loss (1 = optimal).
        rtol: the round-off budget asked for, relative to max|landscape|.
        roundoff_terms: coefficients of the returned vartype dropped as round-off.
        roundoff_bound: the sum of their magnitudes, which bounds the energy change they cause at
            any configuration (``max_error`` is the exact total, truncation included).
    """

    max_degree: int | None
    threshold: float | None
    kept_terms: int
    dropped_terms: int
    rms_error: float
    max_error: float
    ground_state: int
    ground_state_loss: float
    optimum: float
    rank: int
    rtol: float = DEFAULT_RTOL
    roundoff_terms: int = 0
    roundoff_bound: float = 0.0

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def truncate(values: np.ndarray, max_degree: int | None = None, threshold: float | None = None,
             vartype=dimod.BINARY, rtol: float = DEFAULT_RTOL) -> tuple[dimod.BinaryPolynomial, Truncation]:
    """Keep the Fourier terms of degree <= max_degree and |coefficient| >= threshold.

    Truncation is done on the SPIN (orthogonal) coefficients, so the RMS error is the root of
    the dropped squared coefficients (Parseval). The result is returned in ``vartype``, whose
    coefficients then lose their round-off within ``rtol · max|values|`` in total (as in
    :func:`fourier_hubo`; ``rtol=0`` keeps them all). The report is computed from the returned
    polynomial itself, so ``max_error`` includes both.

    Examples:
        >>> L = np.array([0.0, 1.0, 1.0, 3.0])        # x0 + x1 + x0 x1
        >>> poly, t = truncate(L, max_degree=1)
        >>> t.kept_terms, t.dropped_terms, t.max_error, t.rank
        (3, 1, 0.25, 1)
    """
    _check_rtol(rtol, 0.0)
    values = np.asarray(values, dtype=np.float64)
    f = spin_coefficients(values)
    keep = f != 0
    nonzero = int(keep.sum())
    if max_degree is not None:
        keep &= popcount(np.arange(values.size)) <= max_degree
    if threshold is not None:
        keep &= np.abs(f) >= threshold
    keep[0] = True  # the constant never hurts the optimization and keeps losses comparable
    ft = np.where(keep, f, 0.0)
    budget = rtol * float(np.abs(values).max())
    vartype = dimod.as_vartype(vartype)
    if vartype is dimod.SPIN:
        coeffs, rounded, bound = drop_small(ft, budget)
        approx = spin_values(coeffs)
        kept = int(np.count_nonzero(coeffs))
    else:
        # the Möbius transform of the truncated function makes round-off of its own: drop it there
        coeffs, rounded, bound = drop_small(mobius(spin_values(ft)), budget)
        approx = zeta(coeffs)
        kept = int(np.count_nonzero(ft))
    g = int(np.argmin(approx))
    tol = 1e-12 * max(1.0, float(np.abs(values).max()))
    rank = 1 + int((values < values[g] - tol).sum())
    info = Truncation(
        max_degree, threshold, kept, nonzero - kept,
        float(np.sqrt(np.mean((approx - values) ** 2))), float(np.abs(approx - values).max()),
        g, float(values[g]), float(values.min()), rank, float(rtol), rounded, bound,
    )
    return dense_to_poly(coeffs, vartype), info
