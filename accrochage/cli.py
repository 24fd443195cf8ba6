"""The ``accrochage`` command.

Exit codes: 0 everything is fine, 1 findings (a blocking finding, or any
finding with ``--strict``; a rejected passage in a receipt), 2 usage error
(bad arguments, unreadable file).
"""

from __future__ import annotations

import argparse
import datetime
import json
import pathlib
import sys
from importlib import resources

from . import __version__
from .dictionary import DEFAULT_VERSION, VERSIONS, get_schema
from .exceptions import AccrochageError
from .findings import BLOCKING, Finding
from .progress import Progress

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

NEXT_STEPS = """\
Et maintenant, sur le portail des certificateurs de la Caisse des Dépôts
(https://certificateurs.moncompteformation.gouv.fr/espace-prive) :
  1. onglet « Transmettre des données », puis « Déposer un fichier XML » ;
  2. déposez chaque fichier ci-dessus (un fichier par certificateur) ;
  3. un accusé de réception s'affiche, puis un accusé de traitement
     (PassagesOK / PassagesKO) ; téléchargez-le ;
  4. lisez-le avec : accrochage receipt <accusé.xml>
     et corrigez les passages rejetés avant de les déposer à nouveau,
     dans un nouveau fichier, dans les 3 mois suivant la délivrance.
"""


