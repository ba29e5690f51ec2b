"""QPU-sized encodings of a sign unit: exact ground states by brute force, honest reports, clear refusals."""
from __future__ import annotations

import dimod
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.data import Dataset
from anneal_binn.formulation import encodings
from anneal_binn.formulation.encodings import ENCODINGS, to_qubo
from anneal_binn.model.architecture import index_to_bits
from anneal_binn.problem import Problem
from anneal_binn.spec import spec_from_dict


def perceptron(n: int, alpha: float, seed: int = 0, bias: bool = False) -> Problem:
    return ab.build_from_dict({"seed": seed, "data": {"source": "perceptron", "n": n, "alpha": alpha},
                               "model": {"loss": "zero-one", "output": {"activation": "sign", "bias": bias}}})


def custom(x, y, bias=False, loss="zero-one") -> Problem:
    spec = spec_from_dict({"data": {"source": "fawaz", "problem": 1},
                           "model": {"loss": loss, "output": {"activation": "sign", "bias": bias}}})
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    return Problem(spec, Dataset("custom", x, y, x, y))


def energies(bqm, X):
    lin, (r, c, q), off = bqm.to_numpy_vectors(variable_order=list(range(bqm.num_variables)))
    X = X.astype(np.float64)
    return X @ lin + (X[:, r] * X[:, c]) @ q + off


def all_nets(problem):
    return index_to_bits(np.arange(2**problem.num_variables), problem.num_variables)


def best_completion_energies(bqm, rec, nets):
    return energies(bqm, rec.complete(nets))


# instances: odd N (no ties), even N (sign(0) = +1 decides), a bias, loads with and without zero-error nets
CASES = [(9, 0.5, 0, False), (11, 0.7, 1, False), (12, 0.6, 2, False), (13, 0.8, 3, False), (10, 0.5, 4, True),
         (7, 1.6, 5, False)]


@pytest.mark.parametrize("n, alpha, seed, bias", CASES)
@pytest.mark.parametrize("slack", ["unary", "binary"])
def test_slack_bounded_ground_states_are_exactly_the_zero_error_nets(n, alpha, seed, bias, slack):
    problem = perceptron(n, alpha, seed, bias)
    bqm, rec = to_qubo(problem, encoding="slack-bounded", slack=slack)
    assert rec.exact  # small N: the cap covers every pattern's range
    nets = all_nets(problem)
    losses = problem.landscape()
    E = best_completion_energies(bqm, rec, nets)
    np.testing.assert_array_equal(rec.errors(nets), losses)
    if losses.min() == 0:
        assert E.min() == pytest.approx(0.0, abs=1e-9)
        np.testing.assert_array_equal(np.flatnonzero(E < 0.5), np.flatnonzero(losses == 0))
    else:  # no zero-error net: every net pays, and the QUBO says so
        assert E.min() >= 1 - 1e-9


@pytest.mark.parametrize("slack, n, alpha, seed", [("unary", 7, 0.5, 0), ("binary", 8, 0.6, 0), ("unary", 6, 0.7, 2)])
def test_the_completion_is_the_best_slack_by_brute_force(slack, n, alpha, seed):
    problem = perceptron(n, alpha, seed)
    bqm, rec = to_qubo(problem, encoding="slack-bounded", slack=slack)
    V = rec.num_variables
    assert V <= 20, "keep the brute force small"
    E = dimod.ExactSolver().sample(bqm)
    X = np.asarray(E.record.sample)[:, [E.variables.index(v) for v in range(V)]]
    per_net = np.full(2**n, np.inf)
    idx = X[:, :n] @ (1 << np.arange(n))
    np.minimum.at(per_net, idx, E.record.energy)
    np.testing.assert_allclose(best_completion_energies(bqm, rec, all_nets(problem)), per_net, atol=1e-9)
    # and the QUBO's own ground states decode to the zero-error nets
    assert problem.landscape().min() == 0, "pick an instance with zero-error nets"
    ground = rec.decode(X[E.record.energy < E.first.energy + 1e-9])
    assert E.first.energy == pytest.approx(0.0, abs=1e-9)
    assert set(map(tuple, ground.tolist())) == set(map(tuple, all_nets(problem)[problem.landscape() == 0].tolist()))


def test_a_small_cap_keeps_energy_zero_sound_but_not_exact():
    problem = perceptron(13, 0.5, 0)
    bqm, rec = to_qubo(problem, encoding="slack-bounded", cap=1)
    assert not rec.exact and rec.counts["slack"] <= len(problem.data.y_train)
    nets = all_nets(problem)
    E = best_completion_energies(bqm, rec, nets)
    zero = E < 0.5
    assert zero.any() and np.all(problem.landscape()[zero] == 0)  # energy 0 => zero errors
    assert (problem.landscape() == 0).sum() > zero.sum()  # some zero-error nets have margins above the cap


