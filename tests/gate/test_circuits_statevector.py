"""Circuit layout, bit convention and the exact statevector/adjoint path against Qiskit and finite differences."""
import numpy as np
import pytest

from anneal_binn.errors import TooLargeError
from anneal_binn.gate.circuits import Ansatz, bits_of_indices, indices_of_bits
from anneal_binn.gate.statevector import StatevectorModel, guard_size, probabilities, sample_indices, statevectors


def test_layout_counts():
    a = Ansatz(5, 2)
    assert a.num_blocks == 4 and a.num_parameters == 40
    assert a.cx_pairs(0) == ((0, 1), (2, 3)) and a.cx_pairs(1) == ((1, 2), (3, 4))
    assert Ansatz(5, 0).num_parameters == 10 and Ansatz(5, 0).cx_pairs(0) == ()
    assert a.index("z", 3, 2) == (2 * 2 + 1) * 5 + 3


@pytest.mark.parametrize("bad", [dict(num_qubits=0, layers=1), dict(num_qubits=3, layers=-1)])
def test_layout_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        Ansatz(**bad)


def test_bit_convention_qubit_i_is_bit_i():
    # RY(pi) on qubit 1 only: |0..0> -> |010>, index 2, i.e. variable 1 = 1 (weight +1)
    a = Ansatz(3, 0)
    theta = np.zeros(a.num_parameters)
    theta[a.index("y", 1, 0)] = np.pi
    p = probabilities(a, theta)[0]
    assert np.isclose(p[2], 1.0)
    assert bits_of_indices([2], 3).tolist() == [[0, 1, 0]]
    assert indices_of_bits(bits_of_indices(np.arange(8), 3)).tolist() == list(range(8))


@pytest.mark.parametrize("n,layers", [(1, 0), (3, 0), (4, 1), (5, 2), (6, 3)])
def test_statevector_matches_qiskit(n, layers):
    from qiskit.quantum_info import Statevector

    a = Ansatz(n, layers)
    theta = a.random_parameters(3, seed=n)
    psi = statevectors(a, theta)
    for b in range(3):
        assert np.allclose(psi[b], Statevector(a.to_qiskit(theta[b])).data, atol=1e-12)


@pytest.mark.parametrize("n,layers", [(3, 0), (4, 1), (5, 2)])
def test_adjoint_gradient_matches_finite_differences_and_parameter_shift(n, layers):
    from anneal_binn.gate.optimize import parameter_shift_gradient

    a = Ansatz(n, layers)
    C = np.random.default_rng(1).normal(size=2**n)
    m = StatevectorModel(a, C)
    theta = a.random_parameters(2, seed=2)
    E, G = m.energy_and_gradient(theta)
    assert np.allclose(E, probabilities(a, theta) @ C)
    h = 1e-6
    fd = np.stack([(m.energy(theta + h * e) - m.energy(theta - h * e)) / (2 * h) for e in np.eye(a.num_parameters)], 1)
    assert np.allclose(G, fd, atol=1e-6)
    assert np.allclose(G, parameter_shift_gradient(m.energy, theta), atol=1e-10)


def test_batch_rows_are_independent():
    a = Ansatz(6, 2)
    m = StatevectorModel(a, np.random.default_rng(0).normal(size=64))
    theta = a.random_parameters(5, seed=0)
    E, G = m.energy_and_gradient(theta)
    E1, G1 = m.energy_and_gradient(theta[3])
    assert np.allclose(E[3], E1[0]) and np.allclose(G[3], G1[0])


def test_qasm_export_round_trip():
    import qiskit
    from qiskit.quantum_info import Statevector

    a = Ansatz(3, 1)
    theta = a.random_parameters(seed=0)
    text = a.to_qasm(theta)
    assert text.startswith("OPENQASM 2.0;") and text.count("cx ") == 2
    qc = qiskit.qasm2.loads(text)
    qc.remove_final_measurements()
    assert np.allclose(np.abs(Statevector(qc).data) ** 2, probabilities(a, theta)[0], atol=1e-9)


def test_errors():
    a = Ansatz(3, 1)
    with pytest.raises(ValueError, match="theta"):
        StatevectorModel(a, np.zeros(8)).energy(np.zeros(5))
    with pytest.raises(ValueError, match="cost"):
        StatevectorModel(a, np.zeros(7))
    with pytest.raises(ValueError, match="NaN"):
        StatevectorModel(a, np.array([np.nan] * 8))
    with pytest.raises(TooLargeError, match="mps"):
        guard_size(40)


def test_sampling_is_seeded_and_follows_probabilities():
    p = np.array([[0.1, 0.0, 0.6, 0.3]])
    a = sample_indices(p, 20000, seed=3)
    assert np.array_equal(a, sample_indices(p, 20000, seed=3))
    freq = np.bincount(a[0], minlength=4) / 20000
    assert freq[1] == 0 and np.allclose(freq, p[0], atol=0.015)


@pytest.mark.parametrize("n,block", [(2, 10), (7, 3), (12, 10)])
def test_product_state_contraction_equals_gate_kernels(n, block):
    from anneal_binn.gate.statevector import product_energy_and_gradient

    a = Ansatz(n, 0)
    C = np.random.default_rng(n).normal(size=2**n)
    theta = a.random_parameters(5, seed=1)
    E_gate, G_gate = StatevectorModel(a, C, product_contraction=False).energy_and_gradient(theta)
    E, Gy = product_energy_and_gradient(C, theta[:, :n], block=block)
    assert np.allclose(E, E_gate) and np.allclose(Gy, G_gate[:, :n]) and np.allclose(G_gate[:, n:], 0)


@pytest.mark.parametrize("n", [3, 4, 7, 12])
def test_one_layer_site_contraction_equals_gate_kernels(n):
    a = Ansatz(n, 1)
    C = np.random.default_rng(n).normal(size=2**n)
    theta = a.random_parameters(4, seed=2)
    fast, gate = StatevectorModel(a, C), StatevectorModel(a, C, product_contraction=False)
    assert fast._sites is not None and gate._sites is None
    E1, G1 = fast.energy_and_gradient(theta)
    E2, G2 = gate.energy_and_gradient(theta)
    assert np.allclose(E1, E2) and np.allclose(G1, G2) and np.allclose(fast.energy(theta), E2)


@pytest.mark.parametrize("n,layers", [(3, 2), (4, 2), (7, 3), (10, 2)])
def test_deep_circuit_first_layer_contraction_equals_gate_kernels(n, layers):
    a = Ansatz(n, layers)
    C = np.random.default_rng(n).normal(size=2**n)
    theta = a.random_parameters(3, seed=4)
    fast, gate = StatevectorModel(a, C, kernel="rows"), StatevectorModel(a, C, product_contraction=False)
    lanes = StatevectorModel(a, C)
    assert fast._first_layer is not None and lanes._lanes and not gate._lanes
    E1, G1 = fast.energy_and_gradient(theta)
    E2, G2 = gate.energy_and_gradient(theta)
    E3, G3 = lanes.energy_and_gradient(theta)
    assert np.allclose(E1, E2) and np.allclose(G1, G2) and np.allclose(fast.energy(theta), E2)
    assert np.allclose(E3, E2, rtol=0, atol=1e-12) and np.allclose(G3, G2, rtol=0, atol=1e-12)
