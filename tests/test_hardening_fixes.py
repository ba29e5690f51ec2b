"""Regression tests for wrong results and crashes found in review, one section per item.

Each test fails on the commit before its fix (checked by hand when the fix went in).
"""
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.model.losses import mse, predict, softmax_ce, zero_one


# -- item 3: two output units on a binary (±1) task -------------------------------------------

def _two_output_problem(loss, activation, problem=2):
    return ab.build_from_dict({"data": {"source": "fawaz", "problem": problem},
                               "model": {"loss": loss, "hidden": [{"width": 2, "bias": False}],
                                         "output": {"activation": activation, "width": 2, "bias": True}}})


def test_softmax_ce_reads_pm1_labels_as_class_indices():
    # one configuration, two samples: the logits favour class 0 for y = -1 and class 1 for y = +1
    z = np.array([[[5.0, -5.0], [-5.0, 5.0]]])
    y = np.array([-1, 1])
    loss = softmax_ce(z, None, y, "softmax")
    # both predictions are right, so both losses are log(1 + e^-10), not 10 + log(1 + e^-10)
    np.testing.assert_allclose(loss, np.log1p(np.exp(-10.0)) * np.ones((1, 2)), rtol=1e-12)
    # the same logits with the labels swapped are both wrong
    assert np.all(softmax_ce(z, None, -y, "softmax") > 10.0)


def test_mse_and_zero_one_with_two_outputs_use_the_label_classes():
    out = np.array([[[1.0, -1.0], [-1.0, 1.0]]])
    y = np.array([-1, 1])
    assert mse(out, out, y, "tanh").tolist() == [[0.0, 0.0]]
    assert mse(out, out, -y, "tanh").tolist() == [[4.0, 4.0]]
    assert predict(out, "tanh").tolist() == [[-1, 1]]
    assert zero_one(out, out, y, "tanh").tolist() == [[0.0, 0.0]]


def test_class_index_maps_binary_labels_and_keeps_multiclass_indices():
    from anneal_binn.model.losses import class_index

    assert class_index(np.array([-1, 1]), 2).tolist() == [0, 1]
    assert class_index(np.array([0, 1]), 2).tolist() == [0, 1]
    assert class_index(np.array([0, 2, 1]), 3).tolist() == [0, 2, 1]


@pytest.mark.parametrize("loss,activation", [("softmax-ce", "softmax"), ("mse", "tanh"), ("zero-one", "sign")])
def test_two_output_net_on_pm1_labels_trains_to_full_accuracy(loss, activation):
    # y = sign(x1 + x2 + x3) is learnable by this net; before the fix the loss minimum had 50 %
    # (or 0 %) accuracy because every label trained towards class 1
    problem = _two_output_problem(loss, activation)
    landscape = problem.landscape()
    best = int(np.argmin(landscape))
    bits = ((best >> np.arange(problem.num_variables)) & 1).astype(np.uint8)[None]
    assert problem.accuracy(bits)[0] == 1.0
    if loss == "zero-one":
        assert landscape.min() == 0.0


# -- item 4: aggregated sample sets are weighted by num_occurrences ---------------------------

def test_report_weights_rows_by_num_occurrences():
    import dimod

    problem = ab.build(ab.load_spec("fawaz-p1"))
    ex = problem.exact()
    good = ((int(ex.optima[0]) >> np.arange(problem.num_variables)) & 1).astype(np.int8)
    worst = int(np.argmax(problem.landscape()))
    bad = ((worst >> np.arange(problem.num_variables)) & 1).astype(np.int8)
    assert problem.losses(bad[None])[0] > ex.optimum
    ss = dimod.SampleSet.from_samples((np.stack([good, bad]), problem.variables), "BINARY",
                                      energy=[0.0, 1.0], num_occurrences=[3, 1])
    report = problem.evaluate(ss)
    assert report.weights.tolist() == [3, 1] and report.num_reads == 4
    assert report.success_probability() == 0.75
    assert report.mean_loss == pytest.approx((3 * ex.optimum + problem.losses(bad[None])[0]) / 4)
    assert report.to_dict()["num_occurrences"] == [3, 1]


