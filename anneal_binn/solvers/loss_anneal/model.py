"""The training loss of a BiNN as an annealable energy with incremental single-bit flips.

:class:`LossModel` compiles a :class:`~anneal_binn.problem.Problem` into flat arrays for the numba
kernels: the general network kernel (:mod:`._network`: per-sample pre-activations of every layer
are cached and a flip costs O(P · fan-out)) or, for a single sign unit with no architecture
bits (the binary perceptron), the stability kernel (:mod:`._perceptron`: a flip costs one O(P)
pass over exact integer stabilities).

Two energies:

- ``"loss"``: the training loss exactly as ``problem.losses`` computes it (the spec's reduction,
  ``sum`` or ``mean``, included);
- ``"hinge"``: :func:`hinge_energy`, the summed negative stabilities of the output unit. It is 0
  exactly when every pattern has non-negative stability, and unlike the error count it says
  *how far* each misclassified pattern is from the boundary, which is what guides an anneal.

Examples:
    >>> import anneal_binn as ab
    >>> problem = ab.build(ab.load_spec("fawaz-p1"))
    >>> model = LossModel(problem, "loss")
    >>> bits = np.zeros((1, problem.num_variables), dtype=np.uint8)
    >>> bool(np.isclose(model.energies(bits)[0], problem.losses(bits)[0]))
    True
"""
from __future__ import annotations

import math

import numpy as np

ENERGIES = ("loss", "hinge")
_ACT_CODES = {"sign": 0, "relu": 1, "sigmoid": 2, "tanh": 3, "identity": 4, "softmax": 5}
_LOSS_CODES = {"zero-one": 0, "mse": 1, "bce": 2, "softmax-ce": 3}
_KIND_CODES = {"weight": 0, "bias": 1, "mask": 2, "neuron": 3, "activation": 4, "width": 5}


def hinge_energy(problem, bits, split: str = "train") -> np.ndarray:
    """Hinge energy of each configuration: ``E = sum_mu Theta(-Delta_mu) (-Delta_mu) / sqrt(n)``.

    ``Delta_mu = y_mu z_mu`` is the stability of pattern mu (its label times the output unit's
    pre-activation) and ``n`` the output unit's fan-in (N for the perceptron), as in Baldassi &
    Zecchina, PNAS 115:1457 (2018). One addition: a tie ``Delta_mu = 0`` on a label -1 pattern
    is misclassified (sign(0) = +1), so it counts as stability -1. Then, for a sign output,
    ``E = 0`` exactly when there are no training errors (the addition never fires for an odd
    fan-in of ±1 inputs, e.g. the catalogue's perceptrons). Only single-output nets have it.

    Args:
        problem: a :class:`~anneal_binn.problem.Problem` with one output unit.
        bits: (C, N) 0/1 configurations.
        split: ``"train"`` or ``"test"``.

    Returns:
        (C,) energies.

    Examples:
        >>> import anneal_binn as ab
        >>> p = ab.build_from_dict({"data": {"source": "perceptron", "n": 5, "alpha": 0.6},
        ...     "model": {"loss": "zero-one", "output": {"bias": False, "activation": "sign"}}})
        >>> hinge_energy(p, np.ones((1, 5), dtype=np.uint8)).shape
        (1,)
    """
    check_hinge(problem)
    bits = problem._bits(bits)
    X, y = problem._split(split)
    z, _ = problem.network.forward(bits, X, output=False)
    delta = y[None, :] * z[..., 0]
    ties = (delta == 0) & (y[None, :] < 0)
    return (np.maximum(-delta, 0.0) + ties).sum(axis=1) / math.sqrt(problem.arch.input_sizes()[-1])


def check_hinge(problem) -> None:
    if problem.arch.layers[-1].max_width != 1:
        raise ValueError("energy: 'hinge' needs a single output unit (the stability y*z); use energy='loss'")


