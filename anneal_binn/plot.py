"""Figures of the package's own results (matplotlib, behind the ``plot`` extra).

Every function takes the package's objects (a :class:`~anneal_binn.problem.Problem`, a
:class:`~anneal_binn.pipeline.Result`, ``compare`` rows, a grover or overfitting study...) and
returns a :class:`matplotlib.figure.Figure`. Figures are built with ``Figure()`` directly, not
through ``pyplot``: nothing is shown, no global figure is kept open, and any backend works
(``fig.savefig("x.png")``).

* :func:`landscape_histogram` - density of states of the 2^N training losses.
* :func:`spectrum` - the Fourier weight W(S) of each interaction order.
* :func:`grover_success` - success probability vs Grover iterations with the exact
  ``sin^2((2k+1) theta)`` curve; :func:`bbht_cumulative` - BBHT cumulative success vs steps.
* :func:`tts_bars` - TTS99 with its 95% interval and the success probability per solver.
* :func:`residual_vs_anneal_time` - mean residual loss against anneal time
  (:func:`anneal_time_study` runs the sweep).
* :func:`decision_boundary` - the trained net's regions on 2-D data, with the training points.
* :func:`weight_images` - first-layer weights drawn on the pixel grid of image inputs.
* :func:`training_curves` - a loss trace per iteration: the overfitting study's training and
  validation ``E(theta_t)``, an MPS hypernetwork's loss estimate, or an optimizer's energy trace.
* :func:`result_figure`, :func:`landscape_figure`, :func:`experiment_figure` - the figure
  ``--plot FILE`` writes for ``run``, ``landscape`` and ``experiment``; ``compare`` writes
  :func:`tts_bars`.

Examples:
    >>> import anneal_binn as ab
    >>> fig = ab.plot.landscape_histogram(ab.build(ab.load_spec("fawaz-p1")))
    >>> fig.axes[0].get_xlabel()
    'training loss'
"""
from __future__ import annotations

import math

import numpy as np

__all__ = [
    "anneal_time_study", "bbht_cumulative", "check_plot_file", "decision_boundary",
    "experiment_figure", "grover_success", "image_shape", "landscape_figure", "landscape_histogram",
    "residual_vs_anneal_time", "result_figure", "save", "spectrum", "training_curves", "tts_bars",
    "weight_images",
]


def _figure(nrows: int = 1, ncols: int = 1, **kwargs):
    """A new Figure (no pyplot) and its axes, raising MissingExtraError without matplotlib."""
    from anneal_binn.errors import require

    require("matplotlib", "plot")
    from matplotlib.figure import Figure

    kwargs.setdefault("layout", "constrained")
    fig = Figure(**kwargs)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _target(ax, figsize):
    """``ax``'s figure and ``ax``, or a new single-axes figure of ``figsize``."""
    if ax is not None:
        return ax.figure, ax
    fig, axes = _figure(figsize=figsize)
    return fig, axes[0, 0]


def save(fig, path) -> None:
    """Write ``fig`` to ``path`` (format from the suffix: .png, .pdf, .svg...); its folder is created."""
    from pathlib import Path

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(str(path), dpi=120)


def check_plot_file(path, option: str = "--plot"):
    """Before any work: ``path`` can take a figure (not a directory, known format) and matplotlib is there.

    Raises:
        UsageError: naming ``option``; MissingExtraError: without matplotlib (the ``plot`` extra).
    """
    from pathlib import Path

    from anneal_binn.commands.common import check_output_file
    from anneal_binn.errors import UsageError, require

    if Path(path).is_dir():
        raise UsageError(option, f"{str(path)!r} is a directory; give a file name inside it, "
                                 f"e.g. {str(Path(path) / 'figure.png')!r}")
    p = check_output_file(path, option)
    require("matplotlib", "plot")
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    suffix = Path(p).suffix.lstrip(".").lower()
    if suffix not in formats:
        raise UsageError(option, f"{str(p)!r}: the file name must end in an image format, "
                                 f"one of {', '.join('.' + f for f in sorted(formats))}")
    return p


def _values(problem_or_values) -> np.ndarray:
    if hasattr(problem_or_values, "landscape"):
        return np.asarray(problem_or_values.landscape())
    return np.asarray(problem_or_values, dtype=float)


