"""Sweeps: specs x solvers x sizes x seeds on Dask, resumable, with TTS99 scaling fits.

``ab.sweep`` is this module::

    sw = ab.sweep.load_sweep("perceptron-scaling")        # or sweep_from_dict({...}) / a TOML path
    df = ab.sweep.run_sweep(sw, "out/")                    # LocalCluster; scheduler="tcp://..." for a cluster
    fits = ab.sweep.fit_scaling(df)                        # TTS99 vs N per solver: exponential and power law
    ab.sweep.plot_scaling(df, fits, "tts.png")

Examples:
    >>> import anneal_binn as ab
    >>> ab.sweep.load_sweep("perceptron-scaling").instances
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
"""
from __future__ import annotations

from anneal_binn.sweep.declaration import Sweep, catalogue, load_sweep, sweep_from_dict
from anneal_binn.sweep.runner import pending, run_sweep
from anneal_binn.sweep.store import TIME_COLUMNS, deterministic_columns

__all__ = ["Sweep", "catalogue", "load_sweep", "sweep_from_dict", "run_sweep", "pending", "TIME_COLUMNS",
           "deterministic_columns", "fit_scaling", "plot_scaling", "read_results", "format_fits"]


def __getattr__(name: str):
    # the scaling analysis imports pandas/scipy: loaded on first use
    if name in ("fit_scaling", "plot_scaling", "format_fits", "read_results"):
        from anneal_binn.sweep import scaling

        return getattr(scaling, name)
    raise AttributeError(f"module 'anneal_binn.sweep' has no attribute {name!r}")
