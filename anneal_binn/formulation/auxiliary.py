"""Auxiliary-neuron route: an exact QUBO for sign-activation nets, in the manner of Sasdelli & Chin.

The loss of a sign net is not a low-degree polynomial of its weights, but it becomes one with
more variables. Every hidden unit's output on every training sample becomes a binary variable
``h`` (spin ``2h - 1``), tied to its pre-activation ``a`` by linear constraints with slack bits;
everything a squared linear form can express is quadratic, so the whole training problem is a
QUBO over the weights, the hidden outputs, slack bits and a few kinds of products:

* ``h = [a >= 0]`` (sign(0) = +1 as in the forward pass) for a hidden unit on one sample.
  With ``a = c0 + g*k``, ``g`` the gcd of the integer coefficients, ``k`` ranging over
  ``K = k - kmin in [0, M]`` and ``T`` the first ``K`` with ``a >= 0``: when the two sides are
  equally large (``M = 2T - 1``; e.g. an odd number of ±1 inputs) ONE row
  ``K - T*h - sigma = 0``, ``sigma in [0, T-1]``; otherwise two rows,
  ``K - T*h - s1 = 0`` and ``(T-1) + (M-T+1)*h - K - s2 = 0``, ``s1, s2 in [0, max(T-1, M-T)]``.
* the output (sign + zero-one, or sign + mse): one error bit ``e`` per sample and ONE row that
  forces "classified correctly" when ``e = 0``; the objective is ``sum e`` (times 1/P for a mean,
  times 4 for mse against ±1 targets). An identity output with mse needs no error bit: the
  output is linear in the variables, so its square is quadratic.
* products ``v = AND(p, q)``: a hidden spin times a weight spin in the next layer
  (``(2h-1)(2w-1) = 4*AND(h, w) - 2h - 2w + 1``), a weight times its connection-mask bit, and
  the gates of neuron-mask and width bits, each with Rosenberg's penalty
  ``pq - 2pz - 2qz + 3z`` (0 iff ``z = pq``, >= 1 otherwise).
* slacks are bounded binary encodings (1, 2, 4, ..., and a last coefficient that makes the top
  exactly the range), so every feasible value is representable and nothing else.

Penalties, sized automatically: inputs are scaled to integers, so every constraint residual is an
integer, and a violated constraint costs at least ``penalty``. Any assignment that violates a
constraint therefore has energy >= ``penalty``, while completing any net's weights with its true
hidden outputs, products and slacks gives energy = its loss (times ``objective_scale``).
``penalty`` = the best loss among a few reference nets plus one loss quantum, so it exceeds the
optimum: **the ground state of the QUBO is an optimal net, with energy equal to its loss**
(:func:`to_qubo`'s tests check this by brute force against the exact landscape).

Variable count (one hidden layer of width H, no masks, N weights and biases, P samples):
``N + P*H*(1 + b_h) + P*H + P*(1 + b_o)`` where ``b_h`` is the slack bits per hidden unit and sample
(``bit_length(max(T-1, M-T))``, once or twice) and ``b_o`` those of the output row; e.g.
perceptron (no hidden layer) ``N + P*(1 + b_o)``; :attr:`AuxiliaryRecord.counts` gives the exact
breakdown of a built QUBO.

Examples:
    >>> import anneal_binn as ab
    >>> p = ab.build_from_dict({"data": {"source": "fawaz", "problem": 1},
    ...                         "model": {"loss": "zero-one", "output": {"activation": "sign"}}})
    >>> bqm, rec = to_qubo(p)
    >>> rec.num_original, bqm.num_variables >= rec.num_original
    (3, True)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm

import numpy as np

_MAX_SCALE = 2**20


# ----------------------------------------------------------------------------- records
@dataclass(frozen=True)
class _SignStep:
    """Completion: set ``out`` = [form >= 0] (form = A @ x + c, A over all variables)."""

    A: object  # scipy.sparse.csr_matrix (R, V)
    c: np.ndarray
    out: np.ndarray  # (R,) variable indices


@dataclass(frozen=True)
class _AndStep:
    """Completion: ``z = (p0 + p1*x[p]) * (q0 + q1*x[q])``."""

    p: np.ndarray
    p0: np.ndarray
    p1: np.ndarray
    q: np.ndarray
    q0: np.ndarray
    q1: np.ndarray
    z: np.ndarray


@dataclass(frozen=True)
class _ErrorStep:
    """Completion: ``e = 1`` when the output form is on the wrong side (``want_nonneg`` per row)."""

    A: object
    c: np.ndarray
    want_nonneg: np.ndarray
    out: np.ndarray


@dataclass(frozen=True)
class _SlackStep:
    """Completion: slack bits of rows ``A @ x + c - sum coef*bits = 0``."""

    A: object
    c: np.ndarray
    row: np.ndarray  # per slack bit: its row
    pos: np.ndarray  # per slack bit: its position (the last one of a row is the top)
    top: np.ndarray  # per slack bit: is it the row's top (bounded) coefficient
    coef: np.ndarray
    var: np.ndarray
    half: np.ndarray  # per row: 2**(k-1), the top coefficient is used when r >= half
    topc: np.ndarray  # per row: the top coefficient


def original_bits(sample, num_original: int) -> np.ndarray:
    """The problem's bits (S, N) from samples of a QUBO whose variables 0..N-1 are the problem's own.

    Shared by every record of a QUBO built directly from a problem (auxiliary, encodings).
    ``sample`` is a SampleSet (SPIN converted), a mapping, or an array (S, V).
    """
    import dimod  # a core dependency

    if isinstance(sample, dimod.SampleSet):
        cols = [sample.variables.index(v) for v in range(num_original)]
        rec = np.asarray(sample.record.sample)[:, cols]
        return ((rec + 1) // 2 if sample.vartype is dimod.SPIN else rec).astype(np.uint8)
    if isinstance(sample, dict):
        return np.array([[sample[v] for v in range(num_original)]], dtype=np.uint8)
    arr = np.atleast_2d(np.asarray(sample))
    return arr[:, :num_original].astype(np.uint8)


@dataclass(frozen=True)
class AuxiliaryRecord:
    """What the auxiliary QUBO's variables mean and how to go between it and the problem.

    Attributes:
        num_original: N; variables ``0..N-1`` are the problem's own bits (same meaning).
        num_variables: all QUBO variables (``N..`` are auxiliary).
        counts: number of auxiliary variables by kind: ``hidden``, ``slack``, ``product``, ``error``.
        penalty: the constraint strength (see the module docstring for why it is enough).
        objective_scale: energy of a completed net = ``objective_scale * problem.losses(bits)``.
        reference_loss: the best loss among the reference nets used to size ``penalty``.
        input_scale: the inputs were multiplied by this to make every coefficient an integer.
        formula: the variable count as a formula of N, P and the widths.
    """

    num_original: int
    num_variables: int
    counts: dict
    penalty: float
    objective_scale: float
    reference_loss: float
    input_scale: float
    formula: str
    steps: tuple = field(default=(), repr=False)

    def decode(self, sample) -> np.ndarray:
        """Original bits (S, N) of QUBO samples: a SampleSet, mappings, or an array (S, V)."""
        return original_bits(sample, self.num_original)

    def complete(self, bits) -> np.ndarray:
        """Extend original bits (C, N) to the zero-penalty assignment of every variable (C, V).

        Its energy is ``objective_scale * loss`` of each net.
        """
        bits = np.atleast_2d(np.asarray(bits))
        if bits.shape[1] != self.num_original:
            raise ValueError(f"bits: expected {self.num_original} columns, got {bits.shape[1]}")
        vals = np.zeros((bits.shape[0], self.num_variables), dtype=np.float64)
        vals[:, : self.num_original] = bits
        for step in self.steps:
            if isinstance(step, _AndStep):
                p = step.p0 + step.p1 * vals[:, step.p]
                q = step.q0 + step.q1 * vals[:, step.q]
                vals[:, step.z] = p * q
            elif isinstance(step, _SignStep):
                form = (step.A @ vals.T).T + step.c
                vals[:, step.out] = (form >= -0.5).astype(np.float64)  # integer forms: >= 0
            elif isinstance(step, _ErrorStep):
                form = (step.A @ vals.T).T + step.c
                right = np.where(step.want_nonneg, form >= -0.5, form <= -0.5)
                vals[:, step.out] = (~right).astype(np.float64)
            else:
                r = np.rint((step.A @ vals.T).T + step.c).astype(np.int64)  # (C, R)
                rb = r[:, step.row]
                use_top = rb >= step.half[step.row]
                rest = rb - np.where(use_top, step.topc[step.row], 0)
                val = np.where(step.top, use_top, (rest >> step.pos) & 1)
                vals[:, step.var] = val
        return vals.astype(np.uint8)

    def verify(self, bqm, problem, num: int = 256, seed: int = 0) -> bool:
        """Check on ``num`` seeded random nets that completing them costs exactly their loss."""
        bits = np.random.default_rng(seed).integers(0, 2, size=(num, self.num_original), dtype=np.uint8)
        full = self.complete(bits)
        energies = bqm.energies((full, list(range(self.num_variables))))
        return bool(np.allclose(energies, self.objective_scale * problem.losses(bits), rtol=1e-9, atol=1e-9))

    def describe(self) -> str:
        parts = ", ".join(f"{v:,} {k}" for k, v in sorted(self.counts.items()))
        return (f"{self.num_variables:,} QUBO variables = {self.num_original} original + {parts}; "
                f"penalty {self.penalty:.6g} (reference loss {self.reference_loss:.6g}); "
                f"inputs scaled by {self.input_scale:g}\nvariable count: {self.formula}")


# ----------------------------------------------------------------------------- builder
class _Builder:
    """Accumulates a QUBO: objective terms, penalty rows (squared) and AND gadgets."""

    def __init__(self, n: int):
        self.n = n
        self.counts: dict[str, int] = {}
        self.rows_r, self.rows_v, self.rows_c = [], [], []  # penalty rows (COO) and constants
        self.row_const: list[np.ndarray] = []
        self.num_rows = 0
        self.ands: list[tuple] = []
        self.obj_lin: list[tuple[np.ndarray, np.ndarray]] = []
        self.obj_rows: list[tuple] = []  # squared objective rows (identity + mse)
        self.obj_offset = 0.0
        self.steps: list = []
        self.layer_slack: list[tuple[int, int]] = []  # (units, slack bits) per sign layer

    def alloc(self, count: int, kind: str) -> np.ndarray:
        out = np.arange(self.n, self.n + count)
        self.n += count
        self.counts[kind] = self.counts.get(kind, 0) + count
        return out

    def add_rows(self, var: np.ndarray, coef: np.ndarray, const: np.ndarray) -> None:
        """Penalty rows ``sum_k coef[r, k] * x[var[r, k]] + const[r]`` (all integers), squared."""
        R = len(const)
        self.rows_r.append(np.repeat(np.arange(self.num_rows, self.num_rows + R), var.shape[1]))
        self.rows_v.append(var.reshape(-1))
        self.rows_c.append(coef.reshape(-1).astype(np.float64))
        self.row_const.append(const.astype(np.float64))
        self.num_rows += R

    def and_gadget(self, p, p0, p1, q, q0, q1, kind: str = "product") -> np.ndarray:
        """New variables ``z = (p0 + p1 x_p)(q0 + q1 x_q)`` for arrays of affine literals."""
        # copies: callers pass views of arrays they overwrite with the new variables next
        p, q = np.array(p, dtype=np.int64).reshape(-1), np.array(q, dtype=np.int64).reshape(-1)
        n = len(p)
        z = self.alloc(n, kind)
        def bc(a):
            a = np.asarray(a, dtype=np.float64)
            return a.reshape(-1).copy() if a.size == n else np.full(n, float(a.reshape(-1)[0]))
        p0, p1, q0, q1 = bc(p0), bc(p1), bc(q0), bc(q1)
        self.ands.append((p, p0, p1, q, q0, q1, z))
        self.steps.append(_AndStep(p, p0, p1, q, q0, q1, z))
        return z


def _csr(var: np.ndarray, coef: np.ndarray, num_vars: int | None = None):
    """Rows as a sparse matrix; the width grows to the final variable count in :func:`_fix_width`."""
    from scipy import sparse

    R, k = var.shape
    if num_vars is None:
        num_vars = int(var.max()) + 1 if var.size else 1
    return sparse.csr_matrix((coef.reshape(-1).astype(np.float64), (np.repeat(np.arange(R), k), var.reshape(-1))),
                             shape=(R, num_vars))


def _slack_layout(ranges: np.ndarray):
    """Bounded binary encodings of [0, R] per row: per bit (row, pos, is_top, coef) and 2**(k-1) per row."""
    ranges = np.asarray(ranges, dtype=np.int64)
    k = np.array([int(r).bit_length() for r in ranges], dtype=np.int64)
    row = np.repeat(np.arange(len(ranges)), k)
    start = np.repeat(np.cumsum(k) - k, k)
    pos = np.arange(k.sum()) - start
    top = pos == (k[row] - 1)
    half = np.where(k > 0, 1 << np.maximum(k - 1, 0), 1)
    coef = np.where(top, ranges[row] - (half[row] - 1), 1 << pos)
    topc = ranges - (half - 1)
    return row, pos, top, coef, half, topc


def _add_slacked_rows(b: _Builder, var: np.ndarray, coef: np.ndarray, const: np.ndarray, ranges: np.ndarray) -> None:
    """Rows ``form - sigma = 0`` with ``sigma in [0, ranges[r]]`` in fresh slack bits; completion recorded.

    ``form`` must not depend on variables allocated later than the step that completes it.
    """
    row, pos, top, scoef, half, topc = _slack_layout(ranges)
    svar = b.alloc(len(row), "slack")
    # pad rows to a common width: (R, k + max bits)
    R = len(const)
    kmax = int(np.bincount(row, minlength=R).max()) if len(row) else 0
    sv = np.zeros((R, kmax), dtype=np.int64)
    sc = np.zeros((R, kmax), dtype=np.float64)
    if len(row):
        col = pos
        sv[row, col] = svar
        sc[row, col] = -scoef
    # padding entries have coefficient 0 on variable 0: harmless
    b.add_rows(np.hstack([var, sv]), np.hstack([coef, sc]), const)
    b.steps.append(_SlackStep(_csr(var, coef), const.astype(np.float64), row, pos, top, scoef, svar, half, topc))


def _sign_rows(b: _Builder, var, coef, const, out=None, error_for=None, kind="hidden"):
    """Rows tying ``out = [form >= 0]`` (hidden) or the error bits of an output (``error_for``).

    ``var`` (R, k) int, ``coef`` (R, k) int, ``const`` (R,) int: the form in integer units.
    Returns the new variables (hidden outputs or error bits); constant rows are folded.
    """
    coef = coef.astype(np.int64)
    const = const.astype(np.int64)
    R = len(const)
    g = np.gcd.reduce(np.abs(coef), axis=1)
    g = np.where(g == 0, 1, g)
    cg = coef // g[:, None]
    kmin = np.where(cg < 0, cg, 0).sum(axis=1)
    kmax = np.where(cg > 0, cg, 0).sum(axis=1)
    M = kmax - kmin
    kstar = -np.floor_divide(const, g)  # ceil(-const / g)
    T = kstar - kmin
    # K = sum cg*x - kmin  (integer, in [0, M]); the form is >= 0 iff K >= T
    Kvar, Kcoef, Kconst = var, cg, -kmin
    if error_for is None:
        out = b.alloc(R, kind)
        b.steps.append(_SignStep(_csr(var, coef), const.astype(np.float64), out))
        always = T <= 0
        never = T > M
        fixed = always | never
        if fixed.any():  # (h - 1)**2 = 1 - h forces h = 1;  h**2 = h forces h = 0
            idx = np.flatnonzero(fixed)
            b.add_rows(out[idx, None], np.ones((len(idx), 1)), np.where(always[idx], -1, 0))
        sym = ~fixed & (M == 2 * T - 1)
        two = ~fixed & ~sym
        if sym.any():
            i = np.flatnonzero(sym)
            _add_slacked_rows(b, np.hstack([Kvar[i], out[i, None]]), np.hstack([Kcoef[i], -T[i, None]]),
                              Kconst[i], T[i] - 1)
        if two.any():
            i = np.flatnonzero(two)
            rng = np.maximum(T[i] - 1, M[i] - T[i])
            _add_slacked_rows(b, np.hstack([Kvar[i], out[i, None]]), np.hstack([Kcoef[i], -T[i, None]]),
                              Kconst[i], rng)
            _add_slacked_rows(b, np.hstack([Kvar[i], out[i, None]]),
                              np.hstack([-Kcoef[i], (M[i] - T[i] + 1)[:, None]]),
                              T[i] - 1 - Kconst[i], rng)
        return out
    # output rows with an error bit: error_for = want_nonneg (R,) bool
    want = np.asarray(error_for, dtype=bool)
    always = T <= 0
    never = T > M
    wrong_const = (want & never) | (~want & always)  # misclassified whatever the weights
    fixed = always | never
    e = np.full(R, -1, dtype=np.int64)
    live = np.flatnonzero(~fixed)
    e[live] = b.alloc(len(live), "error")
    b.steps.append(_ErrorStep(_csr(var[live], coef[live]), const[live].astype(np.float64), want[live], e[live]))
    rng = np.maximum(T[live] - 1, M[live] - T[live])
    pos_rows = live[want[live]]
    neg_rows = live[~want[live]]
    if len(pos_rows):  # K - T + T e - sigma = 0
        i = pos_rows
        _add_slacked_rows(b, np.hstack([Kvar[i], e[i, None]]), np.hstack([Kcoef[i], T[i, None]]),
                          Kconst[i] - T[i], np.maximum(T[i] - 1, M[i] - T[i]))
    if len(neg_rows):  # (T - 1) - K + (M - T + 1) e - sigma = 0
        i = neg_rows
        _add_slacked_rows(b, np.hstack([Kvar[i], e[i, None]]), np.hstack([-Kcoef[i], (M[i] - T[i] + 1)[:, None]]),
                          T[i] - 1 - Kconst[i], np.maximum(T[i] - 1, M[i] - T[i]))
    del rng
    return e, int(wrong_const.sum())


def _input_scale(X: np.ndarray, resolution: float | None) -> tuple[np.ndarray, float]:
    """Integers ``Xs = X * scale`` (exact), or rounded to ``resolution`` when one is given."""
    if resolution is not None:
        if not resolution > 0:
            raise ValueError(f"input_resolution: must be > 0, got {resolution!r}")
        q = np.rint(X / resolution)
        return q, 1.0 / resolution
    vals = np.unique(X)
    den = 1
    for v in vals.tolist():
        f = Fraction(v).limit_denominator(_MAX_SCALE)
        if abs(float(f) - v) > 1e-12 * max(1.0, abs(v)):
            raise ValueError(
                "data: the inputs are not on a lattice (e.g. 0.1234...), so constraint residuals cannot be "
                "integers; binarize or rescale the data, or pass input_resolution=STEP to round the inputs "
                "(the QUBO is then exact for the rounded data)"
            )
        den = lcm(den, f.denominator)
        if den > _MAX_SCALE:
            raise ValueError("data: the inputs need a scale above 2**20 to become integers; pass input_resolution=STEP")
    return np.rint(X * den), float(den)


def _reference_loss(problem, num: int = 64, seed: int = 0, sweeps: int = 1000) -> float:
    """Loss of a good net found cheaply: the best of ``num`` seeded random nets, then single-flip descent.

    Any net's loss bounds the optimum from above, which is all the penalty needs; a lower
    bound makes a smaller penalty, which annealers handle better.
    """
    rng = np.random.default_rng(seed)
    N = problem.num_variables
    bits = rng.integers(0, 2, size=(max(num, 2), N), dtype=np.uint8)
    bits[0], bits[1] = 1, 0
    losses = problem.losses(bits)
    best = bits[int(np.argmin(losses))].copy()
    value = float(losses.min())
    flips = np.eye(N, dtype=np.uint8)
    for _ in range(sweeps):
        cand = best[None, :] ^ flips
        cl = problem.losses(cand)
        k = int(np.argmin(cl))
        if cl[k] >= value:
            break
        best, value = cand[k], float(cl[k])
    return value


# ----------------------------------------------------------------------------- the route
def to_qubo(problem, penalty: float | None = None, input_resolution: float | None = None,
            reference_nets: int = 64):
    """The exact auxiliary-neuron QUBO of a sign net and its :class:`AuxiliaryRecord`.

    Supported: any number of hidden layers with the ``sign`` activation, with or without
    biases, connection masks (the layer then needs a bias: a unit with every connection masked
    outputs -1 in the forward pass, which a threshold constraint cannot express), neuron masks,
    and a width choice between two widths; an output unit with ``sign`` and the zero-one or mse
    loss, or ``identity`` with mse.

    Args:
        problem: an :class:`anneal_binn.problem.Problem`.
        penalty: constraint strength; default: the best loss of ``reference_nets`` nets (times
            ``objective_scale``) plus one loss quantum, which provably keeps the ground state
            an optimal net.
        input_resolution: round the inputs to multiples of this step (when they are not on a
            lattice); the QUBO is then exact for the rounded data.
        reference_nets: how many seeded random nets size the default penalty.

    Returns:
        ``(dimod.BinaryQuadraticModel, AuxiliaryRecord)``, BINARY, integer variable labels.
    """
    import dimod

    arch, reg = problem.arch, problem.register
    N = reg.num_variables
    X = np.asarray(problem.data.x_train, dtype=np.float64)
    y = np.asarray(problem.data.y_train)
    P = len(y)
    L = len(arch.layers)
    out_layer = arch.layers[-1]
    if out_layer.max_width != 1:
        raise ValueError("model.output.width: the auxiliary route supports one output unit")
    out_act = out_layer.activations
    loss = arch.loss
    if not ((out_act == ("sign",) and loss in ("zero-one", "mse")) or (out_act == ("identity",) and loss == "mse")):
        raise ValueError(
            f"model.output: the auxiliary route needs activation \"sign\" with loss zero-one or mse, or \"identity\" "
            f"with mse; got {list(out_act)} with {loss!r} (use method=\"symbolic\" for polynomial activations)"
        )
    for l, layer in enumerate(arch.layers[:-1]):
        if layer.activations != ("sign",):
            raise ValueError(f"model.hidden[{l}].activation: the auxiliary route needs \"sign\" hidden units, "
                             f"got {list(layer.activations)}")
        if len(layer.widths) > 2:
            raise ValueError(f"model.hidden[{l}].width: the auxiliary route supports at most two width choices")
    for l, layer in enumerate(arch.layers):
        gated_inputs = l > 0 and (reg.neuron_index[l - 1] is not None or len(arch.layers[l - 1].widths) > 1)
        if (layer.mask or gated_inputs) and not layer.bias:
            where = "model.output" if l == L - 1 else f"model.hidden[{l}]"
            raise ValueError(f"{where}.bias: must be true in the auxiliary route when its inputs can all be switched "
                             "off (connection masks, neuron masks or width choice upstream)")
    Xs, scale = _input_scale(X, input_resolution)
    weight = 1.0 / P if (arch.reduction or "mean") == "mean" else 1.0

    b = _Builder(N)
    h_prev = None  # (P, n_in) variable indices of the previous layer's hidden bits
    gate_prev = None  # per input unit: (var, const, coef) affine literal, or None (always on)
    out_form = None
    for l, layer in enumerate(arch.layers):
        Wi = reg.weight_index[l]
        units, n_in = Wi.shape
        is_out = l == L - 1
        # connection gate per (unit, input): mask bit AND input gate -> affine literal (c0 + c1 x_v)
        conn_v = np.full((units, n_in), -1, dtype=np.int64)
        conn_0 = np.ones((units, n_in))
        conn_1 = np.zeros((units, n_in))
        if reg.mask_index[l] is not None:
            conn_v[:] = reg.mask_index[l]
            conn_0[:] = 0.0
            conn_1[:] = 1.0
        if gate_prev is not None:
            for i, g in enumerate(gate_prev):
                if g is None:
                    continue
                gv, g0, g1 = g
                if reg.mask_index[l] is None:
                    conn_v[:, i], conn_0[:, i], conn_1[:, i] = gv, g0, g1
                else:
                    z = b.and_gadget(conn_v[:, i], 0.0, 1.0, np.full(units, gv), g0, g1, kind="gate")
                    conn_v[:, i], conn_0[:, i], conn_1[:, i] = z, 0.0, 1.0
        gated = conn_v >= 0
        # weight-gate q = AND(w, conn) (binary); spin weight times gate = 2q - conn
        q = Wi.copy()
        if gated.any():
            gi = np.flatnonzero(gated.reshape(-1))
            zq = b.and_gadget(Wi.reshape(-1)[gi], 0.0, 1.0, conn_v.reshape(-1)[gi], conn_0.reshape(-1)[gi],
                              conn_1.reshape(-1)[gi], kind="product")
            q.reshape(-1)[gi] = zq
        # pre-activation form per (sample, unit): list of (var, coef) columns and a constant
        cols_v, cols_c = [], []
        const = np.zeros((P, units))
        if l == 0:
            xs = Xs  # (P, n_in) integers
            # sum_i x_i * (2 q_ui - conn_ui) ; conn = c0 + c1 * x_conn
            cols_v.append(np.broadcast_to(q[None], (P, units, n_in)))
            cols_c.append(2.0 * xs[:, None, :] * np.ones((1, units, 1)))
            if gated.any():
                cols_v.append(np.broadcast_to(np.where(gated, conn_v, 0)[None], (P, units, n_in)))
                cols_c.append(-xs[:, None, :] * np.where(gated, conn_1, 0.0)[None])
                const -= (xs[:, None, :] * np.where(gated, conn_0, 1.0)[None]).sum(axis=2)
            else:
                const -= xs.sum(axis=1)[:, None]
            unit_scale = scale
        else:
            # sum_i (2 h_i - 1)(2 q_ui - conn_ui) = 4 h q - 2 h conn - 2 q + conn
            hq = b.and_gadget(np.broadcast_to(h_prev[:, None, :], (P, units, n_in)), 0.0, 1.0,
                              np.broadcast_to(q[None], (P, units, n_in)), 0.0, 1.0, kind="product")
            cols_v.append(hq.reshape(P, units, n_in))
            cols_c.append(np.full((P, units, n_in), 4.0))
            if gated.any():
                # h * conn: conn affine c0 + c1 x -> h*c0 + c1 * AND(h, x)
                hc = b.and_gadget(np.broadcast_to(h_prev[:, None, :], (P, units, n_in)), 0.0, 1.0,
                                  np.broadcast_to(np.where(gated, conn_v, h_prev[0, 0])[None], (P, units, n_in)),
                                  np.broadcast_to(np.where(gated, conn_0, 1.0)[None], (P, units, n_in)),
                                  np.broadcast_to(np.where(gated, conn_1, 0.0)[None], (P, units, n_in)),
                                  kind="product").reshape(P, units, n_in)
                cols_v.append(hc)
                cols_c.append(np.full((P, units, n_in), -2.0))
                cols_v.append(np.broadcast_to(np.where(gated, conn_v, 0)[None], (P, units, n_in)))
                cols_c.append(np.broadcast_to(np.where(gated, conn_1, 0.0)[None], (P, units, n_in)))
                const += np.where(gated, conn_0, 1.0).sum(axis=1)[None, :]
            else:
                cols_v.append(np.broadcast_to(h_prev[:, None, :], (P, units, n_in)))
                cols_c.append(np.full((P, units, n_in), -2.0))
                const += n_in
            cols_v.append(np.broadcast_to(q[None], (P, units, n_in)))
            cols_c.append(np.full((P, units, n_in), -2.0))
            unit_scale = 1.0
        if reg.bias_index[l] is not None:  # (2 b - 1) * unit_scale
            cols_v.append(np.broadcast_to(reg.bias_index[l][None, :, None], (P, units, 1)))
            cols_c.append(np.full((P, units, 1), 2.0 * unit_scale))
            const -= unit_scale
        var = np.concatenate([np.ascontiguousarray(v).reshape(P, units, -1) for v in cols_v], axis=2)
        coef = np.concatenate([np.asarray(c, dtype=np.float64).reshape(P, units, -1) for c in cols_c], axis=2)
        var = var.reshape(P * units, -1)
        coef = coef.reshape(P * units, -1)
        const = const.reshape(-1)
        if is_out:
            out_form = (var, coef, const, unit_scale)
            break
        before = b.counts.get("slack", 0)
        h = _sign_rows(b, var, np.rint(coef).astype(np.int64), np.rint(const).astype(np.int64)).reshape(P, units)
        b.layer_slack.append((units, b.counts.get("slack", 0) - before))
        h_prev = h
        # gates of this layer's units for the next layer: width choice AND neuron mask
        gate_prev = []
        for u in range(units):
            lit = None  # (var, c0, c1)
            if len(layer.widths) > 1:
                (wb,) = reg.width_index[l] if len(reg.width_index[l]) == 1 else (None,)
                on0, on1 = u < layer.widths[0], u < layer.widths[min(1, len(layer.widths) - 1)]
                if on0 and on1:
                    lit = None
                elif not on0 and not on1:
                    lit = ("zero",)
                else:
                    lit = (wb, 0.0, 1.0) if on1 else (wb, 1.0, -1.0)
            if reg.neuron_index[l] is not None:
                nb = int(reg.neuron_index[l][u])
                if lit is None:
                    lit = (nb, 0.0, 1.0)
                elif lit != ("zero",):
                    z = b.and_gadget([lit[0]], lit[1], lit[2], [nb], 0.0, 1.0, kind="gate")
                    lit = (int(z[0]), 0.0, 1.0)
            if lit == ("zero",):
                lit = (0, 0.0, 0.0)  # always off: the constant 0
            gate_prev.append(lit)

    # ---- output objective
    var, coef, const, unit_scale = out_form
    if out_act == ("sign",):
        want = y > 0
        before = b.counts.get("slack", 0)
        e, wrong_const = _sign_rows(b, var, np.rint(coef).astype(np.int64), np.rint(const).astype(np.int64),
                                    error_for=want)
        per_error = weight * (4.0 if loss == "mse" else 1.0)
        live = e >= 0
        b.obj_lin.append((e[live], np.full(int(live.sum()), per_error)))
        b.obj_offset += per_error * wrong_const
        b.layer_slack.append((1, b.counts.get("slack", 0) - before))
        quantum = per_error
    else:  # identity + mse: (o - t)**2 with o = form / unit_scale, t = ±1
        t = np.where(y > 0, 1.0, -1.0)
        b.obj_rows.append((var, coef / unit_scale, const / unit_scale - t, weight))
        quantum = weight  # any positive margin works: the objective is not quantized
    objective_scale = 1.0
    ref = _reference_loss(problem, reference_nets)
    lam = float(penalty) if penalty is not None else ref * objective_scale + quantum
    bqm = _finalize(b, lam, dimod)
    steps = tuple(_fix_width(s, b.n) for s in b.steps)
    formula = _formula(b, N, P, out_act == ("identity",))
    record = AuxiliaryRecord(N, b.n, dict(sorted(b.counts.items())), lam, objective_scale, ref, scale, formula, steps)
    return bqm, record


def _fix_width(step, V: int):
    """Give the completion matrices their final width (the variable count is known only at the end)."""
    from scipy import sparse

    if isinstance(step, (_SignStep, _ErrorStep, _SlackStep)):
        A = step.A.tocoo()
        A = sparse.csr_matrix((A.data, (A.row, A.col)), shape=(A.shape[0], V))
        return type(step)(**{**step.__dict__, "A": A})
    return step


def _finalize(b: _Builder, lam: float, dimod):
    from scipy import sparse

    V = b.n
    lin = np.zeros(V)
    offset = b.obj_offset
    blocks = []
    for v, c in b.obj_lin:
        np.add.at(lin, v, c)
    # squared rows: lam * (A x + c)^2 for penalties; w * (A x + c)^2 for objective rows
    mats, consts, wts = [], [], []
    if b.num_rows:
        A = sparse.csr_matrix((np.concatenate(b.rows_c), (np.concatenate(b.rows_r), np.concatenate(b.rows_v))),
                              shape=(b.num_rows, V))
        mats.append(A)
        consts.append(np.concatenate(b.row_const))
        wts.append(np.full(b.num_rows, lam))
    for var, coef, const, w in b.obj_rows:
        R, k = var.shape
        A = sparse.csr_matrix((coef.reshape(-1), (np.repeat(np.arange(R), k), var.reshape(-1))), shape=(R, V))
        mats.append(A)
        consts.append(const)
        wts.append(np.full(R, w))
    for A, c, w in zip(mats, consts, wts):
        A.sum_duplicates()
        Wd = sparse.diags(w)
        Q = (A.T @ Wd @ A).tocoo()
        lin += 2.0 * (A.T @ (w * c))
        offset += float((w * c * c).sum())
        diag = Q.row == Q.col
        lin += np.bincount(Q.row[diag], weights=Q.data[diag], minlength=V)  # x**2 = x
        off = Q.row < Q.col
        blocks.append((Q.row[off], Q.col[off], 2.0 * Q.data[off]))
    # AND gadgets: lam * (p q - 2 p z - 2 q z + 3 z) with affine literals p = p0 + p1 x, q = q0 + q1 x'
    for p, p0, p1, q, q0, q1, z in b.ands:
        # p q = p0 q0 + p0 q1 x' + q0 p1 x + p1 q1 x x'
        offset += lam * float((p0 * q0).sum())
        np.add.at(lin, q, lam * p0 * q1)
        np.add.at(lin, p, lam * q0 * p1)
        blocks.append((p, q, lam * p1 * q1))
        # -2 p z = -2 p0 z - 2 p1 x z ; -2 q z likewise ; + 3 z
        np.add.at(lin, z, lam * (3.0 - 2.0 * p0 - 2.0 * q0))
        blocks.append((p, z, -2.0 * lam * p1))
        blocks.append((q, z, -2.0 * lam * q1))
    if blocks:
        r = np.concatenate([bl[0] for bl in blocks]).astype(np.int64)
        c = np.concatenate([bl[1] for bl in blocks]).astype(np.int64)
        d = np.concatenate([bl[2] for bl in blocks]).astype(np.float64)
        same = r == c  # a literal times itself (x x = x)
        if same.any():
            lin += np.bincount(r[same], weights=d[same], minlength=V)
        r, c, d = r[~same], c[~same], d[~same]
        lo, hi = np.minimum(r, c), np.maximum(r, c)
        key = lo * V + hi
        uniq, inv = np.unique(key, return_inverse=True)
        qd = np.bincount(inv, weights=d, minlength=len(uniq))
        keep = qd != 0
        qr, qc, qd = (uniq // V)[keep], (uniq % V)[keep], qd[keep]
    else:
        qr = qc = np.zeros(0, dtype=np.int64)
        qd = np.zeros(0)
    bqm = dimod.BinaryQuadraticModel.from_numpy_vectors(lin, (qr, qc, qd), offset, dimod.BINARY,
                                                        variable_order=list(range(V)))
    return bqm


def _formula(b: _Builder, N: int, P: int, identity_out: bool) -> str:
    """The variable count with this problem's numbers (slack bits per row are data dependent)."""
    hidden = b.layer_slack if identity_out else b.layer_slack[:-1]
    parts, values = ["N"], [N]
    for l, (H, sl) in enumerate(hidden):
        parts.append(f"P*H{l}*(1 + b{l})")
        values.append(P * H + sl)
    widths = [H for H, _ in hidden]
    for l in range(len(widths)):
        nxt = widths[l + 1] if l + 1 < len(widths) else 1
        parts.append(f"P*H{l}*{nxt}")
        values.append(P * widths[l] * nxt)
    if not identity_out:
        sl = b.layer_slack[-1][1]
        parts.append("P*(1 + b_out)")
        values.append(P + sl)
    extra = b.counts.get("gate", 0) + b.counts.get("product", 0) - sum(values[1 + len(hidden): 1 + 2 * len(hidden)])
    if extra:
        parts.append("G")
        values.append(extra)
    detail = ", ".join([f"N={N}", f"P={P}"] + [f"H{l}={H}, b{l}={sl / max(P * H, 1):.3g}" for l, (H, sl) in enumerate(hidden)]
                       + ([f"b_out={b.layer_slack[-1][1] / P:.3g}"] if not identity_out else [])
                       + ([f"G={extra} mask/gate products"] if extra else []))
    return (f"{' + '.join(parts)} = {' + '.join(f'{v:,}' for v in values)} = {sum(values):,} ({detail}); "
            "b = slack bits per row: bit_length(max(T-1, M-T)), twice when the sign split is uneven")


def to_hubo(problem, vartype="BINARY", **options):
    """``problem.to_hubo(method="auxiliary")``: the auxiliary QUBO as a (quadratic) BinaryPolynomial.

    Variables ``0..N-1`` are the problem's own; the auxiliary ones follow. Use :func:`to_qubo`
    for the ``dimod.BinaryQuadraticModel`` and the record that maps back.
    """
    import dimod

    bqm, _ = to_qubo(problem, **options)
    name = getattr(vartype, "name", vartype)
    if name not in ("BINARY", "SPIN"):
        raise ValueError(f"vartype: must be 'BINARY' or 'SPIN', got {vartype!r}")
    if name == "SPIN":
        bqm = bqm.change_vartype(dimod.SPIN, inplace=False)
    terms = {(v,): b for v, b in bqm.linear.items()}
    terms.update({(u, v): b for (u, v), b in bqm.quadratic.items()})
    terms[()] = bqm.offset
    return dimod.BinaryPolynomial(terms, bqm.vartype)
