"""The Odoo 19 finder and installer of `make demo` and the Odoo tier
(scripts/odoo-env.sh), run against a tiny fake Odoo tree in a local git
repository made here: no network, no real Odoo."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.skipif(
    not shutil.which("git") or not shutil.which("bash"), reason="git and bash needed"
)

FAKE_RELEASE = "version_info = (19, 0, 0, 'final', 0)\nversion = '19.0'\n"
FAKE_BIN = "#!/usr/bin/env python3\nprint('fake odoo-bin')\n"


def _git(repo, *args):
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def odoo_repo(tmp_path):
    """A git repository, branch 19.0, holding what the finder looks at."""
    repo = tmp_path / "odoo-git"
    (repo / "odoo").mkdir(parents=True)
    (repo / "odoo" / "release.py").write_text(FAKE_RELEASE)
    (repo / "odoo-bin").write_text(FAKE_BIN)
    (repo / "requirements.txt").write_text("# nothing to install in the fake tree\n")
    _git(repo, "init", "-q", "-b", "19.0")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "first")
    (repo / "NEWER").write_text("second commit\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "second")
    return repo


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_") and k != "PYTHONPATH"}
    env.update(
        ODOO_HOME=str(tmp_path / "home"),
        ODOO_SYSTEM_DEPS="0",
        ODOO_BASE_PYTHON=sys.executable,
        PIP_NO_INDEX="1",
        **extra,
    )
    return env


def _run(script, env):
    return subprocess.run(
        ["bash", "-c", f"source {ROOT}/scripts/odoo-env.sh; {script}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_installs_a_shallow_clone_into_odoo_home_then_finds_it(tmp_path, odoo_repo):
    env = _env(tmp_path, ODOO_GIT=str(odoo_repo))
    first = _run('find_odoo && echo FOUND-BEFORE; install_odoo && echo "OK $ODOO_FOUND"', env)
    assert first.returncode == 0, first.stderr
    assert "FOUND-BEFORE" not in first.stdout
    assert f"OK ODOO_HOME={tmp_path / 'home'}" in first.stdout
    src = tmp_path / "home" / "src"
    assert (src / "odoo-bin").exists() and (src / "NEWER").exists()
    depth = subprocess.run(
        ["git", "-C", str(src), "rev-list", "--count", "HEAD"], capture_output=True, text=True
    )
    assert depth.stdout.strip() == "1", "a shallow clone (--depth 1)"
    assert (tmp_path / "home" / "venv" / "bin" / "python").exists()

    # idempotent: nothing is cloned or created again
    marker = src / ".git" / "HEAD"
    before = marker.stat().st_mtime_ns
    again = _run('install_odoo && echo "OK $ODOO_PY"', env)
    assert again.returncode == 0, again.stderr
    assert "Installation d'Odoo" not in again.stdout
    assert marker.stat().st_mtime_ns == before


def test_found_again_in_the_same_shell_it_is_still_odoo_home(tmp_path, odoo_repo):
    """find_odoo puts Odoo's source on PYTHONPATH: looked for again (install_odoo
    then ensure_odoo_python), it must not take the project's Python for an
    installed Odoo, nor install the Odoo tier's packages into it."""
    env = _env(tmp_path, ODOO_GIT=str(odoo_repo))
    again = _run('install_odoo && find_odoo && echo "OK $ODOO_FOUND $ODOO_PY"', env)
    assert again.returncode == 0, again.stderr
    home = tmp_path / "home"
    assert f"OK ODOO_HOME={home} {home}/venv/bin/python" in again.stdout


def test_odoo_ref_may_name_a_tag(tmp_path, odoo_repo):
    _git(odoo_repo, "tag", "first-release", "HEAD~1")
    env = _env(tmp_path, ODOO_GIT=str(odoo_repo), ODOO_REF="first-release")
    done = _run("install_odoo && echo OK", env)
    assert done.returncode == 0, done.stderr
    src = tmp_path / "home" / "src"
    assert (src / "odoo-bin").exists() and not (src / "NEWER").exists()


def test_odoo_src_comes_before_odoo_home(tmp_path, odoo_repo):
    env = _env(tmp_path, ODOO_GIT=str(odoo_repo))
    assert _run("install_odoo", env).returncode == 0
    env["ODOO_SRC"] = str(odoo_repo)
    env["ODOO_PYTHON"] = sys.executable
    found = _run('find_odoo && echo "$ODOO_FOUND ${ODOO_RUN[*]}"', env)
    assert found.stdout.strip() == f"ODOO_SRC {sys.executable} {odoo_repo}/odoo-bin"


def test_a_refused_clone_is_said_in_french_and_the_engine_demo_runs(tmp_path):
    vpy = ROOT / ".venv" / "bin" / "python"
    python = str(vpy) if vpy.exists() else sys.executable
    env = _env(
        tmp_path,
        ODOO_GIT=str(tmp_path / "no-such-repository"),
        DEMO_OUTPUT=str(tmp_path / "demo-output"),
    )
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh"), python],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "n'a pas pu être installé" in done.stdout
    assert "ODOO_SRC" in done.stdout and "ODOO_GIT" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert list((tmp_path / "demo-output").glob("*.xml")), "the engine demo wrote its deposit"
    assert not (tmp_path / "home" / "src").exists()


def test_no_odoo_anywhere_is_not_found(tmp_path):
    found = _run("find_odoo; echo rc=$?", _env(tmp_path))
    assert found.stdout.strip() == "rc=1"
    assert pathlib.Path(tmp_path / "home").exists() is False
