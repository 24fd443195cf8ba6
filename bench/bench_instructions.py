"""Benchmark: instructions a row of ``accrochage build`` and of ``xmllint
--stream --schema`` on its output, counted by callgrind (not a test; prints
figures).

    python bench/bench_instructions.py                            # this checkout
    python bench/bench_instructions.py --engine /tmp/before --engine .   # before, after
    python bench/bench_instructions.py --xlsx --sizes 1000,5000          # XLSX inputs

CPU times on a shared 2-core machine move by a quarter from run to run (see
``bench_build.py``); instruction counts do not depend on the load: the same
binary on the same input gives the same count. Each engine builds two
generated CSV inputs of valid rows (``bench_build.write_csv``; with
``--xlsx``, workbooks in the template layout, ``write_xlsx``), 2,000 and
6,000 rows by default, under ``valgrind --tool=callgrind``; the difference
divided by the difference in rows is the cost of a row, start-up (imports,
schema, compiled code) apart. xmllint validates each output the same way.
Instructions are not seconds: the Python side runs fewer instructions a
cycle than libxml2, so a CPU ratio is higher than this ratio.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_build import build_command, write_csv, write_xlsx, xmllint_command  # noqa: E402

from accrochage import xsd  # noqa: E402
from accrochage.dictionary import get_schema  # noqa: E402

_COLLECTED = re.compile(rb"Collected : (\d+)")


def instructions(argv, cwd=None):
    """Instructions callgrind counts for ``argv`` (threads included)."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    found = _COLLECTED.search(done.stderr)
    if done.returncode or found is None:
        raise SystemExit(done.stderr.decode(errors="replace")[-1500:])
    return int(found.group(1))


def measure(engine, python, version, inputs, schema_file, work):
    """{rows: (ours, xmllint's)} instructions for each input."""
    counts = {}
    for rows, source in inputs.items():
        out_dir = work / f"out-{rows}"
        shutil.rmtree(out_dir, ignore_errors=True)
        ours = instructions(build_command(python, source, out_dir, version), cwd=engine)
        theirs = instructions(xmllint_command(schema_file, *sorted(out_dir.glob("*.xml"))))
        counts[rows] = (ours, theirs)
        shutil.rmtree(out_dir)
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,6000", help="two input sizes (rows)")
    parser.add_argument("--xlsx", action="store_true", help="XLSX inputs instead of CSV")
    parser.add_argument("--version", default="1.1.2")
    parser.add_argument(
        "--engine", type=pathlib.Path, action="append", help="checkout to measure (repeatable)"
    )
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)
    for tool, package in (("valgrind", "valgrind"), ("xmllint", "libxml2-utils")):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} introuvable : installez-le (apt-get install {package}).")
    small, large = sorted(int(n) for n in args.sizes.split(","))
    work = pathlib.Path(tempfile.mkdtemp(prefix="accrochage-instructions-"))
    try:
        schema_file = work / f"flux-{args.version}.xsd"
        schema_file.write_text(xsd.generate_xsd(get_schema(args.version)), encoding="utf-8")
        inputs = {}
        kind, write = ("xlsx", write_xlsx) if args.xlsx else ("csv", write_csv)
        for rows in (small, large):
            inputs[rows] = work / f"input-{rows}.{kind}"
            write(inputs[rows], rows, args.version)
        print(f"python: {args.python}   load: {os.getloadavg()[0]:.1f}")
        print(f"{'engine':<50} {'ours a row':>11} {'xmllint a row':>14} {'ratio':>6}")
        for engine in args.engine or [ROOT]:
            engine = engine.resolve()
            counts = measure(engine, args.python, args.version, inputs, schema_file, work)
            span = large - small
            ours = (counts[large][0] - counts[small][0]) // span
            theirs = (counts[large][1] - counts[small][1]) // span
            revision = subprocess.run(
                ["git", "-C", str(engine), "log", "-1", "--format=%h"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            name = f"{engine} ({revision or 'no git'})"
            print(f"{name:<50} {ours:>11,} {theirs:>14,} {ours / theirs:>6.2f}", flush=True)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