def test_coarse_steps_and_the_variable_budget():
    problem = perceptron(101, 0.5, 0)
    P = len(problem.data.y_train)
    for opts in ({}, {"slack": "binary"}, {"slack": "unary", "cap": 16, "step": 2}, {"slack": "binary", "cap": 20}):
        bqm, rec = to_qubo(problem, encoding="slack-bounded", **opts)
        assert rec.num_variables == bqm.num_variables <= problem.num_variables + 8 * P
    assert not to_qubo(problem, encoding="slack-bounded", cap=16, step=2)[1].exact
    assert to_qubo(problem, encoding="slack-bounded", slack="binary")[1].exact  # full range in <= 8 bits
    with pytest.raises(ValueError, match="cap"):
        to_qubo(problem, encoding="slack-bounded", cap=9)  # 9 unary bits: over budget


@pytest.mark.parametrize("encoding", ["unbalanced", "margin"])
def test_surrogates_are_reported_as_such_and_their_energies_follow_the_formula(encoding):
    problem = perceptron(11, 0.6, 1, bias=True)
    bqm, rec = to_qubo(problem, encoding=encoding)
    assert not rec.exact and "surrogate" in rec.ground_state and rec.num_variables == problem.num_variables
    nets = all_nets(problem)
    E = energies(bqm, nets)
    h = rec.rows.margins(nets)
    if encoding == "unbalanced":
        s = rec.rows.sigma
        g = rec.options["gamma"]
        ref = ((h / s) ** 2 - 2.0 * g * (h / s)).sum(axis=1)  # lambda2 = 1/s^2, lambda1 = 2 gamma/s
    else:
        field = rec.rows.field_offset + rec.rows.field_step * (h + rec.rows.threshold)
        ref = ((1.0 - field / rec.options["kappa"]) ** 2).sum(axis=1)
    np.testing.assert_allclose(E, ref, atol=1e-8)
    # the field the rows describe is the net's own: y * (x . w + b)
    w = 2.0 * nets.astype(float) - 1.0
    W = w[:, problem.register.weight_index[0][0]]
    b = w[:, problem.register.bias_index[0][0]]
    true_field = (problem.data.x_train @ W.T + b).T * np.where(problem.data.y_train > 0, 1, -1)
    np.testing.assert_allclose(rec.rows.field_offset + rec.rows.field_step * (h + rec.rows.threshold), true_field)


def test_unbalanced_explicit_lambdas_and_gamma():
    problem = perceptron(9, 0.5, 0)
    bqm, rec = to_qubo(problem, encoding="unbalanced", lambda1=2.0, lambda2=0.5)
    nets = all_nets(problem)
    h = rec.rows.margins(nets)
    np.testing.assert_allclose(energies(bqm, nets), (0.5 * h**2 - 2.0 * h).sum(axis=1), atol=1e-8)
    assert rec.options["target_margin_steps"] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="gamma"):
        to_qubo(problem, encoding="unbalanced", gamma=0)
    with pytest.raises(ValueError, match="lambda"):
        to_qubo(problem, encoding="unbalanced", lambda1=-1.0)


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_reported_numbers_match_the_bqm(encoding):
    problem = perceptron(21, 0.5, 0)
    bqm, rec = to_qubo(problem, encoding=encoding)
    lin, (_, _, q), _ = bqm.to_numpy_vectors(variable_order=list(range(bqm.num_variables)))
    vals = np.abs(np.concatenate([lin, q]))
    vals = vals[vals > 0]
    assert rec.coefficient_range == pytest.approx(vals.max() / vals.min())
    ising = bqm.change_vartype("SPIN", inplace=False)
    hl, (_, _, J), _ = ising.to_numpy_vectors(variable_order=list(range(bqm.num_variables)))
    iv = np.abs(np.concatenate([hl, J]))
    iv = iv[iv > 1e-12 * iv.max()]
    assert rec.ising_range == pytest.approx(iv.max() / iv.min())
    assert rec.num_interactions == bqm.num_interactions and rec.num_variables == bqm.num_variables
    assert set(range(problem.num_variables)) <= set(bqm.variables)
    rep = rec.report()
    assert rep["variables"] == bqm.num_variables and rep["exact"] == rec.exact
    assert encoding in rec.describe()


