"""anneal_binn.plot and ``--plot FILE``: assertions on the figures' artists, not only that a file exists.

Also ``compare`` explaining itself: the footer, the exact row, ``--csv``.
"""
import csv
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import anneal_binn as ab
from anneal_binn import plot
from anneal_binn.cli import main


@pytest.fixture(scope="module")
def fawaz():
    return ab.build(ab.load_spec("fawaz-p1"))


@pytest.fixture
def captured(monkeypatch):
    """The figures the commands save, kept instead of (as well as) written."""
    figs = []
    real = plot.save

    def save(fig, path):
        figs.append(fig)
        real(fig, path)

    monkeypatch.setattr(plot, "save", save)
    return figs


# -- the functions ----------------------------------------------------------------------------
def test_landscape_histogram_counts_every_configuration(fawaz):
    fig = plot.landscape_histogram(fawaz, bins=10)
    ax = fig.axes[0]
    assert len(ax.patches) == 10
    assert sum(p.get_height() for p in ax.patches) == 2 ** fawaz.num_variables
    assert ax.get_xlabel() == "training loss" and ax.get_ylabel() == "configurations"
    assert ax.get_lines()[0].get_xdata()[0] == fawaz.landscape().min()  # the optimum line


def test_spectrum_bars_are_w_of_s(fawaz):
    ax = plot.spectrum(fawaz).axes[0]
    assert np.allclose([p.get_height() for p in ax.patches], fawaz.spectrum())
    assert [p.get_x() + p.get_width() / 2 for p in ax.patches] == list(range(fawaz.num_variables + 1))
    assert ax.get_xlabel() == "interaction order S" and ax.get_ylabel() == "W(S)"


def test_grover_success_line_is_the_exact_sin2_curve(fawaz):
    from anneal_binn.gate.experiments import grover_study

    st = grover_study(fawaz.landscape(), max_k=8, runs=10, max_steps=10)
    ax = plot.grover_success(st).axes[0]
    exact, sv, sampled = ax.get_lines()
    theta = np.arcsin(np.sqrt(st.num_marked / st.num_configurations))
    k = np.arange(9)
    assert exact.get_label() == "exact"
    assert np.allclose(exact.get_xdata(), k) and np.allclose(exact.get_ydata(), np.sin((2 * k + 1) * theta) ** 2)
    assert np.allclose(sv.get_ydata(), exact.get_ydata())  # the state vector agrees with the formula
    assert np.allclose(sampled.get_ydata(), st.sampled)
    assert ax.get_xlabel() == "Grover iterations k" and ax.get_ylabel() == "success probability"
    bbht = plot.bbht_cumulative(st).axes[0].get_lines()
    assert np.allclose(bbht[0].get_ydata(), st.bbht_curve) and np.allclose(bbht[1].get_ydata(), st.bbht_exact)
    p = st.num_marked / st.num_configurations
    assert np.allclose(bbht[2].get_ydata(), 1 - (1 - p) ** np.arange(1, 11))


def _errorbar_extents(ax):
    (container,) = [c for c in ax.containers if hasattr(c, "errorbar") and c.errorbar is not None]
    segs = container.errorbar.lines[2][0].get_segments()
    return ([(float(s[0][1]), float(s[1][1])) if len(s) else None for s in segs],
            [b.get_height() for b in container])


def test_tts_bars_error_bars_are_the_tts_confidence_interval(fawaz):
    from anneal_binn.commands.compare import compare_solvers

    # the Ishikawa QUBO: one on which steepest descent never reaches the optimum from 50 random
    # starts, so one sampler row has no success and must be drawn as "inf"
    rows = compare_solvers(fawaz, ["exact", "sa", "steepest", "tabu"], num_reads=50, route={"reduction": "ishikawa"})
    fig = plot.tts_bars(rows)
    ax_t, ax_p = fig.axes
    extents, heights = _errorbar_extents(ax_t)
    samplers = [r for r in rows if r["kind"] == "sampler"]
    assert len(ax_t.patches) == len(samplers) == 3  # the exact row is not drawn as a sampler
    assert samplers[1]["success_probability"] == 0 and np.isnan(heights[1]) and extents[1] is None
    assert [t.get_text() for t in ax_t.texts] == ["inf"]  # steepest never succeeded: TTS99 = inf
    for i in (0, 2):
        assert heights[i] == pytest.approx(samplers[i]["tts99_s"])
        assert extents[i] == pytest.approx(tuple(samplers[i]["tts99_ci"]))
    assert [p.get_height() for p in ax_p.patches] == pytest.approx([r["success_probability"] for r in samplers])
    assert [t.get_text() for t in ax_p.get_xticklabels()] == ["sa", "steepest", "tabu"]
    assert ax_t.get_ylabel() == "TTS99 (s)" and ax_t.get_yscale() == "log"
    assert "exact" in fig.get_suptitle()


