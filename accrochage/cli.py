"""The ``accrochage`` command.

Exit codes: 0 everything is fine, 1 findings (a blocking finding, or any
finding with ``--strict``; no passage to deposit; a rejected passage in a
receipt; a flux file the CDC would refuse), 2 usage error (bad arguments, a
file that cannot be read or written). A French sentence on standard error,
never a Python traceback (``ACCROCHAGE_DEBUG=1`` shows it for a bug).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import sys
from importlib import resources

from . import __version__
from .dictionary import DEFAULT_VERSION, VERSIONS, get_schema
from .exceptions import AccrochageError
from .findings import SEVERITY_LABELS

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
#: the findings report written next to the flux files
REPORT_NAME = "rapport-anomalies.csv"
#: a finding's text on the console is cut there (the report has it whole)
CONSOLE_TEXT = 400
#: a text field of a finding in --json is cut there (a value is never echoed whole)
JSON_TEXT = 2000

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
    build.add_argument(
        "--now",
        help="horodatage imposé (AAAA-MM-JJTHH:MM:SS, heure de Paris) ; les délais sont "
        "comptés depuis ce jour",
    )
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
        "--accepted-ids",
        type=pathlib.Path,
        action="append",
        default=[],
        metavar="FICHIER",
        help="idTechnique déjà enregistrés par la Caisse des Dépôts (un par ligne)",
    )
    build.add_argument(
        "--accepted-receipts",
        type=pathlib.Path,
        nargs="+",
        default=[],
        metavar="ACCUSÉ",
        help="accusés de traitement précédents : leurs passages acceptés sont déjà enregistrés",
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
    validate.add_argument(
        "--report",
        type=pathlib.Path,
        metavar="FICHIER",
        help="écrire le rapport complet des anomalies (CSV) dans ce fichier",
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
        _say(str(error))
        return EXIT_USAGE
    except BrokenPipeError:  # the reader of our output went away (| head)
        return EXIT_USAGE
    except OSError as error:
        _say(_os_message(error))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say("interrompu : aucun fichier n'est laissé à moitié écrit.")
        return 130
    except Exception as error:
        if os.environ.get("ACCROCHAGE_DEBUG"):
            raise
        # never the error's text: it may hold a value of the input (personal data)
        _say(
            f"erreur inattendue ({type(error).__name__}) : c'est un défaut du logiciel, "
            "signalez-le avec la commande lancée (ACCROCHAGE_DEBUG=1 affiche le détail)."
        )
        return EXIT_USAGE


def _say(message):
    print(f"accrochage : {message}", file=sys.stderr)


def _os_message(error):
    from .pipeline import os_reason

    if error.filename:
        return f"« {error.filename} » : {os_reason(error)}."
    return f"fichier inaccessible : {os_reason(error)}."


def _emit(args, payload, text_lines):
    if getattr(args, "json", False):
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        for line in text_lines:
            print(line)


def _parse_now(text):
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        raise AccrochageError(
            f"--now : « {text} » n'est pas une date et heure AAAA-MM-JJTHH:MM:SS."
        ) from None


def _check_inputs(paths, kind):
    """A French message for an input that is missing, a folder or unreadable."""
    for path in paths:
        if not path.exists():
            raise AccrochageError(f"« {path} » introuvable : vérifiez le chemin du fichier.")
        if path.is_dir():
            raise AccrochageError(
                f"« {path} » est un dossier : donnez le chemin d'un fichier {kind}."
            )
        if not os.access(path, os.R_OK):
            raise AccrochageError(
                f"« {path} » ne peut pas être lu (droits d'accès) : vérifiez ses droits."
            )


# -- what every job prints ----------------------------------------------------


def _clip(text, limit):
    from .export import clip

    return clip(text, limit)


def _finding_payload(finding, origin=None):
    """A finding for --json: personal data masked, long texts cut."""
    from .export import mask_personal

    payload = {}
    for key, value in finding.as_dict().items():
        if isinstance(value, str):
            if key in ("message", "detail"):
                value = mask_personal(value)
            value = _clip(value, JSON_TEXT)
        payload[key] = value
    if origin:
        payload["fichier"] = origin
    return payload


class _JsonStream:
    """``--json`` written as the job goes: the findings first, one at a time,
    then the files and counts once they are known; always a whole document.

    The findings go to a temporary file, copied to ``out`` at the end: the
    job may start over once (a repeated idTechnique), and memory stays flat.
    """

    def __init__(self, out):
        import tempfile

        self.out = out
        self.spool = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.count = 0

    def __call__(self, outcome):
        for finding in outcome.findings:
            self.finding(finding, outcome.origin)

    def finding(self, finding, origin=None):
        text = json.dumps(_finding_payload(finding, origin), ensure_ascii=False, default=str)
        self.spool.write(("," if self.count else "") + "\n    " + text)
        self.count += 1

    def restart(self):
        self.spool.seek(0)
        self.spool.truncate()
        self.count = 0

    def close(self, **fields):
        out = self.out
        out.write('{\n  "anomalies": [')
        self.spool.seek(0)
        while chunk := self.spool.read(1 << 16):
            out.write(chunk)
        self.spool.close()
        out.write("\n  ]" if self.count else "]")
        for key, value in fields.items():
            text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
            out.write(f",\n  {json.dumps(key)}: " + text.replace("\n", "\n  "))
        out.write("\n}\n")
        out.flush()


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


def _rule_lines(result, schema):
    counts = result.counts
    if not counts.by_rule:
        return []
    lines = [
        f"Anomalies : {counts.blocking} bloquante(s), {counts.warnings} avertissement(s), "
        "par règle :"
    ]
    for (severity, code, dico_id), number in counts.by_rule.most_common():
        node = schema.by_dico_id.get(dico_id) if dico_id else None
        where = f"  {node.ref}" if node is not None else ""
        label = SEVERITY_LABELS.get(severity, severity)
        lines.append(f"  {number:>7} × {label:<13} {code:<24}{where}")
    total = counts.blocking + counts.warnings
    shown = result.first_findings
    title = "Anomalies"
    if len(shown) < total:
        title = f"Premières anomalies ({len(shown)} sur {total})"
    lines.append(f"{title} :")
    lines.extend(f"  {_clip(str(finding), CONSOLE_TEXT)}" for finding in shown)
    return lines


def _notice(result):
    """The schema's warning, as ``accrochage schema`` prints it."""
    return f"Attention : {result.notice}."


