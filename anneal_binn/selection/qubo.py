"""A direct QUBO for selecting the edges (or inputs) of the output layer: least squares.

When every free bit of a restriction acts on the output layer (its connection-mask, weight or
bias bits, or the neuron bits of the last hidden layer), the output pre-activations are affine
in the bits: ``z = z0 + sum_j b_j D_j``. The squared distance of ``z / scale`` to the targets
(``±1``; one-hot ``±1`` rows for several output units) is then a quadratic polynomial in the bits,
a QUBO with one variable per bit, no ancillas, ready for ``sa``, ``tabu``, ``sqa`` or the QPU.

For a net with an identity output trained on ``mse`` (and ``scale = 1``) the QUBO *is* the loss:
its energy equals the restriction's objective exactly (``record.exact``). For any other loss it
is a surrogate (the squared-margin least-squares readout), with ``scale`` chosen by default as
the RMS of the output pre-activations at the base. A sparsity target adds its
``w (c - k)^2`` term; under the exact k-of-n constraint ``w`` exceeds the QUBO's whole loss
range, so its ground states satisfy it.

Examples:
    >>> import anneal_binn as ab
    >>> from anneal_binn.selection.problem import SelectionProblem
    >>> p = ab.build_from_dict({"data": {"source": "fawaz", "problem": 1}, "model": {"loss": "mse",
    ...     "hidden": [{"width": 2}], "output": {"activation": "identity", "mask": True}}})
    >>> sel = SelectionProblem(p, layers=[1], weight_seed=0)
    >>> bqm, rec = sel.restriction().to_qubo(method="readout")
    >>> len(bqm.variables), rec.exact
    (2, True)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import dimod
import numpy as np

from anneal_binn.errors import TooLargeError, UsageError

MAX_INTERACTIONS = 2_000_000


@dataclass(frozen=True)
class ReadoutRecord:
    """What the readout QUBO means: variables 0..k-1 are the restriction's bits (no ancillas)."""

    num_variables: int
    num_interactions: int
    exact: bool
    scale: float
    coefficient_range: float
    sparsity_weight: float | None = None
    options: dict = field(default_factory=dict)

    def report(self) -> dict:
        return {"exact": self.exact, "scale": self.scale, "coefficient_range": self.coefficient_range,
                "ground_state": "the loss's optimum" if self.exact else "the least-squares readout's optimum (surrogate)"}


