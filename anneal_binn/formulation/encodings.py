"""QPU-sized QUBOs for a sign unit's constraints: unbalanced penalization, bounded slack, margin.

A perceptron (one ``sign`` output, no hidden layer) classifies pattern ``mu`` correctly when its
field has the label's sign. With bits ``b`` (weight ``w = 2b - 1``), inputs scaled to integers
(as in :mod:`~anneal_binn.formulation.auxiliary`) and ``sign(0) = +1``, that is one integer
inequality per pattern,

    ``h_mu = K_mu(b) - T_mu >= 0``,   ``K_mu = sum_j c_mu,j b_j`` (integer ``c``),

where ``h`` counts lattice steps of the field ``y * (xi . w)`` above the correctness threshold
(for ±1 inputs and odd N one step is 2: ``y xi.w = 2 h + 1``). The exact auxiliary QUBO adds an
error bit and a full slack register per pattern, and annealers get stuck in it. The encodings
here drop the error bit (they aim at zero-error nets, which exist below capacity) and shape the
penalty so a single weight flip costs little:

* ``"unbalanced"`` (Montañez-Barrera, Willsch, Maldonado-Romo & Michielsen, "Unbalanced
  penalization: a new approach to encode inequality constraints of combinatorial problems for
  quantum optimization algorithms", 2022/2023): ``-lambda1 h + lambda2 h**2`` per pattern, no slack
  bits, N variables. Rule, per pattern: ``lambda2 = 1 / sigma**2`` and ``lambda1 = 2 gamma / sigma``,
  ``sigma`` the standard deviation of ``h`` over uniformly random nets (``sqrt(N)/2`` for ±1
  inputs): the penalty is ``(h/sigma - gamma)**2 - gamma**2``, negative on ``0 < h < 2 gamma sigma``,
  lowest at a margin of ``gamma`` random-net standard deviations and positive for violations.
  Dividing by ``sigma`` makes every pattern weigh the same whatever its input norm. ``gamma = 0.75``
  was chosen by measurement (``benchmarks/encodings.py --gamma``, 16 SA reads, seed 0): on the
  N = 101 and 201, alpha = 0.5 perceptrons gamma 0.75..1.25 gives zero errors with 0.1..0.5 errors
  per read on average; 0.5 crowds the margins near zero (0.9..2.7 per read), 1.5..2 lets the
  linear, Hebbian part win (best read 1..3 errors on N = 101); on N = 201, alpha = 0.7, 0.75 is
  the best (2 errors; 1 with 64 reads of 10,000 sweeps) against 3 for gamma = 1.
  **Surrogate**: its ground state need not be a zero-error net.
* ``"slack-bounded"``: ``(h - s)**2`` per pattern with a bounded slack ``s in {0, step, ..., cap}``;
  ``slack="unary"`` (default, ``cap = 8`` steps: 8 bits, every bit worth one step, so one bit flip
  moves ``s`` by one and many bit patterns give the same ``s``) or ``"binary"`` (bounded binary,
  ``bit_length(cap)`` bits; default cap: the full range, up to 8 bits). At most ``N + 8P``
  variables. Energy 0 means every pattern is classified correctly with a margin ``h <= cap``
  (on the step lattice), so an energy-0 state is always a zero-error net; with ``step = 1`` and
  a cap covering every pattern's range (±1 inputs with N <= 17), **exact**: ground energy 0 iff a
  zero-error net exists, and then the ground states are exactly the zero-error nets. With a
  smaller cap it is exact only among nets whose margins stay under the cap. Unary with cap 8 was
  chosen by measurement (``benchmarks/encodings.py --slack``, 16 SA reads x 2,000 sweeps): best
  read 0 errors on N = 101 and 201 (alpha 0.5), where the full-range binary slack (the auxiliary
  QUBO's register without its error bit) leaves 2 and 5 and unary cap 6 leaves 0 and 2.
* ``"margin"``: the quadratic loss ``sum_mu (1 - y_mu (xi_mu . w) / kappa)**2`` (a linear unit
  regressed onto the labels at field scale ``kappa``; default ``kappa = gamma * mean ||xi_mu||``
  with ``gamma = 0.75``: ||xi|| is the random-net field scale, ``sqrt(N)`` for ±1 inputs, and the
  same sweep chose gamma). N variables. **Surrogate**. For ±1 inputs it is the same quadratic
  family as ``unbalanced`` (both pull every field toward one
  target margin), measured from the field rather than from the correctness threshold and with
  one weight for all patterns rather than ``1/sigma**2`` per pattern.

Every encoding returns ``(dimod.BinaryQuadraticModel, EncodingRecord)``; variables ``0..N-1`` are
the problem's bits, slack bits follow. The record maps samples back (:meth:`EncodingRecord.decode`,
:meth:`EncodingRecord.project`), counts training errors, and reports variables, interactions,
the coefficient range (max |bias| / min nonzero |bias|, the precision a QPU needs) and whether the
ground state is exact.

Examples:
    >>> import anneal_binn as ab
    >>> p = ab.build_from_dict({"data": {"source": "perceptron", "n": 7, "alpha": 0.5},
    ...                         "model": {"loss": "zero-one", "output": {"activation": "sign"}}})
    >>> bqm, rec = to_qubo(p, encoding="slack-bounded")
    >>> rec.num_original, rec.num_variables == bqm.num_variables, rec.exact
    (7, True, True)
    >>> sorted(ENCODINGS)
    ['margin', 'slack-bounded', 'unbalanced']
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MAX_SLACK_BITS = 8  # the budget: at most N + 8P variables


# ----------------------------------------------------------------------------- the constraint rows
@dataclass(frozen=True)
class SignRows:
    """Each pattern's correctness as an integer inequality ``K = coef @ b >= T`` over the N bits.

    Attributes:
        coef: (R, N) integer coefficients of the live rows (patterns whose outcome depends on b).
        threshold: (R,) ``T``: the pattern is classified correctly iff ``K >= T``.
        kmin, kmax: (R,) the range of ``K`` over all nets.
        sigma: (R,) standard deviation of ``K`` over uniformly random nets.
        field_step: (R,) one unit of ``K`` in units of the field ``y * (xi . w)`` (original inputs).
        field_offset: (R,) ``y * (xi . w)`` at ``K = 0``.
        always_wrong: patterns misclassified by every net (counted as errors, no row).
        always_right: patterns classified correctly by every net (no row).
        input_scale: the inputs were multiplied by this to make them integers.
    """

    coef: np.ndarray
    threshold: np.ndarray
    kmin: np.ndarray
    kmax: np.ndarray
    sigma: np.ndarray
    field_step: np.ndarray
    field_offset: np.ndarray
    always_wrong: int
    always_right: int
    input_scale: float

    @property
    def num_rows(self) -> int:
        return len(self.threshold)

    def margins(self, bits) -> np.ndarray:
        """``h = K - T`` of every row for nets ``bits`` (C, N): (C, R); negative = misclassified."""
        bits = np.atleast_2d(np.asarray(bits)).astype(np.int64)
        return bits @ self.coef.T - self.threshold


def sign_rows(problem, input_resolution: float | None = None) -> SignRows:
    """The per-pattern inequalities of a single sign unit; refuses anything else with a ValueError.

    Args:
        problem: an :class:`anneal_binn.problem.Problem` whose model is one ``sign`` output unit
            (no hidden layers, no masks, no activation or width choice; a bias is fine).
        input_resolution: round the inputs to multiples of this step when they are not on a lattice.

    Examples:
        >>> import anneal_binn as ab
        >>> p = ab.build_from_dict({"data": {"source": "perceptron", "n": 5, "alpha": 0.6},
        ...                         "model": {"loss": "zero-one", "output": {"activation": "sign"}}})
        >>> rows = sign_rows(p)
        >>> rows.num_rows + rows.always_wrong + rows.always_right, rows.coef.shape[1]
        (3, 5)
    """
    from anneal_binn.formulation.auxiliary import _input_scale

    arch, reg = problem.arch, problem.register
    if len(arch.layers) != 1:
        raise ValueError(f"model.hidden: the encodings take a single sign unit (a perceptron), got "
                         f"{len(arch.layers) - 1} hidden layer(s); use the auxiliary route (method=\"auxiliary\")")
    layer = arch.layers[0]
    if layer.max_width != 1 or len(layer.widths) != 1:
        raise ValueError(f"model.output.width: the encodings need one output unit, got {list(layer.widths)}")
    if layer.activations != ("sign",):
        raise ValueError(f"model.output.activation: the encodings need \"sign\", got {list(layer.activations)}")
    if arch.loss not in ("zero-one", "mse"):
        raise ValueError(f"model.loss: the encodings need zero-one (or mse, which counts the same errors) with a "
                         f"sign output, got {arch.loss!r}")
    if layer.mask or reg.mask_index[0] is not None:
        raise ValueError("model.output.mask: the encodings need every connection present (no connection mask)")
    Wi = reg.weight_index[0].reshape(-1)
    Bi = reg.bias_index[0]
    own = len(Wi) + (0 if Bi is None else len(Bi))
    if own != reg.num_variables:
        raise ValueError(f"model: the encodings need weights and bias bits only; this register has "
                         f"{reg.num_variables - own} other bit(s) (activation or width choices)")
    X = np.asarray(problem.data.x_train, dtype=np.float64)
    y = np.where(np.asarray(problem.data.y_train) > 0, 1, -1).astype(np.int64)
    Xs, scale = _input_scale(X, input_resolution)
    cols = [Xs]
    var = [Wi]
    if Bi is not None:  # the bias is a weight on a constant input 1 (scaled like the inputs)
        cols.append(np.full((len(y), 1), scale))
        var.append(np.asarray(Bi).reshape(-1))
    xs = np.rint(np.hstack(cols)).astype(np.int64)  # (P, n_in [+1])
    order = np.concatenate(var)
    N = reg.num_variables
    # y * (integer field) = sum_j 2 y xs_j b_j - y sum_j xs_j ; correct: y=+1 needs >= 0, y=-1 needs >= 1
    c = 2 * y[:, None] * xs
    g = np.gcd.reduce(np.abs(c), axis=1)
    g = np.where(g == 0, 1, g)
    cg = c // g[:, None]
    u0 = -y * xs.sum(axis=1)
    t = np.where(y > 0, 0, 1)
    T = -np.floor_divide(u0 - t, g)  # ceil((t - u0) / g): the smallest K with a correct sign
    kmin = np.where(cg < 0, cg, 0).sum(axis=1)
    kmax = np.where(cg > 0, cg, 0).sum(axis=1)
    right = T <= kmin
    wrong = T > kmax
    live = ~(right | wrong)
    coef = np.zeros((int(live.sum()), N), dtype=np.int64)
    coef[:, order] = cg[live]
    sigma = np.sqrt((cg[live].astype(np.float64) ** 2).sum(axis=1)) / 2.0
    return SignRows(coef, T[live].astype(np.int64), kmin[live], kmax[live], np.where(sigma > 0, sigma, 1.0),
                    g[live] / scale, u0[live] / scale, int(wrong.sum()), int(right.sum()), float(scale))


# ----------------------------------------------------------------------------- the record
@dataclass(frozen=True)
class EncodingRecord:
    """What an encoded QUBO means and how to go back to the problem's nets.

    Attributes:
        encoding: ``"unbalanced"``, ``"slack-bounded"`` or ``"margin"``.
        num_original: N; variables ``0..N-1`` are the problem's bits (same meaning).
        num_variables: all QUBO variables (``N..`` are slack bits).
        num_interactions: quadratic terms of the QUBO.
        coefficient_range: max |bias| / min nonzero |bias| over the QUBO's linear and quadratic
            biases (BINARY, as built); the precision a QPU needs.
        ising_range: the same for the Ising form (h and J) that a QPU is programmed with.
        exact: whether the ground states are exactly the zero-error nets when one exists.
        ground_state: one line on what the ground state means.
        options: the resolved options (rule parameters, cap, step, ...).
        counts: auxiliary variables by kind (``{"slack": ...}``; empty without slack).
        formula: the variable count as a formula of N and P.

    Examples:
        >>> import anneal_binn as ab
        >>> p = ab.build_from_dict({"data": {"source": "perceptron", "n": 9, "alpha": 0.5},
        ...                         "model": {"loss": "zero-one", "output": {"activation": "sign"}}})
        >>> bqm, rec = to_qubo(p, encoding="unbalanced")
        >>> rec.num_variables, rec.exact, rec.counts
        (9, False, {})
        >>> bits = rec.decode({v: 1 for v in bqm.variables})
        >>> int(rec.errors(bits)[0]) == int(p.losses(bits)[0])
        True
    """

    encoding: str
    num_original: int
    num_variables: int
    num_interactions: int
    coefficient_range: float
    ising_range: float
    exact: bool
    ground_state: str
    options: dict
    counts: dict
    formula: str
    rows: SignRows = field(repr=False, default=None)
    slack: tuple = field(repr=False, default=())  # (var, row, value-of-bit layout) for complete()

    def decode(self, sample) -> np.ndarray:
        """Original bits (S, N) of QUBO samples: a SampleSet, a mapping, or an array (S, V)."""
        from anneal_binn.formulation.auxiliary import original_bits

        return original_bits(sample, self.num_original)

    def errors(self, bits) -> np.ndarray:
        """Training patterns misclassified by each net ``bits`` (C, N): (C,) integers."""
        h = self.rows.margins(bits)
        return (h < 0).sum(axis=1) + self.rows.always_wrong

    def project(self, sampleset):
        """The samples as nets: a SampleSet over ``0..N-1`` whose energy is the training error count.

        The QUBO energy the sampler reported is kept in the ``qubo_energy`` vector.
        """
        import dimod

        bits = self.decode(sampleset)
        vectors = {"qubo_energy": np.asarray(sampleset.record.energy)}
        if "num_occurrences" in sampleset.record.dtype.names:
            vectors["num_occurrences"] = sampleset.record.num_occurrences
        return dimod.SampleSet.from_samples((bits, list(range(self.num_original))), dimod.BINARY,
                                            self.errors(bits).astype(np.float64), info=dict(sampleset.info),
                                            **vectors)

    def complete(self, bits) -> np.ndarray:
        """Extend nets (C, N) with their best slack bits: (C, V); the energy is then the net's minimum."""
        bits = np.atleast_2d(np.asarray(bits))
        if bits.shape[1] != self.num_original:
            raise ValueError(f"bits: expected {self.num_original} columns, got {bits.shape[1]}")
        out = np.zeros((len(bits), self.num_variables), dtype=np.int8)  # int8: usable as SA initial states
        out[:, : self.num_original] = bits
        if self.slack:
            var, row, pos, top, half, topc, unary, step, rng = self.slack
            h = self.rows.margins(bits)
            # the representable value closest to h: steps of `step`, from 0 to rng (in steps)
            r = np.clip(np.floor(h / step + 0.5), 0, rng[None, :]).astype(np.int64)
            rb = r[:, row]
            if unary:
                val = pos[None, :] < rb
            else:
                use_top = rb >= half[row]
                rest = rb - np.where(use_top, topc[row], 0)
                val = np.where(top, use_top, (rest >> pos) & 1)
            out[:, var] = val
        return out

    def report(self) -> dict:
        """The numbers a comparison table needs, as plain Python values."""
        return {"encoding": self.encoding, "variables": self.num_variables, "interactions": self.num_interactions,
                "coefficient_range": self.coefficient_range, "ising_range": self.ising_range,
                "exact": self.exact, "ground_state": self.ground_state, "formula": self.formula}

    def describe(self) -> str:
        return (f"{self.encoding}: {self.num_variables:,} variables ({self.formula}), {self.num_interactions:,} "
                f"interactions, coefficient range {self.coefficient_range:.4g} (Ising {self.ising_range:.4g}); "
                f"{self.ground_state}")


