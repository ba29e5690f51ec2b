"""edge-popup (Ramanujan et al., CVPR 2020), in numpy: the classical baseline on the same weights.

Every selectable edge gets a real score ``s``. The forward pass keeps, in each selected layer,
the ``keep`` fraction of edges with the largest ``|s|`` (the top-k mask) on the fixed random
weights; the scores are trained by SGD with momentum and weight decay through the
straight-through estimator: the top-k mask of ``|s|`` is treated as the identity in the backward
pass, so ``dL/ds_uv = sign(s_uv) dL/dW_eff,uv w_uv`` (``W_eff = mask * w``). Sign hidden units are passed straight
through as well. The loss is the spec's (softmax-ce, bce or mse); a zero-one loss is trained on
its logistic / softmax surrogate. The final top-k mask is the selection, evaluated by the same
forward pass and loss as every other method.

Only selection over edges has scores; the weights are exactly the
:class:`~anneal_binn.selection.problem.SelectionProblem`'s.

Examples:
    >>> import anneal_binn as ab
    >>> from anneal_binn.selection.problem import SelectionProblem
    >>> sel = SelectionProblem(ab.build(ab.load_spec("fawaz-meta-p1")), weight_seed=0)
    >>> res = edge_popup(sel, keep=0.5, epochs=20, seed=0)
    >>> res.method, res.kept
    ('edge-popup', 3)
"""
from __future__ import annotations

import math
import time

import numpy as np

from anneal_binn.errors import UsageError
from anneal_binn.model.activations import ACTIVATIONS
from anneal_binn.model.losses import class_index
from anneal_binn.selection.result import SelectionResult


def _topk(scores: np.ndarray, keep: int) -> np.ndarray:
    """0/1 mask of the ``keep`` largest |scores| (ties broken by position, deterministic)."""
    flat = np.abs(scores).ravel()
    order = np.argsort(-flat, kind="stable")
    m = np.zeros(flat.size)
    m[order[:keep]] = 1.0
    return m.reshape(scores.shape)


def _act_grad(name: str, z: np.ndarray, h: np.ndarray) -> np.ndarray:
    if name == "relu":
        return (z > 0).astype(np.float64)
    if name == "tanh":
        return 1.0 - h * h
    if name == "sigmoid":
        return h * (1.0 - h)
    return np.ones_like(z)  # identity; sign: straight through


class _Net:
    """The selection's network as plain arrays: weights, base masks, biases, activations."""

    def __init__(self, sel):
        p = sel.problem
        net, reg = p.network, p.register
        base1 = sel.base[None, :]
        self.W, self.M, self.b, self.acts = [], [], [], []
        from anneal_binn.selection.restriction import _activation_name

        for l in range(len(p.arch.layers)):
            self.W.append(sel.weights(l))
            idx = reg.mask_index[l]
            self.M.append(np.ones_like(self.W[-1]) if idx is None else base1[0, idx].astype(np.float64))
            self.b.append(sel.bias(l))
            self.acts.append(_activation_name(net, base1, l))
        self.loss = p.arch.loss
        self.K = p.arch.layers[-1].max_width

    def forward(self, X, masks):
        hs, zs = [X], []
        for l, (W, b, a) in enumerate(zip(self.W, self.b, self.acts)):
            z = hs[-1] @ (W * masks[l]).T
            if b is not None:
                z = z + b
            zs.append(z)
            if a == "softmax":
                e = np.exp(z - z.max(axis=1, keepdims=True))
                hs.append(e / e.sum(axis=1, keepdims=True))
            else:
                hs.append(ACTIVATIONS[a](z))
        return zs, hs

    def output_grad(self, z, h, y):
        """dL/dz of the output layer (mean over the batch) and the batch loss."""
        B = len(y)
        if self.K == 1:
            t = (y > 0).astype(np.float64)
            if self.loss == "mse":
                lo, hi = (0.0, 1.0) if self.acts[-1] in ("sigmoid", "relu") else (-1.0, 1.0)
                target = np.where(y > 0, hi, lo)
                d = 2.0 * (h[:, 0] - target) * _act_grad(self.acts[-1], z[:, 0], h[:, 0])
                return d[:, None] / B, float(np.mean((h[:, 0] - target) ** 2))
            # bce, or the logistic surrogate of a zero-one loss
            zz = z[:, 0]
            p = np.where(zz >= 0, 1.0 / (1.0 + np.exp(-np.abs(zz))), np.exp(-np.abs(zz)) / (1.0 + np.exp(-np.abs(zz))))
            loss = float(np.mean(np.maximum(zz, 0) + np.log1p(np.exp(-np.abs(zz))) - t * zz))
            return (p - t)[:, None] / B, loss
        t = class_index(y, self.K)
        onehot = np.zeros((B, self.K))
        onehot[np.arange(B), t] = 1.0
        if self.loss == "mse":
            lo, hi = (0.0, 1.0) if self.acts[-1] in ("sigmoid", "relu", "softmax") else (-1.0, 1.0)
            target = np.where(onehot > 0, hi, lo)
            if self.acts[-1] == "softmax":
                g = 2.0 * (h - target) / self.K
                d = h * (g - (g * h).sum(axis=1, keepdims=True))
            else:
                d = 2.0 * (h - target) / self.K * _act_grad(self.acts[-1], z, h)
            return d / B, float(np.mean(((h - target) ** 2).mean(axis=1)))
        # softmax-ce, or the softmax surrogate of a zero-one loss
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        loss = float(np.mean(-np.log(np.maximum(p[np.arange(B), t], 1e-300))))
        return (p - onehot) / B, loss