# -- landscape ------------------------------------------------------------------------------
def landscape_histogram(problem, bins: int = 40, ax=None):
    """Density of states: how many of the 2^N configurations have each training loss.

    Args:
        problem: a Problem (its exact landscape is enumerated) or the landscape array itself.
        bins: histogram bins.
        ax: draw into these axes instead of a new figure.

    Returns:
        The Figure: one bar per bin (counts, log scale), a dashed line at the optimum.

    Examples:
        >>> import numpy as np
        >>> fig = landscape_histogram(np.arange(16.0), bins=4)
        >>> [float(p.get_height()) for p in fig.axes[0].patches]
        [4.0, 4.0, 4.0, 4.0]
    """
    L = _values(problem)
    fig, ax = _target(ax, (6, 4))
    lo, hi = float(L.min()), float(L.max())
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)
    ax.hist(L, bins=edges, color="tab:blue", alpha=0.8, log=bool(L.size > 64))
    ax.axvline(lo, color="k", ls="--", lw=1, label=f"optimum {lo:.4g}")
    ax.set_xlabel("training loss")
    ax.set_ylabel("configurations")
    n = round(math.log2(L.size)) if L.size else 0
    ax.set_title(f"density of states (2^{n} = {L.size:,} configurations)")
    ax.legend(loc="best", fontsize="small")
    return fig


def spectrum(problem, ax=None):
    """W(S): the Fourier weight of each interaction order S = 0..N (seed 002 Eq. 9), one bar each.

    Args:
        problem: a Problem (``problem.spectrum()``) or the W array itself.

    Examples:
        >>> import anneal_binn as ab
        >>> p = ab.build(ab.load_spec("fawaz-p1"))
        >>> fig = spectrum(p)
        >>> len(fig.axes[0].patches) == p.num_variables + 1
        True
    """
    W = np.asarray(problem.spectrum() if hasattr(problem, "spectrum") else problem, dtype=float)
    fig, ax = _target(ax, (6, 4))
    ax.bar(np.arange(W.size), W, color="tab:orange")
    if (W[1:] > 0).any() and W.max() / max(W[W > 0].min(), 1e-300) > 1e3:
        ax.set_yscale("log")
    ax.set_xlabel("interaction order S")
    ax.set_ylabel("W(S)")
    ax.set_title("Fourier spectrum of the loss")
    return fig


def landscape_figure(problem):
    """``anneal-binn landscape --plot``: density of states beside W(S).

    Examples:
        >>> import anneal_binn as ab
        >>> [a.get_ylabel() for a in landscape_figure(ab.build(ab.load_spec("fawaz-p1"))).axes]
        ['configurations', 'W(S)']
    """
    fig, axes = _figure(1, 2, figsize=(11, 4))
    landscape_histogram(problem, ax=axes[0, 0])
    spectrum(problem, ax=axes[0, 1])
    fig.suptitle(getattr(problem, "name", ""))
    return fig


# -- Grover ---------------------------------------------------------------------------------
def grover_success(study, ax=None):
    """Success probability against Grover iterations k (seed 003 Fig. 4).

    Lines: the exact ``sin^2((2k+1) theta)`` (label ``exact``), the full state-vector
    simulation and the fraction of sampled shots that hit a marked configuration.

    Args:
        study: a :class:`~anneal_binn.gate.experiments.GroverStudy`.

    Examples:
        >>> import numpy as np
        >>> from anneal_binn.gate.experiments import grover_study
        >>> st = grover_study(np.arange(16.0), max_k=4, runs=5, max_steps=5)
        >>> line = grover_success(st).axes[0].get_lines()[0]
        >>> line.get_label(), bool(np.allclose(line.get_ydata(), st.probability))
        ('exact', True)
    """
    fig, ax = _target(ax, (6, 4))
    k = np.asarray(study.k)
    ax.plot(k, study.probability, "-", color="k", label="exact")
    if not np.isnan(np.asarray(study.statevector, dtype=float)).all():
        ax.plot(k, study.statevector, "o", mfc="none", color="tab:blue", label="state vector")
    ax.plot(k, study.sampled, "x", color="tab:red", label="sampled shots")
    ax.set_xlabel("Grover iterations k")
    ax.set_ylabel("success probability")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"{study.num_marked} of {study.num_configurations} marked")
    ax.legend(loc="best", fontsize="small")
    return fig