def _range(*arrays) -> float:
    vals = np.abs(np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays]))
    nz = vals[vals > 1e-12 * max(vals.max(initial=0.0), 1.0)]
    return float(nz.max() / nz.min()) if len(nz) else 1.0


def _squared_rows(A, c: np.ndarray, w: np.ndarray, offset: float, V: int):
    """The BQM ``sum_r w_r (A_r x + c_r)**2 + offset`` over binary x (A sparse (R, V))."""
    import dimod
    from scipy import sparse

    A = sparse.csr_matrix(A, shape=(A.shape[0], V))
    A.sum_duplicates()
    Q = (A.T @ sparse.diags(w) @ A).tocoo()
    lin = 2.0 * (A.T @ (w * c))
    lin = np.asarray(lin).ravel()
    diag = Q.row == Q.col
    lin = lin + np.bincount(Q.row[diag], weights=Q.data[diag], minlength=V)  # x**2 = x
    up = (Q.row < Q.col) & (Q.data != 0)
    off = float((w * c * c).sum()) + offset
    return dimod.BinaryQuadraticModel.from_numpy_vectors(
        lin, (Q.row[up], Q.col[up], 2.0 * Q.data[up]), off, dimod.BINARY, variable_order=list(range(V)))


def _finish(bqm, encoding, rows, N, exact, ground_state, options, counts, formula, slack=()) -> tuple:
    import dimod

    lin, (_, _, q), _ = bqm.to_numpy_vectors(variable_order=list(range(bqm.num_variables)))
    ising = bqm.change_vartype(dimod.SPIN, inplace=False)
    hl, (_, _, J), _ = ising.to_numpy_vectors(variable_order=list(range(bqm.num_variables)))
    rec = EncodingRecord(encoding, N, bqm.num_variables, bqm.num_interactions, _range(lin, q), _range(hl, J), exact,
                         ground_state, options, counts, formula, rows, slack)
    return bqm, rec


