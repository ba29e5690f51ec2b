"""``ste``: gradient training of the BiNN with the straight-through estimator (the classical baseline).

BinaryConnect (Courbariaux, Bengio & David 2015) with BinaryNet's activation rule (Hubara et
al. 2016), written in numpy (torch is not a dependency; at these sizes — up to ~10^3 weights
and ~10^3 training images — a batched numpy MLP runs an epoch in milliseconds):

- every weight and bias has a latent real value clipped to [-1, 1]; the forward pass uses its
  sign (sign(0) = +1, as the package), and the gradient with respect to the sign is applied to
  the latent value unchanged (straight through);
- a hidden or output **sign** activation passes the gradient through a scaled hardtanh:
  d sign(z)/dz := 1{|z| <= s} / s with s = sqrt(fan-in) (fan-in counts the bias). BinaryNet
  takes s = 1 after batch normalization; these nets have no normalization and integer
  pre-activations of spread ~sqrt(fan-in), so the window is scaled instead;
- other activations (relu, sigmoid, tanh, identity, softmax) use their derivatives;
- the loss is the problem's own (mse, bce, softmax-ce), except **zero-one**, which has no
  gradient: it is replaced by the hinge loss max(0, margin - y z / s) on the output
  pre-activation z for one output unit, and by softmax cross-entropy on z / s for several;
- Adam (beta 0.9, 0.999) on minibatches, the learning rate decayed geometrically from ``lr`` to
  ``lr_final`` over the epochs.

Architecture bits are not trained by gradients. Connection and neuron masks are all on (every
connection present). Activation- and width-choice combinations are enumerated when there are at
most ``max_combos`` (default 8): each read trains every combination and keeps the best;
beyond that each read trains one combination drawn at random.

Each read is one random initialization (latent values uniform in [-init_scale, init_scale]).
After every epoch the sign net's true training loss (``problem.losses``) is computed, and the
read returns its best net so far (``keep="best"``, default) or its final net
(``keep="final"``; with several combinations, the combination whose final net is best). The
energy of each row is the true training loss of the returned net; the ``final_energy`` vector
holds the final net's loss either way.

Examples:
    >>> import anneal_binn as ab
    >>> problem = ab.build(ab.load_spec("fawaz-p1"))
    >>> ss = ab.solve(problem, solver="ste", seed=0, num_reads=4)
    >>> float(ss.first.energy) == problem.exact().optimum
    True
"""
from __future__ import annotations

import itertools
from typing import Any

import dimod
import numpy as np

from anneal_binn.model.activations import ACTIVATIONS, TARGETS
from anneal_binn.solvers._common import check_num_reads, make_rng, sampleset

__all__ = ["STESampler"]

DEFAULTS = {"epochs": 100, "lr": 0.01, "lr_final": None, "batch_size": 32, "init_scale": 0.1,
            "margin": 1.0, "keep": "best", "max_combos": 8}
_ADAM_B1, _ADAM_B2, _ADAM_EPS = 0.9, 0.999, 1e-8


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _activate(name: str, z: np.ndarray) -> np.ndarray:
    return _softmax(z) if name == "softmax" else ACTIVATIONS[name](z)


def _backprop(name: str, z: np.ndarray, out: np.ndarray, g: np.ndarray, s: float) -> np.ndarray:
    """Gradient with respect to ``z`` given the gradient ``g`` with respect to ``out``."""
    if name == "sign":
        return g * ((np.abs(z) <= s) / s)  # scaled hardtanh straight-through estimator
    if name == "relu":
        return g * (z > 0)
    if name == "sigmoid":
        return g * out * (1.0 - out)
    if name == "tanh":
        return g * (1.0 - out * out)
    if name == "identity":
        return g
    if name == "softmax":
        return out * (g - (g * out).sum(axis=-1, keepdims=True))
    raise ValueError(f"ste: no derivative for activation {name!r}")


