"""MPS hypernetwork: training records (cost per iteration, calls spent) and the sampled-net statistics of seed 004."""
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.gate.circuits import Ansatz
from anneal_binn.gate.mps import MPSHypernetwork, hamming_distances, loss_from_cost, score_samples


def test_hamming_distances_match_brute_force():
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2, size=(30, 12)).astype(np.uint8)
    bits[5] = bits[3]                                  # one repeated net
    d_all = hamming_distances(bits, unique=False)
    want = [int((bits[i] != bits[j]).sum()) for i in range(30) for j in range(i + 1, 30)]
    assert d_all.tolist() == want
    d = hamming_distances(bits)                        # repeats dropped: 29 distinct rows
    assert d.size == 29 * 28 // 2 and d.min() > 0 and 0 in d_all
    assert hamming_distances(bits[:1]).size == 0
    with pytest.raises(ValueError, match="bits"):
        hamming_distances(bits[0])


def test_score_samples_agrees_with_problem_and_filters_good_nets():
    problem = ab.build(ab.load_spec("fawaz-p1"))
    rng = np.random.default_rng(1)
    bits = rng.integers(0, 2, size=(40, 8)).astype(np.uint8)
    nets = score_samples(problem, bits)
    np.testing.assert_array_equal(nets.train_loss, problem.losses(bits))
    np.testing.assert_array_equal(nets.test_accuracy, problem.accuracy(bits, split="test"))
    np.testing.assert_array_equal(nets.train_accuracy, problem.accuracy(bits, split="train"))
    cut = 0.7
    good = bits[nets.test_accuracy > cut]
    assert nets.good(cut).sum() == len(good) > 1
    assert nets.mutual_hamming(cut) == pytest.approx(hamming_distances(good).mean())
    # restricted to some columns: the distance only counts those
    assert nets.hamming(cut, columns=[0, 1]).max() <= 2
    assert np.isnan(nets.mutual_hamming(1.01))
    with pytest.raises(ValueError, match=r"\(S, 8\)"):
        score_samples(problem, bits[:, :5])
    with pytest.raises(ValueError, match="split"):
        nets.good(0.5, split="validation")


@pytest.mark.parametrize("optimizer", ["spsa", "qnspsa"])
def test_train_records_cost_per_iteration_and_calls(optimizer):
    C = np.array([3.0, 2.0, 2.0, 0.0, 1.0, 2.5, 1.5, 3.0])
    a = Ansatz(3, 1)
    theta0 = a.random_parameters(seed=4)

    def run():
        h = MPSHypernetwork(a, loss_from_cost(C), shots=200, seed=0)
        return h.train(theta0, optimizer=optimizer, maxiter=15, seed=3)

    r = run()
    assert r.cost.shape == (16,) and r.accepted.shape == (15,) and r.trace.shape == (15,)
    assert r.energy_calls.shape == r.fidelity_calls.shape == (16,)
    # entry 0: the estimate at theta0 plus SPSA's calibration (50 estimates)
    assert r.energy_calls[0] == 51 and np.all(np.diff(r.energy_calls) > 0)
    # a rejected step keeps the previous cost; an accepted one takes the optimizer's estimate
    for k, ok in enumerate(r.accepted):
        assert r.cost[k + 1] == (r.trace[k] if ok else r.cost[k])
    if optimizer == "spsa":
        assert r.accepted.all() and not r.fidelity_calls.any()
    else:
        assert np.all(np.diff(r.fidelity_calls) > 0)     # the metric is estimated every iteration
    assert r.cost[-5:].mean() < r.cost[0] and r.seconds > 0
    # same seeds, same numbers
    r2 = run()
    np.testing.assert_array_equal(r.cost, r2.cost)
    np.testing.assert_array_equal(r.theta, r2.theta)


def test_train_rejects_bad_arguments():
    h = MPSHypernetwork(Ansatz(2, 0), loss_from_cost([1.0, 0.0, 0.0, 1.0]), shots=10, seed=0)
    with pytest.raises(ValueError, match="maxiter"):
        h.train(optimizer="spsa", maxiter=0)
    with pytest.raises(ValueError, match="give both"):
        h.train(optimizer="spsa", maxiter=2, learning_rate=0.1)
    with pytest.raises(ValueError, match="optimizer"):
        h.train(optimizer="adam")


def test_sample_nets_scores_what_the_circuit_measures():
    problem = ab.build(ab.load_spec("fawaz-p1"))
    a = Ansatz(problem.num_variables, 0)
    h = MPSHypernetwork(a, problem.losses, shots=64, seed=0)
    # product state, RY(pi) on qubits 0 and 2: the basis state 1,0,1,0,0,0,0,0, an optimum of fawaz-p1
    theta = np.zeros(a.num_parameters)
    theta[[a.index("y", 0, 0), a.index("y", 2, 0)]] = np.pi
    nets = h.sample_nets(theta, problem, shots=50)
    assert nets.num_samples == 50 and nets.num_unique == 1
    assert nets.bits[0].tolist() == [1, 0, 1, 0, 0, 0, 0, 0]
    assert np.all(nets.train_loss == 0.0) and np.all(nets.test_accuracy == 1.0)
    assert nets.mutual_hamming() != nets.mutual_hamming()   # NaN: one distinct net


def test_bond_dimensions_at_66_qubits_stay_at_two_to_the_layers():
    # seed 004's regime: P = 2 layers put at most 2 CX gates across a bond, so chi <= 4 and the MPS is exact
    a = Ansatz(66, 2)
    theta = a.random_parameters(seed=0)
    chi = MPSHypernetwork(a, loss_from_cost(np.zeros(2)), seed=0).bond_dimensions(theta)
    assert chi.shape == (65,) and chi.max() == 4 and chi[0] == 2 and chi[-1] == 2
    # a truncated simulation caps it; the product state has none
    capped = MPSHypernetwork(a, loss_from_cost(np.zeros(2)), seed=0, max_bond_dimension=2).bond_dimensions(theta)
    assert capped.max() == 2
    assert MPSHypernetwork(Ansatz(5, 0), loss_from_cost(np.zeros(32))).bond_dimensions(np.ones(10)).tolist() == [1] * 4