def _check_options(encoding: str, options: dict, known: set) -> None:
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: unknown option(s) for encoding {encoding!r}; "
                         f"known: {', '.join(sorted(known))}")


# ----------------------------------------------------------------------------- the encodings
def unbalanced(problem, gamma: float = 0.75, lambda1=None, lambda2=None, input_resolution: float | None = None):
    """Unbalanced penalization ``sum_mu -lambda1 h_mu + lambda2 h_mu**2``: N variables, a surrogate.

    Args:
        problem: a single-sign-unit :class:`~anneal_binn.problem.Problem`.
        gamma: the default rule's target margin in random-net standard deviations
            (``lambda1 = 2 gamma / sigma``, ``lambda2 = 1 / sigma**2`` per pattern).
        lambda1, lambda2: override the rule (a number, or one value per live pattern).
        input_resolution: see :func:`sign_rows`.

    Returns:
        ``(dimod.BinaryQuadraticModel, EncodingRecord)``.
    """
    from scipy import sparse

    if not gamma > 0:
        raise ValueError(f"gamma: must be > 0, got {gamma!r}")
    rows = sign_rows(problem, input_resolution)
    N, R = problem.num_variables, rows.num_rows
    def given(name, value):
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim > 1 or arr.size not in (1, R):
            raise ValueError(f"{name}: give a number or one value per live pattern ({R}: sign_rows(problem).num_rows), "
                             f"got shape {arr.shape}")
        return np.broadcast_to(arr.reshape(-1), (R,))

    l2 = 1.0 / rows.sigma**2 if lambda2 is None else given("lambda2", lambda2)
    l1 = 2.0 * gamma / rows.sigma if lambda1 is None else given("lambda1", lambda1)
    if np.any(l2 <= 0) or np.any(l1 <= 0):
        raise ValueError("lambda1, lambda2: must be > 0 (lambda1 rewards margin, lambda2 bounds it)")
    # -l1 h + l2 h**2 = l2 (h - l1 / (2 l2))**2 - l1**2 / (4 l2), h = coef @ b - T
    target = l1 / (2.0 * l2)
    A = sparse.csr_matrix(rows.coef.astype(np.float64))
    bqm = _squared_rows(A, -rows.threshold - target, l2, -float((l1**2 / (4.0 * l2)).sum()), N)
    opts = {"gamma": float(gamma), "lambda1": "rule" if lambda1 is None else "given",
            "lambda2": "rule" if lambda2 is None else "given",
            "target_margin_steps": float(np.mean(target)) if R else 0.0}
    return _finish(bqm, "unbalanced", rows, N, False,
                   "surrogate: minimum pulls each pattern's margin toward lambda1/(2 lambda2); "
                   "a ground state need not be a zero-error net", opts, {}, f"N = {N}")