def _parser():
    parser = argparse.ArgumentParser(
        prog="accrochage",
        description="Flux « accrochage certificateur » de la Caisse des Dépôts.",
    )
    parser.add_argument("--version", action="version", version=f"accrochage {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    def schema_option(sub):
        sub.add_argument(
            "-V",
            "--version",
            "--schema-version",
            dest="schema_version",
            default=DEFAULT_VERSION,
            choices=VERSIONS,
            help=f"version du schéma CDC (défaut : {DEFAULT_VERSION})",
        )

    build = commands.add_parser(
        "build", help="fichiers CSV/XLSX → fichiers XML à déposer et rapport des anomalies"
    )
    build.add_argument("inputs", nargs="+", type=pathlib.Path, help="fichiers CSV ou XLSX")
    build.add_argument(
        "-o",
        "--output",
        type=pathlib.Path,
        default=pathlib.Path("depot"),
        help="dossier de sortie (défaut : ./depot)",
    )
    schema_option(build)
    build.add_argument("--now", help="horodatage imposé (AAAA-MM-JJTHH:MM:SS, heure de Paris)")
    build.add_argument(
        "--max-passages",
        type=int,
        default=200_000,
        help="passages au plus par fichier (défaut : 200000)",
    )
    build.add_argument(
        "--max-mb",
        type=float,
        default=200.0,
        help="taille maximale d'un fichier en Mo (défaut : 200)",
    )
    build.add_argument(
        "--short-lengths",
        action="store_true",
        help="appliquer les longueurs courtes du dictionnaire (30/20/40)",
    )
    build.add_argument(
        "--strict", action="store_true", help="les avertissements comptent aussi (code de sortie 1)"
    )
    build.add_argument("--json", action="store_true", help="résultat en JSON")

    validate = commands.add_parser("validate", help="vérifier un fichier XML (schéma et règles)")
    validate.add_argument("file", type=pathlib.Path)
    schema_option(validate)
    validate.add_argument(
        "--xsd",
        type=pathlib.Path,
        help="XSD officiel du kit CDC, vérifié en plus du schéma intégré",
    )
    validate.add_argument("--strict", action="store_true")
    validate.add_argument("--json", action="store_true")

    receipt = commands.add_parser("receipt", help="résumer un accusé de traitement")
    receipt.add_argument("file", type=pathlib.Path)
    receipt.add_argument("--json", action="store_true")

    schema = commands.add_parser("schema", help="afficher le XSD généré depuis le dictionnaire")
    schema_option(schema)

    dictionary = commands.add_parser(
        "dictionary", help="afficher le dictionnaire des données (Markdown)"
    )
    schema_option(dictionary)

    demo = commands.add_parser("demo", help="déposer les données fictives fournies")
    demo.add_argument("-o", "--output", type=pathlib.Path, default=pathlib.Path("demo-output"))
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    handler = globals()["_cmd_" + args.command]
    try:
        return handler(args)
    except AccrochageError as error:
        print(f"accrochage : {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"accrochage : fichier inaccessible : {error}", file=sys.stderr)
        return EXIT_USAGE


def _emit(args, payload, text_lines):
    if getattr(args, "json", False):
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        for line in text_lines:
            print(line)


def _exit_code(findings, strict):
    if any(f.severity == BLOCKING for f in findings) or (strict and findings):
        return EXIT_FINDINGS
    return EXIT_OK


def _parse_now(text):
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        raise AccrochageError(
            f"--now : « {text} » n'est pas une date et heure AAAA-MM-JJTHH:MM:SS."
        ) from None


# -- build ---------------------------------------------------------------


def build_deposit(
    inputs,
    output,
    *,
    version,
    now=None,
    max_passages=200_000,
    max_bytes=200_000_000,
    short_lengths=False,
    today=None,
    show_progress=True,
):
    """Import, check and write: the whole ``build`` job, reusable by ``demo``.

    Returns ``(files, findings, counts)``. Passages with a blocking finding
    are left out of the files and listed in the report; nothing is dropped
    silently.
    """
    from .export import write_findings_csv
    from .importer import read_passages
    from .rules import check_passage, normalize_passage
    from .writer import write_deposit

    today = today or datetime.date.today()
    findings, ready, report_rows = [], [], []
    for path in inputs:
        imported = read_passages(path, version=version)
        findings.extend(imported.findings)
        bad_rows = {f.row for f in imported.findings if f.severity == BLOCKING}
        for row, passage in imported.passages:
            passage = normalize_passage(passage, version=version)
            passage_findings = [
                _with_row(f, row)
                for f in check_passage(
                    passage, version=version, today=today, short_lengths=short_lengths
                )
            ]
            findings.extend(passage_findings)
            row_findings = [f for f in imported.findings if f.row == row] + passage_findings
            report_rows.append((passage, row_findings))
            if row not in bad_rows and not any(f.blocking for f in passage_findings):
                ready.append(passage)
    output.mkdir(parents=True, exist_ok=True)
    progress = Progress("Écriture", total=len(ready), enabled=show_progress)
    files = (
        write_deposit(
            ready,
            output,
            version=version,
            now=now,
            max_passages=max_passages,
            max_bytes=max_bytes,
            progress=progress.update,
        )
        if ready
        else []
    )
    progress.close()
    report = output / "rapport-anomalies.csv"
    with open(report, "w", encoding="utf-8-sig", newline="") as handle:
        write_findings_csv(report_rows, handle, version=version)
    counts = {
        "passages": len(report_rows),
        "deposes": len(ready),
        "ecartes": len(report_rows) - len(ready),
        "bloquants": sum(1 for f in findings if f.blocking),
        "avertissements": sum(1 for f in findings if not f.blocking),
        "rapport": str(report),
    }
    return files, findings, counts


def _with_row(finding: Finding, row):
    if finding.row is not None:
        return finding
    return Finding(**{**finding.__dict__, "row": row})


def _files_payload(files):
    return [
        {
            "fichier": str(f.path),
            "idFlux": f.id_flux,
            "horodatage": f.horodatage,
            "certificateur": f.id_client_certificateur,
            "passages": f.passage_count,
            "octets": f.size,
        }
        for f in files
    ]


def _cmd_build(args):
    now = _parse_now(args.now)
    files, findings, counts = build_deposit(
        args.inputs,
        args.output,
        version=args.schema_version,
        now=now,
        max_passages=args.max_passages,
        max_bytes=int(args.max_mb * 1_000_000),
        short_lengths=args.short_lengths,
        show_progress=not args.json,
    )
    lines = _build_summary(files, findings, counts)
    _emit(
        args,
        {
            "fichiers": _files_payload(files),
            "compteurs": counts,
            "anomalies": [f.as_dict() for f in findings],
        },
        lines,
    )
    return _exit_code(findings, args.strict)


def _build_summary(files, findings, counts):
    lines = [
        f"{counts['passages']} passage(s) lus, {counts['deposes']} prêts à déposer, "
        f"{counts['ecartes']} écartés (anomalie bloquante).",
    ]
    for f in files:
        lines.append(f"  → {f.path} ({f.passage_count} passage(s), idFlux {f.id_flux})")
    if findings:
        lines.append(
            f"{counts['bloquants']} anomalie(s) bloquante(s), "
            f"{counts['avertissements']} avertissement(s) :"
        )
        lines.extend(f"  {finding}" for finding in findings)
    lines.append(f"Rapport détaillé : {counts['rapport']}")
    return lines


# -- validate ------------------------------------------------------------


def _cmd_validate(args):
    from .reader import iter_passages
    from .rules import check_passage
    from .writer import validate_file

    findings = list(validate_file(args.file, version=args.schema_version))
    if args.xsd:
        findings.extend(
            Finding(
                f.severity,
                f.code,
                "[XSD officiel] " + f.message,
                f.field,
                f.dico_id,
                f.passage,
                f.row,
                f.column,
                f.detail,
            )
            for f in validate_file(args.file, version=args.schema_version, xsd=args.xsd)
        )
    count = 0
    if not any(f.code == "xml_syntax" for f in findings):
        for line, passage, problems in iter_passages(args.file, version=args.schema_version):
            count += 1
            findings.extend(
                Finding(
                    BLOCKING, "value", str(p), p.field, p.dico_id, passage.get("idTechnique"), line
                )
                for p in problems
            )
            findings.extend(
                _with_row(f, line) for f in check_passage(passage, version=args.schema_version)
            )
    verdict = "conforme" if not any(f.blocking for f in findings) else "NON conforme"
    lines = [
        f"{args.file} : {count} passage(s), {verdict} "
        f"(schéma {args.schema_version}{', XSD officiel' if args.xsd else ''})."
    ]
    lines.extend(f"  {finding}" for finding in findings)
    _emit(
        args,
        {
            "fichier": str(args.file),
            "passages": count,
            "conforme": verdict == "conforme",
            "anomalies": [f.as_dict() for f in findings],
        },
        lines,
    )
    return _exit_code(findings, args.strict)


# -- receipt -------------------------------------------------------------


def _cmd_receipt(args):
    from .receipt import exit_status, parse_receipt, summary_lines, summary_payload

    receipt = parse_receipt(args.file)
    _emit(args, summary_payload(receipt), summary_lines(receipt))
    return exit_status(receipt)


# -- schema and demo -----------------------------------------------------


def _cmd_schema(args):
    from .xsd import generate_xsd

    schema = get_schema(args.schema_version)
    if schema.notice:  # on stderr: stdout is the XSD, often redirected to a file
        print(f"Attention : {schema.notice}.", file=sys.stderr)
    sys.stdout.write(generate_xsd(schema))
    return EXIT_OK


def _cmd_dictionary(args):
    from .docs import render_markdown

    sys.stdout.write(render_markdown(get_schema(args.schema_version)))
    return EXIT_OK


def demo_data_path():
    return resources.files("accrochage") / "demo" / "passages.csv"


def _cmd_demo(args):
    with resources.as_file(demo_data_path()) as data:
        files, findings, counts = build_deposit(
            [data], args.output, version=DEFAULT_VERSION, show_progress=False
        )
    print("Démonstration : données fictives d'un certificateur (2 certifications).")
    for line in _build_summary(files, findings, counts):
        print(line)
    print()
    print("Les passages écartés ci-dessus montrent ce que signale le contrôle avant envoi ;")
    print("le rapport CSV indique, pour chacun, quoi corriger.")
    print()
    print(NEXT_STEPS)
    return EXIT_OK if files else EXIT_FINDINGS


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