def _exit_code(result, strict):
    counts = result.counts
    if counts.blocking or (strict and counts.warnings):
        return EXIT_FINDINGS
    return EXIT_OK


# -- build ---------------------------------------------------------------


def _options(args, **extra):
    from .pipeline import Options

    return Options(version=args.schema_version, strict=getattr(args, "strict", False), **extra)


def build(source, output, options, *, json_out=None, progress=True):
    """The ``build`` job on a source: flux files and the report in ``output``.

    Returns the pipeline's :class:`~accrochage.pipeline.Result`; ``json_out``
    is a stream that receives the findings as ``--json`` as they come.
    """
    from .pipeline import output_dir, run
    from .progress import Progress

    output = output_dir(output)
    total = getattr(source, "total_bytes", 0)
    bar = Progress(
        "Lecture, contrôle et écriture",
        total,
        enabled=progress and sys.stderr.isatty(),
        min_total=2_000_000,
        unit="Mo",
    )
    try:
        return run(
            source,
            output,
            options=options,
            on_row=[json_out] if json_out is not None else (),
            report=output / REPORT_NAME,
            progress=bar,
        )
    finally:
        bar.close()


def _build_summary(result):
    counts = result.counts
    lines = [_notice(result)] if result.notice else []
    lines.append(counts.line())
    for f in result.files:
        lines.append(f"  → {f.path} ({f.passage_count} passage(s), idFlux {f.id_flux})")
    nothing = _nothing_to_deposit(result)
    if nothing:
        lines.append(f"Aucun passage à déposer : {nothing}")
    return lines