class _Combo:
    """One choice of activation and width per layer, and the bits that encode it."""

    def __init__(self, problem, act_idx: tuple[int, ...], width_idx: tuple[int, ...]):
        arch, reg = problem.arch, problem.register
        self.acts = [layer.activations[a] for layer, a in zip(arch.layers, act_idx)]
        self.active = []  # per layer (units,) 0/1: units beyond the chosen width are absent
        for layer, w in zip(arch.layers, width_idx):
            self.active.append((np.arange(layer.max_width) < layer.widths[w]).astype(np.float64))
        self.fixed_bits = np.zeros(problem.num_variables, dtype=np.int8)
        for l in range(len(arch.layers)):
            for idx in (reg.mask_index[l], reg.neuron_index[l]):
                if idx is not None:
                    self.fixed_bits[np.ravel(idx)] = 1
            for k, var in enumerate(reg.activation_index[l]):
                self.fixed_bits[var] = (act_idx[l] >> k) & 1
            for k, var in enumerate(reg.width_index[l]):
                self.fixed_bits[var] = (width_idx[l] >> k) & 1
        ins = arch.input_sizes()
        self.scale = []  # sqrt(fan-in) of each layer, counting present inputs and the bias
        for l, layer in enumerate(arch.layers):
            fan = ins[l] if l == 0 else self.active[l - 1].sum()
            self.scale.append(float(np.sqrt(max(fan + (1 if layer.bias else 0), 1))))


def _combos(problem) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    layers = problem.arch.layers
    per_layer = [list(itertools.product(range(len(layer.activations)), range(len(layer.widths)))) for layer in layers]
    return [(tuple(c[0] for c in combo), tuple(c[1] for c in combo)) for combo in itertools.product(*per_layer)]