def readout_qubo(r, scale: float | str = "auto", max_interactions: int = MAX_INTERACTIONS):
    """``(dimod.BinaryQuadraticModel, ReadoutRecord)`` of restriction ``r``; see the module docstring."""
    if not r.fast or r._fast_layer != len(r.arch.layers) - 1:
        raise UsageError("qubo.method", "the 'readout' QUBO needs every free bit on the output layer (its masks, "
                         "weights or bias, or the last hidden layer's neuron bits)")
    plan = r._plan("train")
    P, K = plan.P, plan.K
    exact_loss = r.arch.loss == "mse" and plan.out_name == "identity"
    if scale == "auto":
        scale = 1.0 if exact_loss else float(np.sqrt(np.mean(plan.zT[plan.rows] ** 2))) or 1.0
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0:
        raise UsageError("qubo.scale", f"a positive number or 'auto', got {scale!r}")
    scale = float(scale)
    exact = exact_loss and scale == 1.0
    k = len(plan.ref)
    # pairs that interact: bits on one unit's row, and every neuron bit with everything
    sizes = [len(js) for _, js, _ in plan.groups]
    pairs = sum(s * (s - 1) // 2 for s in sizes) + len(plan.neuron_j) * k
    if r.sparsity is not None:
        pairs += k * (k - 1) // 2
    if pairs > max_interactions:
        raise TooLargeError(f"the readout QUBO of {k} bits has about {pairs:,} interactions (limit {max_interactions:,}); "
                            f"select locally (blocks), or anneal the loss itself (loss-sa)")
    # targets on the logit scale: ±1, one-hot ±1 rows for several units
    y = plan.y
    if K == 1:
        T = np.where(y > 0, 1.0, -1.0)[None, :]
    else:
        from anneal_binn.model.losses import class_index

        T = -np.ones((K, P))
        T[class_index(y, K), np.arange(P)] = 1.0
    if P == 0:
        raise UsageError("data", "the readout QUBO needs training samples")
    reduction = r.arch.reduction or "mean"
    c = (1.0 / K if K > 1 else 1.0) * (1.0 / P if reduction == "mean" else 1.0)
    rows = plan.rows
    # z = z0 + sum_j b_j D_j on the changed rows; a = z0/scale - t
    z0 = plan.zT[rows].copy()
    for q, js, rows1 in plan.groups:
        z0[q] -= plan.ref[js] @ plan.D1[rows1]
    if len(plan.neuron_j):
        z0 -= np.einsum("k,krp->rp", plan.ref[plan.neuron_j], plan.Dn)
    a = z0 / scale - T[rows]
    linear = np.zeros(k)
    quad: dict = {}
    offset = c * float((a * a).sum())
    others = np.setdiff1d(np.arange(K), rows)
    if len(others):  # the rows no bit moves: a constant
        offset += c * float(((plan.zT[others] / scale - T[others]) ** 2).sum())
    for q, js, rows1 in plan.groups:
        d = plan.D1[rows1] / scale
        linear[js] += c * (2.0 * d @ a[q] + (d * d).sum(axis=1))
        G = d @ d.T
        iu, ju = np.triu_indices(len(js), 1)
        for i, j, g in zip(js[iu], js[ju], 2.0 * c * G[iu, ju]):
            if g != 0.0:
                quad[(int(i), int(j))] = quad.get((int(i), int(j)), 0.0) + float(g)
    if len(plan.neuron_j):
        dn = plan.Dn / scale  # (kn, rows, P)
        linear[plan.neuron_j] += c * (2.0 * np.einsum("krp,rp->k", dn, a) + (dn * dn).sum(axis=(1, 2)))
        full = {int(j): dn[m] for m, j in enumerate(plan.neuron_j)}
        for m, j in enumerate(plan.neuron_j):
            for q, js, rows1 in plan.groups:  # with the single-row bits
                g = 2.0 * c * (plan.D1[rows1] / scale) @ dn[m, q]
                for i, v in zip(js, g):
                    key = (int(min(i, j)), int(max(i, j)))
                    quad[key] = quad.get(key, 0.0) + float(v)
            for j2 in plan.neuron_j[m + 1:]:
                quad[(int(j), int(j2))] = quad.get((int(j), int(j2)), 0.0) + 2.0 * c * float((dn[m] * full[int(j2)]).sum())
    weight = None
    if r.sparsity is not None:
        sp = r.sparsity
        in_sel, rest = sp._split(r)
        sel_vars = np.flatnonzero(in_sel)
        if sp.constraint == "penalty" or sp.strength is not None:
            weight = float(sp.strength)
        else:  # more than the loss QUBO can change: its ground states meet the constraint
            weight = 1.0 + float(np.abs(linear).sum() + sum(abs(v) for v in quad.values()))
        d0 = rest - sp.keep
        linear[sel_vars] += weight * (1.0 + 2.0 * d0)
        offset += weight * d0 * d0
        for m, i in enumerate(sel_vars):
            for j in sel_vars[m + 1:]:
                key = (int(i), int(j))
                quad[key] = quad.get(key, 0.0) + 2.0 * weight
    bqm = dimod.BinaryQuadraticModel({int(j): float(v) for j, v in enumerate(linear)}, quad, offset, dimod.BINARY)
    mags = np.abs(np.concatenate([linear, np.fromiter(quad.values(), float, len(quad))]))
    mags = mags[mags > 0]
    rng = float(mags.max() / mags.min()) if mags.size else 1.0
    rec = ReadoutRecord(k, int(bqm.num_interactions), exact, scale, rng, weight, {"scale": scale})
    return bqm, rec
