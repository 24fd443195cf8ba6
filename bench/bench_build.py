"""Benchmark: the user's job, ``accrochage build`` on a CSV or XLSX file, end to
end, with ``xmllint --stream --schema`` on its output in the same run (not a
test; prints figures).

    python bench/bench_build.py                       # 20k, 50k, 200k rows (CSV), 20k, 200k (XLSX)
    python bench/bench_build.py --sizes 20000 --xlsx-sizes ''
    python bench/bench_build.py --engine /path/to/before --engine .  # before and after, in turn
    python bench/bench_build.py --repeat 3                           # the best of 3 runs
    python bench/bench_build.py --sizes 20000 --xlsx-sizes '' --profile

Each build runs as a child process (``python -m accrochage.cli build``) on a
generated input of valid rows in the template layout; wall time, CPU time and
peak RSS are the child's own (``os.wait4``). Targets (issue #7) at 200,000
rows: CSV CPU ratio to xmllint <= 3, peak RSS <= 150 MB and flat from 20,000
to 200,000; XLSX <= 2x the CSV time.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from accrochage import xsd  # noqa: E402
from accrochage.dictionary import get_schema  # noqa: E402
from accrochage.export import cell_text as export_cell  # noqa: E402
from accrochage.export import export_columns, safe_cell, write_passages_csv  # noqa: E402
from accrochage.importer import TEMPLATE_SHEET, column_labels, item_group  # noqa: E402
from accrochage.samples import make_passage  # noqa: E402

#: the deposit clock given to ``--now`` (also the date the deadlines count from)
NOW = f"{datetime.date.today().isoformat()}T10:00:00"
CODES = (("RNCP", "RNCP35726"), ("RNCP", "RNCP34567"), ("RS", "RS5875"), ("RS", "RS6012"))
NAMES = ("MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND")
FIRST = ("Élodie", "Jean", "Chloé", "Karim", "Zoé", "Hervé", "Inès", "Léa")
#: the award date of every generated passage: recent, so no deadline warning
AWARD = datetime.date.today() - datetime.timedelta(days=20)


# -- inputs --------------------------------------------------------------------


def varied_passages(count, certifications=None):
    """Valid passages in certification order (as an export would sort them),
    with both identification ways, both birth-place forms, nils, DigComp
    results. A few dozen templates are copied with a new ``idTechnique``."""
    certifications = certifications or len(CODES)
    per_code = -(-count // certifications)
    templates = {code: [_variant(i, type_, code) for i in range(40)] for type_, code in CODES}
    index = 0
    for _type, code in CODES[:certifications]:
        variants = templates[code]
        for _ in range(per_code):
            if index >= count:
                return
            index += 1
            passage = variants[index % 40].copy()
            passage["idTechnique"] = f"BENCH-{index:08d}"
            # a holder of its own on each row (the same one twice is a warning)
            if "idDossier" in passage:
                passage["idDossier"] = f"{index:013d}"
            else:
                passage["nomNaissance"] += "-" + _letters(index)
            yield passage


def _letters(number):
    """``1`` → ``A``, ``27`` → ``AA``: a name part made of letters."""
    text = ""
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(65 + rest) + text
    return text


def _variant(index, type_, code):
    exam = AWARD - datetime.timedelta(days=15)
    passage = make_passage(
        index,
        type=type_,
        code=code,
        dateDebutExamen=exam,
        dateFinExamen=exam + datetime.timedelta(days=1),
        dateDebutValidite=AWARD,
        dateInscription=AWARD - datetime.timedelta(days=200),
        nomNaissance=NAMES[index % len(NAMES)],
        prenom1=FIRST[index % len(FIRST)],
        anneeNaissance=1960 + index % 45,
        moisNaissance=None if index % 11 == 0 else 1 + index % 12,
        jourNaissance=None if index % 11 == 0 else 1 + index % 28,
        sexe="MF"[index % 2],
    )
    shape = index % 5
    if shape == 1:  # postal code instead of the INSEE code
        passage.update(codeInsee=None, codePostal="75009")
    elif shape == 2:  # CPF file number instead of civil status
        for key in (
            "nomNaissance",
            "nomUsage",
            "prenom1",
            "prenom2",
            "anneeNaissance",
            "moisNaissance",
            "jourNaissance",
            "sexe",
            "codeInsee",
            "libelleCommuneNaissance",
        ):
            passage.pop(key, None)
        passage.update(idDossier=f"{index:013d}", nomTitulaire="DUPONT", prenom1Titulaire="Marie")
    elif shape == 3:  # DigComp result and a language level
        passage.update(
            presenceNiveauNumeriqueEuro=True,
            scoreGeneral=100 + index % 900,
            resultats=[{"niveau": 1 + index % 8, "domaineCompetenceId": "3", "competenceId": "4"}],
            presenceNiveauLangueEuro=True,
            niveauLangueEuropeen="B2",
        )
    elif shape == 4:  # born abroad, optional blocks absent
        passage.update(
            codeInsee="99109",
            codePaysNaissance="109",
            libellePaysNaissance="ALLEMAGNE",
            libelleCommuneNaissance=None,
            dateDebutExamen=None,
            dateFinExamen=None,
            modalitePassageExamen=None,
            codePostalCentreExamen=None,
            mentionValidee=None,
            urlPreuve=f"https://preuves.example/{index}",
        )
    return passage


def write_csv(path, count, version):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        write_passages_csv(varied_passages(count), handle, version=version)


def write_xlsx(path, count, version):
    """The template's layout: title rows, ids in row 12, labels in row 13, the
    instruction rows and the example, the marker row, then one passage a row
    from column B (column A holds the row labels)."""
    import openpyxl

    schema = get_schema(version)
    columns = [node for node in schema.columns if node.key != "nir"]
    exported = {node.key for node in export_columns(schema)}
    labels = column_labels(schema)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(TEMPLATE_SHEET)
    sheet.append(["V1.4", "Tableau de déclaration"])
    for _ in range(9):
        sheet.append([])
    sheet.append(["Bloc"])
    sheet.append(["Identifiant"] + [node.dico_id for node in columns])
    sheet.append(["Intitulé"] + [labels[node.key] for node in columns])
    sheet.append(["Type champ"] + ["Saisie"] * len(columns))
    sheet.append(["Obligatoire"] + ["Facultative"] * len(columns))
    sheet.append([])
    sheet.append(["Consigne"] + ["A compléter"] * len(columns))
    sheet.append(["Exemple"] + ["…"] * len(columns))
    sheet.append([])
    sheet.append([None, "Commencez votre saisie en-dessous de cette ligne"])
    for passage in varied_passages(count):
        row = [None]
        for node in columns:
            group = item_group(schema, node)
            if node.key not in exported:
                value = None
            elif group is not None:
                value = ((passage.get(group.key) or [{}])[0]).get(node.key)
            else:
                value = passage.get(node.key)
            if isinstance(value, (datetime.date, int)) and not isinstance(value, bool):
                row.append(value)  # a real date or number cell, as Excel stores it
            else:
                row.append(safe_cell(export_cell(node, value)) or None)
        sheet.append(row)
    book.save(path)


# -- measuring -----------------------------------------------------------------


def run_child(argv, env=None, cwd=None, stdout=subprocess.DEVNULL):
    """Run a command; its wall time, CPU time (user + system) and peak RSS."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE)
    stderr = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
        "code": process.returncode,
        "stderr": stderr.decode("utf-8", "replace"),
    }