def test_residual_vs_anneal_time_from_a_statevector_sweep(fawaz):
    results = plot.anneal_time_study(fawaz, [0.5, 5.0], num_reads=200, params={"num_steps": 50})
    line = plot.residual_vs_anneal_time({"statevector-qa": results}).axes[0].get_lines()[0]
    expect = [r.to_dict()["mean_loss"] - r.report.optimum for r in results.values()]
    assert line.get_xdata().tolist() == [0.5, 5.0]
    assert np.allclose(line.get_ydata(), expect)
    assert expect[1] < expect[0]  # a slower anneal leaves less residual loss


def test_decision_boundary_separates_the_points_as_the_net_predicts():
    problem = ab.build(ab.load_spec("gaussian-activation"))
    result = ab.run(problem, solver="exact", num_reads=1)
    bits = np.array([[result.report.best.sample[v] for v in problem.variables]])
    res = 150
    ax = plot.decision_boundary(problem, result, resolution=res).axes[0]
    mesh = next(c for c in ax.collections if type(c).__name__ == "QuadMesh")
    Z = np.asarray(mesh.get_array()).reshape(res, res)  # rows along x2, columns along x1
    X = problem.data.x_train
    x1 = np.unique(np.asarray(mesh.get_coordinates())[0, :, 0])
    x2 = np.unique(np.asarray(mesh.get_coordinates())[:, 0, 1])
    i = np.abs(X[:, 1][:, None] - x2[None]).argmin(1)
    j = np.abs(X[:, 0][:, None] - x1[None]).argmin(1)
    predicted = problem.network.predict(bits, X)[0]
    assert np.mean(Z[i, j] == predicted) >= 0.97  # the region each point lies in is the net's prediction
    assert np.mean(Z[i, j] == problem.data.y_train) == pytest.approx(result.report.best.accuracy.train, abs=0.03)
    assert any(type(c).__name__ == "QuadContourSet" or "Contour" in type(c).__name__ for c in ax.collections) or \
        len(ax.collections) >= 4  # the boundary line
    scatters = [c for c in ax.collections if type(c).__name__ == "PathCollection"]
    assert sorted(len(s.get_offsets()) for s in scatters) == sorted(np.bincount((problem.data.y_train > 0).astype(int)))
    assert ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2"


def test_weight_images_have_the_pixel_grid_shape():
    problem = ab.build(ab.load_spec("digits4x4-logistic"))
    result = ab.run(problem, solver="exact", num_reads=1)
    fig = plot.weight_images(problem, result)
    (im,) = fig.axes[0].get_images()
    assert plot.image_shape(problem) == (4, 4) == im.get_array().shape
    assert np.array_equal(im.get_array(), result.report.best.net.layers[0].weights[0].reshape(4, 4))
    with pytest.raises(ValueError, match="not pixels"):
        plot.weight_images(ab.build(ab.load_spec("fawaz-p1")), [0] * 8)


def test_training_curves_of_the_overfitting_study_and_an_optimizer_trace():
    from anneal_binn.gate.experiments import overfitting_study
    from anneal_binn.gate.optimize import lbfgs_batched

    st = overfitting_study(sizes=(2, 8), realizations=1, iterations=4, n_validation=20)
    ax = plot.training_curves(st).axes[0]
    lines = ax.get_lines()
    assert len(lines) == 4
    assert np.allclose(lines[0].get_ydata(), st.train[2]) and np.allclose(lines[1].get_ydata(), st.validation[2])
    assert lines[1].get_linestyle() == "--" and ax.get_xlabel() == "iteration"
    res = lbfgs_batched(lambda x: (((x - 1) ** 2).sum(1), 2 * (x - 1)), np.zeros((3, 2)))
    lines = plot.training_curves(res).axes[0].get_lines()
    assert len(lines) == 3 and np.allclose(lines[2].get_ydata(), res.trace[2])


