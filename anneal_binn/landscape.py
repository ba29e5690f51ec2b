"""Exact loss landscape of all 2^N configurations, and its Fourier (Walsh–Hadamard) HUBO.

The landscape is computed in chunks of configurations so memory stays bounded. When the
first layer has no connection masks, its pre-activations are additive over the first-layer
weight and bias bits, so a table over the lowest ``k`` of those bits is built once by doubling
(each new bit adds ``±x_i`` to one unit: O(P) per configuration, the same saving as a Gray-code
walk) and every chunk only adds the contribution of the higher bits. The cost per configuration
then drops from O(N·P) to O(units·P) for the first layer. Single-unit nets (logistic
regression, perceptrons) go further with a compiled Gray-code walk when numba is installed
(:mod:`anneal_binn.landscape_kernels`).

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
from anneal_binn.polynomial import dense_to_poly, mobius, popcount, spin_coefficients, spin_values

DEFAULT_LIMIT = 26
CHUNK_BYTES = 4 * 2**20  # working memory per chunk of configurations (cache-friendly; measured best)
ASSUMED_RATE = 2e8  # configurations·samples per second, for the refusal message's time estimate


def _units(net) -> int:
    return sum(layer.max_width for layer in net.arch.layers)


def check_size(num_variables: int, num_samples: int, limit: int = DEFAULT_LIMIT) -> None:
    """Refuse an exact landscape beyond ``limit`` variables, saying what it would need."""
    if num_variables > limit:
        mem = 8 * 2**num_variables
        secs = 2**num_variables * max(num_samples, 1) / ASSUMED_RATE
        raise TooLargeError(
            f"the exact landscape of N = {num_variables} variables has 2^{num_variables} = "
            f"{2**num_variables:,} configurations: it needs {mem / 2**30:,.1f} GiB to store and about "
            f"{secs:,.0f} s to compute over {num_samples} samples (at {ASSUMED_RATE:.0e} configurations·samples/s). "
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

def hubo_from_landscape(values: np.ndarray, vartype=dimod.BINARY, atol: float = 0.0) -> dimod.BinaryPolynomial:
    """The exact HUBO of a landscape: Möbius coefficients (BINARY) or Fourier coefficients (SPIN)."""
    vartype = dimod.as_vartype(vartype)
    coeffs = mobius(values) if vartype is dimod.BINARY else spin_coefficients(values)
    return dense_to_poly(coeffs, vartype, atol=atol)


def walsh_spectrum(values: np.ndarray) -> np.ndarray:
    """W(S) of seed 002 Eq. 9: sum of squared Fourier coefficients of Pauli weight S = 0..N."""
    f = spin_coefficients(values)
    n = values.size.bit_length() - 1
    return np.bincount(popcount(np.arange(values.size)), weights=f * f, minlength=n + 1)


@dataclass(frozen=True)
class Truncation:
    """What truncating the Fourier HUBO kept and what it cost.

    Attributes:
        kept_terms, dropped_terms: numbers of nonzero SPIN monomials kept and dropped.
        rms_error, max_error: truncated polynomial vs the true landscape over all configurations.
        ground_state: index of the truncated polynomial's minimum (bit i = variable i).
        ground_state_loss: its true loss; optimum: the true minimum.
        rank: 1 + number of configurations with a strictly smaller true loss (1 = optimal).
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

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def truncate(values: np.ndarray, max_degree: int | None = None, threshold: float | None = None,
             vartype=dimod.BINARY) -> tuple[dimod.BinaryPolynomial, Truncation]:
    """Keep the Fourier terms of degree <= max_degree and |coefficient| >= threshold.

    Truncation is done on the SPIN (orthogonal) coefficients, so the RMS error is the root of
    the dropped squared coefficients (Parseval). The result is returned in ``vartype``.
    """
    f = spin_coefficients(values)
    n = values.size.bit_length() - 1
    keep = f != 0
    nonzero = int(keep.sum())
    if max_degree is not None:
        keep &= popcount(np.arange(values.size)) <= max_degree
    if threshold is not None:
        keep &= np.abs(f) >= threshold
    keep[0] = True  # the constant never hurts the optimization and keeps losses comparable
    ft = np.where(keep, f, 0.0)
    approx = spin_values(ft)
    g = int(np.argmin(approx))
    tol = 1e-12 * max(1.0, float(np.abs(values).max()))
    rank = 1 + int((values < values[g] - tol).sum())
    info = Truncation(
        max_degree, threshold, int((ft != 0).sum()), nonzero - int((ft != 0).sum()),
        float(np.sqrt(np.mean((approx - values) ** 2))), float(np.abs(approx - values).max()),
        g, float(values[g]), float(values.min()), rank,
    )
    vartype = dimod.as_vartype(vartype)
    coeffs = ft if vartype is dimod.SPIN else mobius(approx)
    if vartype is dimod.BINARY:
        coeffs[np.abs(coeffs) < 1e-12 * max(1.0, float(np.abs(values).max()))] = 0.0
    return dense_to_poly(coeffs, vartype), info