def margin(problem, kappa: float | None = None, gamma: float = 0.75, input_resolution: float | None = None):
    """Quadratic margin loss ``sum_mu (1 - y_mu xi_mu.w / kappa)**2``: N variables, a surrogate.

    Args:
        problem: a single-sign-unit :class:`~anneal_binn.problem.Problem`.
        kappa: target field (original input units); default ``gamma * mean_mu ||xi_mu||``.
        gamma: see ``kappa``.
        input_resolution: see :func:`sign_rows`.

    Returns:
        ``(dimod.BinaryQuadraticModel, EncodingRecord)``.
    """
    from scipy import sparse

    rows = sign_rows(problem, input_resolution)
    N = problem.num_variables
    if kappa is None:
        if not gamma > 0:
            raise ValueError(f"gamma: must be > 0, got {gamma!r}")
        field_sd = rows.sigma * rows.field_step  # std of y xi.w over random nets = ||xi|| (with bias input)
        kappa = gamma * float(field_sd.mean()) if rows.num_rows else 1.0
    if not kappa > 0:
        raise ValueError(f"kappa: must be > 0, got {kappa!r}")
    # y xi.w = field_offset + field_step * K  ->  row 1 - that / kappa
    A = sparse.csr_matrix(-(rows.field_step / kappa)[:, None] * rows.coef)
    bqm = _squared_rows(A, 1.0 - rows.field_offset / kappa, np.ones(rows.num_rows), 0.0, N)
    return _finish(bqm, "margin", rows, N, False,
                   "surrogate: least squares of the field onto kappa * label; a ground state need not be "
                   "a zero-error net", {"kappa": float(kappa), "gamma": float(gamma)}, {}, f"N = {N}")


