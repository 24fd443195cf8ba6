"""Benchmark: build and validate a large deposit end to end, then time
``xmllint --stream --schema`` on the same output (not a test; prints figures).

    python bench/bench_build.py --passages 200000

Targets (issue #2): ours / xmllint <= 1.5 and peak RSS <= 150 MB.
"""

from __future__ import annotations

import argparse
import datetime
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from accrochage import xsd  # noqa: E402
from accrochage.dictionary import get_schema  # noqa: E402
from accrochage.writer import write_deposit  # noqa: E402
from tests.factories import make_passage  # noqa: E402

NOW = datetime.datetime(2026, 11, 26, 15, 30, 45)
CODES = (("RNCP", "RNCP35726"), ("RNCP", "RNCP34567"), ("RS", "RS5875"), ("RS", "RS6012"))
NAMES = ("MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND")
FIRST = ("Élodie", "Jean", "Chloé", "Karim", "Zoé", "Hervé", "Inès", "Léa")


def varied_passages(count, certifications=None):
    """Passages in certification order (as an export would sort them), with
    both identification ways, both birth-place forms, nils, DigComp results.

    A few dozen templates are built with the test factory, then copied with
    a new ``idTechnique``, so the generator costs little next to the writer.
    """
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
            yield passage


def _variant(index, type_, code):
    passage = make_passage(
        index,
        type=type_,
        code=code,
        nomNaissance=NAMES[index % len(NAMES)],
        prenom1=FIRST[index % len(FIRST)],
        anneeNaissance=1960 + index % 45,
        moisNaissance=None if index % 11 == 0 else 1 + index % 12,
        jourNaissance=None if index % 11 == 0 else 1 + index % 28,
        sexe="MF"[index % 2],
    )
    shape = index % 5
    if shape == 1:  # postal code, sometimes unknown (nil)
        passage.update(codeInsee=None, codePostal=None if index % 10 == 1 else "75009")
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
    elif shape == 3:  # DigComp block and a language level
        passage.update(
            presenceNiveauNumeriqueEuro=True,
            scoreGeneral=100 + index % 900,
            resultats=[
                {"niveau": 1 + index % 8, "domaineCompetenceId": "3", "competenceId": "4"},
                {"niveau": 2, "domaineCompetenceId": "1", "competenceId": "1"},
            ],
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


def _cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=200_000)
    parser.add_argument("--version", default="1.1.2")
    parser.add_argument("--no-validate", action="store_true", help="skip the per-passage check")
    parser.add_argument("--keep", metavar="DIR", help="write there and keep the output")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    args = parser.parse_args(argv)

    out_dir = pathlib.Path(args.keep or tempfile.mkdtemp(prefix="accrochage-bench-"))
    # compile the schemas before the clock starts, as a long-lived process would
    schema = get_schema(args.version)
    xsd.load_schema(args.version)
    xsd.load_schema(args.version, schema.passage_path)
    rss_before = peak_rss_mb()

    def run():
        return write_deposit(
            varied_passages(args.passages),
            out_dir,
            version=args.version,
            now=NOW,
            max_passages=max(args.passages, 1),
            validate=not args.no_validate,
        )

    cpu_start = _cpu(resource.RUSAGE_SELF)
    start = time.perf_counter()
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        files = profiler.runcall(run)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    else:
        files = run()
    ours = time.perf_counter() - start
    ours_cpu = _cpu(resource.RUSAGE_SELF) - cpu_start
    rss = peak_rss_mb()
    size = sum(f.size for f in files)
    print(f"passages            {args.passages:,}")
    print(f"files               {len(files)}")
    print(f"output              {size / 1e6:.1f} MB")
    checked = "validated" if not args.no_validate else "not validated"
    print(f"write_deposit       {ours:.2f} s wall, {ours_cpu:.2f} s CPU ({checked})")
    print(f"peak RSS            {rss:.0f} MB (before the run: {rss_before:.0f} MB)")

    xmllint = shutil.which("xmllint")
    if xmllint:
        schema_file = out_dir / f"flux-{args.version}.xsd"
        schema_file.write_text(xsd.generate_xsd(schema), encoding="utf-8")
        cpu_start = _cpu(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        for written in files:
            result = subprocess.run(
                [xmllint, "--stream", "--noout", "--schema", str(schema_file), str(written.path)],
                capture_output=True,
                text=True,
            )
            if result.returncode:
                print(result.stderr[-2000:])
        theirs = time.perf_counter() - start
        theirs_cpu = _cpu(resource.RUSAGE_CHILDREN) - cpu_start
        verdict = "valid" if not result.returncode else "INVALID"
        print(f"xmllint --stream    {theirs:.2f} s wall, {theirs_cpu:.2f} s CPU ({verdict})")
        print(
            f"ratio ours/xmllint  {ours / theirs:.2f} wall (target <= 1.5), "
            f"{ours_cpu / theirs_cpu:.2f} CPU"
        )
    else:
        print("xmllint absent: ratio not measured")
    if not args.keep:
        shutil.rmtree(out_dir)


if __name__ == "__main__":
    main()
