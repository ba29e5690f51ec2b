"""Polynomial fits of activations and losses on an interval, with the fit error reported.

The symbolic route needs polynomial activations; sigmoid, tanh, ReLU or sign are replaced by a
polynomial of a degree the user picks, fitted on an interval that should cover the
pre-activations the net can produce. Two fits:

* ``"chebyshev"``: interpolation at the Chebyshev points of the interval (near-minimax,
  no grid to choose);
* ``"lstsq"``: least squares on a uniform grid of the interval.

Either way the error is measured on a fine uniform grid of the interval and reported
(:attr:`PolyFit.max_error`, :attr:`PolyFit.rms_error`); outside the interval a fit is
unreliable, which the record says by carrying its interval.

Examples:
    >>> fit = fit_function("tanh", degree=3, interval=(-2.0, 2.0))
    >>> [round(c, 4) for c in fit.coeffs]
    [0.0, 0.9094, 0.0, -0.1155]
    >>> round(fit.max_error, 3)
    0.071
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

_NUM_CHECK = 4001


def _sympy_functions() -> dict:
    import sympy

    return {
        "sigmoid": lambda z: 1 / (1 + sympy.exp(-z)),
        "tanh": sympy.tanh,
        "relu": lambda z: sympy.Max(z, 0),
        "sign": lambda z: sympy.Piecewise((1, z >= 0), (-1, True)),
        "identity": lambda z: z,
        "softplus": lambda z: sympy.log(1 + sympy.exp(z)),
    }


def _numpy_function(name: str) -> Callable[[np.ndarray], np.ndarray]:
    from anneal_binn.model.activations import ACTIVATIONS

    if name in ACTIVATIONS:
        return ACTIVATIONS[name]
    if name == "softplus":
        return lambda z: np.logaddexp(0.0, z)
    raise ValueError(
        f"func: unknown function {name!r}; use one of {', '.join(sorted(set(ACTIVATIONS) | {'softplus'}))}, "
        "a sympy expression in one symbol, or a callable"
    )


@dataclass(frozen=True)
class PolyFit:
    """A polynomial stand-in for a function on an interval.

    Attributes:
        name: what was fitted (e.g. ``"sigmoid"``).
        coeffs: power-basis coefficients, ``p(z) = sum_k coeffs[k] z**k``.
        interval: (lo, hi) the fit is for.
        method: ``"chebyshev"``, ``"lstsq"`` or ``"exact"`` (already a polynomial).
        max_error: max |f - p| on a fine grid of the interval.
        rms_error: root mean square of f - p on that grid.

    Examples:
        >>> PolyFit.exact("identity", [0.0, 1.0]).max_error
        0.0
    """

    name: str
    coeffs: tuple[float, ...]
    interval: tuple[float, float]
    method: str
    max_error: float
    rms_error: float

    @classmethod
    def exact(cls, name: str, coeffs) -> "PolyFit":
        return cls(name, tuple(float(c) for c in coeffs), (-np.inf, np.inf), "exact", 0.0, 0.0)

    @property
    def degree(self) -> int:
        nz = [k for k, c in enumerate(self.coeffs) if c != 0.0]
        return nz[-1] if nz else 0

    def __call__(self, z):
        """Evaluate the polynomial (vectorized)."""
        return np.polynomial.polynomial.polyval(np.asarray(z, dtype=np.float64), self.coeffs)

    def expr(self, symbol=None):
        """The polynomial as a sympy expression (for display)."""
        import sympy

        z = sympy.Symbol("z") if symbol is None else symbol
        return sum(sympy.Float(c, 6) * z**k for k, c in enumerate(self.coeffs) if c != 0.0) or sympy.Integer(0)

    def describe(self) -> str:
        if self.method == "exact":
            return f"{self.name}: exact polynomial of degree {self.degree}"
        lo, hi = self.interval
        return (f"{self.name}: degree-{self.degree} {self.method} fit on [{lo:.4g}, {hi:.4g}], "
                f"max error {self.max_error:.3g}, rms error {self.rms_error:.3g}")


def _as_callable(func) -> tuple[str, Callable]:
    if isinstance(func, str):
        return func, _numpy_function(func)
    import sympy  # a core dependency

    if isinstance(func, sympy.Basic):
        free = sorted(func.free_symbols, key=lambda s: s.name)
        if len(free) != 1:
            raise ValueError(f"func: a sympy expression needs exactly one free symbol, got {free}")
        return str(func), sympy.lambdify(free[0], func, "numpy")
    if callable(func):
        return getattr(func, "__name__", "function"), func
    raise TypeError(f"func: expected a name, a sympy expression or a callable, got {type(func).__name__}")


def fit_function(func, degree: int, interval: tuple[float, float], method: str = "chebyshev",
                 num_points: int | None = None) -> PolyFit:
    """Fit ``func`` by a polynomial of ``degree`` on ``interval``; report the error.

    Args:
        func: a name (``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"sign"``, ``"identity"``,
            ``"softplus"``), a sympy expression in one symbol, or a vectorized callable.
        degree: polynomial degree (>= 0).
        interval: (lo, hi) with lo < hi, finite.
        method: ``"chebyshev"`` (interpolation at Chebyshev points) or ``"lstsq"``.
        num_points: least-squares grid size (default ``max(200, 20 * (degree + 1))``).

    Examples:
        >>> fit_function("identity", 1, (-1.0, 1.0)).method
        'exact'
    """
    if not isinstance(degree, (int, np.integer)) or degree < 0:
        raise ValueError(f"degree: must be a non-negative integer, got {degree!r}")
    lo, hi = (float(interval[0]), float(interval[1]))
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"interval: need finite lo < hi, got {interval!r}")
    if isinstance(func, str) and func == "identity":
        if degree < 1:
            raise ValueError("degree: identity needs degree >= 1")
        return PolyFit.exact("identity", [0.0, 1.0])
    name, f = _as_callable(func)
    # fit in the variable t in [-1, 1] (well conditioned), then convert to the power basis in z
    mid, half = (hi + lo) / 2.0, (hi - lo) / 2.0
    C = np.polynomial.Chebyshev
    if method == "chebyshev":
        cheb = C.interpolate(lambda t: np.asarray(f(mid + half * t), dtype=np.float64), int(degree))
    elif method == "lstsq":
        n = num_points or max(200, 20 * (int(degree) + 1))
        t = np.linspace(-1.0, 1.0, n)
        cheb = C.fit(t, np.asarray(f(mid + half * t), dtype=np.float64), int(degree), domain=[-1, 1])
    else:
        raise ValueError(f"method: must be 'chebyshev' or 'lstsq', got {method!r}")
    # t = (z - mid) / half: substitute into the power series of the Chebyshev fit
    pt = np.polynomial.chebyshev.cheb2poly(cheb.coef)
    P = np.polynomial.Polynomial
    pz = P([0.0])
    lin = P([-mid / half, 1.0 / half])
    for k, c in enumerate(pt):
        pz = pz + c * lin**k
    coeffs = np.zeros(int(degree) + 1)
    coeffs[: len(pz.coef)] = pz.coef[: int(degree) + 1]
    # symmetric functions give exact zeros up to rounding (e.g. the even part of sigmoid - 1/2);
    # rounding noise would otherwise raise the degree and multiply the term count
    mag = np.abs(coeffs) * max(abs(lo), abs(hi)) ** np.arange(len(coeffs))  # size of each term on the interval
    coeffs[mag <= 1e-12 * mag.max()] = 0.0
    grid = np.linspace(lo, hi, _NUM_CHECK)
    err = np.asarray(f(grid), dtype=np.float64) - np.polynomial.polynomial.polyval(grid, coeffs)
    return PolyFit(name, tuple(float(c) for c in coeffs), (lo, hi), method,
                   float(np.abs(err).max()), float(np.sqrt(np.mean(err**2))))


def sympy_function(name: str):
    """The sympy definition of a named activation, as a function of one sympy expression.

    Examples:
        >>> import sympy
        >>> z = sympy.Symbol("z")
        >>> sympy_function("sigmoid")(z)
        1/(1 + exp(-z))
    """
    table = _sympy_functions()
    if name not in table:
        raise ValueError(f"name: unknown function {name!r}; use one of {', '.join(sorted(table))}")
    return table[name]