def test_grover_success_probability_in_the_report_matches_the_amplitude():
    from anneal_binn.solvers.grover import GroverSampler

    problem = ab.build(ab.load_spec("fawaz-p1"))
    ss = GroverSampler(iterations=2, num_reads=4000, seed=0).sample_poly(problem.to_hubo())
    assert len(ss) < 4000  # aggregated: a row stands for several reads
    exact = ss.info["success_probability"]
    assert exact > 0.5
    # 4000 reads: the standard error is below 0.008; the unweighted fraction of rows was ~0.03
    assert problem.evaluate(ss).success_probability() == pytest.approx(exact, abs=0.04)


def test_report_without_weights_counts_one_read_per_row_and_checks_shapes():
    from anneal_binn.report import Accuracy, Best, Net, Report

    best = Best(0.0, Accuracy(1.0, 1.0), {}, 0, Net(()))
    r = Report(np.array([0.0, 1.0]), np.ones(2), np.ones(2), best, optimum=0.0)
    assert r.num_reads == 2 and r.success_probability() == 0.5 and r.mean_loss == 0.5
    with pytest.raises(ValueError, match="one per row"):
        Report(np.array([0.0, 1.0]), np.ones(2), np.ones(2), best, weights=np.array([1, 2, 3]))


def test_wilson_interval_is_scipys_and_refuses_fractional_counts():
    from scipy.stats import binomtest

    from anneal_binn import metrics

    lo, hi = metrics.wilson_interval(5, 10)  # hand-checked: 0.2366, 0.7634
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    ci = binomtest(37, 120).proportion_ci(confidence_level=0.9, method="wilson")
    assert metrics.wilson_interval(37.0, 120.0, confidence=0.9) == pytest.approx((ci.low, ci.high), abs=1e-15)
    with pytest.raises(ValueError, match="whole"):
        metrics.wilson_interval(2.5, 10)
    with pytest.raises(ValueError, match="more than"):
        metrics.wilson_interval(11, 10)


# -- item 5: grover (and hypernet) sample exactly the HUBO's variables ------------------------

def _gate_sampler(name):
    from anneal_binn import solvers

    if name == "grover":
        return solvers.get("grover", iterations="optimal", num_reads=20, seed=0)
    return solvers.get("hypernet", layers=1, restarts=1, maxiter=5, shots=20, seed=0)


@pytest.mark.parametrize("name", ["grover", "hypernet"])
def test_gate_samplers_do_not_invent_variables_between_integer_labels(name):
    import dimod

    poly = dimod.BinaryPolynomial({(0,): 1.0, (5,): -1.0, (0, 5): 2.0}, "BINARY")
    ss = _gate_sampler(name).sample_poly(poly)
    assert list(ss.variables) == [0, 5]
    dimod.testing.assert_sampleset_energies(ss, poly)


@pytest.mark.parametrize("name", ["grover", "hypernet"])
def test_gate_samplers_take_tuple_labels_in_a_deterministic_order(name):
    import dimod

    terms = {(("a", 1),): 1.0, (("b", 0), "x"): -1.0, (3, "x"): 2.0, (("a", 1), 3): -0.5}
    forward = dimod.BinaryPolynomial(terms, "SPIN")
    backward = dimod.BinaryPolynomial(dict(reversed(list(terms.items()))), "SPIN")
    a, b = _gate_sampler(name).sample_poly(forward), _gate_sampler(name).sample_poly(backward)
    # the package's one order (polynomial.variable_order): numbers, then strings, then tuples
    assert list(a.variables) == list(b.variables) == [3, "x", ("a", 1), ("b", 0)]
    dimod.testing.assert_sampleset_energies(a, forward)
    assert np.array_equal(a.record.sample, b.record.sample)


# -- item 6: sqa is reproducible for every seed -----------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1])
def test_sqa_same_seed_same_samples_on_40_variables(seed):
    from anneal_binn import solvers
    from anneal_binn.testing import random_bqm

    bqm = random_bqm(40, seed=3)
    sampler = solvers.get("sqa", num_sweeps=30)
    # seed 0 made the C++ core draw from std::random_device: three calls all differed
    runs = [sampler.sample(bqm, num_reads=4, seed=seed).record.sample for _ in range(3)]
    assert all(np.array_equal(runs[0], r) for r in runs[1:])


