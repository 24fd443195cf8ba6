"""Run the ``accrochage`` command as a user does, and check what every answer
must respect: no traceback, no English system error, a known exit code."""

import os
import subprocess
import sys
from pathlib import Path

from accrochage import cli
from accrochage.export import write_passages_csv

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *argv):
    """``accrochage argv…`` in this process: (exit code, stdout, stderr)."""
    code = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert_clean(code, out + err)
    return code, out, err


def run_process(*argv, cwd=None):
    """``accrochage argv…`` as a child process, as from a terminal."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("ACCROCHAGE_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "accrochage.cli", *map(str, argv)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )
    assert_clean(done.returncode, done.stdout + done.stderr)
    return done.returncode, done.stdout, done.stderr


def assert_clean(code, text):
    assert code in (0, 1, 2), code
    assert "Traceback" not in text, text
    assert "Errno" not in text, text
    assert "erreur inattendue" not in text, text


def write_csv(path, passages, version="1.1.2"):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        write_passages_csv(passages, handle, version=version)
    return path
