"""A corpus of malformed inputs, generated, and what every answer to them
must respect (issue 8: bad input never crashes the engine, never loses a
row and never passes for a success).

Each class makes ``count`` inputs from a seeded random generator; every input
goes through the ``accrochage`` command as a user types it, with ``--json``,
and :func:`check` lists what went wrong:

- a traceback, an English system error, an exception out of the command, an
  exit code other than 0, 1 or 2;
- a row lost: ``lignes`` ≠ ``écrites`` + ``écartées``, a report line missing,
  passages in the XML that the counts do not show, or (where the generator
  knows it) fewer or more rows read than the input holds;
- a success that is not one: exit 0 without a passage in a file, ``validate``
  answering 0 on a flux the schema refuses, a receipt read as clean although
  it is not.

Run ``python -m tests.bad_input_corpus --count 200`` for the table per class;
``tests/test_bad_input_corpus.py`` runs a smaller one.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import random
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from accrochage import cli
from accrochage.export import write_passages_csv
from accrochage.samples import make_passage
from accrochage.xsd import load_schema
from tests.factories import rewrite_part, workbook
from tests.mutations import corpus as flux_corpus

REPORT = cli.REPORT_NAME
#: where the official kit lives when it is there (an oracle, never copied)
OFFICIAL_XSD = Path(__file__).resolve().parents[2] / "shared" / "cdc" / "flux-accrochage-1.1.2.xsd"

#: values a spreadsheet retyped by hand or another tool's export may hold
HOSTILE_VALUES = [
    "",
    "   ",
    "x" * 200_000,
    "A\x0bB",
    "A\x00B",
    "A\x1fB",
    "\ufeffMARTIN",
    '=HYPERLINK("http://x")',
    "+33 6 00",
    "31/02/2026",
    "2026-02-30",
    "13/13/13",
    "46000",
    "1e9",
    "-1",
    "0" * 40,
    "é" * 300,
    "MARTIN 🙂",
    "\u202eNITRAM",
    'a"b',
    "a;b",
    "ligne\nsuivante",
    "<passage>",
    "&amp;",
    "NaN",
    "null",
]

#: bytes that break a CSV or its encoding when they land anywhere
HOSTILE_BYTES = [b'"', b";", b",", b"\x00", b"\r", b"\n", b"\xff", b"\xe9", b"\x0b", b"\t", b'""']


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Case:
    kind: str  # build | validate | receipt
    name: str
    data: bytes
    suffix: str = ".csv"
    rows: int | None = None  # the rows the input holds, when the generator knows it


@dataclass
class Verdict:
    case: Case
    code: int | None
    problems: list
    seconds: float


# -- the inputs ----------------------------------------------------------------


def _passages(rng, count=None):
    count = count or rng.randint(1, 8)
    start = rng.randint(1, 10_000)
    return [make_passage(start + n) for n in range(count)]


#: the import layout's header: a row of dictionary ids, a row of labels
HEADER_ROWS = 2


def _csv_rows(passages):
    out = io.StringIO()
    write_passages_csv(passages, out)
    return list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))


def _csv_bytes(rows, encoding="utf-8"):
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding, errors="replace")


def _mutated_cells(rng, rows):
    """Hostile values in random cells of the data rows (never a whole row
    blank: a blank line is no row)."""
    for _ in range(rng.randint(1, 4)):
        row = rng.randrange(HEADER_ROWS, len(rows))
        column = rng.randrange(len(rows[row]))
        rows[row][column] = rng.choice(HOSTILE_VALUES)
        if not any(cell.strip() for cell in rows[row]):
            rows[row][0] = "P-BLANC"
    return rows


def csv_cells(rng, count):
    """Hostile values in cells of a well-formed CSV: every row is known."""
    for index in range(count):
        rows = _mutated_cells(rng, _csv_rows(_passages(rng)))
        encoding = rng.choice(["utf-8", "utf-8", "cp1252"])
        yield Case(
            "build", f"csv-cells/{index}", _csv_bytes(rows, encoding), rows=len(rows) - HEADER_ROWS
        )


def _damage(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        where = rng.randrange(len(data) + 1)
        action = rng.random()
        if action < 0.5:
            data[where:where] = rng.choice(HOSTILE_BYTES) * rng.choice([1, 1, 2, 5])
        elif action < 0.7:
            del data[where : where + rng.randint(1, 40)]
        elif action < 0.85:
            data[where:where] = data[where : where + rng.randint(1, 200)]
        else:
            del data[where:]
    return bytes(data)


def csv_bytes(rng, count):
    """Bytes inserted, dropped, repeated or cut anywhere in a CSV."""
    for index in range(count):
        data = _csv_bytes(_csv_rows(_passages(rng)))
        yield Case("build", f"csv-bytes/{index}", _damage(rng, data))


def _shapes(rng):
    rows = _csv_rows(_passages(rng, 4))
    head, data = rows[:HEADER_ROWS], rows[HEADER_ROWS:]
    good = _csv_bytes(rows)
    lines = good.split(b"\r\n")
    quoted = list(lines)
    quoted[HEADER_ROWS] = quoted[HEADER_ROWS].replace(b";", b';"', 1)
    return {
        "empty file": (b"", 0),
        "header only": (_csv_bytes(head), 0),
        "ids row only": (_csv_bytes(head[:1]), 0),
        "blank lines": (b"\r\n\r\n  \r\n;;;\r\n", 0),
        "header and blank lines": (_csv_bytes(head) + b"\r\n" * 50, 0),
        "bom": (b"\xef\xbb\xbf" + good, 4),
        "commas": (good.replace(b";", b","), None),
        "tabs": (good.replace(b";", b"\t"), None),
        "cr only": (good.replace(b"\r\n", b"\r"), 4),
        "lf only": (good.replace(b"\r\n", b"\n"), 4),
        "utf-16": (good.decode("utf-8").encode("utf-16"), None),
        "no header": (b"\r\n".join(lines[HEADER_ROWS:]), None),
        "unknown column": (_csv_bytes([[*head[0], "99.9"], *[[*r, "x"] for r in data]]), 4),
        "repeated column": (_csv_bytes([[*head[0], head[0][1]], *[[*r, "X"] for r in data]]), 4),
        "short rows": (_csv_bytes([*head, *[r[: len(r) // 2] for r in data]]), 4),
        "long rows": (_csv_bytes([*head, *[[*r, "a", "b", "c"] for r in data]]), 4),
        "unclosed quote": (b"\r\n".join(quoted), None),
        "megabyte of separators": (good + b";" * (1 << 20) + b"\r\n", None),
        "long unquoted field": (good + b"P-9;" + b"x" * 200_000 + b"\r\n", None),
        "random bytes": (rng.randbytes(rng.randint(1, 5000)), None),
        "a zip named .csv": (workbook(rows), None),
        "an xml named .csv": (b'<?xml version="1.0"?><flux/>', None),
    }


def csv_shape(rng, count):
    """The shapes a file takes on its way between tools."""
    shapes = list(_shapes(rng).items())
    for index in range(count):
        name, (data, rows) = shapes[index % len(shapes)]
        if index >= len(shapes):  # again, from other passages
            name, (data, rows) = name, _shapes(rng)[name]
        yield Case("build", f"csv-shape/{name}/{index}", data, rows=rows)


def _excel_escaped(text):
    """A control character as Excel stores it in a sheet (``_x000B_``)."""
    return CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


SHEET = "xl/worksheets/sheet1.xml"


def _damaged_workbook(rng, rows):
    good = workbook(rows)
    damages = [
        lambda: good[: rng.randrange(len(good))],
        lambda: rewrite_part(good, SHEET, lambda part: part[: rng.randrange(len(part))]),
        lambda: rewrite_part(good, SHEET, lambda part: _damage(rng, part)),
        lambda: rewrite_part(
            good,
            SHEET,
            lambda part: part.replace(
                b"?>", b'?><!DOCTYPE w [<!ENTITY e "' + b"x" * 1000 + b'">]>', 1
            ),
        ),
        lambda: rewrite_part(good, "xl/workbook.xml", lambda part: b"<workbook"),
        lambda: rewrite_part(good, "[Content_Types].xml", lambda part: b""),
        lambda: bytes(b ^ 0xFF if rng.random() < 0.01 else b for b in good),
        lambda: _csv_bytes(rows),  # a CSV named .xlsx
    ]
    return rng.choice(damages)()


def xlsx(rng, count):
    """Workbooks: hostile cells (every row known), then damaged archives."""
    for index in range(count):
        rows = _csv_rows(_passages(rng))
        if index % 2 == 0:
            rows = _mutated_cells(rng, rows)
            rows = [[_excel_escaped(cell) for cell in row] for row in rows]
            yield Case(
                "build", f"xlsx-cells/{index}", workbook(rows), ".xlsx", len(rows) - HEADER_ROWS
            )
        else:
            yield Case("build", f"xlsx-damaged/{index}", _damaged_workbook(rng, rows), ".xlsx")


def _hostile_flux(rng, base):
    text = base.decode("utf-8")
    body = text.split("?>", 1)[1] if text.startswith("<?xml") else text
    many_attributes = " ".join(f'a{n}="{n}"' for n in range(5000))
    return {
        "doctype": '<?xml version="1.0"?><!DOCTYPE flux SYSTEM "x.dtd">' + body,
        "entity": '<?xml version="1.0"?><!DOCTYPE f [<!ENTITY e "x">]>'
        + body.replace("</cpf:flux>", "&e;</cpf:flux>"),
        "external entity": '<?xml version="1.0"?><!DOCTYPE f [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        + body.replace("</cpf:flux>", "&e;</cpf:flux>"),
        "xml 1.1": '<?xml version="1.1" encoding="UTF-8"?>' + body,
        "attributes": body.replace("<cpf:flux ", f"<cpf:flux {many_attributes} ", 1),
        "siblings": body.replace("</cpf:flux>", "<cpf:x/>" * 100_000 + "</cpf:flux>"),
        "deep": body.replace("</cpf:flux>", "<a>" * 5000 + "</a>" * 5000 + "</cpf:flux>"),
        "cut": text[: rng.randrange(len(text))],
        "damaged": _damage(rng, base).decode("utf-8", errors="replace"),
        "empty": "",
        "not xml": "idTechnique;nomNaissance\nP-1;MARTIN\n",
    }


def flux(rng, count):
    """Flux documents for ``validate``: every constraint of the table broken
    once (tests/mutations.py), and hostile XML."""
    documents = flux_corpus()
    base = next(data for name, data in documents if name.startswith("base/"))
    for index in range(count):
        if index % 3 == 2:
            name, text = rng.choice(list(_hostile_flux(rng, base).items()))
            data = text.encode("utf-8", errors="replace")
        else:
            name, data = rng.choice(documents)
        yield Case("validate", f"flux/{name}/{index}", data, ".xml")


def _receipt(ko=(), ok=(), *, errors=None, header=True):
    from tests.test_receipt_cases import receipt_xml

    return receipt_xml(ko, ok, errors=errors, header=header).encode("utf-8")


def receipts(rng, count):
    """Accusés de traitement: repeated, contradictory and empty ids, empty
    sections, damaged and hostile XML."""
    ids = [f"P-{n:06d}" for n in range(1, 30)]
    message = "Aucun titulaire ne correspond aux critères obligatoires"
    for index in range(count):
        ok = rng.sample(ids, rng.randint(0, 6))
        ko = [(i, message) for i in rng.sample(ids, rng.randint(0, 4))]
        variant = rng.randrange(8)
        if variant == 0:
            ok = ok + ok[:2]
        elif variant == 1 and ok:
            ko.append((ok[0], message))
        elif variant == 2:
            ok.append("")
            ko.append(("", message))
        elif variant == 3:
            data = b'<?xml version="1.0"?><rapport><nomFichier>x</nomFichier></rapport>'
            yield Case("receipt", f"receipts/no sections/{index}", data, ".xml")
            continue
        data = _receipt(ko, ok)
        if variant == 4:
            data = _damage(rng, data)
        elif variant == 5:
            data = data.replace(b"?>", b'?><!DOCTYPE r [<!ENTITY e "x">]>', 1)
        elif variant == 6:
            data = _receipt([(i, "x" * 100_000) for i, _ in ko], ok)
        yield Case("receipt", f"receipts/{variant}/{index}", data, ".xml")


CLASSES = {
    "csv-cells": csv_cells,
    "csv-bytes": csv_bytes,
    "csv-shape": csv_shape,
    "xlsx": xlsx,
    "flux": flux,
    "receipts": receipts,
}


# -- the answers ---------------------------------------------------------------


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 2
        except Exception as error:  # the corpus reports it, it does not stop on it
            return None, "", f"Traceback (exception out of the command): {error!r}"
    return code, out.getvalue(), err.getvalue()


def _clean(code, text):
    problems = []
    if code not in (0, 1, 2):
        problems.append(f"exit code {code}")
    for mark in ("Traceback", "Errno", "erreur inattendue"):
        if mark in text:
            problems.append(f"« {mark} » printed")
    return problems


def _json(stdout):
    try:
        return json.loads(stdout)
    except ValueError:
        return None


def _xml_passages(path):
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    return len(tree.getroot().findall(".//{*}passageCertification"))


def _check_build(case, code, payload, out_dir):
    problems = []
    files = sorted(out_dir.glob("*.xml"))
    if code == 2:
        if files:
            problems.append("exit 2, yet a flux file was written")
        return problems
    counts = (payload or {}).get("compteurs")
    if counts is None:
        return [f"exit {code} without counts in --json"]
    rows, written, aside = counts["lignes"], counts["ecrites"], counts["ecartees"]
    if rows != written + aside:
        problems.append(f"{rows} rows read ≠ {written} written + {aside} set aside")
    in_files = sum(_xml_passages(path) for path in files)
    if in_files != written:
        problems.append(f"{in_files} passages in the files, {written} counted")
    report = out_dir / REPORT
    lines = list(csv.reader(io.StringIO(report.read_text("utf-8-sig")), delimiter=";"))[1:]
    if len(lines) != rows:
        problems.append(f"{len(lines)} report lines for {rows} rows")
    if sum(line[4] == "à corriger" for line in lines if len(line) > 4) != aside:
        problems.append("the report's « à corriger » lines are not the rows set aside")
    if case.rows is not None and rows != case.rows:
        problems.append(f"{rows} rows read, the input holds {case.rows}")
    if code == 0 and written == 0:
        problems.append("exit 0 without a passage to deposit")
    return problems


def _schemas():
    schemas = [load_schema("1.1.2")]
    if OFFICIAL_XSD.exists():
        schemas.append(etree.XMLSchema(etree.parse(str(OFFICIAL_XSD))))
    return schemas


def _check_validate(case, code, payload, path):
    if code != 0:
        return []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        document = etree.parse(str(path), parser)
    except etree.XMLSyntaxError:
        return ["exit 0 on a document that does not parse"]
    if document.docinfo.doctype or document.docinfo.xml_version != "1.0":
        return ["exit 0 on a DOCTYPE or a version other than XML 1.0"]
    refused = [schema for schema in _schemas() if not schema.validate(document)]
    return ["exit 0 on a flux the schema refuses"] if refused else []


def _check_receipt(case, code, payload):
    if code == 2 or payload is None:
        return [] if code == 2 else ["exit 0/1 without --json content"]
    problems = []
    accepted = payload["acceptes"]
    if len(set(accepted)) != len(accepted):
        problems.append("an id listed twice is counted twice")
    rejected = {entry["idTechnique"] for entry in payload["rejetes"]}
    both = (set(accepted) & rejected) - {""}
    flagged = {p["idTechnique"] for p in payload["anomaliesAccuse"]}
    if both - flagged:
        problems.append("an id both OK and KO is not flagged")
    if code == 0 and (
        rejected or payload["erreursFichier"] or not accepted + payload["dejaEnregistres"]
    ):
        problems.append("exit 0 on a receipt that is not clean")
    return problems


def check(case, folder):
    """The :class:`Verdict` of one input."""
    path = folder / f"input{case.suffix}"
    path.write_bytes(case.data)
    out_dir = folder / "out"
    argv = {
        "build": ["build", str(path), "-o", str(out_dir), "--json"],
        "validate": ["validate", str(path), "--json"],
        "receipt": ["receipt", str(path), "--json"],
    }[case.kind]
    start = time.monotonic()
    code, stdout, stderr = _run(argv)
    seconds = time.monotonic() - start
    problems = _clean(code, stdout + stderr)
    if code is not None:
        payload = _json(stdout)
        if case.kind == "build":
            problems += _check_build(case, code, payload, out_dir)
        elif case.kind == "validate":
            problems += _check_validate(case, code, payload, path)
        else:
            problems += _check_receipt(case, code, payload)
    return Verdict(case, code, problems, seconds)


def run_corpus(count, seed=20261201, classes=CLASSES):
    """Every class's verdicts: ``{class: [Verdict]}``."""
    verdicts = {}
    for name, generate in classes.items():
        rng = random.Random(f"{seed}/{name}")
        verdicts[name] = []
        for case in generate(rng, count):
            with tempfile.TemporaryDirectory() as folder:
                verdicts[name].append(check(case, Path(folder)))
    return verdicts


def table(verdicts):
    lines = ["classe       entrées  exit 0  exit 1  exit 2  problèmes  plus long (s)"]
    for name, found in verdicts.items():
        codes = Counter(v.code for v in found)
        problems = sum(bool(v.problems) for v in found)
        slowest = max((v.seconds for v in found), default=0)
        lines.append(
            f"{name:<12} {len(found):>7} {codes[0]:>7} {codes[1]:>7} {codes[2]:>7} "
            f"{problems:>10} {slowest:>14.2f}"
        )
    for found in verdicts.values():
        for verdict in found:
            for problem in verdict.problems:
                lines.append(f"  {verdict.case.name}: {problem}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100, help="inputs per class")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args(argv)
    verdicts = run_corpus(args.count, args.seed)
    print(table(verdicts))
    return 1 if any(v.problems for found in verdicts.values() for v in found) else 0


if __name__ == "__main__":
    raise SystemExit(main())
