"""Published data of the digitized quantum annealing of the binary perceptron, typed in.

Lami, Torta, Santoro & Collura, "Quantum annealing for neural network optimization problems: a
new approach via tensor network simulations", SciPost Phys. 14, 117 (2023), Fig. 7(a): residual
energy density eps(1) = (<H> - E_gs)/N vs the time step dt, N = 21, N_xi = 17, averaged over
five training sets; MPS at chi = 10 (symbols) and exact dQA (ED, lines), P = 100 and 1000.

The values were digitized from that figure by F. Barone, A. Coppi and P. Zinesi and published in
their reproduction, github.com/baronefr/perceptron-dqa (files ``data/paper_7a_*.csv``; Apache
License 2.0, copyright its authors), together with their own MPS run on one random instance
(``data/benchmark/numpy_17-21.csv``, chi = 10) and their timings (``data/benchmark/README.md``,
seconds per dQA step at N = 12, 9 patterns, chi = 10, each step including an exact evaluation of
the energy). They are typed in here to 4 significant figures, with no change of meaning; the
ED curves are digitized from lines, so their dt grid is irregular.

Each curve is a tuple of ``(dt, eps)`` pairs. :func:`curve` returns one as arrays.

Examples:
    >>> dt, eps = curve("paper_mps", 1000)
    >>> float(eps[dt == 1.4][0])
    5.01e-05
"""
from __future__ import annotations

import numpy as np

PAPER_MPS_P100 = (
    (0.1, 0.0452),
    (0.2, 0.02692),
    (0.3, 0.01931),
    (0.4, 0.01385),
    (0.5, 0.01076),
    (0.6, 0.008469),
    (0.7, 0.007125),
    (0.8, 0.005995),
    (0.9, 0.005319),
    (1, 0.004535),
    (1.1, 0.004024),
    (1.2, 0.003765),
    (1.3, 0.003385),
    (1.4, 0.003126),
    (1.5, 0.002886),
    (1.6, 0.002701),
    (1.7, 0.009545),
    (1.8, 0.009934),
    (1.9, 0.004475),
    (2, 0.01313),
    (2.1, 0.2755),
    (2.2, 0.6623),
)

PAPER_MPS_P1000 = (
    (0.1, 0.004782),
    (0.2, 0.001886),
    (0.3, 0.0009203),
    (0.4, 0.0004798),
    (0.5, 0.000282),
    (0.6, 0.0001679),
    (0.7, 0.0001205),
    (0.8, 9.482e-05),
    (0.9, 7.768e-05),
    (1, 6.893e-05),
    (1.1, 6.449e-05),
    (1.2, 5.647e-05),
    (1.3, 5.722e-05),
    (1.4, 5.01e-05),
    (1.5, 4.751e-05),
    (1.6, 5.145e-05),
    (1.7, 5.426e-05),
    (1.8, 0.3189),
    (1.9, 0.8302),
    (2, 0.7269),
    (2.1, 0.7078),
    (2.2, 0.6623),
)

PAPER_ED_P100 = (
    (0.04961, 0.06471),
    (0.1104, 0.03752),
    (0.1713, 0.02728),
    (0.2243, 0.02205),
    (0.2787, 0.01905),
    (0.3356, 0.01807),
    (0.3978, 0.01931),
    (0.4858, 0.02453),
    (0.5751, 0.03419),
    (0.6553, 0.04704),
    (0.7135, 0.05818),
    (0.7951, 0.07197),
    (0.8701, 0.09388),
    (0.9362, 0.1131),
    (0.9996, 0.1362),
    (1.09, 0.1663),
    (1.183, 0.1924),
    (1.286, 0.2198),
    (1.38, 0.2477),
    (1.499, 0.2755),
    (1.613, 0.2944),
    (1.698, 0.3231),
    (1.825, 0.3275),
    (1.928, 0.3275),
    (2, 0.3318),
    (2.098, 0.3318),
    (2.203, 0.3231),
)