def build_command(python, source, out_dir, version, profile=None):
    """The user's command, ``accrochage build`` (under cProfile with ``profile``)."""
    argv = [python]
    if profile:
        argv += ["-m", "cProfile", "-o", str(profile)]
    argv += ["-m", "accrochage.cli", "build", str(source), "-o", str(out_dir), "--now", NOW]
    return [*argv, "--version", version]


def xmllint_command(schema_file, *files):
    """The reference: xmllint validating files against the generated XSD, streaming."""
    return ["xmllint", "--stream", "--noout", "--schema", str(schema_file), *map(str, files)]


@functools.cache
def compiled(engine, python):
    """The engine's bytecode, as pip writes it when it installs a package: a
    user's build does not compile the sources first (with
    PYTHONDONTWRITEBYTECODE, as on these machines, every run would, 0.1 s)."""
    subprocess.run([python, "-m", "compileall", "-q", str(engine / "accrochage")], check=True)


def build(engine, source, out_dir, version, python, profile=None):
    compiled(engine, python)
    env = {**os.environ, "PYTHONPATH": str(engine)}
    # ``python -m`` puts the working folder first on sys.path: run from the engine
    return run_child(build_command(python, source, out_dir, version, profile), env=env, cwd=engine)


def xmllint(files, schema_file):
    total = {"wall": 0.0, "cpu": 0.0, "rss": 0.0, "code": 0}
    for path in files:
        result = run_child(xmllint_command(schema_file, path))
        if result["code"]:
            print(result["stderr"][-2000:])
        total["wall"] += result["wall"]
        total["cpu"] += result["cpu"]
        total["rss"] = max(total["rss"], result["rss"])
        total["code"] = total["code"] or result["code"]
    return total


def print_profile(path, lines=25):
    import pstats

    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)


