"""Architecture of a feed-forward BiNN and the bit register that gives every variable its role.

Variables are bits 0/1; a weight or bias is ``2b - 1``. Variable ``i`` is bit ``i`` of a
configuration's index. The register orders variables as: every layer's weights (unit-major:
``W[l][unit, input]``) and then its bias; then connection-mask bits; then neuron-mask bits;
then activation-choice bits; then width-choice bits. Choice bits are binary numbers, least
significant bit first, indexing the layer's list of choices.

Examples:
    >>> arch = Architecture(3, (Layer((2,), False, ("sign",)), Layer((1,), False, ("sign",))), "zero-one")
    >>> reg = BitRegister.build(arch)
    >>> reg.num_variables, reg.roles[6].label
    (8, 'W1[0,0]')
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Layer:
    """One layer (hidden or output).

    Attributes:
        widths: width choices; one entry means a fixed width. Parameters exist for the largest.
        bias: whether the layer has a bias per unit.
        activations: activation choices; one entry means fixed.
        mask: one connection-mask bit per incoming weight (0 = connection absent).
        neuron_mask: one bit per unit (0 = unit removed).
    """

    widths: tuple[int, ...]
    bias: bool
    activations: tuple[str, ...]
    mask: bool = False
    neuron_mask: bool = False

    @property
    def max_width(self) -> int:
        return max(self.widths)

    @property
    def activation_bits(self) -> int:
        return (len(self.activations) - 1).bit_length()

    @property
    def width_bits(self) -> int:
        return (len(self.widths) - 1).bit_length()


@dataclass(frozen=True)
class Architecture:
    """Input size, layers (the last is the output layer) and loss."""

    num_inputs: int
    layers: tuple[Layer, ...]
    loss: str
    reduction: str = "mean"

    def input_sizes(self) -> list[int]:
        return [self.num_inputs] + [layer.max_width for layer in self.layers[:-1]]

    @property
    def num_variables(self) -> int:
        """Bits the register will hold, counted without building it (to refuse huge models first).

        Examples:
            >>> Architecture(3, (Layer((2,), False, ("sign",)), Layer((1,), False, ("sign",))), "zero-one").num_variables
            8
        """
        total = 0
        for layer, n_in in zip(self.layers, self.input_sizes()):
            u = layer.max_width
            total += u * n_in * (2 if layer.mask else 1) + u * (layer.bias + layer.neuron_mask)
            total += layer.activation_bits + layer.width_bits
        return total


@dataclass(frozen=True)
class Role:
    """What one variable means.

    ``kind`` is one of ``weight``, ``bias``, ``mask``, ``neuron``, ``activation``, ``width``.
    """

    kind: str
    layer: int
    unit: int = -1
    input: int = -1
    bit: int = -1

    @property
    def label(self) -> str:
        if self.kind == "weight":
            return f"W{self.layer}[{self.unit},{self.input}]"
        if self.kind == "mask":
            return f"M{self.layer}[{self.unit},{self.input}]"
        if self.kind == "bias":
            return f"b{self.layer}[{self.unit}]"
        if self.kind == "neuron":
            return f"N{self.layer}[{self.unit}]"
        return f"{self.kind}{self.layer}.bit{self.bit}"


@dataclass(frozen=True)
class BitRegister:
    """Roles of all variables plus index arrays used by the vectorized forward pass."""

    roles: tuple[Role, ...]
    weight_index: tuple[np.ndarray, ...]  # per layer (units, inputs)
    bias_index: tuple[np.ndarray | None, ...]  # per layer (units,)
    mask_index: tuple[np.ndarray | None, ...]  # per layer (units, inputs)
    neuron_index: tuple[np.ndarray | None, ...]  # per layer (units,)
    activation_index: tuple[tuple[int, ...], ...]  # per layer, LSB first
    width_index: tuple[tuple[int, ...], ...]

    @property
    def num_variables(self) -> int:
        return len(self.roles)

    def count(self, kind: str) -> int:
        return sum(r.kind == kind for r in self.roles)

    def describe(self) -> list[str]:
        return [f"{i:>3}  {r.kind:<10} {r.label}" for i, r in enumerate(self.roles)]

    @classmethod
    def build(cls, arch: Architecture) -> "BitRegister":
        roles: list[Role] = []

        def take(n: int, make) -> np.ndarray:
            start = len(roles)
            for k in range(n):
                roles.append(make(k))
            return np.arange(start, start + n)

        ins = arch.input_sizes()
        weight_index, bias_index = [], []
        for l, layer in enumerate(arch.layers):
            u, n_in = layer.max_width, ins[l]
            w = take(u * n_in, lambda k, l=l, n_in=n_in: Role("weight", l, k // n_in, k % n_in))
            weight_index.append(w.reshape(u, n_in))
            bias_index.append(take(u, lambda k, l=l: Role("bias", l, k)) if layer.bias else None)
        mask_index = []
        for l, layer in enumerate(arch.layers):
            u, n_in = layer.max_width, ins[l]
            if layer.mask:
                m = take(u * n_in, lambda k, l=l, n_in=n_in: Role("mask", l, k // n_in, k % n_in))
                mask_index.append(m.reshape(u, n_in))
            else:
                mask_index.append(None)
        neuron_index = [
            take(layer.max_width, lambda k, l=l: Role("neuron", l, k)) if layer.neuron_mask else None
            for l, layer in enumerate(arch.layers)
        ]
        activation_index = [
            tuple(int(i) for i in take(layer.activation_bits, lambda k, l=l: Role("activation", l, bit=k)))
            for l, layer in enumerate(arch.layers)
        ]
        width_index = [
            tuple(int(i) for i in take(layer.width_bits, lambda k, l=l: Role("width", l, bit=k)))
            for l, layer in enumerate(arch.layers)
        ]
        return cls(
            tuple(roles),
            tuple(weight_index),
            tuple(bias_index),
            tuple(mask_index),
            tuple(neuron_index),
            tuple(activation_index),
            tuple(width_index),
        )


def choice_index(bits: np.ndarray, index: tuple[int, ...]) -> np.ndarray:
    """Decode choice bits (LSB first) of every configuration into an integer (C,)."""
    out = np.zeros(bits.shape[0], dtype=np.int64)
    for k, var in enumerate(index):
        out |= bits[:, var].astype(np.int64) << k
    return out


def index_to_bits(index: np.ndarray, num_variables: int) -> np.ndarray:
    """Configuration indices (C,) -> bits (C, N) uint8, bit i of the index = variable i.

    Examples:
        >>> index_to_bits(np.array([5]), 4).tolist()
        [[1, 0, 1, 0]]
    """
    index = np.asarray(index, dtype=np.int64)
    return ((index[:, None] >> np.arange(num_variables, dtype=np.int64)) & 1).astype(np.uint8)


def bits_to_index(bits: np.ndarray) -> np.ndarray:
    """Inverse of :func:`index_to_bits`."""
    bits = np.asarray(bits, dtype=np.int64)
    return (bits << np.arange(bits.shape[1], dtype=np.int64)).sum(axis=1)
