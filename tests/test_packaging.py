"""The installed package is complete on its own: the catalogue ships inside it (issue: not in the wheel)."""
import shutil
import subprocess
import sys
from pathlib import Path

import anneal_binn


def test_catalogue_loads_from_a_copy_of_the_package_alone(tmp_path):
    """What a wheel installs is the package directory: copy just that and load a catalogue spec from it."""
    pkg = Path(anneal_binn.__file__).parent
    shutil.copytree(pkg, tmp_path / "site" / "anneal_binn", ignore=shutil.ignore_patterns("__pycache__"))
    code = ("import anneal_binn as ab, sys; assert ab.__file__.startswith(sys.argv[1]), ab.__file__; "
            "from anneal_binn.spec import catalogue; "
            "print(len(catalogue()), ab.build(ab.load_spec('fawaz-p1')).num_variables)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "site")], cwd=tmp_path, check=True,
                         capture_output=True, text=True, env={"PYTHONPATH": str(tmp_path / "site"), "PATH": ""})
    count, n = map(int, out.stdout.split())
    assert count >= 14 and n == 8


def test_pyproject_ships_the_catalogue():
    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert 'anneal_binn = ["catalogue/*.toml"]' in text
