"""Malformed specs fail with a message naming the field."""
import copy

import pytest

import anneal_binn as ab
from anneal_binn.errors import SpecError

GOOD = {
    "name": "t",
    "data": {"source": "fawaz", "problem": 1},
    "model": {"loss": "zero-one", "hidden": [{"width": 2, "activation": "sign"}], "output": {"activation": "sign"}},
}


def _with(path, value):
    raw = copy.deepcopy(GOOD)
    node = raw
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return raw


CASES = [
    (("colour",), "red", r"^spec\.colour: unknown key"),
    (("model", "hiden"), [], r"^model\.hiden: unknown key"),
    (("model", "hidden", 0, "widht"), 2, r"^model\.hidden\[0\]\.widht: unknown key"),
    (("model", "hidden", 0, "width"), "two", r"^model\.hidden\[0\]\.width: must be a positive integer"),
    (("model", "hidden", 0, "width"), 0, r"^model\.hidden\[0\]\.width: must be a positive integer"),
    (("model", "hidden", 0, "width"), [1, 2, 3], r"^model\.hidden\[0\]\.width: a list of choices needs 2, 4, 8"),
    (("model", "hidden", 0, "bias"), "yes", r"^model\.hidden\[0\]\.bias: must be true or false"),
    (("model", "hidden", 0, "activation"), "swish", r"^model\.hidden\[0\]\.activation: unknown activation 'swish'"),
    (("model", "hidden", 0, "activation"), ["relu", "relu"], r"^model\.hidden\[0\]\.activation: choices must be distinct"),
    (("model", "hidden", 0, "width"), KeyError, r"^model\.hidden\[0\]\.width: required"),
    (("model", "loss"), "hinge", r"^model\.loss: unknown loss 'hinge'"),
    (("model", "loss"), "bce", r"^model\.output\.activation: the bce loss needs"),
    (("model", "output", "width"), 3, r"^model\.output\.width: must equal the number of classes"),
    (("model", "hidden"), {"width": 2}, r"^model\.hidden: must be an array of tables"),
    (("data", "source"), "cifar", r"^data\.source: unknown data set 'cifar'"),
    (("data", "problem"), 3, r"^data\.problem: must be 1 or 2"),
    (("data", "shuffle"), True, r"^data\.shuffle: unknown key"),
    (("seed",), 1.5, r"^seed: must be an integer"),
    (("run", ), {"num_reads": 0}, r"^run\.num_reads: must be a positive integer"),
    (("data",), KeyError, r"^data: required"),
]


@pytest.mark.parametrize("path,value,pattern", CASES, ids=[".".join(map(str, c[0])) + "=" + repr(c[1])[:12] for c in CASES])
def test_malformed_spec_names_the_field(path, value, pattern):
    with pytest.raises(SpecError, match=pattern):
        ab.build_from_dict(_with(path, value))


def test_good_spec_builds():
    assert ab.build_from_dict(GOOD).num_variables == 8


def test_toml_syntax_error_names_the_file(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("name = \n")
    with pytest.raises(SpecError, match="bad.toml: not valid TOML"):
        ab.load_spec(p)


def test_unknown_catalogue_name_lists_the_catalogue():
    with pytest.raises(FileNotFoundError, match="fawaz-p1"):  # SpecNotFoundError is both
        ab.load_spec("no-such-spec")


def test_every_catalogue_spec_loads():
    from anneal_binn.spec import catalogue

    names = catalogue()
    assert {"fawaz-p1", "fawaz-p2", "fawaz-meta-p1"} <= set(names)
    for name in names:
        assert ab.load_spec(name).name == name