def edge_popup(sel, keep: float | int | None = None, *, epochs: int = 100, lr: float = 0.1, momentum: float = 0.9,
               weight_decay: float = 5e-4, batch_size: int = 128, seed: int | None = 0) -> SelectionResult:
    """Train edge scores with the straight-through estimator; the final top-k mask is the selection.

    Args:
        sel: a :class:`~anneal_binn.selection.problem.SelectionProblem` over edges.
        keep: fraction of each selected layer's edges kept (the paper's k; default: the
            selection's sparsity target if any, else 0.5), or a total number of edges.
        epochs, lr, momentum, weight_decay, batch_size: SGD with a cosine learning-rate decay,
            as in the paper.
        seed: the score initialization and the batch order.
    """
    t0 = time.perf_counter()
    if sel.over != "edges":
        raise UsageError("select.baseline", "edge-popup scores edges; it needs a selection over edges")
    if keep is None:
        keep = (sel.sparsity.keep / sel.n) if sel.sparsity is not None else 0.5
    if isinstance(keep, bool) or not isinstance(keep, (int, float, np.integer, np.floating)):
        raise UsageError("edge_popup.keep", f"a fraction in (0, 1] or a number of edges, got {keep!r}")
    frac = float(keep) / sel.n if isinstance(keep, (int, np.integer)) else float(keep)
    if not 0.0 < frac <= 1.0:
        raise UsageError("edge_popup.keep", f"must keep a fraction in (0, 1], got {keep!r}")
    for name, v in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise UsageError(f"edge_popup.{name}", f"must be a positive integer, got {v!r}")
    net = _Net(sel)
    p = sel.problem
    X, y = p.data.x_train, np.asarray(p.data.y_train)
    rng = np.random.default_rng(seed)
    layers = list(sel.layers)
    counts = {l: max(1, int(round(frac * net.W[l].size))) for l in layers}
    # Kaiming-uniform scores, as the paper initializes them
    scores = {l: rng.uniform(-1.0, 1.0, net.W[l].shape) * math.sqrt(6.0 / net.W[l].shape[1]) for l in layers}
    velocity = {l: np.zeros_like(scores[l]) for l in layers}
    steps_per_epoch = max(1, math.ceil(len(y) / batch_size))
    total = epochs * steps_per_epoch
    history = []
    step = 0
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        losses = []
        for s in range(steps_per_epoch):
            idx = order[s * batch_size:(s + 1) * batch_size]
            masks = [net.M[l] * (_topk(scores[l], counts[l]) if l in scores else 1.0) for l in range(len(net.W))]
            zs, hs = net.forward(X[idx], masks)
            dz, loss = net.output_grad(zs[-1], hs[-1], y[idx])
            losses.append(loss)
            eta = 0.5 * lr * (1.0 + math.cos(math.pi * step / total))
            for l in range(len(net.W) - 1, -1, -1):
                if l in scores:
                    # straight through the top-k mask of |s|: dL/ds = sign(s) dL/dW_eff w
                    g = np.sign(scores[l]) * (dz.T @ hs[l]) * net.W[l] + weight_decay * scores[l]
                    velocity[l] = momentum * velocity[l] + g
                if l > 0:
                    dh = dz @ (net.W[l] * masks[l])
                    dz = dh * _act_grad(net.acts[l - 1], zs[l - 1], hs[l])
                if l in scores:
                    scores[l] -= eta * velocity[l]
            step += 1
        history.append({"epoch": epoch + 1, "batch_loss": float(np.mean(losses))})
    state = np.concatenate([_topk(scores[l], counts[l]).ravel() for l in layers]).astype(np.uint8)
    ev = sel.evaluate(state)
    info = {"epochs": epochs, "lr": lr, "momentum": momentum, "weight_decay": weight_decay, "batch_size": batch_size,
            "keep_fraction": frac, "seed": seed, "weight_seed": sel.weight_seed}
    return SelectionResult("edge-popup", None, sel.name, sel.over, state, ev["objective"], ev["loss"], ev["train"],
                           ev["test"], seconds=time.perf_counter() - t0, history=tuple(history), info=info)
