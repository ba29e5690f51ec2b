"""Diagonal costs H_z that the annealing simulators evolve under, with their MPO routes.

- :class:`StabilityCost`: ``H = sum_mu f_mu(Delta_mu)`` with ``Delta_mu = sum_i c_mu,i s_i + o_mu``
  a linear form of the spins ``s = 2b - 1``: one counter MPO per pattern
  (:class:`~anneal_binn.tensor_network.mpo.StabilityMPO`), applied pattern by pattern with a
  compression after each, as Lami et al. do. Supported: every energy that is a sum over
  patterns of *any* function of one linear form whose partial sums take few values (integer
  coefficients: ±1 patterns, integer or binarized pixels, a bias bit). That covers the
  perceptron's ramp ("hinge") energy of Lami et al. and Baldassi & Zecchina, and, for a single
  output unit over the weights and bias (:meth:`StabilityCost.from_problem`), the zero-one,
  mse and bce losses with any activation (sign, tanh, sigmoid, relu, identity): each pattern's
  loss is a function of the unit's pre-activation. Real-valued inputs (partial sums with many
  values) and multi-unit or multi-layer nets are not functions of one form: they go through
  :class:`PolynomialCost`.
- :class:`PolynomialCost`: any HUBO. The energy diagonal is a compressed sum of Z-strings
  (TT-SVD of the dense energies up to 22 variables, else
  :func:`~anneal_binn.tensor_network.mpo.zstring_tt`), used for the exact ``<H>``; the cost
  layer is one diagonal MPO per step, by TT-SVD of the dense phases up to 22 variables
  (``route="dense"``) or as the rounded product of the commuting Z-string factors beyond
  (``route="product"``, for HUBOs whose phase has low rank). ``route="terms"`` keeps the old
  one-gate-per-term application for comparison.

Examples:
    >>> import numpy as np
    >>> cost = StabilityCost.perceptron(np.array([[1, 1, -1], [1, -1, -1]]))
    >>> cost.energies(np.array([[1, 1, 1], [0, 0, 0]])).round(4).tolist()
    [0.5774, 0.5774]
"""
from __future__ import annotations

import math

import dimod
import numpy as np

from anneal_binn.tensor_network import mpo as _mpo

ROUTES = ("auto", "dense", "product", "terms")


def ramp(scale: float):
    """``f(Delta) = max(-Delta, 0) / scale``: the energy of Lami et al. Eq. (7) with scale sqrt(N)."""
    def f(values, mu=None):
        return np.maximum(-np.asarray(values, dtype=np.float64), 0.0) / scale
    return f


