"""How cost grows with size: TTS99 vs N per solver, exponential and power-law fits, and their plot.

For each solver (and each value of any other grid field, e.g. alpha), the per-instance TTS99 at
each size is summarised by its median over instances (the usual statistic: robust to the few
hard instances), and ``log10(median TTS99)`` is fitted by least squares against

- ``N`` (exponential, TTS ~ 10^(a + b N)), and
- ``log10 N`` (polynomial, TTS ~ 10^a N^b).

The uncertainty of each slope is given twice: the least-squares standard error, and a 95%
bootstrap interval from resampling the instances at every size (200 resamples, fixed seed, so the
same table gives the same numbers). ``rms`` is each fit's residual in decades: the smaller one is
the better description. A size whose median TTS99 is infinite (most instances never solved) is
left out of the fit and counted in ``dropped``.

Examples:
    >>> import pandas as pd
    >>> rows = [{"solver": "s", "N": n, "instance": i, "status": "ok", "tts99_s": 1e-3 * 2.0 ** (n / 10) * (1 + i / 10)}
    ...         for n in (10, 20, 40, 80) for i in range(3)]
    >>> fit = fit_scaling(pd.DataFrame(rows)).iloc[0]
    >>> round(float(fit["exp_slope"]) * 10, 3), int(fit["points"]), bool(fit["exp_rms"] < fit["poly_rms"])
    (0.301, 4, True)
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

BOOTSTRAP = 200


def read_results(out):
    """The results table of a sweep folder (``out/results.parquet``) or a Parquet file."""
    import pandas as pd

    from anneal_binn.errors import UsageError

    p = Path(out)
    if p.is_dir():
        p = p / "results.parquet"
    if not p.is_file():
        raise UsageError("--out", f"no results table at {str(p)!r}; run the sweep first")
    return pd.read_parquet(p)


def group_columns(df, size: str = "N") -> list[str]:
    """``solver`` plus every spec-grid column that is not just another name for the size."""
    by = ["solver"]
    for c in df.columns:
        if "." in c and not c.startswith("param.") and c != size:
            if df.groupby(c)[size].nunique().max() == df[size].nunique() and df[c].nunique() > 1:
                by.append(c)  # varies independently of the size: its own curve
    return by


def _line(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """(intercept, slope, slope standard error, rms residual) of y = a + b x by least squares."""
    A = np.vstack([np.ones_like(x), x]).T
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    resid = y - A @ coef
    dof = len(x) - 2
    if dof > 0:
        s2 = float(resid @ resid) / dof
        se = math.sqrt(s2 * np.linalg.inv(A.T @ A)[1, 1])
    else:
        se = math.nan
    return float(coef[0]), float(coef[1]), se, float(np.sqrt(np.mean(resid ** 2)))


def _medians(per_size: list[np.ndarray]) -> np.ndarray:
    return np.array([np.median(v) for v in per_size])


def fit_scaling(df, metric: str = "tts99_s", size: str = "N", by: list[str] | None = None,
                bootstrap: int = BOOTSTRAP, seed: int = 0):
    """Fit ``metric`` (default TTS99 in seconds; ``"r99"`` for reads) against ``size`` per group.

    Returns:
        A DataFrame, one row per group: the group columns, ``sizes`` used, ``points``, ``dropped``,
        ``exp_intercept``/``exp_slope`` (log10 TTS per variable)/``exp_slope_se``/``exp_slope_ci``
        (bootstrap 95%)/``exp_rms``, the same for ``poly_`` (slope = power of N), and
        ``doubling_N`` = log10(2) / exp_slope, the size increase that doubles the cost.
    """
    import pandas as pd

    ok = df[df["status"] == "ok"] if "status" in df.columns else df
    by = by or group_columns(ok, size)
    rng = np.random.default_rng(seed)
    fits = []
    for key, g in ok.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        sizes, samples, dropped = [], [], []
        for n, h in g.groupby(size, sort=True):
            v = h[metric].to_numpy(dtype=float)
            if np.isnan(v).all():
                continue
            v = v[~np.isnan(v)]
            if not np.isfinite(np.median(v)) or np.median(v) <= 0:
                dropped.append(int(n))
                continue
            sizes.append(float(n))
            samples.append(v)
        row = dict(zip(by, key))
        row.update(metric=metric, sizes=[int(s) for s in sizes], points=len(sizes), dropped=dropped)
        x = np.array(sizes)
        if len(sizes) >= 2:
            y = np.log10(_medians(samples))
            for kind, xx in (("exp", x), ("poly", np.log10(x))):
                a, b, se, rms = _line(xx, y)
                boot = []
                for _ in range(bootstrap):
                    med = _medians([rng.choice(v, size=len(v), replace=True) for v in samples])
                    if np.all(np.isfinite(med)) and np.all(med > 0):
                        boot.append(_line(xx, np.log10(med))[1])
                lo, hi = (np.percentile(boot, [2.5, 97.5]).tolist() if boot else [math.nan, math.nan])
                row.update({f"{kind}_intercept": a, f"{kind}_slope": b, f"{kind}_slope_se": se,
                            f"{kind}_slope_ci": [float(lo), float(hi)], f"{kind}_rms": rms})
            row["doubling_N"] = math.log10(2) / row["exp_slope"] if row["exp_slope"] > 0 else math.inf
        fits.append(row)
    return pd.DataFrame(fits)


def _g(x) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3g}"


def format_fits(fits) -> str:
    """The fits as a text table (one line per solver and group)."""
    if fits is None or len(fits) == 0:
        return "no fits (no finished tasks)"
    keys = [c for c in fits.columns if c == "solver" or "." in c]
    head = f"{'group':34s} {'pts':>3s} {'exp: log10 TTS per N':>22s} {'95% boot CI':>21s} {'rms':>5s} " \
           f"{'poly: power of N':>18s} {'95% boot CI':>15s} {'rms':>5s}"
    lines = [head, "-" * len(head)]
    for _, r in fits.iterrows():
        name = " ".join(f"{r[k]}" if k == "solver" else f"{k.rsplit('.', 1)[-1]}={r[k]:g}" for k in keys)
        if r["points"] < 2:
            lines.append(f"{name:34s} {r['points']:3d}  too few sizes with finite median TTS to fit")
            continue
        ec, pc = r["exp_slope_ci"], r["poly_slope_ci"]
        lines.append(f"{name:34s} {r['points']:3d} {r['exp_slope']:11.4g} ± {_g(r['exp_slope_se']):8s} "
                     f"[{_g(ec[0])}, {_g(ec[1])}]".ljust(84) + f" {_g(r['exp_rms']):>5s} "
                     f"{r['poly_slope']:8.3g} ± {_g(r['poly_slope_se']):7s} [{_g(pc[0])}, {_g(pc[1])}]".ljust(44)
                     + f" {_g(r['poly_rms']):>5s}"
                     + (f"  (dropped N={r['dropped']}: median TTS infinite)" if len(r["dropped"]) else ""))
    lines.append("fits of log10(median TTS99 over instances); ± least-squares standard error, [] bootstrap "
                 "95% over instances; rms in decades")
    return "\n".join(lines)


def plot_scaling(df, fits, path, metric: str = "tts99_s", size: str = "N", title: str | None = None):
    """Draw median ``metric`` vs ``size`` (interquartile bars) with both fits; one panel per group value.

    Returns:
        The path written (PNG, or any format matplotlib infers from the suffix).
    """
    from anneal_binn.errors import require

    require("matplotlib", "plot")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = df[df["status"] == "ok"] if "status" in df.columns else df
    by = [c for c in fits.columns if c == "solver" or "." in c] if len(fits) else ["solver"]
    panel_keys = [c for c in by if c != "solver"]
    panels = sorted(ok.groupby(panel_keys).groups) if panel_keys else [None]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.2), squeeze=False, sharey=True)
    solvers = sorted(ok["solver"].unique())
    colors = {s: f"C{k}" for k, s in enumerate(solvers)}
    for ax, panel in zip(axes[0], panels):
        sel = ok
        pf = fits
        if panel_keys:
            pv = panel if isinstance(panel, tuple) else (panel,)
            for k, v in zip(panel_keys, pv):
                sel, pf = sel[sel[k] == v], pf[pf[k] == v]
            ax.set_title(", ".join(f"{k.rsplit('.', 1)[-1]} = {v:g}" for k, v in zip(panel_keys, pv)))
        for s in solvers:
            g = sel[sel["solver"] == s]
            stats = g.groupby(size)[metric].quantile([0.25, 0.5, 0.75]).unstack()
            n = stats.index.to_numpy(dtype=float)
            med = stats[0.5].to_numpy()
            finite = np.isfinite(med)
            lo = np.where(np.isfinite(stats[0.25]), stats[0.25], med)
            hi = np.where(np.isfinite(stats[0.75]), stats[0.75], med)
            ax.errorbar(n[finite], med[finite], yerr=[(med - lo)[finite], (hi - med)[finite]], fmt="o",
                        color=colors[s], capsize=3, label=s)
            f = pf[pf["solver"] == s]
            if len(f) and f.iloc[0]["points"] >= 2:
                f = f.iloc[0]
                xs = np.linspace(min(f["sizes"]), max(f["sizes"]), 100)
                ax.plot(xs, 10 ** (f["exp_intercept"] + f["exp_slope"] * xs), "-", color=colors[s], lw=1,
                        label=f"{s}: 10^({f['exp_slope']:.3g}±{_g(f['exp_slope_se'])} N)")
                ax.plot(xs, 10 ** (f["poly_intercept"] + f["poly_slope"] * np.log10(xs)), "--", color=colors[s],
                        lw=1, label=f"{s}: N^{f['poly_slope']:.2f}±{_g(f['poly_slope_se'])}")
        ax.set_yscale("log")
        ax.set_xlabel(size)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel({"tts99_s": "median TTS99 (s)", "r99": "median reads to 99%"}.get(metric, metric))
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