# -- the commands ---------------------------------------------------------------------------------
def test_landscape_plot_writes_the_density_of_states_and_the_spectrum(tmp_path, captured, fawaz):
    out = tmp_path / "sub" / "land.png"
    assert main(["landscape", "fawaz-p1", "--plot", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (fig,) = captured
    hist, spec = fig.axes
    assert sum(p.get_height() for p in hist.patches) == 256
    assert np.allclose([p.get_height() for p in spec.patches], fawaz.spectrum())


def test_run_plot_draws_the_trained_net(tmp_path, captured, capsys):
    assert main(["run", "gaussian-activation", "--solver", "exact", "--num-reads", "1", "--json",
                 "--plot", str(tmp_path / "g.svg")]) == 0
    assert (tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")
    assert captured[0].axes[0].get_title().startswith("decision regions (train accuracy 1.000)")
    assert main(["run", "--plot", str(tmp_path / "d.png")]) == 0  # digits: weight images
    assert captured[1].axes[0].get_images()[0].get_array().shape == (4, 4)
    assert main(["run", "fawaz-p1", "--num-reads", "5", "--plot", str(tmp_path / "f.png")]) == 0
    assert sum(p.get_height() for p in captured[2].axes[0].patches) == 5  # the reads' losses


def test_experiment_grover_plot(tmp_path, captured, capsys):
    assert main(["experiment", "grover", "fawaz-p1", "--max-k", "3", "--runs", "5",
                 "--plot", str(tmp_path / "g.pdf")]) == 0
    assert (tmp_path / "g.pdf").read_bytes()[:4] == b"%PDF"
    success, bbht = captured[0].axes
    assert success.get_lines()[0].get_label() == "exact" and len(success.get_lines()[0].get_xdata()) == 4
    assert bbht.get_ylabel() == "cumulative success"


def test_compare_plot_csv_and_footer(tmp_path, captured, capsys):
    assert main(["compare", "fawaz-p1", "--solvers", "exact,sa", "--num-reads", "40",
                 "--csv", str(tmp_path / "t.csv"), "--plot", str(tmp_path / "t.png")]) == 0
    out = capsys.readouterr().out
    table, footer = out.split("columns:\n")
    exact_line = next(line for line in table.splitlines() if line.startswith("exact "))
    assert "2^8" in exact_line and exact_line.split()[5:9] == ["-", "-", "-", "-"]  # mean L, p_succ, TTS, CI
    from anneal_binn.commands.compare import COLUMNS

    for header, _, _ in COLUMNS:
        assert header in table.splitlines()[1] and f"  {header:8s} " in footer
    for word in ("best E", "resid", "95% CI"):
        assert len(next(line for line in footer.splitlines() if line.startswith(f"  {word}"))) > 40
    with open(tmp_path / "t.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["solver"] for r in rows] == ["exact", "sa"] and rows[0]["kind"] == "exact"
    assert rows[0]["reads"] == "256" and rows[0]["tts99_s"] == "" and float(rows[1]["success_probability"]) > 0
    extents, heights = _errorbar_extents(captured[0].axes[0])
    assert extents == [pytest.approx((float(rows[1]["tts99_ci_low"]), float(rows[1]["tts99_ci_high"])))]
    assert heights == [pytest.approx(float(rows[1]["tts99_s"]))]


@pytest.mark.parametrize("command", [["landscape", "fawaz-p1"], ["run", "fawaz-p1"],
                                     ["compare", "fawaz-p1"], ["experiment", "grover"]])
def test_plot_option_errors_are_one_line_before_any_work(tmp_path, capsys, command):
    assert main(command + ["--plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--plot" in err and "is a directory" in err and "figure.png" in err and "Traceback" not in err
    assert main(command + ["--plot", str(tmp_path / "x.txtx")]) == 2
    assert "must end in an image format" in capsys.readouterr().err


def test_without_matplotlib_the_error_names_the_extra(monkeypatch, tmp_path):
    from anneal_binn.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtraError, match=r"anneal-binn\[plot\]"):
        plot.check_plot_file(tmp_path / "x.png")
    with pytest.raises(MissingExtraError):
        plot.training_curves([1.0, 2.0])


def test_help_does_not_import_matplotlib():
    code = ("import sys; from anneal_binn.cli import build_parser; build_parser(); "
            "print([m for m in sys.modules if m.split('.')[0] == 'matplotlib' or m == 'anneal_binn.plot'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
