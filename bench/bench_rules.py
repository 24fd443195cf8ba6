"""Benchmark: ``normalize_passage`` + ``check_passage`` per passage (not a test).

    python bench/bench_rules.py --passages 20000 [--engine OTHER_CHECKOUT]

Times, on the same varied valid passages as ``bench_build.py`` (both ways
of identifying a holder, both birthplace forms, DigComp blocks, births
abroad), the normaliser alone, the checks alone and both, in µs per
passage, wall and CPU time, best of ``--repeat`` runs. With ``--engine``,
the same figures for another checkout (the previous version) in the same
run, each in its own process. Target (issue #7): both together <= 12 µs.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 11, 26)


def measure(engine, count, repeat):
    """The figures for the engine at ``engine`` (run in this process)."""
    sys.path[:0] = [str(engine), str(ROOT / "bench"), str(ROOT)]
    # the engine first: bench_build puts this checkout at the front of sys.path
    rules = importlib.import_module("accrochage.rules")
    check_passage, normalize_passage = rules.check_passage, rules.normalize_passage
    varied_passages = importlib.import_module("bench_build").varied_passages

    raw = list(varied_passages(count))
    clean = [normalize_passage(p) for p in raw]
    for passage in clean:  # compile every shape before the clock starts
        check_passage(passage, today=TODAY)

    def normalize():
        for passage in raw:
            normalize_passage(passage)

    def check():
        for passage in clean:
            check_passage(passage, today=TODAY)

    def both():
        for passage in raw:
            check_passage(normalize_passage(passage), today=TODAY)

    figures = {}
    for name, job in (("normalize", normalize), ("check", check), ("both", both)):
        walls, cpus = [], []
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            job()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        figures[name] = (min(walls) / count * 1e6, min(cpus) / count * 1e6)
    figures["with_findings"] = sum(1 for p in clean if check_passage(p, today=TODAY))
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--engine", action="append", default=[], help="another checkout")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.json:  # child process: one engine
        figures = measure(pathlib.Path(args.engine[0]), args.passages, args.repeat)
        print(json.dumps(figures))
        return
    print(f"passages {args.passages:,}, best of {args.repeat}, µs per passage (wall / CPU)")
    for engine in [ROOT, *map(pathlib.Path, args.engine)]:
        out = subprocess.run(
            [sys.executable, __file__, "--json", "--engine", str(engine)]
            + ["--passages", str(args.passages), "--repeat", str(args.repeat)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        figures = json.loads(out)
        cells = "  ".join(
            f"{name} {figures[name][0]:6.2f} / {figures[name][1]:6.2f}"
            for name in ("normalize", "check", "both")
        )
        print(f"{engine}: {cells}  ({figures['with_findings']} with findings)")


if __name__ == "__main__":
    main()
