"""Benchmark: read template-layout CSV and XLSX files with the importer (not a
test; prints figures). Each run is a subprocess, so peak RSS is its own.

    python bench/bench_import.py --rows 20000 200000 --reference ../main

``--reference`` names another checkout (the previous version) whose
``read_passages`` is timed on the same files in the same run.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent

_RUN = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from accrochage import importer
path, reader = sys.argv[2], sys.argv[3]
if reader != "-":
    importer._xlsx_reader = lambda: reader
start, cpu = time.perf_counter(), time.process_time()
if hasattr(importer, "iter_rows"):
    rows = sum(1 for _row in importer.iter_rows(path))
else:
    rows = len(importer.read_passages(path).passages)
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
# VmHWM is this process's own peak (ru_maxrss keeps the parent's across exec)
with open("/proc/self/status") as status:
    hwm = [line.split()[1] for line in status if line.startswith("VmHWM")]
rss = int(hwm[0]) / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "wall": wall, "cpu": cpu, "rss": rss}))
"""


def make_files(count, folder, xlsx):
    """A CSV (and an XLSX) of ``count`` varied valid passages in the export layout."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_build import varied_passages

    from accrochage.export import write_passages_csv

    csv_path = folder / f"passages-{count}.csv"
    with open(csv_path, "wb") as out:
        write_passages_csv(varied_passages(count), out)
    paths = {"csv": csv_path}
    if xlsx:
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("Tableau declaration")
        text = csv_path.read_text(encoding="utf-8-sig")
        for row in csv.reader(io.StringIO(text), delimiter=";"):
            sheet.append([cell or None for cell in row])
        paths["xlsx"] = folder / f"passages-{count}.xlsx"
        book.save(paths["xlsx"])
    return paths


def run(checkout, path, reader="-"):
    result = subprocess.run(
        [sys.executable, "-c", _RUN, str(checkout), str(path), reader],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    if result.returncode:
        return {"error": result.stderr.strip().splitlines()[-1]}
    return json.loads(result.stdout)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--reference", type=pathlib.Path, help="checkout of the previous version")
    parser.add_argument("--no-xlsx", action="store_true")
    args = parser.parse_args(argv)
    folder = pathlib.Path(tempfile.mkdtemp(prefix="accrochage-bench-import-"))
    heads = ("rows", 8), ("wall s", 9), ("CPU s", 8), ("µs/row", 8), ("RSS MB", 8)
    print(f"{'file':<24}{'version':<22}" + "".join(f"{h:>{w}}" for h, w in heads))
    for count in args.rows:
        for kind, path in make_files(count, folder, not args.no_xlsx).items():
            runs = [("this", ROOT, "-")] if kind == "csv" else []
            if kind == "xlsx":
                runs = [("this calamine", ROOT, "calamine"), ("this openpyxl", ROOT, "openpyxl")]
            if args.reference:
                runs.append(("reference", args.reference, "-"))
            for label, checkout, reader in runs:
                figures = run(checkout, path, reader)
                if "error" in figures:
                    print(f"{path.name:<24}{label:<22} {figures['error']}")
                    continue
                per_row = figures["cpu"] / max(figures["rows"], 1) * 1e6
                print(
                    f"{path.name:<24}{label:<22}{figures['rows']:>8}{figures['wall']:>9.2f}"
                    f"{figures['cpu']:>8.2f}{per_row:>8.1f}{figures['rss']:>8.0f}"
                )


if __name__ == "__main__":
    main()
