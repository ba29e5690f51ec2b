"""Compiled Gray-code enumeration of exact landscapes: single-unit nets and one hidden layer.

The loss of all 2^N nets is one fused loop over configurations × samples, written so the
compiler vectorizes the sample loop (no branches, no libm calls inside it):

* **Gray code, output layer innermost.** Consecutive configurations differ in one output weight
  (or the output bias), so the P output pre-activations move by ``±2 h_j`` in O(P) and the loss
  is accumulated in the same pass. With a hidden layer, the first layer's bits are walked in an
  outer Gray code: one flip changes one hidden unit's pre-activation on every sample, so only
  that unit's P activations are recomputed (O(P)) before the inner walk over the output bits.
  Pre-activations are recomputed from scratch every 2^12 steps so rounding never drifts.
* **Half the configurations for free.** Flipping every output bit negates the output
  pre-activation, ``z -> -z``, and every loss here has an exact companion from the same pass:
  ``softplus(-z) = softplus(z) - z`` (BCE), ``sigmoid(-z) = 1 - sigmoid(z)``,
  ``tanh(-z) = -tanh(z)``, and cheap activations are simply evaluated at ``-z``. So the inner walk
  covers half the output configurations and writes two losses per pass.
* **A fast, accurate softplus.** ``softplus(z) = max(z, 0) + log1p(exp(-|z|))`` with
  ``exp(-a) = 2^-n exp(-r)`` (Cody–Waite reduction, ``|r| <= ln2/2``, 14 Taylor terms, the
  power of two assembled exactly from the bits of ``n``) and ``log1p(u) = 2 atanh(u / (2 + u))``
  (16 odd Taylor terms of atanh, argument ``<= 1/3``). Its error is at most
  ``SOFTPLUS_MAX_ERROR * max(1, softplus(z))`` for every z, i.e. one unit in the last place
  (measured 2.2e-16 on 2e6 points of [-60, 60] and at the extremes against ``numpy.logaddexp``,
  see the tests); ``|z| > 40`` is clamped, where ``log1p(exp(-|z|)) < 4.3e-18``.
  sigmoid and tanh reuse the same ``exp(-a)``.

Supported: one output unit (no masks) after zero or one hidden layer (no connection or neuron
masks; width and activation choice bits allowed), losses zero-one, MSE and BCE, activations
sign, tanh, identity, sigmoid and ReLU. Needs numba (``pip install 'anneal-binn[fast]'``);
:func:`available` says whether it is there.

Examples:
    >>> import numpy as np
    >>> z = np.array([-50.0, -1.0, 0.0, 2.5, 700.0])
    >>> ref = np.logaddexp(0.0, z)
    >>> bool(np.all(np.abs(softplus(z) - ref) <= SOFTPLUS_MAX_ERROR * np.maximum(1.0, ref)))
    True
"""
from __future__ import annotations

import numpy as np

LOSS_CODES = {"zero-one": 0, "mse": 1, "bce": 2}
ACT_CODES = {"sign": 0, "tanh": 1, "identity": 2, "sigmoid": 3, "relu": 4}
SOFTPLUS_MAX_ERROR = 2.3e-16  # times max(1, softplus(z)): one ulp; measured 2.2e-16 (tests)

_kernels = None


def available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _plan(net):
    """The kernel's layout of a supported net, or None: sizes, and every choice-bit combination."""
    arch, reg = net.arch, net.register
    if len(arch.layers) not in (1, 2) or arch.loss not in LOSS_CODES:
        return None
    out = arch.layers[-1]
    hidden = arch.layers[0] if len(arch.layers) == 2 else None
    for layer in arch.layers:
        if layer.mask or layer.neuron_mask or any(a not in ACT_CODES for a in layer.activations):
            return None
    if out.widths != (1,):
        return None
    d = arch.num_inputs
    if hidden is None:
        units, hb, n1, m = 0, 0, 0, d
    else:
        units, hb = hidden.max_width, int(hidden.bias)
        n1, m = units * (d + hb), units
    ob = int(out.bias)
    # the register must hold the weights and biases in the order the kernel walks them
    expect = [np.arange(units * d).reshape(units, d)] if hidden is not None else []
    expect.append(n1 + np.arange(m).reshape(1, m))
    if any(not np.array_equal(w, e) for w, e in zip(reg.weight_index, expect)):
        return None
    if hidden is not None and hb and not np.array_equal(reg.bias_index[0], units * d + np.arange(units)):
        return None
    if ob and not np.array_equal(reg.bias_index[-1], [n1 + m]):
        return None
    n2 = m + ob
    if any(r.kind not in ("activation", "width") for r in reg.roles[n1 + n2:]):
        return None
    # every setting of the choice bits (index clamped to the last choice, as the forward pass does)
    choice_vars = [v for v in range(n1 + n2, reg.num_variables)]
    offs, ah, aw, ao = [], [], [], []
    def pick(bits, index, options):
        i = sum(bits[v] << k for k, v in enumerate(index))
        return options[min(i, len(options) - 1)]

    for pattern in range(1 << len(choice_vars)):
        bits = {v: (pattern >> k) & 1 for k, v in enumerate(choice_vars)}
        offs.append(sum(bits[v] << v for v in choice_vars))
        ao.append(ACT_CODES[pick(bits, reg.activation_index[-1], out.activations)])
        if hidden is not None:
            ah.append(ACT_CODES[pick(bits, reg.activation_index[0], hidden.activations)])
            aw.append(pick(bits, reg.width_index[0], hidden.widths))
        else:
            ah.append(ACT_CODES["identity"])
            aw.append(d)
    return {"d": d, "units": units, "hb": hb, "ob": ob, "n1": n1, "m": m,
            "offs": np.array(offs, dtype=np.int64), "ah": np.array(ah, dtype=np.int64),
            "aw": np.array(aw, dtype=np.int64), "ao": np.array(ao, dtype=np.int64)}