def bbht_cumulative(study, ax=None):
    """BBHT cumulative success against oracle steps, with random guessing (seed 003 Fig. 5).

    Lines, in order: Monte Carlo runs (``BBHT runs``), the schedule's exact CDF (``BBHT exact``),
    classical guessing with replacement ``1 - (1 - p)^t`` (``classical``); a dotted 0.9 line.

    Examples:
        >>> import numpy as np
        >>> from anneal_binn.gate.experiments import grover_study
        >>> st = grover_study(np.arange(16.0), max_k=2, runs=5, max_steps=6)
        >>> [l.get_label() for l in bbht_cumulative(st).axes[0].get_lines()][:3]
        ['BBHT runs', 'BBHT exact', 'classical']
    """
    fig, ax = _target(ax, (6, 4))
    curve, exact = np.asarray(study.bbht_curve), np.asarray(study.bbht_exact)
    ax.step(np.arange(1, curve.size + 1), curve, where="post", color="tab:blue", label="BBHT runs")
    ax.step(np.arange(1, exact.size + 1), exact, where="post", color="k", ls="--", label="BBHT exact")
    p = study.num_marked / study.num_configurations
    t = np.arange(1, max(curve.size, exact.size) + 1)
    ax.plot(t, 1 - (1 - p) ** t, color="tab:gray", label="classical")
    ax.axhline(0.9, color="tab:gray", ls=":", lw=1)
    ax.set_xlabel("measurement steps (BBHT: one draw of k per step; classical: one guess)")
    ax.set_ylabel("cumulative success")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(loc="lower right", fontsize="small")
    return fig


# -- compare --------------------------------------------------------------------------------
def tts_bars(rows):
    """``compare --plot``: TTS99 with its 95% interval, and the success probability, per solver.

    Exact rows (``kind == "exact"``: the lowest configurations of an enumeration, not samples)
    have no TTS or success probability and are only named in the title; a sampler that never succeeded has an
    infinite TTS, drawn as a marker-less ``inf`` label.

    Args:
        rows: what :func:`anneal_binn.commands.compare.compare_solvers` returns.

    Returns:
        The Figure: axes 0 TTS99 bars (log scale) with asymmetric error bars from ``tts99_ci``,
        axes 1 success-probability bars, one per sampler.

    Examples:
        >>> from anneal_binn.commands.compare import compare_solvers
        >>> import anneal_binn as ab
        >>> rows = compare_solvers(ab.build(ab.load_spec("fawaz-p1")), ["exact", "sa"], num_reads=20)
        >>> fig = tts_bars(rows)
        >>> len(fig.axes[0].patches), len(fig.axes[1].patches)
        (1, 1)
    """
    fig, axes = _figure(1, 2, figsize=(10, 4))
    ax_t, ax_p = axes[0, 0], axes[0, 1]
    samplers = [r for r in rows if r.get("kind") != "exact"]
    names = [r["solver"] for r in samplers]
    tts = np.array([r["tts99_s"] if r["tts99_s"] is not None else np.nan for r in samplers], dtype=float)
    lo = np.array([r["tts99_ci"][0] if r["tts99_ci"][0] is not None else np.nan for r in samplers], dtype=float)
    hi = np.array([r["tts99_ci"][1] if r["tts99_ci"][1] is not None else np.nan for r in samplers], dtype=float)
    finite = np.isfinite(tts)
    height = np.where(finite, tts, np.nan)
    with np.errstate(invalid="ignore"):
        err = np.vstack([np.where(finite, tts - lo, np.nan),
                         np.where(finite & np.isfinite(hi), hi - tts, np.nan)])
    x = np.arange(len(samplers))
    if len(samplers):
        ax_t.bar(x, height, yerr=err, capsize=4, color="tab:blue", width=0.6, error_kw={"ecolor": "k"})
        for i in np.flatnonzero(~finite):
            ax_t.annotate("inf", (x[i], 1), xycoords=("data", "axes fraction"), ha="center", va="top")
        if finite.any():
            ax_t.set_yscale("log")
    else:
        ax_t.text(0.5, 0.5, "no sampler rows", transform=ax_t.transAxes, ha="center")
    ax_t.set_xticks(x, names, rotation=30, ha="right")
    ax_t.set_ylabel("TTS99 (s)")
    ax_t.set_title("time to solution, 99% (bars: 95% CI)")
    ax_p.bar(x, [r["success_probability"] or 0.0 for r in samplers], color="tab:green", width=0.6)
    ax_p.set_xticks(x, names, rotation=30, ha="right")
    ax_p.set_ylim(0, 1.05)
    ax_p.set_ylabel("success probability")
    ref = rows[0]["reference"] if rows else ""
    ax_p.set_title(f"reads within eps of the {ref}")
    for a in (ax_t, ax_p):
        a.set_xlim(-0.75, max(len(samplers), 1) - 0.25)
    exact = [r["solver"] for r in rows if r.get("kind") == "exact"]
    if exact:
        fig.suptitle(f"{', '.join(exact)}: enumerated (optimum {rows[0]['optimum']:.4g}), not sampled, so not drawn",
                     fontsize="small")
    return fig