def test_sqa_core_seed_is_never_zero_and_keeps_seeds_apart():
    from anneal_binn.solvers.classical import core_seed

    seeds = [core_seed(s) for s in range(2000)]
    assert min(seeds) >= 1 and max(seeds) < 2**31 and len(set(seeds)) == 2000
    with pytest.raises(ValueError, match="seed"):
        from anneal_binn import solvers
        from anneal_binn.testing import random_bqm

        solvers.get("sqa").sample(random_bqm(3), seed=-1)


# -- item 7: models without variables, or with variables but only an offset -------------------

EMPTY_SOLVERS = {
    "grover": {"num_reads": 5},
    "mps-qa": {"num_steps": 4},
    "hypernet": {"layers": 1, "restarts": 1, "maxiter": 5},
}


@pytest.mark.parametrize("name", sorted(EMPTY_SOLVERS))
@pytest.mark.parametrize("vartype", ["BINARY", "SPIN"])
def test_empty_model_gives_num_reads_empty_samples_at_the_offset(name, vartype):
    import dimod

    from anneal_binn import solvers

    sampler = solvers.get(name, **EMPTY_SOLVERS[name])
    for poly in (dimod.BinaryPolynomial({}, vartype), dimod.BinaryPolynomial({(): 1.5}, vartype)):
        ss = sampler.sample_poly(poly, num_reads=5, seed=1)
        # dwave-samplers' convention: every read is the empty sample, energy = the offset
        assert ss.vartype is poly.vartype and len(ss.variables) == 0
        assert int(ss.record.num_occurrences.sum()) == 5
        np.testing.assert_allclose(ss.record.energy, poly.get((), 0.0))


@pytest.mark.parametrize("name", sorted(EMPTY_SOLVERS))
def test_offset_only_model_keeps_its_variables(name):
    import dimod

    from anneal_binn import solvers

    poly = dimod.BinaryPolynomial({("a",): 0.0, (7,): 0.0, (): -2.0}, "SPIN")
    ss = solvers.get(name, **EMPTY_SOLVERS[name]).sample_poly(poly, num_reads=5, seed=1)
    assert list(ss.variables) == [7, "a"] and int(ss.record.num_occurrences.sum()) == 5
    np.testing.assert_allclose(ss.record.energy, -2.0)
    dimod.testing.assert_sampleset_energies(ss, poly)


def test_grover_on_an_empty_model_honours_a_threshold_below_the_offset():
    import dimod

    from anneal_binn.solvers.grover import GroverSampler

    with pytest.raises(ValueError, match="no configuration"):
        GroverSampler(threshold=0.0).sample_poly(dimod.BinaryPolynomial({(): 1.0}, "BINARY"))
    ss = GroverSampler(iterations=2, num_reads=4).sample_poly(dimod.BinaryPolynomial({(): 1.0}, "BINARY"))
    assert ss.info["success_probability"] == 1.0 and ss.info["iterations"] == 2


# -- item 8: one keyword policy (dimod's) and a read-only Spec --------------------------------

UNKNOWN_KEYWORD_SOLVERS = {
    "exact": {},
    "sa": {"num_sweeps": 10},
    "sqa": {"num_sweeps": 10},
    "grover": {"num_reads": 5},
    "mps-qa": {"num_steps": 4},
    "hypernet": {"layers": 1, "restarts": 1, "maxiter": 5},
}


@pytest.mark.parametrize("name", sorted(UNKNOWN_KEYWORD_SOLVERS))
def test_unknown_sample_keyword_warns_sampler_unknown_arg_warning(name):
    from dimod.exceptions import SamplerUnknownArgWarning

    from anneal_binn import solvers
    from anneal_binn.testing import random_bqm, random_hubo

    sampler = solvers.get(name, **UNKNOWN_KEYWORD_SOLVERS[name])
    hubo = solvers.entry(name).input == "hubo"
    call = sampler.sample_poly if hubo else sampler.sample
    model = random_hubo(4) if hubo else random_bqm(4)
    with pytest.warns(SamplerUnknownArgWarning, match="frobnicate") as record:
        ss = call(model, num_reads=3, seed=1, frobnicate=2)
    # the warning points at this call, not at the solver's internals
    assert record[0].filename == __file__
    assert int(ss.record.num_occurrences.sum()) == 3  # the call went on without the keyword


