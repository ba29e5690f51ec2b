"""Vectorized forward pass of a BiNN over a batch of configurations × samples.

Internally activations are laid out (C, units, P) so that every layer is one batched matmul.

Rules that make architecture bits well defined:
- a unit switched off by its neuron-mask bit, or beyond the chosen width, is absent: it feeds
  nothing to the next layer and its parameters are ignored;
- a unit that receives no input (every incoming connection masked or absent, and no bias) has
  pre-activation 0; with the sign activation it outputs -1 (seed 003 §5.1: the majority of no
  inputs is false), with any other activation f(0).

Examples:
    >>> import numpy as np
    >>> from anneal_binn.model.architecture import Architecture, Layer, BitRegister
    >>> arch = Architecture(2, (Layer((1,), True, ("sign",)),), "zero-one", "sum")
    >>> net = Network(arch)
    >>> bits = np.array([[1, 1, 0]], dtype=np.uint8)    # w = (+1, +1), b = -1
    >>> X = np.array([[1.0, 1.0], [-1.0, -1.0]]); y = np.array([1, -1])
    >>> net.losses(bits, X, y).tolist()
    [0.0]
"""
from __future__ import annotations

import numpy as np

from anneal_binn.model.activations import ACTIVATIONS
from anneal_binn.model.architecture import Architecture, BitRegister, choice_index
from anneal_binn.model.losses import DEFAULT_REDUCTION, FROM_PREACTIVATION, LOSSES, predict


