"""The auxiliary-neuron QUBO is exact: its ground states are the optimal nets (brute force)."""
from __future__ import annotations

import dimod
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.data import Dataset
from anneal_binn.formulation import auxiliary
from anneal_binn.model.architecture import index_to_bits
from anneal_binn.problem import Problem
from anneal_binn.spec import spec_from_dict


def energies(bqm: dimod.BinaryQuadraticModel, X: np.ndarray) -> np.ndarray:
    lin, (r, c, q), off = bqm.to_numpy_vectors(variable_order=list(range(bqm.num_variables)))
    X = X.astype(np.float64)
    return X @ lin + (X[:, r] * X[:, c]) @ q + off


def all_energies(bqm):
    """Energy of every assignment of a small QUBO (bit i of the index = variable i), in chunks."""
    V = bqm.num_variables
    out = np.empty(2**V)
    step = 2**16
    for s in range(0, 2**V, step):
        out[s: s + step] = energies(bqm, index_to_bits(np.arange(s, min(s + step, 2**V)), V))
    return out


def tiny_hidden_problem() -> Problem:
    # 2 ±1 inputs -> 1 sign hidden unit (no bias) -> sign output (no bias); 3 weights, 2 samples
    spec = spec_from_dict({"data": {"source": "fawaz", "problem": 1},
                           "model": {"loss": "zero-one", "hidden": [{"width": 1}], "output": {"activation": "sign"}}})
    x = np.array([[1.0, 1.0], [1.0, -1.0]])
    y = np.array([-1, 1])
    return Problem(spec, Dataset("tiny", x, y, x, y))


@pytest.mark.parametrize("make", [
    lambda: ab.build_from_dict({"data": {"source": "perceptron", "n": 5, "alpha": 0.6},
                                "model": {"loss": "zero-one", "output": {"activation": "sign"}}}),
    tiny_hidden_problem,
], ids=["perceptron-5", "hidden-2-1-1"])
def test_ground_states_are_the_optimal_nets_by_brute_force(make):
    problem = make()
    bqm, rec = auxiliary.to_qubo(problem)
    assert bqm.num_variables <= 20, "keep the brute force small"
    E = all_energies(bqm)
    landscape = problem.landscape()
    assert E.min() == pytest.approx(landscape.min(), abs=1e-9)
    ground = index_to_bits(np.flatnonzero(E <= E.min() + 1e-9), bqm.num_variables)
    decoded = rec.decode(ground)
    np.testing.assert_allclose(problem.losses(decoded), landscape.min())
    # per net: the best completion costs exactly its loss, or at least the penalty
    N = problem.num_variables
    idx = np.arange(2**bqm.num_variables)
    per_net = np.full(2**N, np.inf)
    np.minimum.at(per_net, idx & (2**N - 1), E)
    L = problem.landscape()
    assert np.all(per_net >= np.minimum(L, rec.penalty) - 1e-9)
    assert np.all(per_net <= L + 1e-9)


def test_every_architecture_bit_completion_costs_the_true_loss():
    problem = ab.build_from_dict({"data": {"source": "fawaz", "problem": 2}, "model": {
        "loss": "mse",
        "hidden": [{"width": [1, 2], "bias": True, "neuron_mask": True, "mask": True}],
        "output": {"activation": "identity", "bias": True, "mask": True}}})
    kinds = {r.kind for r in problem.register.roles}
    assert kinds == {"weight", "bias", "mask", "neuron", "width"}
    bqm, rec = auxiliary.to_qubo(problem)
    bits = np.random.default_rng(0).integers(0, 2, size=(3000, problem.num_variables), dtype=np.uint8)
    np.testing.assert_allclose(energies(bqm, rec.complete(bits)), problem.losses(bits), atol=1e-9)
    assert rec.counts["gate"] > 0 and rec.counts["product"] > 0


@pytest.mark.parametrize("loss", ["zero-one", "mse"])
def test_two_hidden_layers_sign_output(loss):
    problem = ab.build_from_dict({"data": {"source": "gaussian-mixture", "n_train": 10, "n_test": 2}, "model": {
        "loss": loss, "hidden": [{"width": 2, "bias": True}, {"width": 2}], "output": {"activation": "sign"}}})
    bqm, rec = auxiliary.to_qubo(problem, input_resolution=0.25)
    assert rec.input_scale == 4.0
    # exact for the rounded data: compare with the problem built on the rounded inputs
    d = problem.data
    rounded = Problem(problem.spec, Dataset("rounded", np.rint(d.x_train * 4) / 4, d.y_train,
                                            d.x_test, d.y_test))
    bits = np.random.default_rng(1).integers(0, 2, size=(500, problem.num_variables), dtype=np.uint8)
    np.testing.assert_allclose(energies(bqm, rec.complete(bits)), rounded.losses(bits), atol=1e-9)


