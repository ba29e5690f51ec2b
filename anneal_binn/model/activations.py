"""Activation functions, vectorized over any array shape.

``sign`` follows seed 003: sign(0) = +1 (the majority function of its quantum circuit).

Examples:
    >>> import numpy as np
    >>> ACTIVATIONS["sign"](np.array([-2.0, 0.0, 3.0])).tolist()
    [-1.0, 1.0, 1.0]
"""
from __future__ import annotations

import numpy as np


def sign(z: np.ndarray) -> np.ndarray:
    return np.where(z >= 0, 1.0, -1.0)


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def sigmoid(z: np.ndarray) -> np.ndarray:
    # exp of a non-positive number only: no overflow warnings for large |z|.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def identity(z: np.ndarray) -> np.ndarray:
    return np.asarray(z, dtype=np.float64)


ACTIVATIONS = {
    "sign": sign,
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "identity": identity,
}

# Value at which a single-output classifier switches from class -1 to +1 (output >= threshold -> +1).
DECISION_THRESHOLD = {"sign": 0.0, "tanh": 0.0, "identity": 0.0, "sigmoid": 0.5, "relu": 1e-300}

# Range of outputs, used to build regression targets from ±1 labels.
TARGETS = {  # label -1 -> first, +1 -> second
    "sign": (-1.0, 1.0),
    "tanh": (-1.0, 1.0),
    "identity": (-1.0, 1.0),
    "sigmoid": (0.0, 1.0),
    "relu": (0.0, 1.0),
}