def _softmax(z: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


class Network:
    """Forward pass and loss of every configuration of an :class:`Architecture`."""

    def __init__(self, arch: Architecture):
        self.arch = arch
        self.register = BitRegister.build(arch)

    @property
    def num_variables(self) -> int:
        return self.register.num_variables

    # -- pieces of the forward pass -------------------------------------------------------
    def _spins(self, bits: np.ndarray, index: np.ndarray) -> np.ndarray:
        return 2.0 * bits[:, index].astype(np.float64) - 1.0

    def active_units(self, bits: np.ndarray, l: int) -> np.ndarray | None:
        """(C, units) 0/1 of the units present in layer l, or None when all are."""
        layer, reg = self.arch.layers[l], self.register
        active = None
        if len(layer.widths) > 1:
            idx = choice_index(bits, reg.width_index[l])
            widths = np.asarray(layer.widths)[np.minimum(idx, len(layer.widths) - 1)]
            active = (np.arange(layer.max_width)[None, :] < widths[:, None]).astype(np.float64)
        if reg.neuron_index[l] is not None:
            nm = bits[:, reg.neuron_index[l]].astype(np.float64)
            active = nm if active is None else active * nm
        return active

    def effective_weights(self, bits: np.ndarray, l: int, active_in: np.ndarray | None):
        """Weights (C, units, inputs) with masked/absent connections zeroed, and the input count or None."""
        reg = self.register
        w = self._spins(bits, reg.weight_index[l])
        conn = None
        if reg.mask_index[l] is not None:
            conn = bits[:, reg.mask_index[l]].astype(np.float64)
        if active_in is not None:
            conn = active_in[:, None, :] if conn is None else conn * active_in[:, None, :]
        if conn is None:
            return w, None
        count = conn.sum(axis=2)
        if reg.bias_index[l] is not None:
            count = count + 1.0
        return w * conn, count

    def preactivation0(self, bits: np.ndarray, X: np.ndarray) -> np.ndarray:
        """First-layer pre-activations (C, units, P), bias included."""
        w, _ = self.effective_weights(bits, 0, None)
        z = w @ X.T
        if self.register.bias_index[0] is not None:
            z += self._spins(bits, self.register.bias_index[0])[:, :, None]
        return z

    def _activate(self, bits, l, z, count):
        layer = self.arch.layers[l]
        names = layer.activations
        if len(names) == 1:
            out = _softmax(z, 1) if names[0] == "softmax" else ACTIVATIONS[names[0]](z)
        else:
            idx = np.minimum(choice_index(bits, self.register.activation_index[l]), len(names) - 1)
            out = np.empty_like(z)
            for k, name in enumerate(names):
                sel = idx == k
                if sel.any():
                    out[sel] = ACTIVATIONS[name](z[sel])
        if count is not None and "sign" in names:
            empty = (count == 0)[:, :, None]
            if empty.any():
                is_sign = np.ones(len(bits), bool) if len(names) == 1 else (
                    np.asarray(names)[np.minimum(choice_index(bits, self.register.activation_index[l]), len(names) - 1)] == "sign"
                )
                out = np.where(empty & is_sign[:, None, None], -1.0, out)
        return out

    def forward(self, bits: np.ndarray, X: np.ndarray, z0: np.ndarray | None = None, output: bool = True):
        """Output pre-activations and activations, both (C, P, K).

        Args:
            bits: (C, N) 0/1 configurations.
            X: (P, d) inputs.
            z0: optional precomputed first-layer pre-activations (C, units, P) (see landscape).
            output: compute the output activation (losses that need only z skip it).
        """
        bits = np.asarray(bits)
        reg = self.register
        active_in = None
        h = None
        z = None
        for l, layer in enumerate(self.arch.layers):
            if l == 0:
                if reg.mask_index[0] is None and z0 is not None:
                    z, count = z0, None
                else:
                    w, count = self.effective_weights(bits, 0, None)
                    z = w @ X.T
                    if reg.bias_index[0] is not None:
                        z += self._spins(bits, reg.bias_index[0])[:, :, None]
            else:
                w, count = self.effective_weights(bits, l, active_in)
                z = w @ h
                if reg.bias_index[l] is not None:
                    z += self._spins(bits, reg.bias_index[l])[:, :, None]
            if l == len(self.arch.layers) - 1 and not output:
                return np.swapaxes(z, 1, 2), None
            h = self._activate(bits, l, z, count)
            active_in = self.active_units(bits, l)
        return np.swapaxes(z, 1, 2), np.swapaxes(h, 1, 2)

    def output_activation(self, bits: np.ndarray) -> np.ndarray:
        """Name of the output activation of each configuration (C,)."""
        names = self.arch.layers[-1].activations
        if len(names) == 1:
            return np.full(len(bits), names[0])
        idx = choice_index(bits, self.register.activation_index[-1])
        return np.asarray(names)[np.minimum(idx, len(names) - 1)]

    def per_sample_loss(self, bits, X, y, z0=None) -> np.ndarray:
        z, out = self.forward(bits, X, z0, output=self.arch.loss not in FROM_PREACTIVATION)
        loss = LOSSES[self.arch.loss]
        names = self.arch.layers[-1].activations
        if len(names) == 1:
            return loss(z, out, y, names[0])
        acts = self.output_activation(bits)
        res = np.empty(z.shape[:2])
        for name in names:
            sel = acts == name
            if sel.any():
                res[sel] = loss(z[sel], None if out is None else out[sel], y, name)
        return res

    def losses(self, bits, X, y, z0=None) -> np.ndarray:
        """Loss of each configuration (C,), reduced over samples as the architecture says."""
        per = self.per_sample_loss(bits, X, y, z0)
        reduction = self.arch.reduction or DEFAULT_REDUCTION[self.arch.loss]
        return per.sum(axis=1) if reduction == "sum" else per.mean(axis=1)

    def predict(self, bits, X) -> np.ndarray:
        """Predicted labels (C, P)."""
        z, out = self.forward(bits, X)
        acts = self.output_activation(bits)
        res = np.empty(z.shape[:2], dtype=np.int64)
        for name in np.unique(acts):
            sel = acts == name
            res[sel] = predict(out[sel], str(name))
        return res

    def accuracy(self, bits, X, y) -> np.ndarray:
        """Fraction of samples classified correctly, per configuration (C,)."""
        if len(y) == 0:
            return np.full(len(bits), np.nan)
        return (self.predict(bits, X) == y[None, :]).mean(axis=1)
