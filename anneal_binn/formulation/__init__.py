"""Problem -> HUBO/QUBO routes beyond enumeration.

* :mod:`~anneal_binn.formulation.expansion`: numeric engine, exact multilinear expansion on
  coefficient arrays, vectorized over samples (spins ``s**2 = 1``, bits ``x**2 = x``);
* :mod:`~anneal_binn.formulation.polyfit`: polynomial fits of activations and losses with the
  fit error reported;
* :mod:`~anneal_binn.formulation.symbolic`: ``problem.to_hubo(method="symbolic")``, sympy to
  define and display, the engine to expand;
* :mod:`~anneal_binn.formulation.auxiliary`: ``problem.to_hubo(method="auxiliary")`` and
  :func:`~anneal_binn.formulation.auxiliary.to_qubo`, exact sign-activation nets as a QUBO
  with hidden activations and slack bits as variables.

Nothing here is imported by ``import anneal_binn``; the routes load on first use.
"""