# -- annealing schedules ----------------------------------------------------------------------
def anneal_time_study(problem, times, solver: str = "statevector-qa", seed: int = 0, num_reads: int = 100,
                      param: str = "annealing_time", params: dict | None = None) -> dict:
    """Run ``solver`` once per anneal time: ``{time: Result}`` for :func:`residual_vs_anneal_time`.

    Args:
        times: anneal times, passed to the solver as ``param`` (``annealing_time`` for
            ``statevector-qa`` and ``mps-qa``).
        params: other solver parameters (e.g. ``{"num_steps": 50}``).

    Examples:
        >>> import anneal_binn as ab
        >>> p = ab.build(ab.load_spec("fawaz-p1"))
        >>> runs = anneal_time_study(p, [0.5, 5.0], num_reads=50, params={"num_steps": 20})
        >>> fig = residual_vs_anneal_time(runs)
        >>> fig.axes[0].get_xlabel(), len(fig.axes[0].get_lines()[0].get_xdata())
        ('anneal time', 2)
    """
    from anneal_binn.pipeline import Pipeline

    return {float(t): Pipeline(problem, solver, params={**(params or {}), param: float(t)})
            .run(seed=seed, num_reads=num_reads, exact=True) for t in times}


def _residual(result, optimum) -> float:
    if isinstance(result, (int, float, np.floating)):
        return float(result)
    rep = result.report
    opt = rep.optimum if optimum is None else optimum
    if opt is None:
        raise ValueError("residual: the exact optimum is unknown; pass optimum=")
    w = np.asarray(result.sampleset.record.num_occurrences, dtype=float)
    return float(np.average(np.asarray(rep.losses) - opt, weights=w))


def residual_vs_anneal_time(results, optimum: float | None = None, ax=None):
    """Mean residual loss (mean true loss - optimum) against anneal time, log-log where positive.

    Args:
        results: ``{time: Result or residual}`` for one solver, or ``{label: {time: ...}}`` for
            several (one line each); :func:`anneal_time_study` builds the first.
        optimum: the exact optimum (default: each Result's ``report.optimum``).

    Examples:
        >>> fig = residual_vs_anneal_time({"sv": {1.0: 0.5, 10.0: 0.1, 100.0: 0.01}})
        >>> line = fig.axes[0].get_lines()[0]
        >>> line.get_xdata().tolist(), line.get_ydata().tolist()
        ([1.0, 10.0, 100.0], [0.5, 0.1, 0.01])
    """
    fig, ax = _target(ax, (6, 4))
    series = results if all(isinstance(v, dict) for v in results.values()) else {"": results}
    positive = True
    for label, by_time in series.items():
        t = np.array(sorted(by_time), dtype=float)
        r = np.array([_residual(by_time[k], optimum) for k in sorted(by_time)])
        positive &= bool((t > 0).all() and (r > 0).all())
        ax.plot(t, r, "o-", label=label or None)
    if positive:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel("anneal time")
    ax.set_ylabel("residual loss (mean - optimum)")
    if any(series):
        ax.legend(loc="best", fontsize="small")
    return fig


# -- nets -----------------------------------------------------------------------------------
def _bits(problem, what) -> np.ndarray:
    """0/1 bits (1, N) of a Result, Report, Best, sample mapping or bit sequence."""
    if hasattr(what, "report"):
        what = what.report
    if hasattr(what, "best"):
        what = what.best
    if hasattr(what, "sample"):
        what = what.sample
    if isinstance(what, dict):
        what = [what[v] for v in problem.variables]
    return problem._bits(np.atleast_2d(np.asarray(what)))