def default_energy(problem) -> str:
    """"hinge" for a single sign output trained on the zero-one loss, else "loss"."""
    out = problem.arch.layers[-1]
    if problem.arch.loss == "zero-one" and out.max_width == 1 and out.activations == ("sign",):
        return "hinge"
    return "loss"


def _is_perceptron(problem) -> bool:
    arch, reg = problem.arch, problem.register
    if len(arch.layers) != 1:
        return False
    layer = arch.layers[0]
    simple = (layer.max_width == 1 and layer.activations == ("sign",) and len(layer.widths) == 1
              and not layer.mask and not layer.neuron_mask)
    return simple and reg.num_variables == reg.count("weight") + reg.count("bias")


class LossModel:
    """A Problem's loss (or hinge energy) compiled for the annealing kernels.

    Args:
        problem: the :class:`~anneal_binn.problem.Problem`.
        energy: ``"loss"`` or ``"hinge"``.
        network: use the general network kernel even for a perceptron (a restricted problem,
            whose clamped bits only that kernel can hold fixed).

    Attributes:
        perceptron: True when the fast single-sign-unit kernel applies.
        reduction: factor from the kernels' summed per-sample energies to the energy (1 or 1/P).

    Examples:
        >>> import anneal_binn as ab
        >>> problem = ab.build(ab.load_spec("perceptron-N21-alpha0.5"))
        >>> m = LossModel(problem, "hinge")
        >>> m.perceptron, m.num_variables
        (True, 21)
    """

    def __init__(self, problem, energy: str = "loss", network: bool = False):
        if energy not in ENERGIES:
            raise ValueError(f"energy: must be 'loss' or 'hinge', got {energy!r}")
        if energy == "hinge":
            check_hinge(problem)
        self.problem = problem
        self.energy = energy
        arch, reg = problem.arch, problem.register
        X = np.ascontiguousarray(problem.data.x_train, dtype=np.float64)
        y = np.asarray(problem.data.y_train, dtype=np.int64)
        self.num_variables = reg.num_variables
        self.num_samples = P = len(y)
        reduction = arch.reduction or {"zero-one": "sum"}.get(arch.loss, "mean")
        self.reduction = 1.0 if (energy == "hinge" or reduction == "sum" or P == 0) else 1.0 / P
        self.hinge_norm = math.sqrt(arch.input_sizes()[-1])
        self.perceptron = (not network and _is_perceptron(problem)
                           and (energy == "hinge" or arch.loss in ("zero-one", "mse")))
        if self.perceptron:
            # column i of yx: y_mu x_mu,i; the bias is a weight on a constant input 1.
            yx = np.empty((self.num_variables, P))
            yx[reg.weight_index[0][0]] = (X * y[:, None]).T
            if reg.bias_index[0] is not None:
                yx[reg.bias_index[0][0]] = y
            # integer inputs (the perceptron's ±1 patterns): exact int32 arithmetic, twice the SIMD width
            integer = np.all(yx == np.round(yx)) and np.abs(yx).sum(0).max() < 2**30
            self.yx = np.ascontiguousarray(yx, dtype=np.int32 if integer else np.float64)
            self.tie = (y < 0)
            self.mode = 1 if energy == "hinge" else 0
            # mse with a sign output: (out - t)^2 = 4 per error, 0 otherwise
            per_error = 4.0 if (energy == "loss" and arch.loss == "mse") else 1.0
            self.scale = self.reduction * (1.0 / self.hinge_norm if energy == "hinge" else per_error)
            return
        self.scale = self.reduction
        self.st = self._static(X, y)

    # -- compilation ----------------------------------------------------------------------
    def _static(self, X, y):
        arch, reg = self.problem.arch, self.problem.register
        L = len(arch.layers)
        nin = np.asarray(arch.input_sizes(), dtype=np.int64)
        nout = np.asarray([layer.max_width for layer in arch.layers], dtype=np.int64)
        U, I = int(nout.max()), int(nin.max())
        amax = max(len(layer.activations) for layer in arch.layers)
        wmax = max(len(layer.widths) for layer in arch.layers)
        acts = np.zeros((L, amax), dtype=np.int64)
        widths = np.zeros((L, wmax), dtype=np.int64)
        widx = np.full((L, U, I), -1, dtype=np.int64)
        midx = np.full((L, U, I), -1, dtype=np.int64)
        bidx = np.full((L, U), -1, dtype=np.int64)
        nidx = np.full((L, U), -1, dtype=np.int64)
        aidx = np.zeros((L, 8), dtype=np.int64)
        wcidx = np.zeros((L, 8), dtype=np.int64)
        for l, layer in enumerate(arch.layers):
            acts[l, :len(layer.activations)] = [_ACT_CODES[a] for a in layer.activations]
            widths[l, :len(layer.widths)] = layer.widths
            widx[l, :nout[l], :nin[l]] = reg.weight_index[l]
            if reg.mask_index[l] is not None:
                midx[l, :nout[l], :nin[l]] = reg.mask_index[l]
            if reg.bias_index[l] is not None:
                bidx[l, :nout[l]] = reg.bias_index[l]
            if reg.neuron_index[l] is not None:
                nidx[l, :nout[l]] = reg.neuron_index[l]
            aidx[l, :len(reg.activation_index[l])] = reg.activation_index[l]
            wcidx[l, :len(reg.width_index[l])] = reg.width_index[l]
        roles = reg.roles
        kind = np.asarray([_KIND_CODES[r.kind] for r in roles], dtype=np.int64)
        vl = np.asarray([r.layer for r in roles], dtype=np.int64)
        vu = np.asarray([r.unit for r in roles], dtype=np.int64)
        vi = np.asarray([r.input for r in roles], dtype=np.int64)
        vb = np.asarray([r.bit for r in roles], dtype=np.int64)
        self._shape = (L, U, I)
        if nout[-1] > 1:
            # several output units: the kernels index outputs by label, so binary ±1 labels become
            # columns 0/1 (as the forward pass does; -1 would read the last column)
            from anneal_binn.model.losses import class_index

            y = np.ascontiguousarray(class_index(np.asarray(y), int(nout[-1])), dtype=np.asarray(y).dtype)
        return (
            np.ascontiguousarray(X.T), y, nin, nout, acts,
            np.asarray([len(a.activations) for a in arch.layers], dtype=np.int64),
            widths, np.asarray([len(a.widths) for a in arch.layers], dtype=np.int64),
            kind, vl, vu, vi, vb, widx, bidx, midx, nidx,
            aidx, np.asarray([len(t) for t in reg.activation_index], dtype=np.int64),
            wcidx, np.asarray([len(t) for t in reg.width_index], dtype=np.int64),
            _LOSS_CODES[arch.loss], 1 if self.energy == "hinge" else 0, float(self.hinge_norm),
        )

    def new_state(self, bits: np.ndarray) -> tuple:
        """Kernel state for copies with the given bits (C, N) (network kernel only)."""
        bits = np.ascontiguousarray(bits, dtype=np.int8)
        C = len(bits)
        L, U, I = self._shape
        P = self.num_samples
        return (
            bits, np.zeros((C, L, U, I)), np.zeros((C, L, U)), np.zeros((C, L, U)), np.zeros((C, L, U)),
            np.zeros((C, L), dtype=np.int64), np.zeros((C, L, U, P)), np.zeros((C, L, U, P)), np.zeros((C, P)),
        )

    # -- energies -------------------------------------------------------------------------
    def energies(self, bits) -> np.ndarray:
        """Energy of each configuration (C, N) of 0/1, computed by the kernels from scratch."""
        bits = np.atleast_2d(np.asarray(bits))
        if self.perceptron:
            from anneal_binn.solvers.loss_anneal import _perceptron as K

            out = [K.energy_of((2 * b.astype(np.int8) - 1), self.yx, self.tie, self.mode) for b in bits]
            return np.asarray(out) * self.scale
        from anneal_binn.solvers.loss_anneal import _network as K

        dy = self.new_state(bits)
        return np.asarray([K.init_copy(self.st, dy, c) for c in range(len(bits))]) * self.scale

    def flip_deltas(self, bits: np.ndarray, variables=None) -> np.ndarray:
        """|energy change| of every single flip from the configuration ``bits`` (N,) (for schedules).

        ``variables``: only these flips (an index array; default all), in that order.
        """
        bits = np.asarray(bits, dtype=np.int8)
        n = self.num_variables
        if variables is not None and not self.perceptron:
            from anneal_binn.solvers.loss_anneal import _network as K

            dy = self.new_state(bits[None, :])
            K.init_copy(self.st, dy, 0)
            out = np.empty(len(variables))
            for j, v in enumerate(variables):
                out[j] = abs(K.flip(self.st, dy, 0, int(v)))
                K.flip(self.st, dy, 0, int(v))
            return out * self.scale
        if self.perceptron:
            s = 2.0 * bits - 1.0
            D = s @ self.yx
            step = -2.0 * s[:, None] * self.yx  # (n, P)
            new = D[None, :] + step
            if self.mode == 1:
                hinge = lambda v: np.maximum(-v, 0) + ((v == 0) & self.tie)  # noqa: E731
                d = hinge(new).sum(1) - hinge(D).sum()
            else:
                err = lambda v: (v < 0) | ((v == 0) & self.tie)  # noqa: E731
                d = err(new).sum(1) - err(D).sum()
            return np.abs(d) * self.scale
        from anneal_binn.solvers.loss_anneal import _network as K

        dy = self.new_state(bits[None, :])
        K.init_copy(self.st, dy, 0)
        out = np.empty(n)
        for v in range(n):
            out[v] = abs(K.flip(self.st, dy, 0, v))
            K.flip(self.st, dy, 0, v)
        return out * self.scale


