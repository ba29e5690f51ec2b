"""Every catalogue spec with N <= 17 builds, and `run` reaches its exact optimum."""
import json

import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.cli import main
from anneal_binn.model.architecture import index_to_bits
from anneal_binn.spec import catalogue, load_spec

SMALL = [name for name in catalogue() if ab.build(ab.load_spec(name)).num_variables <= 17]


def test_catalogue_has_the_foundation_specs():
    assert {"fawaz-p1", "fawaz-p2", "fawaz-meta-p1", "gaussian-activation", "gaussian-width",
            "digits4x4-logistic", "mnist4x4-logistic"} <= set(SMALL)


@pytest.mark.parametrize("name", SMALL)
def test_run_finds_the_exact_optimum(name, capsys):
    assert main(["run", name, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    problem = ab.build(ab.load_spec(name))
    # independent check: the plain (table-free) enumeration
    L = problem.landscape(fast=False)
    assert doc["exact"]["optimum"] == pytest.approx(L.min(), abs=1e-12)
    assert doc["exact"]["num_optima"] == int(np.sum(L <= L.min() + 1e-12 * max(1, abs(L.min()))))
    bits = np.array([doc["best"]["sample"]], dtype=np.uint8)
    assert problem.losses(bits)[0] == pytest.approx(L.min(), abs=1e-12)
    assert doc["best"]["loss"] == pytest.approx(L.min(), abs=1e-12)
    assert doc["gap"] == pytest.approx(0.0, abs=1e-12)


def test_seed_002_gaussian_optimum_picks_relu_and_classifies_well():
    problem = ab.build(ab.load_spec("gaussian-activation"))
    ex = problem.exact()
    net = problem.decode(index_to_bits(ex.optima[:1], problem.num_variables)[0])
    assert net.layers[0].activation == "relu"  # seed 002 §II.3: ReLU is the optimal choice
    assert ex.optimum < 0.05
    assert problem.accuracy(index_to_bits(ex.optima[:1], problem.num_variables), "test")[0] > 0.95


def test_fourier_hubo_matches_landscape_on_random_configurations_at_n17():
    problem = ab.build(ab.load_spec("digits4x4-logistic"))
    assert problem.num_variables == 17
    hubo = problem.to_hubo(method="fourier", vartype="SPIN")
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 2**17, size=300)
    bits = index_to_bits(idx, 17)
    from anneal_binn.polynomial import evaluate

    np.testing.assert_allclose(evaluate(hubo, 2 * bits.astype(int) - 1, range(17)), problem.losses(bits), atol=1e-9)


def test_fourier_hubo_matches_landscape_everywhere_at_n14():
    problem = ab.build(ab.load_spec("gaussian-activation"))
    from anneal_binn.polynomial import dense_energies, evaluate

    n = problem.num_variables
    L = problem.landscape()
    hubo = problem.to_hubo(method="fourier")
    # every configuration, through the polynomial's terms (zeta transform of its coefficients)
    np.testing.assert_allclose(dense_energies(hubo, range(n)), L, atol=1e-9)
    # and term by term on a random subset
    idx = np.random.default_rng(1).integers(0, 2**n, size=500)
    np.testing.assert_allclose(evaluate(hubo, index_to_bits(idx, n), range(n)), L[idx], atol=1e-9)


# neuron selection (seed 001): specs with a [select] table; `run` selects a subnetwork instead of training
SELECT = [name for name in catalogue() if load_spec(name).select]
SELECT_BITS = {"select-tiny": 16, "select-digits": 10240, "select-mnist": 64}


def test_catalogue_has_the_selection_specs():
    assert set(SELECT) == set(SELECT_BITS)


@pytest.mark.parametrize("name", SELECT)
def test_selection_spec_builds_with_its_selection_bits(name):
    from anneal_binn.selection.api import selection_problem

    sel = selection_problem(name)
    assert sel.n == SELECT_BITS[name]
    table = load_spec(name).select
    assert table["local"]["block_size"] <= 24  # every local subproblem fits every solver's limit


def test_selection_reference_spec_local_reaches_the_enumerated_optimum(capsys):
    assert main(["run", "select-tiny", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    glob = next(r for r in doc["compare"] if r["method"] == "global")
    sel_problem = ab.build(ab.load_spec("select-tiny"))
    from anneal_binn.selection import SelectionProblem

    sel = SelectionProblem(sel_problem, layers=[1], weight_seed=0)
    every = index_to_bits(np.arange(2**16), 16)
    bits = np.repeat(sel.base[None], len(every), axis=0)
    bits[:, sel.index] = every
    L = sel_problem.losses(bits)          # independent: the parent's forward pass over all 65,536
    assert glob["optimum"] == pytest.approx(L.min(), abs=1e-12)
    assert doc["answer"]["objective"] == pytest.approx(L.min(), abs=1e-12)
