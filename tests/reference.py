"""A deliberately naive, loop-based BiNN forward pass used as an independent test oracle."""
from __future__ import annotations

import math

import numpy as np


def act(name, z):
    return {
        "sign": lambda v: 1.0 if v >= 0 else -1.0,
        "relu": lambda v: max(v, 0.0),
        "sigmoid": lambda v: 1.0 / (1.0 + math.exp(-v)),
        "tanh": math.tanh,
        "identity": lambda v: v,
    }[name](z)


def choice(bits, idx):
    return sum(int(bits[v]) << k for k, v in enumerate(idx))


def forward_one(problem, bits, x):
    """Output (pre-activation list, activation list, output activation name) for one sample."""
    arch, reg = problem.arch, problem.register
    h = list(x)
    present = [True] * len(h)
    for l, layer in enumerate(arch.layers):
        a_name = layer.activations[min(choice(bits, reg.activation_index[l]), len(layer.activations) - 1)]
        width = layer.widths[min(choice(bits, reg.width_index[l]), len(layer.widths) - 1)]
        zs, outs, alive = [], [], []
        for u in range(layer.max_width):
            z, count = 0.0, 0
            for i in range(len(h)):
                if not present[i]:
                    continue
                if reg.mask_index[l] is not None and not bits[reg.mask_index[l][u, i]]:
                    continue
                z += (2 * int(bits[reg.weight_index[l][u, i]]) - 1) * h[i]
                count += 1
            if reg.bias_index[l] is not None:
                z += 2 * int(bits[reg.bias_index[l][u]]) - 1
                count += 1
            if a_name == "softmax":
                o = None
            elif count == 0 and a_name == "sign":
                o = -1.0
            else:
                o = act(a_name, z)
            on = u < width and (reg.neuron_index[l] is None or bool(bits[reg.neuron_index[l][u]]))
            zs.append(z)
            outs.append(o)
            alive.append(on)
        if a_name == "softmax":
            m = max(zs)
            e = [math.exp(v - m) for v in zs]
            outs = [v / sum(e) for v in e]
        h, present = outs, alive
    return zs, outs, a_name


def loss_one(problem, bits, x, y):
    zs, outs, a = forward_one(problem, bits, x)
    loss = problem.arch.loss
    if loss == "zero-one":
        if len(outs) == 1:
            thr = {"sigmoid": 0.5, "relu": 1e-300}.get(a, 0.0)
            pred = 1 if outs[0] >= thr else -1
        else:
            pred = int(np.argmax(outs))
        return float(pred != y)
    if loss == "bce":
        p = 1.0 / (1.0 + math.exp(-zs[0]))
        return -math.log(p) if y > 0 else -math.log(1.0 - p)
    if loss == "mse":
        lo, hi = (0.0, 1.0) if a in ("sigmoid", "relu") else (-1.0, 1.0)
        if len(outs) == 1:
            return (outs[0] - (hi if y > 0 else lo)) ** 2
        return float(np.mean([(o - (hi if k == y else lo)) ** 2 for k, o in enumerate(outs)]))
    if loss == "softmax-ce":
        m = max(zs)
        return m + math.log(sum(math.exp(v - m) for v in zs)) - zs[y]
    raise ValueError(loss)


def loss(problem, bits):
    X, Y = problem.data.x_train, problem.data.y_train
    per = [loss_one(problem, bits, x, y) for x, y in zip(X, Y)]
    return float(np.sum(per) if problem.arch.reduction == "sum" else np.mean(per))