def test_violations_cost_at_least_the_penalty_on_annealer_samples():
    from dwave.samplers import SimulatedAnnealingSampler

    problem = ab.build_from_dict({"data": {"source": "perceptron", "n": 11, "alpha": 0.7},
                                  "model": {"loss": "zero-one", "output": {"activation": "sign"}}})
    bqm, rec = auxiliary.to_qubo(problem)
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=50, num_sweeps=200, seed=3)
    X = np.asarray(ss.record.sample)[:, [ss.variables.index(v) for v in range(bqm.num_variables)]]
    e = energies(bqm, X)
    loss = problem.losses(rec.decode(ss))
    assert np.all(e >= np.minimum(loss, rec.penalty) - 1e-9)
    rand = np.random.default_rng(2).integers(0, 2, size=(2000, bqm.num_variables))
    assert np.all(energies(bqm, rand) >= np.minimum(problem.losses(rec.decode(rand)), rec.penalty) - 1e-9)
    assert e.min() >= problem.landscape().min() - 1e-9


def test_to_hubo_dispatch_and_spin_form():
    problem = ab.build_from_dict({"data": {"source": "fawaz", "problem": 1},
                                  "model": {"loss": "zero-one", "output": {"activation": "sign", "bias": True}}})
    bqm, rec = auxiliary.to_qubo(problem)
    for vt in ("BINARY", "SPIN"):
        hubo = problem.to_hubo(method="auxiliary", vartype=vt)
        assert isinstance(hubo, dimod.BinaryPolynomial) and hubo.degree <= 2
        full = rec.complete(index_to_bits(np.arange(16), 4))
        vals = full if vt == "BINARY" else 2 * full.astype(int) - 1
        e = [hubo.energy(dict(enumerate(row))) for row in vals.tolist()]
        np.testing.assert_allclose(e, problem.losses(index_to_bits(np.arange(16), 4)))


def test_clear_refusals():
    relu = ab.build_from_dict({"data": {"source": "fawaz", "problem": 2}, "model": {
        "loss": "zero-one", "hidden": [{"width": 2, "activation": "relu"}], "output": {"activation": "sign"}}})
    with pytest.raises(ValueError, match=r"hidden\[0\].activation"):
        auxiliary.to_qubo(relu)
    masked = ab.build_from_dict({"data": {"source": "fawaz", "problem": 1}, "model": {
        "loss": "zero-one", "output": {"activation": "sign", "mask": True}}})
    with pytest.raises(ValueError, match="output.bias"):
        auxiliary.to_qubo(masked)
    real = ab.build_from_dict({"data": {"source": "gaussian-mixture", "n_train": 5, "n_test": 2},
                               "model": {"loss": "zero-one", "output": {"activation": "sign"}}})
    with pytest.raises(ValueError, match="input_resolution"):
        auxiliary.to_qubo(real)
    bce = ab.build_from_dict({"data": {"source": "fawaz", "problem": 1},
                              "model": {"loss": "bce", "output": {"activation": "sigmoid"}}})
    with pytest.raises(ValueError, match="symbolic"):
        auxiliary.to_qubo(bce)


def test_catalogue_perceptron_counts():
    problem = ab.build(ab.load_spec("perceptron-N101-alpha0.5"))
    bqm, rec = auxiliary.to_qubo(problem)
    # 101 weights + 51 patterns x (1 error bit + 6 slack bits): the split of 2K - 101 >= 0 is even
    assert (problem.num_variables, len(problem.data.y_train)) == (101, 51)
    assert bqm.num_variables == 101 + 51 * 7 == rec.num_variables
    bits = np.random.default_rng(0).integers(0, 2, size=(200, 101), dtype=np.uint8)
    np.testing.assert_allclose(energies(bqm, rec.complete(bits)), problem.losses(bits))


def test_digits_hidden_qubo_has_thousands_of_variables_and_builds_fast():
    import time

    problem = ab.build(ab.load_spec("digits-hidden"))
    assert problem.num_variables >= 100
    t0 = time.perf_counter()
    bqm, rec = auxiliary.to_qubo(problem)
    assert time.perf_counter() - t0 < 60.0
    assert bqm.num_variables == rec.num_variables >= 1000
    assert f"= {bqm.num_variables:,} (N=" in rec.formula
    bits = np.random.default_rng(5).integers(0, 2, size=(100, problem.num_variables), dtype=np.uint8)
    np.testing.assert_allclose(energies(bqm, rec.complete(bits)), problem.losses(bits), atol=1e-9)
