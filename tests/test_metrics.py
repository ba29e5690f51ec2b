"""Metrics: success probability, TTS99 and its interval, residual energy, BiNN loss/accuracy."""
import math

import dimod
import numpy as np
import pytest

from anneal_binn import metrics


def test_tts99_formula_and_edges():
    assert metrics.tts99(2.0, 0.5) == pytest.approx(2.0 * math.log(0.01) / math.log(0.5))
    assert metrics.tts99(1.0, 0.0) == math.inf
    assert metrics.tts99(3.0, 0.995) == 3.0  # one read already reaches 99 %
    assert metrics.tts99(1.0, 1e-18) < math.inf
    with pytest.raises(ValueError, match="p"):
        metrics.tts99(1.0, 1.5)
    with pytest.raises(ValueError, match="t"):
        metrics.tts99(-1.0, 0.5)


def test_tts_interval_brackets_the_estimate_and_shrinks_with_reads():
    small = metrics.tts99_ci(1.0, 10, 100)
    big = metrics.tts99_ci(1.0, 1000, 10000)
    assert small.low < small.tts < small.high and big.low < big.tts < big.high
    assert (big.high - big.low) < (small.high - small.low)
    assert small.p == 0.1 and small.reads == 100


def test_wilson_interval_known_value():
    lo, hi = metrics.wilson_interval(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)


def test_success_probability_weights_occurrences():
    ss = dimod.SampleSet.from_samples([[0], [1]], "BINARY", energy=[-1.0, 0.0], num_occurrences=[3, 1])
    assert metrics.success_probability(ss, -1.0) == 0.75
    assert metrics.success_probability(np.array([-1.0, -0.9999]), -1.0, eps=1e-3) == 1.0
    assert metrics.success_probability(np.array([-1.0, -0.9999]), -1.0, eps=1e-6) == 0.5
    assert metrics.residual_energy(ss, -1.0) == pytest.approx(0.25)
    assert metrics.residual_energy(ss, -1.0, reduce="min") == 0.0
    with pytest.raises(ValueError, match="reduce"):
        metrics.residual_energy(ss, -1.0, reduce="max")


def test_binn_metrics_decode_true_losses():
    import anneal_binn as ab

    problem = ab.build(ab.load_spec("fawaz-p1"))
    ss = ab.solve(problem, solver="exact", num_reads=10)
    m = metrics.binn_metrics(problem, ss, optimum_loss=0.0)
    losses = problem.losses(problem.sample_bits(ss))
    assert m.best_loss == 0.0 and m.train_accuracy == 1.0
    assert m.mean_loss == pytest.approx(losses.mean())
    assert m.loss_success == pytest.approx(np.mean(losses <= 1e-9))
