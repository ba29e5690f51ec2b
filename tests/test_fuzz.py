"""Fuzz: malformed specs and argument lists never end in a raw traceback.

A user's mistake must surface as an :class:`~anneal_binn.errors.AnnealBinnError` (the CLI turns
it into one line and exit code 2) or as argparse's one-line error, never as another exception.
"""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import anneal_binn as ab
from anneal_binn.cli import main
from anneal_binn.errors import AnnealBinnError

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["sign", "relu", "sigmoid", "softmax", "bce", "mse",
                                                            "zero-one", "fawaz", "digits", "perceptron", "sum"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)

# keys of a real spec, so the fuzz reaches deep validation instead of stopping at "unknown key"
LAYER_KEYS = ["width", "bias", "activation", "mask", "neuron_mask"]
layer = st.dictionaries(st.sampled_from(LAYER_KEYS), values, max_size=5)
spec_dicts = st.fixed_dictionaries(
    {
        "data": st.one_of(values, st.fixed_dictionaries(
            {"source": st.sampled_from(["fawaz", "gaussian-mixture", "perceptron", "nope", 3])},
            optional={"problem": values, "n": st.integers(-5, 40), "alpha": values, "labels": values,
                      "n_train": values})),
        "model": st.one_of(values, st.fixed_dictionaries(
            {}, optional={"loss": values, "reduction": values, "hidden": st.one_of(values, st.lists(layer, max_size=2)),
                          "output": st.one_of(values, layer)})),
    },
    optional={"name": values, "seed": values, "run": st.dictionaries(
        st.sampled_from(["solver", "num_reads", "exact_limit", "landscape_limit", "hubo", "qubo", "params", "x"]),
        values, max_size=3)},
)


@FUZZ
@given(spec_dicts)
def test_malformed_spec_dicts_raise_only_package_errors(raw):
    try:
        problem = ab.build(ab.spec_from_dict(raw))
    except AnnealBinnError:
        return
    assert problem.num_variables >= 1  # a spec that validates must build a real problem


@FUZZ
@given(st.binary(max_size=200))
def test_arbitrary_spec_files_are_one_line_errors(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("fuzz") / "spec.toml"
    path.write_bytes(blob)
    try:
        ab.load_spec(path)
    except AnnealBinnError as exc:
        assert "\n" not in str(exc).strip()


OPTIONS = ["--solver", "--seed", "--num-reads", "--param", "--mock", "--hubo-method", "--reduction", "--json",
           "--eps", "--solvers", "--max-degree", "--format", "-o", "--limit", "--no-exact", "--qubo"]
TOKENS = ["fawaz-p1", "fawaz-p2", "nope", "-1", "0", "2", "1e9", "x=1", "num_sweeps=-5", "sa", "exact", "hubo-sa",
          "tabu", "qpu", "magic", "", "=", "sa.num_sweeps=3", "auto", "bqm-json", "{}"]


@FUZZ
@given(st.sampled_from(["run", "solve", "compare", "formulate", "landscape", "bogus"]),
       st.lists(st.one_of(st.sampled_from(OPTIONS), st.sampled_from(TOKENS)), max_size=6))
def test_argument_lists_never_raise(tmp_path_factory, command, rest):
    out = tmp_path_factory.mktemp("cli")
    argv = [command] + [str(out / "f.json") if t == "-o" else t for t in rest]
    if command in ("run", "solve", "compare", "formulate", "landscape") and not any(t.startswith("fawaz") for t in rest):
        argv.insert(1, "fawaz-p1")  # keep every run tiny: 8 variables
    if "--num-reads" not in argv:
        argv += ["--num-reads", "5"] if command in ("run", "solve", "compare") else []
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: one line on stderr
        code = exc.code
    assert code in (0, 2), argv


def test_a_valid_fuzzed_shape_runs_end_to_end(capsys):
    """The fuzz above must not pass by refusing everything: a valid spec dict solves."""
    raw = {"data": {"source": "fawaz", "problem": 1}, "model": {"hidden": [{"width": 2}], "output": {}}}
    problem = ab.build(ab.spec_from_dict(raw))
    assert main(["run", "fawaz-p1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["best"]["loss"] == 0.0
    assert problem.num_variables == 8


@pytest.mark.parametrize("argv,needle", [
    (["run", "fawaz-p1", "--solver", "sa2"], "did you mean 'sa'"),
    (["run", "fawaz-p1", "--mock"], "--mock"),
    (["formulate", "fawaz-p1", "--hubo-method", "magic", "-o", "{tmp}/x.json"], "--hubo-method"),
    (["formulate", "fawaz-p1", "-o", "{tmp}"], "is a directory"),
    (["formulate", "fawaz-p1", "--threshold", "1e9", "-o", "{tmp}/x.json"], "no variables left"),
    (["compare", "fawaz-p1", "--solvers", ","], "--solvers"),
    (["solve", "fawaz-p1", "--solver", "sa", "--param", "bogus=1"], "bogus"),
    (["run", "fawaz-p1", "--solver", "sa", "--param", "num_sweeps=-5"], "solver 'sa'"),
])
def test_everyday_mistakes_are_one_line(tmp_path, capsys, argv, needle):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "Traceback" not in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("argv", [["run", "fawaz-p1", "--num-reads", "0"], ["run", "fawaz-p1", "--seed", "-1"],
                                  ["compare", "fawaz-p1", "--eps", "-1"],
                                  ["formulate", "fawaz-p1", "--max-degree", "-1", "-o", "x.json"]])
def test_bad_numbers_are_refused_by_the_parser(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "see anneal-binn" in err


def test_formulate_infers_bqm_json_from_a_plain_json_name(tmp_path, capsys):
    assert main(["formulate", "fawaz-p1", "-o", str(tmp_path / "f.json"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "bqm-json" and doc["kind"] == "qubo"


def test_huge_width_is_refused_with_its_size(tmp_path, capsys):
    bad = tmp_path / "big.toml"
    bad.write_text('[data]\nsource = "fawaz"\n[model]\nloss = "zero-one"\n[[model.hidden]]\nwidth = 1000000000\n'
                   '[model.output]\nactivation = "sign"\n')
    assert main(["run", str(bad)]) == 2
    assert "4,000,000,000 binary variables" in capsys.readouterr().err


def test_binary_spec_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\x00\xff\xfe garbage")
    assert main(["run", str(bad)]) == 2
    assert "not a UTF-8 text file" in capsys.readouterr().err


def test_unknown_run_solver_in_a_spec_is_refused_at_load():
    with pytest.raises(ab.SpecError, match="run.solver"):
        ab.spec_from_dict({"data": {"source": "fawaz"}, "model": {"hidden": [{"width": 2}]}, "run": {"solver": "sa2"}})
    with pytest.raises(ab.SpecError, match="run.hubo.method"):
        ab.spec_from_dict({"data": {"source": "fawaz"}, "model": {"hidden": [{"width": 2}]},
                           "run": {"hubo": {"method": "magic"}}})


def test_landscape_size_check_states_the_size_of_any_n():
    """At N in the thousands 2^N overflowed a float inside the check itself (OverflowError)."""
    from anneal_binn.landscape import check_size

    with pytest.raises(ab.TooLargeError, match=r"2\^1000 = about 10\^301 configurations"):
        check_size(1000, 100)
    with pytest.raises(ab.TooLargeError, match=r"1\.0 GiB"):
        check_size(27, 100)