def decision_boundary(problem, result, resolution: int = 200, ax=None):
    """The net's predicted class over the plane of 2-D inputs, the training points on top.

    Args:
        problem: a Problem with 2-D inputs (e.g. ``gaussian-activation``).
        result: which net: a Result or Report (its best net), a sample mapping or N bits.
        resolution: grid points per axis.

    Returns:
        The Figure: a ``pcolormesh`` of the predicted label on the grid (its array is the
        prediction, rows along x2), a black contour where the prediction changes, and one scatter
        of the training points per class.

    Examples:
        >>> import anneal_binn as ab
        >>> p = ab.build(ab.load_spec("gaussian-activation"))
        >>> fig = decision_boundary(p, [0] * p.num_variables, resolution=20)
        >>> fig.axes[0].get_xlabel(), len(fig.axes[0].collections) >= 3
        ('x1', True)
    """
    X, y = problem.data.x_train, problem.data.y_train
    if X.shape[1] != 2:
        raise ValueError(f"decision_boundary: needs 2-D inputs, {problem.name} has {X.shape[1]}")
    bits = _bits(problem, result)
    pts = np.vstack([X, problem.data.x_test]) if len(problem.data.x_test) else X
    lo, hi = pts.min(0), pts.max(0)
    pad = 0.05 * np.maximum(hi - lo, 1e-9)
    g1 = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    g2 = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    G1, G2 = np.meshgrid(g1, g2)
    Z = problem.network.predict(bits, np.column_stack([G1.ravel(), G2.ravel()]))[0].reshape(G1.shape)
    fig, ax = _target(ax, (5.5, 5))
    classes = np.unique(np.concatenate([y, Z.ravel()]))
    ax.pcolormesh(G1, G2, Z.astype(float), shading="nearest", cmap="coolwarm", alpha=0.3,
                  vmin=classes.min(), vmax=classes.max())
    if len(np.unique(Z)) > 1:
        u = np.unique(Z).astype(float)
        ax.contour(G1, G2, Z.astype(float), levels=(u[:-1] + u[1:]) / 2, colors="k", linewidths=1)
    cmap = {c: col for c, col in zip(np.unique(y), ["tab:blue", "tab:red", "tab:green", "tab:purple"])}
    for c in np.unique(y):
        sel = y == c
        ax.scatter(X[sel, 0], X[sel, 1], s=12, color=cmap.get(c, "k"), edgecolor="k", lw=0.3, label=f"class {c}")
    acc = float(problem.accuracy(bits, "train")[0])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(f"decision regions (train accuracy {acc:.3f})")
    ax.legend(loc="best", fontsize="small")
    return fig


def image_shape(problem) -> tuple[int, int]:
    """The pixel grid of an image data set's inputs (after downscaling), or ValueError.

    Examples:
        >>> import anneal_binn as ab
        >>> image_shape(ab.build(ab.load_spec("digits4x4-logistic")))
        (4, 4)
    """
    meta, d = problem.data.meta, problem.data.x_train.shape[1]
    if "image_size" not in meta or meta.get("pca") is not None:
        raise ValueError(f"weight_images: the inputs of {problem.name} are not pixels")
    shape = (meta["downscale"],) * 2 if meta.get("downscale") else tuple(int(s) for s in meta["image_size"])
    if shape[0] * shape[1] != d:
        raise ValueError(f"weight_images: {d} inputs do not fill a {shape[0]}x{shape[1]} grid")
    return shape


def weight_images(problem, result, layer: int = 0):
    """The first layer's ±1 weights of each active unit, drawn on the input's pixel grid.

    Args:
        problem: a Problem whose inputs are image pixels (digits, MNIST; not PCA).
        result: a Result or Report (its best net), a sample mapping or N bits.
        layer: which layer (0 reads the pixels).

    Returns:
        The Figure: one ``imshow`` per unit (blue -1, red +1, white absent), its array the
        unit's weights reshaped to :func:`image_shape`.

    Examples:
        >>> import anneal_binn as ab
        >>> p = ab.build(ab.load_spec("digits4x4-logistic"))
        >>> fig = weight_images(p, [1] * p.num_variables)
        >>> fig.axes[0].get_images()[0].get_array().shape
        (4, 4)
    """
    shape = image_shape(problem) if layer == 0 else None
    if shape is None:
        raise ValueError("weight_images: only layer 0 reads the pixels")
    net = problem.decode(_bits(problem, result)[0])
    lay = net.layers[layer]
    units = list(lay.active_units) or [0]
    fig, axes = _figure(1, len(units), figsize=(2.4 * len(units) + 1, 2.8))
    im = None
    for ax, u in zip(axes[0], units):
        im = ax.imshow(np.asarray(lay.weights[u], dtype=float).reshape(shape), cmap="bwr", vmin=-1, vmax=1)
        title = f"unit {u}"
        if lay.bias is not None:
            title += f", bias {int(lay.bias[u]):+d}"
        ax.set_title(title, fontsize="small")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(im, ax=list(axes[0]), ticks=[-1, 0, 1], shrink=0.8)
    fig.suptitle(f"{problem.name}: layer {layer} weights")
    return fig


