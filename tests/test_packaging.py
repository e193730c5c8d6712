"""Packaging: the wheel carries the templates, and an installed deckgen builds outside the repo.
The editable install (what the test suite runs on) is checked too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from deckgen.render import builtin_templates
from tests.helpers import RNN, ROOT


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    """`python -m build`, once: an sdist and a wheel, as a release would make them."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True)
    return out


@pytest.fixture(scope="session")
def wheel(dist) -> Path:
    return next(dist.glob("deckgen_qa-*.whl"))  # the distribution's name: "deckgen" is another project


SHIPPED = sorted(p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*.j2"))


@pytest.mark.slow
def test_wheel_contains_templates_and_the_console_script(wheel):
    import deckgen

    names = zipfile.ZipFile(wheel).namelist()
    assert SHIPPED and all(f"deckgen/templates/{name}" in names for name in SHIPPED)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "deckgen = deckgen.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert wheel.name.startswith(f"deckgen_qa-{deckgen.__version__}-")  # one source for the version


@pytest.mark.slow
def test_sdist_contains_templates(dist):
    import tarfile

    sdist = next(dist.glob("deckgen_qa-*.tar.gz"))
    names = tarfile.open(sdist).getnames()
    top = names[0].split("/")[0]
    assert all(f"{top}/templates/{name}" in names for name in SHIPPED)


@pytest.mark.slow
def test_installed_wheel_builds_outside_the_repository(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    work = tmp_path / "work"
    (work / "source").mkdir(parents=True)
    shutil.copy(RNN, work / "source")
    # -S: no site processing, so the editable install of this checkout cannot be picked up;
    # the dependencies come from site-packages on PYTHONPATH, deckgen only from the wheel.
    env = {**os.environ, "PYTHONPATH": f"{target}{os.pathsep}{sysconfig.get_paths()['purelib']}"}
    env.pop("CI", None)
    probe = subprocess.run([sys.executable, "-S", "-c", "import deckgen.render as r; print(r.builtin_templates())"],
                           env=env, cwd=work, capture_output=True, text=True, check=True)
    assert Path(probe.stdout.strip()).is_relative_to(target)
    result = subprocess.run([sys.executable, "-S", "-m", "deckgen", "build", "--format", "html",
                             "--format", "apkg"], env=env, cwd=work, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (work / "build" / "rnn-interview-questions.html").stat().st_size > 10_000


def test_editable_install_finds_the_checkout_templates():
    # the suite runs on `pip install -e .`: the templates are the repository's own folder
    assert builtin_templates().resolve() == (ROOT / "templates").resolve()


@pytest.mark.slow
def test_pip_install_from_the_checkout_leaves_build_to_deckgen(tmp_path):
    """pip builds a checkout in place: setuptools' own files must not land in build/, the folder
    deckgen writes its outputs to (they did: build/lib, build/bdist.linux-x86_64)."""
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", "build", "node_modules", "*.egg-info",
                                                              ".setuptools-build", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                    "--target", str(tmp_path / "site"), "."], cwd=copy, check=True, capture_output=True)
    assert (tmp_path / "site" / "deckgen" / "cli.py").is_file()  # it was installed
    assert not (copy / "build").exists()
