"""Gate-model training of BiNNs: quantum hypernetworks and amplitude amplification.

Every path here works on a cost vector ``C`` (``np.ndarray`` of length ``2**N``; bit ``i`` of
the index is qubit/variable ``i``; bit 1 means weight +1) or a ``dimod.BinaryPolynomial``.
Qiskit is little-endian (qubit 0 is the least significant bit of a basis index), which is the
same convention, so no reordering happens anywhere.

Modules:
    circuits      the hardware-efficient ansatz of Carrasquilla et al. Eq. 5 (and the product state),
                  parameter layout, Qiskit/OpenQASM export.
    statevector   exact energies and adjoint gradients batched over initializations (numba); the
                  product-state ansatz by an O(2**N) contraction.
    cost          HUBO (dimod.BinaryPolynomial) -> cost vector by a fast subset/Walsh transform.
    optimize      batched L-BFGS, scipy L-BFGS, Adam, parameter shift on shots.
    mps           Aer ``matrix_product_state`` sampling, SPSA / QN-SPSA training.
    hypernetwork  the training loop that ties those together (what the ``hypernet`` solver runs).
    grover        amplitude amplification on the landscape state (marked-subspace simulation, BBHT).
    qbnn_circuit  the explicit QBNN circuit of Fawaz et al. section 4.3 for the 3-2-1 sign net.
    experiments   N_optim initializations per depth, success probability within epsilon, overfitting.

``import anneal_binn.gate`` imports numpy only; numba, qiskit and friends load on first use.
"""
from __future__ import annotations