def slack_bounded(problem, slack: str = "unary", cap: int | None = None, step: int = 1,
                  input_resolution: float | None = None):
    """``sum_mu (h_mu - s_mu)**2`` with a bounded slack ``s in {0, step, ..., cap}``; at most N + 8P variables.

    Args:
        problem: a single-sign-unit :class:`~anneal_binn.problem.Problem`.
        slack: ``"unary"`` (``cap // step`` bits of value ``step``) or ``"binary"`` (bounded binary).
        cap: the largest slack (margin steps ``h``); default 8 (unary) or the full range (binary),
            limited to 8 bits per pattern either way; a pattern's cap never exceeds its range.
        step: slack resolution in margin steps; 1 keeps energy 0 reachable by every zero-error net
            whose margins are under the cap.
        input_resolution: see :func:`sign_rows`.

    Returns:
        ``(dimod.BinaryQuadraticModel, EncodingRecord)``.
    """
    from scipy import sparse

    from anneal_binn.formulation.auxiliary import _slack_layout

    if slack not in ("unary", "binary"):
        raise ValueError(f"slack: must be 'unary' or 'binary', got {slack!r}")
    if int(step) != step or step < 1:
        raise ValueError(f"step: must be a positive integer, got {step!r}")
    step = int(step)
    max_steps = MAX_SLACK_BITS if slack == "unary" else 2**MAX_SLACK_BITS - 1
    rows = sign_rows(problem, input_resolution)
    N, R = problem.num_variables, rows.num_rows
    full = rows.kmax - rows.threshold  # the largest margin a pattern can have
    if cap is None:
        cap_steps = np.full(R, max_steps) if slack == "unary" else -(-full // step)
    else:
        if int(cap) != cap or cap < 0:
            raise ValueError(f"cap: must be a non-negative integer, got {cap!r}")
        cap_steps = np.full(R, int(cap) // step)
    cap_steps = np.minimum(cap_steps, -(-full // step))  # never beyond what the pattern can reach
    if np.any(cap_steps > max_steps):
        raise ValueError(f"cap: {int(cap_steps.max())} steps need more than {MAX_SLACK_BITS} {slack} slack bits "
                         f"per pattern; lower cap or raise step")
    cap_steps = cap_steps.astype(np.int64)
    if slack == "unary":
        nb = cap_steps
        row = np.repeat(np.arange(R), nb)
        pos = np.arange(int(nb.sum())) - np.repeat(np.cumsum(nb) - nb, nb)
        coefb = np.full(len(row), step, dtype=np.int64)
        top = np.zeros(len(row), dtype=bool)
        half = topc = np.zeros(R, dtype=np.int64)
    else:
        row, pos, top, cb, half, topc = _slack_layout(cap_steps)
        coefb = cb * step
    svar = N + np.arange(len(row))
    V = N + len(row)
    Aw = sparse.coo_matrix(rows.coef.astype(np.float64))
    A = sparse.csr_matrix((np.concatenate([Aw.data, -coefb.astype(np.float64)]),
                           (np.concatenate([Aw.row, row]), np.concatenate([Aw.col, svar]))), shape=(R, V))
    bqm = _squared_rows(A, -rows.threshold.astype(np.float64), np.ones(R), 0.0, V)
    exact = step == 1 and bool(np.all(cap_steps >= full))
    note = ("exact: ground energy 0 iff a zero-error net exists; ground states = the zero-error nets" if exact else
            "energy 0 => zero errors; only zero-error nets with every margin <= cap (on the step lattice) reach it")
    opts = {"slack": slack, "cap": int(cap_steps.max(initial=0)) * step, "step": step,
            "bits_per_pattern": float(len(row) / R) if R else 0.0}
    bits_word = f"{slack} slack bits per pattern (cap {opts['cap']}, step {step})"
    formula = (f"N + sum_mu b_mu = {N} + {len(row):,} ({bits_word}; "
               f"<= N + {MAX_SLACK_BITS}P = {N + MAX_SLACK_BITS * R:,})")
    return _finish(bqm, "slack-bounded", rows, N, exact, note, opts, {"slack": len(row)}, formula,
                   (svar, row, pos, top, half, topc, slack == "unary", step, cap_steps))


ENCODINGS = {"unbalanced": unbalanced, "slack-bounded": slack_bounded, "margin": margin}


def to_qubo(problem, encoding: str = "unbalanced", **options):
    """A sign unit's training problem as a QPU-sized QUBO and its :class:`EncodingRecord`.

    Args:
        problem: a :class:`~anneal_binn.problem.Problem` with one ``sign`` output and no hidden
            layer (others raise a ValueError naming what is needed).
        encoding: a key of :data:`ENCODINGS`.
        **options: the encoding's options (see :func:`unbalanced`, :func:`slack_bounded`, :func:`margin`).

    Returns:
        ``(dimod.BinaryQuadraticModel, EncodingRecord)``, BINARY, integer labels, ``0..N-1`` = the
        problem's bits.

    Examples:
        >>> import anneal_binn as ab
        >>> from dwave.samplers import SimulatedAnnealingSampler
        >>> p = ab.build_from_dict({"data": {"source": "perceptron", "n": 21, "alpha": 0.5},
        ...                         "model": {"loss": "zero-one", "output": {"activation": "sign"}}})
        >>> bqm, rec = to_qubo(p, encoding="unbalanced")
        >>> ss = SimulatedAnnealingSampler().sample(bqm, num_reads=8, num_sweeps=200, seed=0)
        >>> int(rec.project(ss).first.energy)  # training errors of the best net
        0
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding: unknown {encoding!r}; choose one of {', '.join(sorted(ENCODINGS))}")
    import inspect

    build = ENCODINGS[encoding]
    known = {p for p in inspect.signature(build).parameters if p != "problem"}
    _check_options(encoding, options, known)
    return build(problem, **options)