class STESampler(dimod.Sampler):
    """Straight-through-estimator training of a Problem's BiNN; see the module docstring.

    Examples:
        >>> import anneal_binn as ab
        >>> problem = ab.build(ab.load_spec("fawaz-p1"))
        >>> ss = STESampler().sample_problem(problem, num_reads=4, seed=1, epochs=30)
        >>> bool((ss.record.energy == problem.losses(ss.record.sample)).all())
        True
    """

    @property
    def parameters(self) -> dict:
        return {"num_reads": [], "seed": [], **{k: [] for k in DEFAULTS}}

    @property
    def properties(self) -> dict:
        return {"defaults": dict(DEFAULTS)}

    def sample(self, bqm, **kwargs):
        """Not defined: STE trains the network itself; use ``sample_problem`` (``ab.solve``)."""
        raise TypeError("ste: needs the Problem (network and data), not a BQM; call ab.solve(problem, solver='ste')")

    def sample_problem(self, problem, *, num_reads: int | None = None, seed: int | None = None,
                       **params: Any) -> dimod.SampleSet:
        """Train ``num_reads`` random initializations; one row each (BINARY over variables 0..N-1).

        Args:
            problem: a :class:`~anneal_binn.problem.Problem`.
            num_reads: initializations (default 1).
            seed: int; the same seed gives the same nets (row r depends only on seed and r).
            epochs: passes over the training set per combination (default 100).
            lr, lr_final: Adam learning rate at the first and the last epoch (0.01; lr_final
                defaults to lr / 20).
            batch_size: minibatch size (default 32; capped at the training-set size).
            init_scale: latent values start uniform in [-init_scale, init_scale] (default 0.1).
            margin: hinge margin of the zero-one surrogate, in units of sqrt(fan-in) (default 1).
            keep: ``"best"`` (best net by training loss over all epochs) or ``"final"``.
            max_combos: enumerate activation/width choices up to this many combinations (8).

        Returns:
            A SampleSet whose energies are ``problem.losses`` of the returned nets, with vectors
            ``final_energy`` (loss of the read's final net) and ``epoch`` (when the returned net
            was reached; 0 = the initialization).
        """
        from anneal_binn.solvers._common import drop_unknown_kwargs

        params = drop_unknown_kwargs(self, dict(params))  # dimod's policy: warn, drop, go on
        opts = dict(DEFAULTS, **params)
        if opts["lr_final"] is None:
            opts["lr_final"] = float(opts["lr"]) / 20.0
        if opts["keep"] not in ("best", "final"):
            raise ValueError(f"keep: must be 'best' or 'final', got {opts['keep']!r}")
        for key in ("epochs", "batch_size", "max_combos"):
            if not isinstance(opts[key], (int, np.integer)) or isinstance(opts[key], bool) or opts[key] < 1:
                raise ValueError(f"{key}: must be a positive int, got {opts[key]!r}")
        for key in ("lr", "lr_final", "init_scale"):
            if not float(opts[key]) > 0:
                raise ValueError(f"{key}: must be > 0, got {opts[key]!r}")
        for name in {a for layer in problem.arch.layers for a in layer.activations}:
            if name != "softmax" and name not in ACTIVATIONS:
                raise ValueError(f"ste: no derivative for activation {name!r}")
        reads = check_num_reads(num_reads)
        make_rng(seed)  # validates the seed
        root = np.random.SeedSequence(seed)
        rngs = [np.random.default_rng(child) for child in root.spawn(reads)]

        combos = _combos(problem)
        if len(combos) <= opts["max_combos"]:
            plan = [(c, np.arange(reads)) for c in combos]
        else:
            pick = np.array([int(g.integers(len(combos))) for g in rngs])
            plan = [(combos[k], np.flatnonzero(pick == k)) for k in range(len(combos)) if (pick == k).any()]

        n = problem.num_variables
        best_bits = np.zeros((reads, n), dtype=np.int8)
        best_loss = np.full(reads, np.inf)
        best_epoch = np.zeros(reads, dtype=np.int64)
        final_bits = np.zeros((reads, n), dtype=np.int8)
        final_loss = np.full(reads, np.inf)
        for (act_idx, width_idx), members in plan:
            combo = _Combo(problem, act_idx, width_idx)
            fb, fl, bb, bl, be = self._train(problem, combo, [rngs[r] for r in members], opts)
            better = fl < final_loss[members]
            final_bits[members[better]], final_loss[members[better]] = fb[better], fl[better]
            better = bl < best_loss[members]
            best_bits[members[better]], best_loss[members[better]] = bb[better], bl[better]
            best_epoch[members[better]] = be[better]
        if opts["keep"] == "best":
            bits, energy, epoch = best_bits, best_loss, best_epoch
        else:
            bits, energy, epoch = final_bits, final_loss, np.full(reads, opts["epochs"])
        info = {"params": opts, "combinations": len(combos), "surrogate": self._surrogate(problem)}
        return sampleset(bits, energy, problem.variables, dimod.BINARY, info,
                         final_energy=final_loss, epoch=epoch)

    @staticmethod
    def _surrogate(problem) -> str:
        if problem.arch.loss != "zero-one":
            return problem.arch.loss
        return "hinge on z/sqrt(fan-in)" if problem.arch.layers[-1].max_width == 1 else "softmax-ce on z/sqrt(fan-in)"

    # -- one combination, all its reads at once ---------------------------------------------
    def _train(self, problem, combo: _Combo, rngs: list, opts: dict):
        arch, reg = problem.arch, problem.register
        X = np.asarray(problem.data.x_train, dtype=np.float64)
        y = np.asarray(problem.data.y_train)
        P, R, L = len(X), len(rngs), len(arch.layers)
        K = arch.layers[-1].max_width
        ins = arch.input_sizes()
        # latent parameters (R, units, inputs) and (R, units); drawn read by read so that row r
        # does not depend on how many reads run beside it
        a = float(opts["init_scale"])
        W = [np.stack([g.uniform(-a, a, (layer.max_width, ins[l])) for g in rngs]) for l, layer in enumerate(arch.layers)]
        B = [np.stack([g.uniform(-a, a, layer.max_width) for g in rngs]) if layer.bias else None for layer in arch.layers]
        params = [p for pair in zip(W, B) for p in pair if p is not None]
        m1 = [np.zeros_like(p) for p in params]
        m2 = [np.zeros_like(p) for p in params]

        # targets
        if K == 1:
            ypm = np.where(y > 0, 1.0, -1.0)
        else:
            onehot = np.zeros((P, K))
            onehot[np.arange(P), y] = 1.0

        def to_bits():
            bits = np.tile(combo.fixed_bits, (R, 1))
            for l in range(L):
                bits[:, reg.weight_index[l].ravel()] = (W[l] >= 0).reshape(R, -1)
                if B[l] is not None:
                    bits[:, reg.bias_index[l]] = B[l] >= 0
            return bits

        bits = to_bits()
        loss = problem.losses(bits)
        best_bits, best_loss, best_epoch = bits.copy(), loss.copy(), np.zeros(R, dtype=np.int64)

        bs = min(int(opts["batch_size"]), P)
        epochs = int(opts["epochs"])
        decay = (float(opts["lr_final"]) / float(opts["lr"])) ** (1.0 / max(epochs - 1, 1))
        margin = float(opts["margin"])
        surrogate = arch.loss == "zero-one"
        step = 0
        for epoch in range(epochs):
            lr = float(opts["lr"]) * decay**epoch
            perms = np.stack([g.permutation(P) for g in rngs])  # (R, P): each read its own order
            for start in range(0, P, bs):
                idx = perms[:, start:start + bs]
                nb = idx.shape[1]
                # forward with sign weights, keeping what the backward pass needs
                h = X[idx]  # (R, nb, d)
                hs, zs, outs = [h], [], []
                for l in range(L):
                    Wb = np.where(W[l] >= 0, 1.0, -1.0)
                    z = h @ Wb.transpose(0, 2, 1)
                    if B[l] is not None:
                        z += np.where(B[l] >= 0, 1.0, -1.0)[:, None, :]
                    out = _activate(combo.acts[l], z)
                    zs.append(z)
                    outs.append(out)
                    h = out * combo.active[l]  # absent units feed nothing forward
                    hs.append(h)
                # gradient of the (surrogate) loss with respect to the output pre-activation
                z, out, act, s = zs[-1], outs[-1], combo.acts[-1], combo.scale[-1]
                if surrogate and K == 1:
                    yb = ypm[idx][..., None]
                    gz = np.where(yb * z / s < margin, -yb / s, 0.0) / nb
                elif surrogate:
                    gz = (_softmax(z / s) - onehot[idx]) / (s * nb)
                elif arch.loss == "bce":
                    gz = (ACTIVATIONS["sigmoid"](z) - (y[idx] > 0)[..., None]) / nb
                elif arch.loss == "softmax-ce":
                    gz = (_softmax(z) - onehot[idx]) / nb
                else:  # mse against the activation's targets
                    lo, hi = TARGETS.get(act, (-1.0, 1.0))
                    target = np.where(y[idx] > 0, hi, lo)[..., None] if K == 1 else lo + (hi - lo) * onehot[idx]
                    gz = _backprop(act, z, out, 2.0 * (out - target) / (K * nb), s)
                grads = []
                for l in range(L - 1, -1, -1):
                    gW = gz.transpose(0, 2, 1) @ hs[l]
                    gB = gz.sum(axis=1) if B[l] is not None else None
                    grads = [gW] + ([gB] if gB is not None else []) + grads
                    if l > 0:
                        Wb = np.where(W[l] >= 0, 1.0, -1.0)
                        gh = (gz @ Wb) * combo.active[l - 1]
                        gz = _backprop(combo.acts[l - 1], zs[l - 1], outs[l - 1], gh, combo.scale[l - 1])
                step += 1
                c1, c2 = 1.0 - _ADAM_B1**step, 1.0 - _ADAM_B2**step
                for p, g, v1, v2 in zip(params, grads, m1, m2):
                    v1 *= _ADAM_B1
                    v1 += (1.0 - _ADAM_B1) * g
                    v2 *= _ADAM_B2
                    v2 += (1.0 - _ADAM_B2) * g * g
                    p -= lr * (v1 / c1) / (np.sqrt(v2 / c2) + _ADAM_EPS)
                    np.clip(p, -1.0, 1.0, out=p)  # BinaryConnect: latent values stay in [-1, 1]
            bits = to_bits()
            loss = problem.losses(bits)
            # ties go to the later net: the surrogate keeps widening the margins of a net whose
            # training loss no longer changes, which can only help it on unseen data
            better = loss <= best_loss
            best_bits[better], best_loss[better], best_epoch[better] = bits[better], loss[better], epoch + 1
        return bits, loss, best_bits, best_loss, best_epoch