def test_errors_match_the_loss_on_lattice_inputs_ties_and_constant_rows():
    # non-±1 inputs (a lattice of 0.5), a zero pattern (the field is 0: sign +1, always right for y=+1,
    # always wrong for y=-1), a tie-prone even sum
    x = [[0.5, -1.0, 1.5], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, -0.5], [-0.5, 0.5, 1.0]]
    y = [1, 1, -1, -1, 1]
    problem = custom(x, y)
    nets = all_nets(problem)
    for enc in sorted(ENCODINGS):
        bqm, rec = to_qubo(problem, encoding=enc)
        np.testing.assert_array_equal(rec.errors(nets), problem.losses(nets))
        assert rec.rows.always_right == 1 and rec.rows.always_wrong == 1
    bqm, rec = to_qubo(problem, encoding="slack-bounded")
    E = best_completion_energies(bqm, rec, nets)
    best = problem.landscape().min()  # 1: the always-wrong pattern; the QUBO has no row for it
    np.testing.assert_array_equal(np.flatnonzero(E < 0.5), np.flatnonzero(problem.landscape() == best))


def test_project_gives_nets_with_their_error_counts():
    problem = perceptron(15, 0.5, 0)
    bqm, rec = to_qubo(problem, encoding="slack-bounded")
    from dwave.samplers import SimulatedAnnealingSampler

    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=4, num_sweeps=100, seed=1)
    pr = rec.project(ss)
    assert list(pr.variables) == list(range(15))
    bits = problem.sample_bits(pr)
    np.testing.assert_array_equal(np.sort(pr.record.energy), np.sort(problem.losses(bits)))
    np.testing.assert_allclose(np.sort(pr.record.qubo_energy), np.sort(ss.record.energy))


def test_mse_with_a_sign_output_counts_the_same_errors():
    problem = ab.build_from_dict({"data": {"source": "perceptron", "n": 9, "alpha": 0.5},
                                  "model": {"loss": "mse", "output": {"activation": "sign", "bias": False}}})
    bqm, rec = to_qubo(problem, encoding="unbalanced")
    nets = all_nets(problem)
    errs = rec.errors(nets)
    assert np.corrcoef(errs, problem.losses(nets))[0, 1] == pytest.approx(1.0)


@pytest.mark.parametrize("model, match", [
    ({"hidden": [{"width": 2}], "output": {"activation": "sign"}}, "model.hidden"),
    ({"output": {"activation": "identity"}, "loss": "mse"}, "model.output.activation"),
    ({"output": {"activation": "sign", "mask": True, "bias": True}}, "model.output.mask"),
    ({"output": {"activation": ["sign", "identity"]}, "loss": "mse"}, "model.output.activation"),
])
def test_unsupported_architectures_are_refused_in_one_line(model, match):
    spec = {"data": {"source": "perceptron", "n": 5, "alpha": 0.6}, "model": {"loss": "zero-one", **model}}
    problem = ab.build_from_dict(spec)
    for enc in sorted(ENCODINGS):
        with pytest.raises(ValueError, match=match) as info:
            to_qubo(problem, encoding=enc)
        assert "\n" not in str(info.value)


def test_unknown_encoding_and_option():
    problem = perceptron(5, 0.6)
    with pytest.raises(ValueError, match="encoding: unknown"):
        to_qubo(problem, encoding="one-hot")
    with pytest.raises(ValueError, match="caps: unknown option"):
        to_qubo(problem, encoding="slack-bounded", caps=3)
    with pytest.raises(ValueError, match="slack"):
        to_qubo(problem, encoding="slack-bounded", slack="gray")


def test_sa_finds_a_zero_error_net_of_a_mid_size_perceptron():
    # the point of the encodings: a plain annealer reaches zero errors on N variables
    from dwave.samplers import SimulatedAnnealingSampler

    problem = perceptron(41, 0.5, 0)
    for enc in ("unbalanced", "margin"):
        bqm, rec = to_qubo(problem, encoding=enc)
        ss = SimulatedAnnealingSampler().sample(bqm, num_reads=8, num_sweeps=500, seed=0)
        assert rec.project(ss).first.energy == 0
    assert encodings.MAX_SLACK_BITS == 8


def test_lambda_arrays_must_have_one_value_per_live_pattern():
    problem = perceptron(9, 0.5, 0)
    R = encodings.sign_rows(problem).num_rows
    bqm, rec = to_qubo(problem, encoding="unbalanced", lambda1=np.full(R, 1.0), lambda2=np.full(R, 0.25))
    assert rec.options["target_margin_steps"] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="one value per live pattern"):
        to_qubo(problem, encoding="unbalanced", lambda1=np.ones(R + 1))