class IncrementalState:
    """One configuration held in kernel state, flipped bit by bit (for tests and exploration).

    Examples:
        >>> import anneal_binn as ab
        >>> problem = ab.build(ab.load_spec("fawaz-p1"))
        >>> st = IncrementalState(LossModel(problem), np.zeros(8, dtype=np.uint8))
        >>> e = st.flip(3)
        >>> bool(np.isclose(e, problem.losses(st.bits[None])[0]))
        True
    """

    def __init__(self, model: LossModel, bits):
        self.model = model
        self.bits = np.array(bits, dtype=np.int8)
        if model.perceptron:
            from anneal_binn.solvers.loss_anneal import _perceptron as K

            spins = (2 * self.bits - 1).astype(np.int8)
            self._D = K.stabilities(spins, model.yx).astype(np.float64)
            self.energy = float(K.energy_of(spins, model.yx, model.tie, model.mode)) * model.scale
        else:
            from anneal_binn.solvers.loss_anneal import _network as K

            self._dy = model.new_state(self.bits[None, :])
            self.energy = float(K.init_copy(model.st, self._dy, 0)) * model.scale

    def flip(self, v: int) -> float:
        """Flip bit v incrementally; returns the new energy."""
        m = self.model
        if m.perceptron:
            s = 2.0 * self.bits[v] - 1.0
            row = m.yx[v]
            new = self._D - 2.0 * s * row
            if m.mode == 1:
                hinge = lambda x: np.maximum(-x, 0) + ((x == 0) & m.tie)  # noqa: E731
                d = float(hinge(new).sum() - hinge(self._D).sum())
            else:
                err = lambda x: (x < 0) | ((x == 0) & m.tie)  # noqa: E731
                d = float(err(new).sum()) - float(err(self._D).sum())
            self._D = new
            self.bits[v] ^= 1
            self.energy += d * m.scale
            return self.energy
        from anneal_binn.solvers.loss_anneal import _network as K

        self.energy += float(K.flip(m.st, self._dy, 0, v)) * m.scale
        self.bits = self._dy[0][0].copy()
        return self.energy