def _nothing_to_deposit(result):
    """Why no file was written, or None when one was."""
    if result.files:
        return None
    if not result.counts.rows:
        return (
            "le fichier ne contient aucune ligne de passage (en-tête seul, lignes vides ou "
            "modèle non rempli). Saisissez les passages sous la ligne d'en-tête."
        )
    return "toutes les lignes sont écartées ; corrigez-les d'après le rapport."


def _cmd_build(args):
    from .pipeline import FileSource, read_accepted_ids

    now = _parse_now(args.now)
    _check_inputs(args.inputs, "CSV ou XLSX")
    _check_inputs(args.accepted_ids + args.accepted_receipts, "texte ou XML")
    if args.max_passages < 1 or args.max_mb <= 0:
        raise AccrochageError("--max-passages et --max-mb doivent être positifs.")
    options = _options(
        args,
        now=now,
        max_passages=args.max_passages,
        max_bytes=int(args.max_mb * 1_000_000),
        short_lengths=args.short_lengths,
        accepted_ids=read_accepted_ids(args.accepted_ids, args.accepted_receipts),
    )
    source = FileSource(args.inputs, version=args.schema_version)
    stream = _JsonStream(sys.stdout) if args.json else None
    try:
        result = build(source, args.output, options, json_out=stream, progress=not args.json)
    except AccrochageError as error:
        if stream is not None:
            stream.close(erreur=str(error))
        raise
    nothing = _nothing_to_deposit(result)
    code = EXIT_FINDINGS if nothing else _exit_code(result, args.strict)
    if stream is not None:
        stream.close(
            fichiers=_files_payload(result.files),
            compteurs={**result.counts.as_dict(), "rapport": str(result.report)},
            message=f"Aucun passage à déposer : {nothing}" if nothing else None,
            avis=result.notice or None,
        )
        return code
    for line in _build_summary(result) + _rule_lines(result, get_schema(args.schema_version)):
        print(line)
    print(f"Rapport complet : {result.report}")
    return code


# -- validate ------------------------------------------------------------


def _cmd_validate(args):
    from .pipeline import FluxSource, run

    _check_inputs([args.file], "XML")
    if args.xsd:
        _check_inputs([args.xsd], "XSD")
    source = FluxSource(args.file, version=args.schema_version, xsd=args.xsd)
    stream = _JsonStream(sys.stdout) if args.json else None
    try:
        result = run(
            source,
            None,
            options=_options(args),
            on_row=[stream] if stream is not None else (),
            report=args.report,
        )
    except AccrochageError as error:
        if stream is not None:
            stream.close(erreur=str(error))
        raise
    passages = result.counts.rows
    verdict = "NON conforme" if result.counts.blocking else "conforme"
    if stream is not None:
        stream.close(
            fichier=str(args.file),
            passages=passages,
            conforme=not result.counts.blocking,
            compteurs=result.counts.as_dict(),
            avis=result.notice or None,
        )
        return _exit_code(result, args.strict)
    lines = [_notice(result)] if result.notice else []
    lines.append(
        f"{args.file} : {passages} passage(s), {verdict} "
        f"(schéma {args.schema_version}{', XSD officiel' if args.xsd else ''})."
    )
    lines.extend(_rule_lines(result, get_schema(args.schema_version)))
    if args.report:
        lines.append(f"Rapport complet : {args.report}")
    elif result.counts.blocking + result.counts.warnings > len(result.first_findings):
        lines.append("Liste complète : --report FICHIER.csv ou --json.")
    for line in lines:
        print(line)
    return _exit_code(result, args.strict)


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
    from .pipeline import FileSource, Options

    with resources.as_file(demo_data_path()) as data:
        result = build(FileSource([data]), args.output, Options(), progress=False)
    print("Démonstration : données fictives d'un certificateur (2 certifications).")
    for line in _build_summary(result) + _rule_lines(result, get_schema(DEFAULT_VERSION)):
        print(line)
    print(f"Rapport complet : {result.report}")
    print()
    print("Les passages écartés ci-dessus montrent ce que signale le contrôle avant envoi ;")
    print("le rapport CSV indique, pour chacun, quoi corriger.")
    print()
    print(NEXT_STEPS)
    return EXIT_OK if result.files else EXIT_FINDINGS


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