def supports(net) -> bool:
    """True for one output unit after at most one hidden layer, no masks, a supported loss."""
    return _plan(net) is not None


def _compile():
    global _kernels
    if _kernels is None:
        from anneal_binn import _landscape_jit as jit

        _kernels = {"landscape": jit.landscape, "softplus": jit.softplus_array, "act": jit.act_array}
    return _kernels


def softplus(z) -> np.ndarray:
    """``log(1 + exp(z))`` by the compiled kernel's formula, within one ulp of ``max(1, value)``.

    Examples:
        >>> abs(float(softplus(np.array([0.0]))[0]) - float(np.log(2.0))) <= 2.3e-16
        True
    """
    z = np.ascontiguousarray(np.asarray(z, dtype=np.float64).ravel())
    return _compile()["softplus"](z, np.empty_like(z))


def activation(z, name: str) -> np.ndarray:
    """An activation by the compiled kernel's formulas (sigmoid and tanh share the fast exp).

    Examples:
        >>> activation(np.array([-1.0, 0.0, 2.0]), "relu").tolist()
        [0.0, 0.0, 2.0]
    """
    z = np.ascontiguousarray(np.asarray(z, dtype=np.float64).ravel())
    out = np.empty_like(z)
    _compile()["act"](z, ACT_CODES[name], out)
    return out


def compute(net, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The landscape of a :func:`supports`-ed net, index order (bit i = variable i)."""
    from anneal_binn.model.activations import DECISION_THRESHOLD, TARGETS
    from anneal_binn.model.losses import DEFAULT_REDUCTION

    plan = _plan(net)
    if plan is None:
        raise ValueError("net: not supported by the compiled landscape kernel (see landscape_kernels.supports)")
    kernel = _compile()["landscape"]
    names = {v: k for k, v in ACT_CODES.items()}
    y = np.asarray(y)
    out_names = [names[int(c)] for c in plan["ao"]]
    # decision: output >= threshold on the activation is z >= threshold on the pre-activation
    # (every activation here is monotone and maps 0 to its threshold, ReLU's 1e-300 excepted)
    zthr = np.array([DECISION_THRESHOLD["relu"] if n == "relu" else 0.0 for n in out_names])
    reduction = net.arch.reduction or DEFAULT_REDUCTION[net.arch.loss]
    P = X.shape[0]
    divisor = float(P) if reduction == "mean" else 1.0
    out = np.empty(1 << net.num_variables)
    XT = np.ascontiguousarray(np.asarray(X, dtype=np.float64).T)
    y01 = (y > 0).astype(np.float64)
    yneg = y <= 0  # a prediction of +1 is an error exactly when the label is not +1
    need = np.zeros(5, dtype=np.bool_)
    need[plan["ah"]] = plan["units"] > 0
    # one call per target range (MSE targets follow the output activation, TARGETS)
    ranges = sorted({TARGETS[n] for n in out_names})
    for lo, hi in ranges:
        sel = np.array([TARGETS[n] == (lo, hi) for n in out_names])
        t = np.where(y > 0, hi, lo).astype(np.float64)
        kernel(XT, plan["units"], plan["hb"], plan["ob"], plan["offs"][sel], plan["ah"][sel], plan["aw"][sel],
               plan["ao"][sel], need, LOSS_CODES[net.arch.loss], y01, t, zthr[sel], yneg, divisor, out)
    return out