PAPER_ED_P1000 = (
    (0.0522, 0.009934),
    (0.08714, 0.006156),
    (0.1363, 0.003385),
    (0.1816, 0.003126),
    (0.2256, 0.004782),
    (0.2761, 0.01403),
    (0.3538, 0.04064),
    (0.4508, 0.09514),
    (0.5, 0.1258),
    (0.5984, 0.1753),
    (0.711, 0.2257),
    (0.8365, 0.2829),
    (0.9336, 0.3064),
    (0.9996, 0.3147),
    (1.125, 0.3275),
    (1.253, 0.3275),
    (1.372, 0.3275),
    (1.499, 0.3231),
    (1.627, 0.3275),
    (1.772, 0.3231),
    (1.913, 0.3275),
    (2.041, 0.3231),
    (2.133, 0.3231),
    (2.202, 0.3275),
)

REPO_MPS_P100 = (
    (0.1, 0.04682),
    (0.2, 0.02643),
    (0.3, 0.01803),
    (0.4, 0.01365),
    (0.5, 0.011),
    (0.6, 0.009059),
    (0.7, 0.007794),
    (0.8, 0.006604),
    (0.9, 0.005745),
    (1, 0.005108),
    (1.1, 0.00452),
    (1.2, 0.004172),
    (1.3, 0.003626),
    (1.4, 0.003273),
    (1.5, 0.003105),
    (1.6, 0.002845),
    (1.7, 0.002979),
    (1.8, 0.06322),
    (1.9, 0.1806),
    (2, 0.01249),
)

REPO_MPS_P1000 = (
    (0.1, 0.005164),
    (0.2, 0.002305),
    (0.3, 0.0008337),
    (0.4, 0.0004383),
    (0.5, 0.0003573),
    (0.6, 0.0001424),
    (0.7, 0.0001239),
    (0.8, 7.052e-05),
    (0.9, 5.772e-05),
    (1, 6.851e-05),
    (1.1, 5.776e-05),
    (1.2, 5.71e-05),
    (1.3, 4.717e-05),
    (1.4, 4.153e-05),
    (1.5, 5.246e-05),
    (1.6, 5.617e-05),
    (1.7, 4.742e-05),
    (1.8, 0.6958),
    (1.9, 0.7205),
    (2, 0.8032),
    (2.1, 0.6662),
)

# seconds per dQA step, dataset 9-12 (N = 12, 9 patterns), dt = 0.5, chi = 10 (data/benchmark/README.md)
REPO_SECONDS_PER_STEP_N12 = {
    "quimb (CPU)": 0.66,
    "quimb (torch GPU)": 0.68,
    "numpy (CPU)": 0.45,
    "numpy (jax jit CPU)": 0.27,
    "numpy (jax jit GPU)": 0.40,
}
REPO_INSTANCES = 1  # the reproduction's curves are one random 17 x 21 instance
PAPER_INSTANCES = 5  # Fig. 7(a) averages five training sets

_CURVES = {
    ("paper_mps", 100): PAPER_MPS_P100, ("paper_mps", 1000): PAPER_MPS_P1000,
    ("paper_ed", 100): PAPER_ED_P100, ("paper_ed", 1000): PAPER_ED_P1000,
    ("repo_mps", 100): REPO_MPS_P100, ("repo_mps", 1000): REPO_MPS_P1000,
}


def curve(name: str, P: int) -> tuple[np.ndarray, np.ndarray]:
    """``(dt, eps)`` arrays of a published curve: ``name`` is ``"paper_mps"``, ``"paper_ed"`` or ``"repo_mps"``."""
    try:
        pts = _CURVES[(name, int(P))]
    except KeyError:
        raise ValueError(f"no published curve {name!r} at P={P}; have {sorted(_CURVES)}") from None
    a = np.array(pts, dtype=np.float64)
    return a[:, 0], a[:, 1]


def at(name: str, P: int, dt: float) -> float:
    """A published value at ``dt``: the point itself on the regular grids, else linear interpolation."""
    x, y = curve(name, P)
    return float(np.interp(dt, x, y))