class StabilityCost:
    """``H(s) = constant + sum_mu f(Delta_mu, mu)`` with ``Delta_mu = C[mu] . s + offsets[mu]``.

    Args:
        coefficients: (M, N) coefficients of the linear forms (one row per pattern).
        fn: ``fn(values, mu)`` -> per-pattern energy, vectorized over ``values``.
        offsets: (M,) constants of the forms (default 0).
        constant: added to the energy.
        vartype: of the samples the annealers return (``"SPIN"``: s; ``"BINARY"``: b).
        name: shown in reports.
    """

    def __init__(self, coefficients, fn, offsets=None, constant: float = 0.0, vartype="SPIN", name: str = "stability"):
        C = np.atleast_2d(np.asarray(coefficients, dtype=np.float64))
        if C.ndim != 2 or C.shape[1] < 1:
            raise ValueError("coefficients: need an (M, N) array with N >= 1")
        self.coefficients = C
        self.fn = fn
        self.offsets = np.zeros(len(C)) if offsets is None else np.asarray(offsets, dtype=np.float64)
        self.constant = float(constant)
        self.vartype = dimod.as_vartype(vartype)
        self.name = name
        self._mpo: _mpo.StabilityMPO | None = None

    @classmethod
    def perceptron(cls, patterns, labels=None, vartype="SPIN") -> StabilityCost:
        """The binary perceptron of Lami et al. Eq. (7): ``sum_mu Theta(-Delta) (-Delta) / sqrt(N)``,
        ``Delta_mu = y_mu xi_mu . s`` (labels default to +1)."""
        xi = np.atleast_2d(np.asarray(patterns, dtype=np.float64))
        y = np.ones(len(xi)) if labels is None else np.asarray(labels, dtype=np.float64)
        return cls(y[:, None] * xi, ramp(math.sqrt(xi.shape[1])), vartype=vartype, name="perceptron-ramp")

    @staticmethod
    def problem_support(problem) -> str | None:
        """Why ``problem``'s loss is not a stability cost, or None when :meth:`from_problem` takes it.

        It is one when the net is a single output unit over its inputs (one layer, one unit,
        only weight and bias variables) and the training inputs are integers (±1 patterns,
        binarized pixels), so each pattern's partial sums take few values and its counter MPO
        stays small.

        Examples:
            >>> import anneal_binn as ab
            >>> StabilityCost.problem_support(ab.build(ab.load_spec("perceptron-N21-alpha0.5"))) is None
            True
        """
        reason = StabilityCost._structure_issue(problem)
        if reason is not None:
            return reason
        X = np.asarray(problem._split("train")[0], dtype=np.float64)
        if not np.array_equal(X, np.round(X)):
            return "its inputs are not integers (the partial sums would take too many values)"
        return None

    @staticmethod
    def _structure_issue(problem) -> str | None:
        # a stability cost needs one output unit over the inputs, with only weights and a bias
        arch = problem.arch
        if len(arch.layers) != 1 or arch.layers[0].max_width != 1:
            return "the net is not a single output unit over its inputs (one layer, one unit)"
        kinds = sorted({r.kind for r in problem.register.roles} - {"weight", "bias"})
        if kinds:
            return f"it has {', '.join(kinds)} variables (only weights and a bias are stability coefficients)"
        return None

    @classmethod
    def from_problem(cls, problem, energy: str = "hinge") -> StabilityCost:
        """The cost of a single-output, single-layer :class:`~anneal_binn.problem.Problem` whose
        variables are its weights and (optionally) its bias, with BINARY samples like the problem.

        ``energy="hinge"`` is :func:`~anneal_binn.solvers.loss_anneal.hinge_energy`;
        ``energy="loss"`` is the problem's training loss (its reduction included).
        """
        from anneal_binn.model.activations import ACTIVATIONS
        from anneal_binn.model.losses import LOSSES

        reason = cls._structure_issue(problem)
        if reason is not None:
            raise ValueError(f"StabilityCost.from_problem: {reason}; use the HUBO route")
        arch, roles = problem.arch, problem.register.roles
        X, y = problem._split("train")
        X = np.asarray(X, dtype=np.float64)
        C = np.empty((len(X), len(roles)))
        for j, r in enumerate(roles):
            C[:, j] = X[:, r.input] if r.kind == "weight" else 1.0
        n_in = arch.input_sizes()[-1]
        layer = arch.layers[0]
        act = layer.activations[0]
        y = np.asarray(y)
        if energy == "hinge":
            scale = math.sqrt(n_in)

            def fn(values, mu):
                d = y[mu] * np.asarray(values, dtype=np.float64)
                return (np.maximum(-d, 0.0) + ((d == 0) & (y[mu] < 0))) / scale
            return cls(C, fn, vartype="BINARY", name=f"{problem.name}:hinge")
        if energy != "loss":
            raise ValueError(f"energy: must be 'hinge' or 'loss', got {energy!r}")
        loss = LOSSES[arch.loss]
        red = 1.0 / len(y) if arch.reduction == "mean" else 1.0

        def fn(values, mu):
            z = np.asarray(values, dtype=np.float64).reshape(-1, 1, 1)
            return red * loss(z, ACTIVATIONS[act](z), y[mu:mu + 1], act)[:, 0]
        return cls(C, fn, vartype="BINARY", name=f"{problem.name}:loss")

    # -- the interface the simulators use ------------------------------------------------------
    @property
    def num_variables(self) -> int:
        return self.coefficients.shape[1]

    @property
    def variables(self) -> list[int]:
        return list(range(self.num_variables))

    @property
    def stability_mpo(self) -> _mpo.StabilityMPO:
        if self._mpo is None:
            self._mpo = _mpo.StabilityMPO(self.coefficients, self.fn, self.offsets)
        return self._mpo

    def energies(self, bits) -> np.ndarray:
        """Energy of each row of 0/1 ``bits`` (R, N)."""
        s = 2.0 * np.atleast_2d(np.asarray(bits, dtype=np.float64)) - 1.0
        D = s @ self.coefficients.T + self.offsets  # (R, M)
        out = np.full(len(s), self.constant)
        for mu in range(D.shape[1]):
            out += self.fn(D[:, mu], mu)
        return out

    def dense_energies(self, chunk: int = 1 << 18) -> np.ndarray:
        """All 2^N energies (bit j of the index = variable j)."""
        n = self.num_variables
        out = np.empty(1 << n)
        for a in range(0, 1 << n, chunk):
            idx = np.arange(a, min(a + chunk, 1 << n))
            out[a:a + idx.size] = self.energies((idx[:, None] >> np.arange(n)) & 1)
        return out

    def scale(self) -> float:
        """Auto-scale divisor: the largest per-pattern energy (no spin expansion exists cheaply)."""
        best = 0.0
        for mu, st in enumerate(self.stability_mpo.structures):
            best = max(best, float(np.abs(self.fn(st.values[-1] + self.offsets[mu], mu)).max()))
        return best or 1.0

    def cost_layers(self, theta: float, route: str = "auto"):
        """The diagonal MPOs whose product is ``exp(-i theta H)``, one per pattern."""
        if route not in ("auto", "counter"):
            raise ValueError(f"cost_mpo: a stability cost takes 'auto' or 'counter', got {route!r}")
        m = self.stability_mpo
        for mu in range(m.num_patterns):
            yield m.mpo(mu, theta, canonical=True)

    def expected_energy(self, psi) -> float:
        """Exact ``<psi|H|psi>``: the distribution of every pattern's form, then ``sum f P``."""
        m = self.stability_mpo
        total = self.constant
        for mu, st in enumerate(m.structures):
            p = psi.counter_distribution(st)
            total += float(p @ self.fn(st.values[-1] + self.offsets[mu], mu))
        return total


