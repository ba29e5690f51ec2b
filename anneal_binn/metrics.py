"""Metrics for comparing solvers: success probability, time to solution (TTS99), residual energy,
and, for BiNNs, the true loss and accuracy of the decoded samples.

Every function takes plain arrays or a ``dimod.SampleSet`` (reads weighted by
``num_occurrences``), so annealers, gate-model samplers and the QPU are measured the same way.

Examples:
    >>> import numpy as np
    >>> success_probability(np.array([-3.0, -3.0, -1.0, 0.0]), target=-3.0)
    0.5
    >>> round(tts99(1.0, 0.5), 3)
    6.644
    >>> residual_energy(np.array([-3.0, -1.0]), optimum=-3.0)
    1.0
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def _energies_and_weights(samples) -> tuple[np.ndarray, np.ndarray]:
    """(energies, occurrence weights) from a SampleSet or an array of energies."""
    record = getattr(samples, "record", None)
    if record is not None:
        e = np.asarray(record.energy, dtype=np.float64)
        w = np.asarray(record.num_occurrences, dtype=np.float64) if "num_occurrences" in record.dtype.names \
            else np.ones_like(e)
        return e, w
    e = np.asarray(samples, dtype=np.float64).ravel()
    return e, np.ones_like(e)


def is_success(energies: np.ndarray, target: float, eps: float = 1e-9, relative: bool = True) -> np.ndarray:
    """Which energies are within ``eps`` of ``target`` (relative to max(1, |target|) by default)."""
    tol = eps * max(1.0, abs(target)) if relative else eps
    return np.asarray(energies) <= target + tol


def success_probability(samples, target: float, eps: float = 1e-9, relative: bool = True) -> float:
    """Fraction of reads within ``eps`` of ``target`` (the exact optimum, or the best known).

    Args:
        samples: a SampleSet (weighted by ``num_occurrences``) or an array of energies.
        target: the optimum to reach.
        eps: tolerance; relative to max(1, |target|) unless ``relative=False``.
    """
    e, w = _energies_and_weights(samples)
    if w.sum() == 0:
        raise ValueError("samples: empty, no reads to measure")
    return float(w[is_success(e, target, eps, relative)].sum() / w.sum())


def tts99(t: float, p: float, target: float = 0.99) -> float:
    """Time to reach the optimum with probability ``target``: t ln(1 - target) / ln(1 - p).

    ``t`` is the time of one read (or of one batch, if ``p`` is per batch). ``p = 0`` gives inf;
    ``p >= target`` gives ``t`` (one read suffices).
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p: must be a probability in [0, 1], got {p}")
    if t < 0:
        raise ValueError(f"t: must be non-negative, got {t}")
    if p <= 1e-300:
        return math.inf
    if p >= target:
        return float(t)
    # log1p keeps tiny p (e.g. a Wilson lower bound of 1e-17) finite instead of dividing by 0
    return float(t * math.log1p(-target) / math.log1p(-p))


def _count(name: str, value: float) -> int:
    """``value`` as a whole number of reads (aggregated weights arrive as floats like 50.0)."""
    if not float(value).is_integer() or value < 0:
        raise ValueError(f"{name}: must be a whole, non-negative number of reads, got {value}")
    return int(value)


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``successes / n``.

    Computed by ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``.

    Args:
        successes: reads that reached the target (a whole number).
        n: reads in all (a whole number, at least 1).
        confidence: confidence level of the interval.

    Examples:
        >>> lo, hi = wilson_interval(5, 10)
        >>> round(lo, 4), round(hi, 4)
        (0.2366, 0.7634)
    """
    if n <= 0:
        raise ValueError(f"n: need at least one read, got {n}")
    k, n = _count("successes", successes), _count("n", n)
    if k > n:
        raise ValueError(f"successes: {k} is more than the {n} reads")
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return max(0.0, float(ci.low)), min(1.0, float(ci.high))


@dataclass(frozen=True)
class TTS:
    """A TTS99 estimate with its confidence interval (from the reads' binomial uncertainty).

    Attributes:
        tts: point estimate t ln(0.01) / ln(1 - p).
        low, high: TTS at the upper and lower ends of the Wilson interval for p.
        p: the success probability; p_low, p_high its interval.
        reads: number of reads it was measured from.
    """

    tts: float
    low: float
    high: float
    p: float
    p_low: float
    p_high: float
    reads: int


def tts99_ci(t: float, successes: float, reads: float, confidence: float = 0.95, target: float = 0.99) -> TTS:
    """TTS99 with a confidence interval from ``successes`` out of ``reads``.

    Examples:
        >>> r = tts99_ci(1.0, 50, 100)
        >>> r.low < r.tts < r.high
        True
    """
    p = successes / reads
    lo, hi = wilson_interval(successes, reads, confidence)
    return TTS(tts99(t, p, target), tts99(t, hi, target), tts99(t, lo, target), p, lo, hi, int(reads))


def residual_energy(samples, optimum: float, reduce: str = "mean") -> float:
    """Mean (or ``"min"``/``"median"``) of energy - optimum over reads (>= 0 when optimum is exact)."""
    e, w = _energies_and_weights(samples)
    r = e - optimum
    if reduce == "mean":
        return float(np.average(r, weights=w))
    if reduce == "min":
        return float(r.min())
    if reduce == "median":
        return float(np.median(np.repeat(r, w.astype(int))))
    raise ValueError(f"reduce: must be 'mean', 'min' or 'median', got {reduce!r}")


@dataclass(frozen=True)
class BinnMetrics:
    """True (not HUBO) quality of a sample set's decoded BiNNs.

    Attributes:
        best_loss: lowest true training loss among the reads.
        mean_loss: read-weighted mean true loss.
        train_accuracy, test_accuracy: accuracy of the best-loss net (test is nan without a test set).
        loss_success: fraction of reads whose true loss is within eps of ``optimum_loss`` (nan if unknown).
    """

    best_loss: float
    mean_loss: float
    train_accuracy: float
    test_accuracy: float
    loss_success: float


def binn_metrics(problem, sampleset, optimum_loss: float | None = None, eps: float = 1e-9) -> BinnMetrics:
    """Decode every read to a BiNN and measure its true loss and accuracy with ``problem``.

    Examples:
        >>> import anneal_binn as ab
        >>> problem = ab.build(ab.load_spec("fawaz-p2"))
        >>> m = binn_metrics(problem, ab.solve(problem, solver="exact"))
        >>> m.best_loss
        0.0
    """
    bits = problem.sample_bits(sampleset)
    losses = np.asarray(problem.losses(bits), dtype=np.float64)
    w = np.asarray(sampleset.record.num_occurrences, dtype=np.float64)
    best = int(np.argmin(losses))
    train = float(np.asarray(problem.accuracy(bits[best:best + 1], "train"))[0])
    try:
        test = float(np.asarray(problem.accuracy(bits[best:best + 1], "test"))[0])
    except (ValueError, KeyError, AttributeError):
        test = float("nan")
    loss_success = float(w[is_success(losses, optimum_loss, eps)].sum() / w.sum()) if optimum_loss is not None \
        else float("nan")
    return BinnMetrics(float(losses[best]), float(np.average(losses, weights=w)), train, test, loss_success)
