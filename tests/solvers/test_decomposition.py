"""hybrid-decompose: dwave-hybrid energy-impact decomposition, seeded, offline (SA, tabu, mocked QPU)."""
import dimod
import numpy as np
import pytest

pytest.importorskip("hybrid")

from anneal_binn import solvers  # noqa: E402
from anneal_binn.solvers.decomposition import HybridDecomposeSampler  # noqa: E402
from anneal_binn.testing import assert_energies_match, check_solver  # noqa: E402


def random_bqm(n, vartype, seed):
    # biases uniform in [-1, 1] on the complete graph: a frustrated model with a unique-ish ground state
    return dimod.generators.uniform(n, vartype, low=-1.0, high=1.0, seed=seed)


def ground_energy(bqm):
    return float(dimod.ExactSolver().sample(bqm).first.energy)


def test_registered_with_the_qpu_extra_and_conforms():
    e = solvers.entry("hybrid-decompose")
    assert (e.input, e.extra) == ("bqm", "qpu")
    check_solver("hybrid-decompose", subproblem_size=3, max_iter=6, num_sweeps=50)


@pytest.mark.parametrize("vartype", ["BINARY", "SPIN"])
def test_reaches_the_brute_force_ground_state_of_a_random_bqm(vartype):
    bqm = random_bqm(16, vartype, 5)
    ss = HybridDecomposeSampler(subproblem_size=6, max_iter=40, num_sweeps=200).sample(bqm, num_reads=3, seed=2)
    assert_energies_match(bqm, ss)
    assert list(ss.variables) == list(bqm.variables) and ss.vartype is bqm.vartype
    assert ss.first.energy == pytest.approx(ground_energy(bqm), abs=1e-9)


def test_same_seed_same_samples_other_seed_other_starts():
    bqm = random_bqm(30, "BINARY", 1)
    s = HybridDecomposeSampler(subproblem_size=8, max_iter=6, num_sweeps=50, convergence=None)
    a, b = s.sample(bqm, num_reads=3, seed=11), s.sample(bqm, num_reads=3, seed=11)
    np.testing.assert_array_equal(a.record.sample, b.record.sample)
    assert a.info["subproblems"] == b.info["subproblems"] == [12, 12, 12]  # 6 loops x (energy-impact + random)
    c = s.sample(bqm, num_reads=3, seed=12)
    assert not np.array_equal(a.record.sample, c.record.sample)


def test_a_read_never_ends_above_its_start():
    # without polish or random subproblems the loop still only accepts non-worsening subproblem answers
    bqm = random_bqm(20, "SPIN", 4)
    s = HybridDecomposeSampler(subproblem_size=4, max_iter=10, polish=False, mix_random=False, num_sweeps=20)
    ss = s.sample(bqm, num_reads=4, seed=0)
    starts = [np.random.default_rng(cs).integers(0, 2, size=20) * 2 - 1
              for cs in np.random.SeedSequence(0).spawn(4)]
    start_energies = bqm.energies((np.array(starts), list(bqm.variables)))
    order = [ss.variables.index(v) for v in bqm.variables]
    ends = bqm.energies((np.asarray(ss.record.sample)[:, order], list(bqm.variables)))
    # rows of the SampleSet are in read order (from_samples_bqm keeps it)
    assert np.all(ends <= start_energies + 1e-9)


def test_mocked_qpu_sub_sampler():
    bqm = random_bqm(14, "BINARY", 7)
    s = solvers.get("hybrid-decompose", sub_sampler="qpu", mock=True, qpu={"topology_shape": 4},
                    subproblem_size=6, max_iter=20, sub_reads=20)
    ss = s.sample(bqm, num_reads=2, seed=3)
    assert_energies_match(bqm, ss)
    assert ss.info["sub_sampler"] == "qpu" and s.properties["mock"] is True
    assert ss.first.energy == pytest.approx(ground_energy(bqm), abs=1e-9)
    again = s.sample(bqm, num_reads=2, seed=3)
    np.testing.assert_array_equal(ss.record.sample, again.record.sample)


def test_tabu_sub_sampler_and_empty_model():
    bqm = random_bqm(12, "BINARY", 2)
    ss = HybridDecomposeSampler(sub_sampler="tabu", subproblem_size=5, max_iter=10).sample(bqm, seed=0)
    assert ss.first.energy == pytest.approx(ground_energy(bqm), abs=1e-9)
    empty = HybridDecomposeSampler().sample(dimod.BinaryQuadraticModel("BINARY"), num_reads=2)
    assert len(empty) == 2 and len(empty.variables) == 0


@pytest.mark.parametrize("kwargs, match", [
    ({"sub_sampler": "gpu"}, "sub_sampler"),
    ({"subproblem_size": 0}, "subproblem_size"),
    ({"convergence": 0}, "convergence"),
    ({"rolling_history": 0.0}, "rolling_history"),
    ({"traversal": "dfs"}, "traversal"),
])
def test_bad_parameters_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        HybridDecomposeSampler(**kwargs)


def test_unknown_keywords_warn_and_are_dropped():
    """dimod's policy, the same for every solver of the registry (the CLI and pipeline stay strict)."""
    with pytest.warns(dimod.exceptions.SamplerUnknownArgWarning, match="sweeps"):
        HybridDecomposeSampler().sample(dimod.BinaryQuadraticModel({0: 1.0}, {}, 0.0, "BINARY"), sweeps=3, seed=0)
    with pytest.warns(dimod.exceptions.SamplerUnknownArgWarning, match="num_sweep"):
        HybridDecomposeSampler(num_sweep=10)


def test_mocked_qpu_without_the_shared_clique_embedding():
    bqm = random_bqm(10, "SPIN", 8)
    s = HybridDecomposeSampler(sub_sampler="qpu", mock=True, qpu={"topology_shape": 4}, clique_embedding=False,
                               subproblem_size=5, max_iter=4, sub_reads=10)
    ss = s.sample(bqm, num_reads=1, seed=0)
    assert_energies_match(bqm, ss)
    assert ss.info["subproblems"] == [8] or ss.info["subproblems"][0] <= 8


def test_a_subproblem_too_big_for_the_mock_is_a_clear_error():
    from anneal_binn.solvers.qpu import QPUError

    bqm = random_bqm(40, "BINARY", 0)
    s = HybridDecomposeSampler(sub_sampler="qpu", mock=True, qpu={"topology_shape": 2}, subproblem_size=40)
    with pytest.raises(QPUError, match="subproblem_size"):
        s.sample(bqm, seed=0)