# -- training curves -------------------------------------------------------------------------
def training_curves(trace, ax=None):
    """A loss trace against training iterations.

    Args:
        trace: an :class:`~anneal_binn.gate.experiments.OverfittingStudy` (mean training ``E(theta_t)``
            solid, validation dashed, one colour per training-set size), an
            :class:`~anneal_binn.gate.experiments.MPSSamplingStudy` (its SPSA loss estimate), an
            :class:`~anneal_binn.gate.optimize.OptimizeResult` (energy per iteration of each row of
            the batch) or an array (T,) / (B, T).

    Examples:
        >>> import numpy as np
        >>> fig = training_curves(np.array([[3.0, 2.0, 1.0], [4.0, 2.5, 2.0]]))
        >>> [l.get_ydata().tolist() for l in fig.axes[0].get_lines()]
        [[3.0, 2.0, 1.0], [4.0, 2.5, 2.0]]
    """
    fig, ax = _target(ax, (6, 4))
    ylabel = "energy E(theta)"
    if hasattr(trace, "validation"):
        for i, s in enumerate(trace.sizes):
            color = f"C{i % 10}"
            ax.plot(trace.train[s], "-", color=color, label=f"train, N_s = {s}")
            ax.plot(trace.validation[s], "--", color=color, label=f"validation, N_s = {s}")
        ax.legend(loc="best", fontsize="x-small")
        ylabel = "mean E(theta_t)"
    else:
        if hasattr(trace, "num_qubits"):
            ylabel = "loss estimate (shots)"
        values = trace if isinstance(trace, (np.ndarray, list, tuple)) else getattr(trace, "trace", trace)
        data = np.atleast_2d(np.asarray(values, dtype=float))
        for row in data:
            ax.plot(np.arange(row.size), row, lw=1)
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    ax.set_title("training curves")
    return fig


def _depth(study, ax):
    d = list(study.depths)
    ax.plot(d, [study.success[k] for k in d], "o-")
    ax.set_xlabel("circuit layers")
    ax.set_ylabel(f"P(E - C_min < {study.epsilon:g})")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("success vs depth")


# -- one figure per command ---------------------------------------------------------------------
def result_figure(result):
    """``anneal-binn run --plot``: the trained net where it can be drawn, else the reads' losses.

    Decision regions for 2-D inputs, weight images for pixel inputs, otherwise a histogram of
    the sampled true losses (weighted by occurrences) against the exact optimum when known.

    Examples:
        >>> import anneal_binn as ab
        >>> r = ab.run(ab.build(ab.load_spec("fawaz-p1")), solver="exact", num_reads=10)
        >>> result_figure(r).axes[0].get_xlabel()
        'true training loss of the reads'
    """
    problem = result.problem
    if problem.data.x_train.shape[1] == 2:
        return decision_boundary(problem, result)
    try:
        pixels = bool(image_shape(problem))
    except ValueError:  # not image inputs: fall through to the loss histogram
        pixels = False
    if pixels:
        return weight_images(problem, result)
    fig, axes = _figure(figsize=(6, 4))
    ax = axes[0, 0]
    rep = result.report
    ax.hist(rep.losses, bins=30, weights=result.sampleset.record.num_occurrences, color="tab:blue")
    if rep.optimum is not None:
        ax.axvline(rep.optimum, color="k", ls="--", label=f"exact optimum {rep.optimum:.4g}")
        ax.legend(loc="best", fontsize="small")
    ax.set_xlabel("true training loss of the reads")
    ax.set_ylabel("reads")
    ax.set_title(f"{problem.name}: {result.solver}, {result.reads} reads")
    return fig


def experiment_figure(name: str, study):
    """``anneal-binn experiment NAME --plot``: grover (success vs k, BBHT), depth, overfitting, mps.

    Examples:
        >>> import numpy as np
        >>> from anneal_binn.gate.experiments import grover_study
        >>> fig = experiment_figure("grover", grover_study(np.arange(16.0), max_k=2, runs=5, max_steps=5))
        >>> len(fig.axes)
        2
    """
    if name == "grover":
        fig, axes = _figure(1, 2, figsize=(11, 4))
        grover_success(study, ax=axes[0, 0])
        bbht_cumulative(study, ax=axes[0, 1])
        return fig
    if name == "depth":
        fig, axes = _figure(figsize=(6, 4))
        _depth(study, axes[0, 0])
        return fig
    if name in ("overfitting", "mps"):
        return training_curves(study)
    raise ValueError(f"experiment_figure: unknown experiment {name!r}")