def _revision(engine):
    return subprocess.run(
        ["git", "-C", str(engine), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()


def _best(runs):
    """The least wall and CPU time of repeated runs (the load only adds to
    them), the largest peak RSS, the first failure."""
    return {
        "wall": min(run["wall"] for run in runs),
        "cpu": min(run["cpu"] for run in runs),
        "rss": max(run["rss"] for run in runs),
        "code": next((run["code"] for run in runs if run["code"]), 0),
        "stderr": next((run["stderr"] for run in runs if run["code"]), ""),
    }


def _measure(engines, source, work, kind, count, args, schema_file):
    """{engine: (ours, xmllint's, MB out)}: each engine's build and xmllint on
    its output, the engines in turn, ``--repeat`` times; the best of each."""
    has_xmllint = shutil.which("xmllint") is not None
    runs = {engine: ([], [], 0.0) for engine in engines}
    for _repeat in range(args.repeat):
        for engine in engines:
            out_dir = work / f"out-{kind}-{count}"
            shutil.rmtree(out_dir, ignore_errors=True)
            profile = work / f"profile-{kind}-{count}.prof" if args.profile else None
            ours = build(engine, source, out_dir, args.version, args.python, profile)
            files = sorted(out_dir.glob("*.xml"))
            size = sum(path.stat().st_size for path in files) / 1e6
            runs[engine][0].append(ours)
            if has_xmllint and files:
                runs[engine][1].append(xmllint(files, schema_file))
            runs[engine] = (*runs[engine][:2], size)
            if ours["code"]:
                print(ours["stderr"][-1500:])
            if profile:
                print_profile(profile)
            if not args.keep:
                shutil.rmtree(out_dir, ignore_errors=True)
    return {
        engine: (_best(ours), _best(theirs) if theirs else None, size)
        for engine, (ours, theirs, size) in runs.items()
    }


def _line(kind, count, source, ours, theirs, size):
    line = (
        f"{kind:>12} {count:>8} {source.stat().st_size / 1e6:>6.1f} {ours['code']:>4} "
        f"{ours['wall']:>7.2f} {ours['cpu']:>7.2f} {ours['rss']:>7.0f} {size:>7.1f}"
    )
    if theirs is not None:
        ratio = ours["cpu"] / theirs["cpu"] if theirs["cpu"] else float("nan")
        verdict = "" if not theirs["code"] else " INVALID"
        line += (
            f" {theirs['wall']:>12.2f} {theirs['cpu']:>6.2f} {theirs['rss']:>5.0f} "
            f"{ratio:>9.2f}{verdict}"
        )
    return line


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,50000,200000", help="CSV sizes (rows)")
    parser.add_argument("--xlsx-sizes", default="20000,200000", help="XLSX sizes (rows)")
    parser.add_argument("--version", default="1.1.2")
    parser.add_argument(
        "--engine",
        type=pathlib.Path,
        action="append",
        help="checkout to measure; repeat it to compare checkouts in one run (default: this one)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each build, engines in turn; the best kept"
    )
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--keep", metavar="DIR", help="write there and keep inputs and outputs")
    parser.add_argument(
        "--inputs", metavar="DIR", type=pathlib.Path, help="generate the inputs there once, reuse"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile of each build")
    args = parser.parse_args(argv)

    work = pathlib.Path(args.keep or tempfile.mkdtemp(prefix="accrochage-bench-")).resolve()
    engines = [engine.resolve() for engine in args.engine or [ROOT]]
    work.mkdir(parents=True, exist_ok=True)
    if args.inputs:
        args.inputs = args.inputs.resolve()
        args.inputs.mkdir(parents=True, exist_ok=True)
    schema_file = work / f"flux-{args.version}.xsd"
    schema_file.write_text(xsd.generate_xsd(get_schema(args.version)), encoding="utf-8")
    jobs = [("csv", int(n)) for n in args.sizes.split(",") if n]
    jobs += [("xlsx", int(n)) for n in args.xlsx_sizes.split(",") if n]
    several = len(engines) > 1
    for number, engine in enumerate(engines, start=1):
        print(f"{f'engine {number}' if several else 'engine'}: {engine}", end=" ")
        print(f"({_revision(engine) or 'no git'})")
    print(f"python: {args.python}   load: {os.getloadavg()[0]:.1f}   best of {args.repeat}")
    header = (
        f"{'input':>12} {'rows':>8} {'MB in':>6} {'exit':>4} {'wall s':>7} {'CPU s':>7} "
        f"{'RSS MB':>7} {'MB out':>7} {'xmllint wall':>12} {'CPU':>6} {'RSS':>5} {'CPU ratio':>9}"
    )
    print(("engine " if several else "") + header)
    results = {}
    for kind, count in jobs:
        source = (args.inputs or work) / f"input-{count}.{kind}"
        if not source.exists():
            (write_csv if kind == "csv" else write_xlsx)(source, count, args.version)
        measured = _measure(engines, source, work, kind, count, args, schema_file)
        for number, (engine, (ours, theirs, size)) in enumerate(measured.items(), start=1):
            line = _line(kind, count, source, ours, theirs, size)
            print((f"{number:>6} " if several else "") + line, flush=True)
            results[(engine, kind, count)] = ours
    for engine in engines:
        for count in sorted({n for e, kind, n in results if e == engine and kind == "xlsx"}):
            if (engine, "csv", count) in results:
                xlsx, csv_ = results[(engine, "xlsx", count)], results[(engine, "csv", count)]
                which = f"engine {engines.index(engine) + 1}: " if several else ""
                print(
                    f"{which}XLSX / CSV at {count} rows: "
                    f"{xlsx['wall'] / csv_['wall']:.2f} wall, {xlsx['cpu'] / csv_['cpu']:.2f} CPU"
                )
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
