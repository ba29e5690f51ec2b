"""Symbolic route: ``problem.to_hubo(method="symbolic")``, the loss as an exact polynomial.

When every activation is a polynomial, the training loss is a polynomial in the weight spins.
Activations that are not (sigmoid, tanh, ReLU, sign) are replaced by a polynomial fit of the
degree you choose on an interval that covers the pre-activations
(:mod:`~anneal_binn.formulation.polyfit`, error reported); ``identity`` is exact. Losses:

* ``mse``: exact, ``(p(z) - t)**2`` with the model's targets ``t`` (``TARGETS``);
* ``bce`` (sigmoid output): ``softplus(z) - y01 * z`` with softplus replaced by a fit of
  ``loss_degree`` (the polynomial surrogate of cross-entropy);
* any loss you write as a sympy expression polynomial in ``f`` (the output), with the target
  ``t`` and label ``y`` as per-sample constants (``loss_expr=``);
* ``zero-one`` and ``softmax-ce`` are not polynomial: use ``method="auxiliary"`` (sign nets,
  zero-one) or switch the spec's loss to ``mse``/``bce``.

sympy defines and displays (:func:`to_sympy`, :meth:`SymbolicExpansion.expr`); the expansion
itself runs on coefficient arrays (:mod:`~anneal_binn.formulation.expansion`), reducing
``s**2 = 1`` (SPIN) or ``x**2 = x`` (BINARY). Architecture bits are polynomial too: an
activation choice is ``sum_c [choice == c] * p_c(z)``, width and neuron-mask bits multiply a
unit's outgoing contribution, connection-mask bits multiply the weight, all exactly as the
forward pass (:mod:`anneal_binn.model.network`) defines them, except that a unit with no input
outputs ``p(0)`` (the fitted stand-in; the forward pass gives ``-1`` for an exact sign).

The term count is bounded before anything is expanded; beyond ``max_terms`` (or a degree
beyond ``max_degree``) the route refuses with :class:`~anneal_binn.errors.TooLargeError`
stating how many terms it would create.

Examples:
    >>> import anneal_binn as ab
    >>> p = ab.build_from_dict({"data": {"source": "fawaz", "problem": 1}, "model": {
    ...     "loss": "mse", "output": {"activation": "identity", "bias": True}}})
    >>> hubo = p.to_hubo(method="symbolic", vartype="SPIN")
    >>> hubo.degree <= 2   # identity output + mse: quadratic in the weights
    True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from anneal_binn.errors import TooLargeError
from anneal_binn.formulation.expansion import (
    SPIN, BatchPoly, SparsePoly, _check_vartype, _scatter, _unique_rows, add_sparse, monomial_bound, sum_loss,
)
from anneal_binn.formulation.polyfit import PolyFit, fit_function

DEFAULT_MAX_TERMS = 5_000_000
DEFAULT_DEGREE = 3


@dataclass(frozen=True)
class SymbolicExpansion:
    """The loss as an exact polynomial, with what it stands for.

    Attributes:
        poly: the polynomial (:class:`~anneal_binn.formulation.expansion.SparsePoly`).
        fits: ``(layer, PolyFit)`` for every activation that was replaced by a polynomial.
        loss_fit: the fit used for a non-polynomial loss (bce's softplus), else None.
        predicted_terms: the bound on the term count checked before expanding.
        notes: plain-language statements of what the polynomial is.
    """

    poly: SparsePoly
    fits: tuple = ()
    loss_fit: PolyFit | None = None
    predicted_terms: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def num_terms(self) -> int:
        return self.poly.num_terms

    @property
    def degree(self) -> int:
        return self.poly.degree

    def hubo(self):
        """The ``dimod.BinaryPolynomial`` over variables 0..N-1."""
        return self.poly.to_binary_polynomial()

    def hubo_arrays(self):
        """The same HUBO as an :class:`anneal_binn.hubo.Hubo` (no Python object per term):
        what :func:`anneal_binn.reduce` and the exporters take without converting."""
        return self.poly.to_hubo()

    def expr(self, max_terms: int = 2000):
        """sympy expression of the polynomial (display; refused beyond ``max_terms`` terms)."""
        return to_sympy(self.poly, max_terms=max_terms)

    def describe(self) -> str:
        lines = [f"{self.num_terms:,} terms, degree {self.degree}, {self.poly.vartype}"]
        lines += [f"layer {l}: {f.describe()}" for l, f in self.fits]
        if self.loss_fit is not None:
            lines.append(f"loss: {self.loss_fit.describe()}")
        lines += list(self.notes)
        return "\n".join(lines)


# ----------------------------------------------------------------------------- sympy side
def symbols_for(num_variables: int, vartype: str = SPIN):
    """sympy symbols ``s0..`` (SPIN) or ``x0..`` (BINARY) for the variables."""
    import sympy

    prefix = "s" if _check_vartype(vartype) == SPIN else "x"
    return sympy.symbols(f"{prefix}0:{num_variables}")


def to_sympy(poly: SparsePoly, max_terms: int = 2000):
    """Display a polynomial as a sympy expression in ``s_i`` or ``x_i``.

    Examples:
        >>> p = SparsePoly.from_dict({(0, 1): 2.0, (): 1.0}, 2, "SPIN")
        >>> to_sympy(p)
        2.0*s0*s1 + 1.0
    """
    import sympy

    if poly.num_terms > max_terms:
        raise ValueError(f"poly: {poly.num_terms:,} terms is too many to display; raise max_terms to force it")
    syms = symbols_for(poly.num_variables, poly.vartype)
    return sympy.Add(*[sympy.Float(c) * sympy.Mul(*[syms[i] for i in t])
                       for t, c in zip(poly.terms(), poly.coef.tolist())])


def sympy_reduce(expr, symbols: Sequence, vartype: str = SPIN) -> dict[tuple[int, ...], object]:
    """sympy's own expansion of ``expr`` reduced with ``s**2 = 1`` or ``x**2 = x``.

    Slow (the reference the engine is tested against, and a way to inspect tiny cases).

    Examples:
        >>> import sympy
        >>> s = sympy.symbols("s0:2")
        >>> sympy_reduce((s[0] + 2 * s[1] + 1) ** 2, s)
        {(): 6, (0,): 2, (0, 1): 4, (1,): 4}
    """
    import sympy

    vartype = _check_vartype(vartype)
    poly = sympy.Poly(sympy.expand(expr), *symbols)
    out: dict = {}
    for exps, coef in poly.terms():
        if vartype == SPIN:
            key = tuple(i for i, e in enumerate(exps) if e % 2)
        else:
            key = tuple(i for i, e in enumerate(exps) if e > 0)
        out[key] = out.get(key, 0) + coef
    return {k: v for k, v in sorted(out.items()) if v != 0}


def poly_coefficients(expr, symbol) -> list[float]:
    """Power-basis coefficients of a univariate sympy polynomial (ValueError if it is not one)."""
    import sympy

    try:
        poly = sympy.Poly(sympy.expand(expr), symbol)
    except sympy.PolynomialError as exc:
        raise ValueError(f"expression {expr} is not a polynomial in {symbol}; fit it first") from exc
    if poly.free_symbols - {symbol}:
        raise ValueError(f"expression {expr} has symbols besides {symbol}")
    return [float(c) for c in reversed(poly.all_coeffs())]


# ----------------------------------------------------------------------------- helpers
def _bsum(polys: list[BatchPoly]) -> BatchPoly:
    """Sum many batch polynomials with one merge (``+`` in a loop merges n times)."""
    first = polys[0]
    p = max(q.num_samples for q in polys)
    keys = np.vstack([q.keys for q in polys])
    coef = np.hstack([np.broadcast_to(q.coef, (p, q.num_terms)) for q in polys])
    uniq, inv = _unique_rows(keys)
    return BatchPoly(uniq, _scatter(inv, len(uniq), coef), first.num_variables, first.vartype, first.max_terms)


def _selector(index: tuple[int, ...], n_choices: int, c: int, N: int, vt: str) -> BatchPoly:
    """Indicator polynomial of ``min(choice, n_choices - 1) == c`` over the choice bits (LSB first)."""
    values = range(2 ** len(index))
    hit = [v for v in values if min(v, n_choices - 1) == c]
    total = None
    for v in hit:
        term = BatchPoly.constant(1.0, N, vt)
        for k, var in enumerate(index):
            b = BatchPoly.bit(var, N, vt)
            term = term * (b if (v >> k) & 1 else 1.0 - b)
        total = term if total is None else total + term
    return total


def _sparse_times(a: SparsePoly, b: BatchPoly) -> SparsePoly:
    """Product of a polynomial with a sample-independent one (e.g. a choice selector)."""
    from anneal_binn.formulation.expansion import _combine

    pair = _combine(a.keys, b.keys, a.vartype)
    coef = (a.coef[:, None] * b.coef[0][None, :]).reshape(-1)
    uniq, inv = _unique_rows(pair)
    return SparsePoly(uniq, np.bincount(inv, weights=coef, minlength=len(uniq)), a.num_variables,
                      a.vartype).pruned(0.0)


def _activation_fit(name, layer: int, degree: int, interval, method: str, given: dict) -> PolyFit:
    if name in given:
        g = given[name]
        if isinstance(g, PolyFit):
            return g
        import sympy  # a core dependency

        if isinstance(g, sympy.Basic):
            (sym,) = sorted(g.free_symbols, key=lambda s: s.name) or (sympy.Symbol("z"),)
            try:
                return PolyFit.exact(name, poly_coefficients(g, sym))
            except ValueError:
                return fit_function(g, degree, interval, method)
        return PolyFit.exact(name, [float(c) for c in g])
    if name == "softmax":
        raise ValueError("model.output.activation: softmax is not polynomial; the symbolic route "
                         "supports single-output nets (mse or bce)")
    return fit_function(name, degree, interval, method)


# ----------------------------------------------------------------------------- the route
def expand(
    problem,
    vartype="BINARY",
    degree: int = DEFAULT_DEGREE,
    fit: str = "chebyshev",
    interval="typical",
    activations: dict | None = None,
    loss_degree: int = 4,
    loss_expr=None,
    max_terms: int | None = DEFAULT_MAX_TERMS,
    max_degree: int | None = None,
    threshold: float = 0.0,
) -> SymbolicExpansion:
    """Expand the problem's training loss exactly into a polynomial (see the module docstring).

    Args:
        problem: an :class:`anneal_binn.problem.Problem`.
        vartype: ``"BINARY"`` (bits x, weight ``2x - 1``) or ``"SPIN"`` (s = the weight).
        degree: degree of the polynomial fits of non-polynomial activations.
        fit: ``"chebyshev"`` or ``"lstsq"``.
        interval: fit interval for each layer's pre-activations: ``"typical"`` (three standard
            deviations of the pre-activation over uniformly random weights, capped at the hard
            bound), ``"bound"`` (the largest |pre-activation| any configuration can reach), a
            number R for [-R, R], or a (lo, hi) pair.
        activations: name -> a :class:`PolyFit`, coefficient list, or sympy expression in one
            symbol (a polynomial is used exactly, anything else is fitted).
        loss_degree: degree of the softplus fit for ``bce``.
        loss_expr: a sympy expression polynomial in the symbol ``f`` (the output; ``t`` is the
            model's target and ``y`` the ±1 label) that replaces the spec's loss.
        max_terms: refuse (TooLargeError) when the expansion could exceed this many terms.
        max_degree: refuse when the polynomial's degree could exceed this.
        threshold: drop terms with |coef| <= threshold afterwards (0 keeps every nonzero term).
    """
    from anneal_binn.model.activations import TARGETS

    vt = _check_vartype(vartype)
    arch, reg = problem.arch, problem.register
    X = np.asarray(problem.data.x_train, dtype=np.float64)
    y = np.asarray(problem.data.y_train)
    N, P = reg.num_variables, len(y)
    loss_name = arch.loss
    if loss_expr is None and loss_name not in ("mse", "bce"):
        raise ValueError(
            f"model.loss: {loss_name!r} is not a polynomial of the output; use method=\"auxiliary\" for "
            "sign nets with the zero-one loss, set loss = \"mse\" or \"bce\" in the spec, or pass loss_expr="
        )
    if arch.layers[-1].max_width != 1:
        raise ValueError("model.output.width: the symbolic route supports one output unit")
    given = dict(activations or {})
    weights = np.full(P, 1.0 / P) if (arch.reduction or "mean") == "mean" else np.ones(P)

    # ---- degree and term bound, before anything is expanded
    selectors = sum(len(ix) for ix in reg.activation_index) + sum(len(ix) for ix in reg.width_index)
    fits_plan, intervals = [], []
    in_abs = np.abs(X)  # (P, n_in) bound of each input
    in_sq = X**2
    dz = 0
    for l, layer in enumerate(arch.layers):
        b = 1.0 if reg.bias_index[l] is not None else 0.0
        hard = float((in_abs.sum(axis=1) + b).max()) if in_abs.size else b
        typical = float(3.0 * np.sqrt((in_sq.sum(axis=1) + b).max())) if in_sq.size else b
        if isinstance(interval, str):
            if interval not in ("typical", "bound"):
                raise ValueError(f"interval: must be 'typical', 'bound', a number or (lo, hi); got {interval!r}")
            R = hard if interval == "bound" else min(hard, typical)
            iv = (-max(R, 1e-9), max(R, 1e-9))
        elif np.ndim(interval) == 0:
            iv = (-float(interval), float(interval))
        else:
            iv = (float(interval[0]), float(interval[1]))
        intervals.append(iv)
        is_out = l == len(arch.layers) - 1
        names = layer.activations
        if is_out and loss_name == "bce" and loss_expr is None:
            layer_fits = []  # bce reads the pre-activation only
        else:
            layer_fits = [_activation_fit(a, l, degree, iv, fit, given) for a in names]
        fits_plan.append(layer_fits)
        k = max([f.degree for f in layer_fits] or [1])
        dz_l = (1 + (1 if reg.mask_index[l] is not None else 0)
                + (dz if l > 0 else 0)
                + (1 if l > 0 and reg.neuron_index[l - 1] is not None else 0))
        dz = dz_l * k if not is_out else dz_l
        # bound of this layer's outputs for the next layer's interval
        if layer_fits:
            grid = np.linspace(iv[0], iv[1], 257)
            hmax = max(float(np.abs(f(grid)).max()) for f in layer_fits)
        else:
            hmax = 1.0
        in_abs = np.full((1, layer.max_width), hmax)
        in_sq = in_abs**2
    out_fits = fits_plan[-1]
    if loss_expr is not None:
        import sympy

        fsym = sympy.Symbol("f")
        lcoef = sympy.Poly(sympy.expand(loss_expr), fsym).all_coeffs()[::-1]
        D = dz * max(f.degree for f in out_fits) * (len(lcoef) - 1)
    elif loss_name == "mse":
        D = 2 * dz * max(f.degree for f in out_fits)
    else:
        D = dz * loss_degree
    n_plain = N - selectors
    predicted = min(monomial_bound(n_plain, D) * 2**selectors, monomial_bound(N, D + selectors))
    max_deg_pred = min(N, D + selectors)
    if max_degree is not None and max_deg_pred > max_degree:
        raise TooLargeError(
            f"the symbolic expansion has degree up to {max_deg_pred} (> max_degree={max_degree}) and up to "
            f"{predicted:,} terms; lower the activation degree (degree=) or the net size"
        )
    if max_terms is not None and predicted > max_terms:
        raise TooLargeError(
            f"the symbolic expansion would create up to {predicted:,} terms (degree {max_deg_pred} in {N} "
            f"variables; limit max_terms={max_terms:,}); lower the activation degree (degree=), shrink the net "
            "or the data, or use method=\"auxiliary\""
        )

    # ---- forward pass on polynomials
    def bp_spin(v):
        return BatchPoly.spin(int(v), N, vt, max_terms=max_terms)

    def bp_bit(v):
        return BatchPoly.bit(int(v), N, vt, max_terms=max_terms)

    h: list[BatchPoly] | None = None
    active_in: list[BatchPoly | None] | None = None
    zs: list[BatchPoly] = []
    fit_records = []
    for l, layer in enumerate(arch.layers):
        Wi = reg.weight_index[l]
        units, n_in = Wi.shape
        is_out = l == len(arch.layers) - 1
        zs = []
        for u in range(units):
            if l == 0 and reg.mask_index[0] is None:
                z = BatchPoly.linear(X, np.zeros(P), Wi[u], N, vt, max_terms=max_terms)
            else:
                parts = []
                for i in range(n_in):
                    w = bp_spin(Wi[u, i])
                    if reg.mask_index[l] is not None:
                        w = w * bp_bit(reg.mask_index[l][u, i])
                    if active_in is not None and active_in[i] is not None:
                        w = w * active_in[i]
                    parts.append(w.scale(X[:, i]) if l == 0 else w * h[i])
                z = _bsum(parts)
            if reg.bias_index[l] is not None:
                z = _bsum([z, bp_spin(reg.bias_index[l][u])])
            zs.append(z)
        if is_out:
            break
        names = layer.activations
        lf = fits_plan[l]
        fit_records += [(l, f) for f in lf if f.method != "exact"]
        if len(names) == 1:
            h = [z.apply(lf[0].coeffs) for z in zs]
        else:
            sels = [_selector(reg.activation_index[l], len(names), c, N, vt) for c in range(len(names))]
            h = [_bsum([sels[c] * z.apply(lf[c].coeffs) for c in range(len(names))]) for z in zs]
        # which units of this layer feed the next one
        active_in = [None] * units
        if len(layer.widths) > 1:
            wsel = [_selector(reg.width_index[l], len(layer.widths), c, N, vt) for c in range(len(layer.widths))]
            for u in range(units):
                on = [wsel[c] for c in range(len(layer.widths)) if u < layer.widths[c]]
                active_in[u] = _bsum(on) if on else BatchPoly.constant(0.0, N, vt)
        if reg.neuron_index[l] is not None:
            for u in range(units):
                nb = bp_bit(reg.neuron_index[l][u])
                active_in[u] = nb if active_in[u] is None else active_in[u] * nb
        if all(a is None for a in active_in):
            active_in = None

    # ---- the loss
    z_out = zs[0]
    out_layer = arch.layers[-1]
    notes = []
    loss_fit = None
    if loss_expr is not None or loss_name == "mse":
        names = out_layer.activations
        fit_records += [(len(arch.layers) - 1, f) for f in out_fits if f.method != "exact"]
        parts = []
        for c, name in enumerate(names):
            lo, hi = TARGETS.get(name, (-1.0, 1.0))
            t = np.where(y > 0, hi, lo).astype(np.float64)
            f = z_out.apply(out_fits[c].coeffs)
            if loss_expr is None:
                part = sum_loss(f, np.stack([t**2, -2 * t, np.ones(P)], axis=1), weights)
            else:
                import sympy

                fsym, tsym, ysym = sympy.symbols("f t y")
                coeffs = sympy.Poly(sympy.expand(loss_expr), fsym).all_coeffs()[::-1]
                cols = [np.broadcast_to(np.asarray(sympy.lambdify((tsym, ysym), cc, "numpy")(t, y.astype(float)),
                                                   dtype=np.float64), (P,)) for cc in coeffs]
                part = sum_loss(f, np.stack(cols, axis=1), weights)
            if len(names) > 1:
                part = _sparse_times(part, _selector(reg.activation_index[-1], len(names), c, N, vt))
            parts.append(part)
        poly = add_sparse(*parts)
        notes.append("loss: " + ("user expression " + str(loss_expr) if loss_expr is not None else
                                 "mean squared error against the model's targets (exact)"))
    else:  # bce = softplus(z) - y01 z, softplus fitted
        loss_fit = fit_function("softplus", loss_degree, intervals[-1], fit)
        c = np.tile(np.asarray(loss_fit.coeffs), (P, 1))
        c[:, 1] -= (y > 0).astype(np.float64)
        poly = sum_loss(z_out, c, weights)
        notes.append("loss: binary cross-entropy as softplus(z) - y01*z, softplus replaced by its fit")
    if threshold:
        poly = poly.pruned(threshold)
    return SymbolicExpansion(poly, tuple(fit_records), loss_fit, predicted, tuple(notes))


def sympy_loss(problem, expansion: SymbolicExpansion | None = None, vartype: str = SPIN, **options):
    """The (polynomial surrogate) training loss as an unexpanded sympy expression, for display.

    Nets without architecture bits only (masks and choices are shown by :func:`expand`'s
    result instead). ``sympy_reduce(sympy_loss(p), symbols_for(N))`` is sympy's own expansion of
    what :func:`expand` computes numerically; slow beyond a few variables and samples.

    Examples:
        >>> import anneal_binn as ab
        >>> p = ab.build_from_dict({"data": {"source": "fawaz", "problem": 1}, "model": {
        ...     "loss": "mse", "reduction": "sum", "output": {"activation": "identity"}}})
        >>> sympy_loss(p).args[0]
        (s0 - s1 - s2 + 1)**2
    """
    import sympy

    from anneal_binn.model.activations import TARGETS

    vt = _check_vartype(vartype)
    arch, reg = problem.arch, problem.register
    if any(len(ix) for ix in reg.activation_index) or any(len(ix) for ix in reg.width_index) or any(
            m is not None for m in reg.mask_index) or any(n is not None for n in reg.neuron_index):
        raise ValueError("problem: sympy_loss displays nets without architecture bits; use expand() for those")
    if arch.loss not in ("mse", "bce"):
        raise ValueError(f"model.loss: {arch.loss!r} is not polynomial")
    ex = expansion if expansion is not None else expand(problem, vartype=vt, max_terms=None, **options)
    fits = {(l, f.name): f for l, f in ex.fits}
    syms = symbols_for(problem.num_variables, vt)
    spin = (lambda v: syms[v]) if vt == SPIN else (lambda v: 2 * syms[v] - 1)
    X = problem.data.x_train
    y = problem.data.y_train
    P = len(y)
    w = sympy.Rational(1, P) if (arch.reduction or "mean") == "mean" else 1
    terms = []
    for mu in range(P):
        h = [sympy.nsimplify(v) if float(v).is_integer() else sympy.Float(v) for v in X[mu].tolist()]
        for l, layer in enumerate(arch.layers):
            Wi = reg.weight_index[l]
            z = []
            for u in range(Wi.shape[0]):
                zu = sum(spin(int(Wi[u, i])) * h[i] for i in range(Wi.shape[1]))
                if reg.bias_index[l] is not None:
                    zu += spin(int(reg.bias_index[l][u]))
                z.append(zu)
            name = layer.activations[0]
            if l == len(arch.layers) - 1:
                break
            fit = fits.get((l, name), PolyFit.exact(name, [0.0, 1.0]))
            h = [sum(sympy.Float(c) * zu**k if not float(c).is_integer() else int(c) * zu**k
                     for k, c in enumerate(fit.coeffs) if c != 0.0) for zu in z]
        if arch.loss == "mse":
            name = arch.layers[-1].activations[0]
            fit = fits.get((len(arch.layers) - 1, name), PolyFit.exact(name, [0.0, 1.0]))
            out = sum((int(c) if float(c).is_integer() else sympy.Float(c)) * z[0]**k
                      for k, c in enumerate(fit.coeffs) if c != 0.0)
            lo, hi = TARGETS.get(name, (-1.0, 1.0))
            t = hi if y[mu] > 0 else lo
            terms.append((out - (int(t) if float(t).is_integer() else t)) ** 2)
        else:
            lf = ex.loss_fit
            terms.append(sum(sympy.Float(c) * z[0]**k for k, c in enumerate(lf.coeffs) if c != 0.0)
                         - (1 if y[mu] > 0 else 0) * z[0])
    return w * sympy.Add(*terms) if w != 1 else sympy.Add(*terms)


def to_hubo(problem, vartype="BINARY", **options):
    """``problem.to_hubo(method="symbolic", **options)``: see :func:`expand` for the options.

    Returns:
        ``dimod.BinaryPolynomial`` over variables 0..N-1.
    """
    return expand(problem, vartype=vartype, **options).hubo()