class PolynomialCost:
    """A HUBO (``dimod.BinaryPolynomial``) as a diagonal cost over its sorted variables."""

    def __init__(self, poly: dimod.BinaryPolynomial, variables: list):
        self.poly = poly
        self.variables = list(variables)
        self.vartype = poly.vartype
        self.name = "hubo"
        self._dense = None
        self._tt = None
        self._terms = None

    def _spin(self):
        """(constant, terms) in SPIN form: by Walsh-Hadamard of the dense energies up to 22 variables
        (O(n 2^n); expanding a BINARY monomial of degree d into 2^d spin terms is exponential), else
        by dimod's expansion."""
        if self._terms is None:
            n = self.num_variables
            if 0 < n <= _mpo.DENSE_TT_LIMIT:
                from anneal_binn.polynomial import spin_coefficients

                coeffs = spin_coefficients(self.dense_energies())
                tol = 1e-13 * max(1.0, float(np.abs(coeffs).max()))
                masks = np.flatnonzero(np.abs(coeffs) > tol)
                masks = masks[masks != 0]
                terms = [(tuple(int(i) for i in np.flatnonzero((m >> np.arange(n)) & 1)), float(coeffs[m])) for m in masks]
                self._terms = (float(coeffs[0]), sorted(terms))
            else:
                from anneal_binn.solvers.mps_qa import spin_terms

                self._terms = spin_terms(self.poly, self.variables)
        return self._terms

    @property
    def constant(self) -> float:
        return self._spin()[0]

    @property
    def terms(self) -> list[tuple[tuple[int, ...], float]]:
        return self._spin()[1]

    @property
    def num_variables(self) -> int:
        return len(self.variables)

    def energies(self, bits) -> np.ndarray:
        from anneal_binn.solvers._common import CompiledPolynomial

        bits = np.atleast_2d(bits)
        samples = 2 * bits - 1 if self.vartype is dimod.SPIN else bits
        return CompiledPolynomial.from_polynomial(self.poly).energies(samples)

    def dense_energies(self) -> np.ndarray:
        if self._dense is None:
            from anneal_binn.polynomial import dense_energies

            self._dense = dense_energies(self.poly, self.variables, limit=max(self.num_variables, 1))
        return self._dense

    def scale(self) -> float:
        return max((abs(c) for _, c in self.terms), default=1.0) or 1.0

    def energy_tt(self) -> list[np.ndarray]:
        """The energy diagonal as a compressed sum of Z-strings: by TT-SVD of the dense energies up
        to 22 variables (the SVD-optimal train, in milliseconds), else term blocks added and rounded."""
        if self._tt is None:
            n = self.num_variables
            if n <= _mpo.DENSE_TT_LIMIT:
                self._tt = [c.astype(np.complex128) for c in _mpo.tt_from_dense(self.dense_energies(), n, 1e-26)]
            else:
                self._tt = _mpo.zstring_tt(self.terms, n, self.constant)
        return self._tt

    def route(self, route: str) -> str:
        if route not in ROUTES:
            raise ValueError(f"cost_mpo: must be one of {', '.join(ROUTES)}, got {route!r}")
        if route == "auto":
            return "dense" if self.num_variables <= _mpo.DENSE_TT_LIMIT else "product"
        return route

    def cost_layers(self, theta: float, route: str = "auto"):
        route = self.route(route)
        if not self.terms or self.num_variables == 0:
            return
        if route == "dense":
            E = self.dense_energies() - self.constant
            yield _mpo.phase_tt_dense(E, self.num_variables, theta)
        elif route == "product":
            yield _mpo.phase_tt_from_terms(self.terms, self.num_variables, theta)
        else:
            raise ValueError("cost_mpo='terms' is applied gate by gate, not as MPOs")

    def expected_energy(self, psi) -> float:
        if self.num_variables == 0:
            return self.constant
        return float(psi.expectation_diagonal(self.energy_tt()).real)
