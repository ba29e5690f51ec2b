"""Bad input is refused before any work, in one line that names the field and the fix."""
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.cli import main
from anneal_binn.errors import SpecError, TooLargeError, UsageError
from anneal_binn.selection import SelectionProblem, select_global, select_local
from anneal_binn.spec import load_spec, spec_from_dict

from ._nets import net


def test_subproblem_too_big_for_the_solver():
    sel = SelectionProblem(net(hidden=((24, "sign"),)), weight_seed=0)
    with pytest.raises(TooLargeError, match=r"'statevector-qa' takes at most 20 variables .* 24 bits; use block_size <= 20"):
        select_local(sel, solver="statevector-qa", block_size=24, params={"max_variables": 20})
    # without a fixed limit the Fourier HUBO's memory decides, before it is built
    with pytest.raises(TooLargeError, match=r"'statevector-qa' takes at most \d+ variables \(its Fourier HUBO"):
        select_local(sel, solver="statevector-qa", block_size=24)
    with pytest.raises(TooLargeError, match=r"takes at most 2[0-6] variables .* 27 bits"):
        select_local(sel, solver="exact", block_size=27) if sel.n >= 27 else select_global(
            SelectionProblem(net(hidden=((27, "sign"),)), weight_seed=0), solver="grover")
    # the loss annealers and the readout QUBO need no enumeration
    select_local(sel, solver="loss-sa", block_size=24, max_sweeps=1, params={"num_sweeps": 5})


def test_solvers_that_train_weights_are_refused():
    sel = SelectionProblem(net(), weight_seed=0)
    for name in ("ste", "sbpi", "cpr"):
        with pytest.raises(UsageError, match="trains a net's weights"):
            select_global(sel, solver=name)
    with pytest.raises(UsageError, match="unknown name"):
        select_local(sel, solver="exactt")


def test_selection_needs_mask_bits_and_a_fixed_architecture():
    with pytest.raises(UsageError, match="mask = true"):
        SelectionProblem(net(out_mask=False))
    with pytest.raises(UsageError, match="layer 0 has no mask bits"):
        SelectionProblem(net(), layers=[0])
    with pytest.raises(UsageError, match="neuron_mask"):
        SelectionProblem(net(), over="neurons")
    with pytest.raises(UsageError, match="over"):
        SelectionProblem(net(), over="weights")
    p = ab.build_from_dict({"data": {"source": "fawaz"}, "model": {"hidden": [{"width": 2, "activation": ["sign", "relu"]}],
                                                                   "output": {"mask": True}}})
    with pytest.raises(UsageError, match="choice"):
        SelectionProblem(p)


def test_local_options_are_checked():
    sel = SelectionProblem(net(), weight_seed=0)
    with pytest.raises(UsageError, match="partition"):
        select_local(sel, partition="row")
    with pytest.raises(UsageError, match="block_size"):
        select_local(sel, block_size=0)
    with pytest.raises(UsageError, match="max_sweeps"):
        select_local(sel, max_sweeps=0)
    with pytest.raises(UsageError, match="init"):
        select_local(sel, init="half")
    with pytest.raises(UsageError, match="selection bits"):
        select_local(sel, init=np.ones(3, dtype=np.uint8))


@pytest.mark.parametrize("patch,field", [
    ({"method": "anneal"}, "select.method"),
    ({"over": "weights"}, "select.over"),
    ({"local": {"block_sise": 4}}, "select.local.block_sise"),
    ({"local": {"block_size": 0}}, "select.local.block_size"),
    ({"local": {"solver": "ste"}}, "select.local.solver"),
    ({"local": {"solver": "sa2"}}, "select.local.solver"),
    ({"global": {"qubo": {"scale": 1}}}, "select.global.qubo.method"),
    ({"sparsity": {"keep": 1.5}}, "select.sparsity.keep"),
    ({"sparsity": {"keep": 2, "constraint": "penalty"}}, "select.sparsity.strength"),
    ({"compare": ["greedy"]}, "select.compare"),
    ({"over": "neurons", "compare": ["edge-popup"]}, "select.compare"),
    ({"edge_popup": {"epochs": -1}}, "select.edge_popup.epochs"),
    ({"layers": "1"}, "select.layers"),
])
def test_select_table_errors_name_the_field(patch, field):
    raw = load_spec("select-tiny").to_dict()
    raw["select"] = {**raw["select"], **patch}
    with pytest.raises(SpecError) as e:
        spec_from_dict(raw)
    assert str(e.value).startswith(field + ":")


def test_cli_prints_one_line_and_exit_code_2(capsys):
    assert main(["run", "select-tiny", "--solver", "statevector-qa", "--param", "max_variables=3"]) == 2
    err = capsys.readouterr().err
    assert "takes at most 3 variables" in err and err.count("\n") == 1
    assert main(["run", "select-tiny", "--plot", "x.png"]) == 2
    assert "--plot" in capsys.readouterr().err
