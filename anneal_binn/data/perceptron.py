"""Binary-perceptron patterns: i.i.d. ±1 inputs with random or teacher labels.

The classic storage (``labels = "random"``) and teacher-student (``labels = "teacher"``)
problems of the binary perceptron, at N inputs and load alpha = P / N. With random labels
the storage capacity is alpha_c ≈ 0.833 (Krauth–Mézard).
"""
from __future__ import annotations

import numpy as np

from anneal_binn.data import Dataset, check_keys
from anneal_binn.data._validate import get_choice, get_float, get_int, round_half_up
from anneal_binn.errors import SpecError

KEYS = {"source", "n", "alpha", "labels", "n_test"}


def num_patterns(n: int, alpha: float) -> int:
    """P = round(alpha * N), halves rounded up.

    Examples:
        >>> num_patterns(101, 0.5)
        51
        >>> num_patterns(20, 0.6)
        12
    """
    return round_half_up(alpha * n)


def _sign(x: np.ndarray) -> np.ndarray:
    # sign(0) = +1 as everywhere in the package; ties only happen for even N.
    return np.where(x >= 0, 1, -1).astype(np.int64)


def load_perceptron(cfg: dict, seed: int) -> Dataset:
    """P = round(alpha·N) patterns (halves up: N=101, alpha=0.5 gives 51) with ±1 inputs.

    Keys of the ``[data]`` table:
        n: input dimension N, default 21 (odd, so teacher labels have no ties).
        alpha: load P / N, default 0.5.
        labels: ``"random"`` (i.i.d. ±1, default) or ``"teacher"`` (sign of a random ±1 teacher's
            field; sign(0) = +1, which only matters for even N).
        n_test: teacher only: fresh test patterns from the same teacher, default 1000.

    With random labels there is nothing to generalize to, so **the test set is the training
    set** (``n_test`` is then refused). One ``numpy.random.Generator(seed)`` draws, in this
    order, the teacher (teacher labels only), the training inputs, the random labels or the
    test inputs. ``meta["teacher"]`` holds the teacher's ±1 weights.

    Examples:
        >>> ds = load_perceptron({"source": "perceptron", "n": 11, "alpha": 0.5, "labels": "teacher"}, 0)
        >>> ds.x_train.shape, ds.x_test.shape
        ((6, 11), (1000, 11))
    """
    check_keys(cfg, KEYS)
    n = get_int(cfg, "n", 21, minimum=1)
    alpha = get_float(cfg, "alpha", 0.5, minimum=0.0, strict_minimum=True)
    labels = get_choice(cfg, "labels", "random", ("random", "teacher"))
    p = num_patterns(n, alpha)
    if p < 1:
        raise SpecError("data.alpha", f"alpha * n = {alpha * n:g} rounds to 0 patterns; raise alpha or n")
    rng = np.random.default_rng(seed)
    meta = {"n": n, "alpha": alpha, "p": p, "labels": labels}
    if labels == "teacher":
        n_test = get_int(cfg, "n_test", 1000, minimum=1)
        teacher = rng.choice(np.array([-1, 1]), size=n)
        x_train = rng.choice(np.array([-1.0, 1.0]), size=(p, n))
        x_test = rng.choice(np.array([-1.0, 1.0]), size=(n_test, n))
        y_train, y_test = _sign(x_train @ teacher), _sign(x_test @ teacher)
        meta.update(teacher=teacher.tolist(), n_test=n_test)
    else:
        if "n_test" in cfg:
            raise SpecError(
                "data.n_test",
                "random labels have no test distribution (the test set is the training set); "
                "remove n_test or use labels = \"teacher\"",
            )
        x_train = rng.choice(np.array([-1.0, 1.0]), size=(p, n))
        y_train = rng.choice(np.array([-1, 1]), size=p).astype(np.int64)
        x_test, y_test = x_train.copy(), y_train.copy()
    return Dataset(
        name=f"perceptron N={n} P={p} (alpha={alpha:g}), {labels} labels",
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        meta=meta,
    )