def test_unknown_stored_default_of_an_adapter_warns_once_at_construction():
    import warnings

    from dimod.exceptions import SamplerUnknownArgWarning

    from anneal_binn import solvers
    from anneal_binn.testing import random_bqm

    with pytest.warns(SamplerUnknownArgWarning, match="num_sweep'"):
        sampler = solvers.get("sa", num_sweep=10)
    assert "num_sweep" not in sampler.defaults
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler.sample(random_bqm(3), num_reads=2, seed=0)


def _spec():
    return ab.load_spec("fawaz-p1")


def test_spec_tables_are_read_only_all_the_way_down():
    spec = _spec()
    assert spec.model["hidden"][0]["width"] == (2,)  # reading is unchanged
    for mutate in (lambda: spec.model.__setitem__("loss", "mse"),
                   lambda: spec.model["hidden"][0].__setitem__("width", (3,)),
                   lambda: spec.data.update(problem=2),
                   lambda: spec.run.setdefault("solver", "sa"),
                   lambda: spec.data.pop("problem")):
        with pytest.raises(TypeError, match="read-only"):
            mutate()
    with pytest.raises(AttributeError):
        spec.model["hidden"][0]["width"].append(3)  # lists are tuples
    assert spec == _spec()


def test_spec_to_dict_is_a_plain_mutable_copy_and_round_trips():
    import copy
    import json
    import pickle

    spec = _spec()
    raw = spec.to_dict()
    assert type(raw["model"]) is dict and type(raw["model"]["hidden"]) is list
    raw["model"]["hidden"][0]["width"] = [3]
    assert spec.model["hidden"][0]["width"] == (2,)
    assert ab.spec_from_dict(spec.to_dict(), spec.source) == spec
    assert pickle.loads(pickle.dumps(spec)) == spec
    assert copy.deepcopy(spec) == spec
    assert json.loads(spec.to_json())["model"]["hidden"][0]["width"] == [2]
    assert json.loads(json.dumps(spec.model)) == spec.to_dict()["model"]


def test_problems_still_build_and_solve_from_frozen_specs():
    from anneal_binn.spec import catalogue

    for name in catalogue():
        spec = ab.load_spec(name)
        assert ab.spec_from_dict(spec.to_dict(), spec.source) == spec
    raw = ab.load_spec("gaussian-width").to_dict()
    raw["data"].update(n_train=8, n_test=4)
    problem = ab.build(ab.spec_from_dict(raw))  # width and activation choices read from tuples
    assert problem.num_variables == 15
    raw = ab.load_spec("fawaz-p1").to_dict()
    raw["run"] = {"solver": "sa", "num_reads": 3, "params": {"num_sweeps": 20, "beta_range": [0.1, 5.0]}}
    problem = ab.build(ab.spec_from_dict(raw))
    assert problem.spec.run["params"]["beta_range"] == (0.1, 5.0)
    ss = ab.solve(problem, seed=0)  # the spec's run table (frozen) configures the solver
    assert len(ss) == 3
    assert len(problem.evaluate(ss).losses) == 3


# -- found by the conformance kit: tabu on a model without variables --------------------------

@pytest.mark.parametrize("name", ["sa", "tabu", "steepest", "sqa"])
def test_dwave_adapters_return_one_empty_row_per_read_for_an_empty_bqm(name):
    import dimod

    from anneal_binn import solvers

    ss = solvers.get(name).sample(dimod.BinaryQuadraticModel({}, {}, 1.5, "SPIN"), num_reads=3, seed=0)
    assert ss.vartype is dimod.SPIN and len(ss.variables) == 0
    assert int(ss.record.num_occurrences.sum()) == 3 and np.all(ss.record.energy == 1.5)
