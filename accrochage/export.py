"""CSV exports: a findings report, and passages in the import layout.

Both files are UTF-8 with a BOM and ``;`` separators, so a French
spreadsheet opens them as they are. Every cell that a spreadsheet would read
as a formula (``= + - @``, tab, carriage return) is prefixed with ``'``
(OWASP "CSV injection"); :func:`accrochage.importer.read_passages` removes
that prefix again, so an exported file reads back unchanged.

Personal data stays out: the findings report carries no NIR and no birth day
or month (any NIR-shaped number in a message is masked), and the passages
export never writes the NIR.

>>> import io
>>> from accrochage.findings import Finding, BLOCKING
>>> out = io.StringIO()
>>> write_findings_csv(
...     [({"idTechnique": "P-1", "nomNaissance": "=MARTIN", "code": "RS5875"},
...       [Finding(BLOCKING, "x", "Code absent.")])], out)
>>> out.getvalue().splitlines()[1]
";P-1;'=MARTIN;RS5875;à corriger;1;0;[bloquant] Code absent."
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import re

from .dictionary import Boolean, get_schema, personal_keys
from .findings import SEVERITY_LABELS, WARNING, Finding
from .importer import FORMULA_CHARS, PRIVATE_KEYS, column_labels, item_group
from .values import to_xml_text

#: a NIR (13 or 15 characters, Corsica 2A/2B), as it could slip into a message
_NIR = re.compile(r"\b[1-478]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}(?:\s?\d{2})?\b")
#: never exported: the NIR is the only key the import layout leaves out
_NOT_EXPORTED = personal_keys("nir")

STATUS_BLOCKED = "à corriger"
STATUS_CHECK = "à vérifier"
STATUS_READY = "prêt"


def safe_cell(value):
    """Text of a cell that no spreadsheet runs as a formula.

    >>> safe_cell("=1+1"), safe_cell("-12"), safe_cell("Lyon"), safe_cell(None)
    ("'=1+1", "'-12", 'Lyon', '')
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_CHARS) else text


def mask_personal(text):
    """Mask NIR-shaped numbers in a message.

    >>> mask_personal("NIR 1 90 05 75 123 456 78 refusé")
    'NIR [NIR masqué] refusé'
    """
    return _NIR.sub("[NIR masqué]", text)


@contextlib.contextmanager
def _text_out(out):
    """A text stream on a path, a text stream or a binary stream, BOM first."""
    if isinstance(out, (io.RawIOBase, io.BufferedIOBase)):
        stream = io.TextIOWrapper(out, encoding="utf-8", newline="")
        try:
            stream.write("\ufeff")
            yield stream
        finally:
            stream.flush()
            stream.detach()
    elif hasattr(out, "write"):
        out.write("\ufeff")
        yield out
    else:
        with open(out, "w", encoding="utf-8", newline="") as stream:
            stream.write("\ufeff")
            yield stream


def _writer(stream):
    return csv.writer(stream, delimiter=";", lineterminator="\r\n")


def _holder(passage):
    """Display name of the holder: civil-status names, else CPF-file names."""
    get = passage.get
    name, first = get("nomNaissance"), get("prenom1")
    if not (name or first):
        name, first = get("nomTitulaire"), get("prenom1Titulaire")
    if name and first:
        return f"{name} {first}"
    return str(name or first or "")


def _status(findings):
    if any(finding.blocking for finding in findings):
        return STATUS_BLOCKED
    return STATUS_CHECK if findings else STATUS_READY


def _finding_text(finding):
    label = SEVERITY_LABELS.get(finding.severity, finding.severity)
    return f"[{label}] {mask_personal(finding.message)}"


#: a spreadsheet cell holds at most this many characters (Excel, LibreOffice)
CELL_LIMIT = 32_767


def clip(text, limit=CELL_LIMIT):
    """``text`` cut to ``limit`` characters, saying how much was cut.

    >>> clip("x" * 50, 30)
    'xxxxx… [coupé : 50 caractères]'
    >>> clip("court", 30)
    'court'
    """
    if len(text) <= limit:
        return text
    mark = f"… [coupé : {len(text)} caractères]"
    return text[: max(0, limit - len(mark))] + mark


def _report_cell(value):
    if value.__class__ is str and value and not value.startswith(FORMULA_CHARS):
        return value if len(value) <= CELL_LIMIT else clip(value)
    return clip(safe_cell(value))


def _plain_cell(value):
    """A short text that :func:`_report_cell` leaves as it is."""
    return value.__class__ is str and value[:1].isalnum() and len(value) <= CELL_LIMIT


#: the end of the line of a row written without a finding
_READY_TAIL = f";{STATUS_READY};0;0;\r\n"


def _ready_line(row, passage):
    """The line the ``csv`` writer would write for a row without a finding,
    when none of its cells needs quoting or guarding; else None. Formatted
    at once: the ``csv`` writer's per-character work on every line was
    about 2 % of a build's instructions."""
    get = passage.get
    ident, code, holder = get("idTechnique"), get("code"), _holder(passage)
    if not (
        row.__class__ is int and _plain_cell(ident) and _plain_cell(code) and _plain_cell(holder)
    ):
        return None
    line = f"{row};{ident};{holder};{code}{_READY_TAIL}"
    # the csv writer quotes a cell holding the delimiter, a quote or a line break
    if line.count(";") != 7 or '"' in line or "\n" in line[:-1] or "\r" in line[:-2]:
        return None
    return line


def _line_facts(passage):
    """idTechnique, holder and certification code of a report line."""
    get = passage.get
    return get("idTechnique"), _holder(passage), get("code")


class FindingsReport:
    """The findings report, written one row at a time (a streaming sink).

    One line per row read: its source row, idTechnique, holder, certification,
    status and findings; a line with an empty row for findings about the
    file itself. UTF-8 with one BOM; cells cut at :data:`CELL_LIMIT`
    characters with a mark; no NIR (masked even inside a message).
    ``with_origin`` adds a first column naming the input file.

    >>> import io
    >>> from accrochage.findings import Finding, BLOCKING
    >>> out = io.StringIO()
    >>> with FindingsReport(out) as report:
    ...     report.add(4, {"idTechnique": "P-1", "code": "RS5875"},
    ...                [Finding(BLOCKING, "x", "Code absent.")])
    >>> out.getvalue().splitlines()[1]
    '4;P-1;;RS5875;à corriger;1;0;[bloquant] Code absent.'
    """

    def __init__(self, out, *, version="1.1.2", with_origin=False):
        schema = get_schema(version)
        self.with_origin = with_origin
        self._context = _text_out(out)
        self._stream = self._context.__enter__()
        self._writer = _writer(self._stream)
        self._restartable = not hasattr(out, "write")
        self._header = [
            "Ligne",
            schema.by_key["idTechnique"].label,
            "Titulaire",
            schema.by_key["code"].label,
            "Statut",
            "Bloquants",
            "Avertissements",
            "Constats",
        ]
        if with_origin:
            self._header.insert(0, "Fichier")
        self._writer.writerow(self._header)

    def restart(self):
        """Start the report over (a job that runs again); only on a path."""
        if not self._restartable:
            raise ValueError("a report written to a stream cannot start over")
        self._stream.seek(0)
        self._stream.truncate()
        self._stream.write("\ufeff")
        self._writer.writerow(self._header)

    def add(self, row, passage, findings, origin=None, written=None):
        """One line; ``written`` False marks a row left out of the flux."""
        passage = passage or {}
        if not findings and written is not False:  # the usual row: nothing to say
            line = None if self.with_origin else _ready_line(row, passage)
            if line is not None:
                self._stream.write(line)
                return
            cells = [row, *map(_report_cell, _line_facts(passage)), STATUS_READY, 0, 0, ""]
            if self.with_origin:
                cells.insert(0, _report_cell(origin))
            self._writer.writerow(cells)
            return
        blocking = sum(1 for finding in findings if finding.blocking)
        status = STATUS_BLOCKED if written is False and row is not None else _status(findings)
        cells = [
            row,
            *_line_facts(passage),
            status,
            blocking,
            len(findings) - blocking,
            " | ".join(_finding_text(finding) for finding in findings),
        ]
        if self.with_origin:
            cells.insert(0, origin)
        self._writer.writerow([_report_cell(c) for c in cells])

    def __call__(self, outcome):
        """Take a :class:`accrochage.pipeline.RowOutcome` (a pipeline sink)."""
        self.add(outcome.row, outcome.passage, outcome.findings, outcome.origin, outcome.written)

    def close(self):
        if self._context is not None:
            self._context.__exit__(None, None, None)
            self._context = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def write_findings_csv(rows, out, *, version="1.1.2"):
    """Write a whole findings report (see :class:`FindingsReport`).

    ``rows``: ``(passage, findings)`` or ``(row_number, passage, findings)``
    items; ``passage`` may be ``None`` for file-level findings.
    """
    with FindingsReport(out, version=version) as report:
        for item in rows:
            row, passage, findings = item if len(item) == 3 else (None, *item)
            report.add(row, passage, findings)


def write_table_csv(header, rows, out):
    """A plain table, a header row then ``rows``, in the format of the other exports.

    For figures pasted into other files (the addon's indicators): every cell
    goes through :func:`safe_cell`, the header too.

    >>> out = io.StringIO()
    >>> write_table_csv(["Code", "Taux"], [["=RS1", "66,7"], ["RS2", None]], out)
    >>> out.getvalue().splitlines()
    ['\\ufeffCode;Taux', "'=RS1;66,7", 'RS2;']
    """
    with _text_out(out) as stream:
        writer = _writer(stream)
        for row in [header, *rows]:
            writer.writerow([safe_cell(cell) for cell in row])


def export_columns(schema):
    """Columns of the passages export: the import layout without generated or private ones."""
    return tuple(
        node for node in schema.columns if node.level != "flux" and node.key not in _NOT_EXPORTED
    )


def cell_text(node, value):
    """A value as the import layout writes it (``OUI``/``NON``, ``AAAA-MM-JJ``)."""
    if value is None:
        return ""
    if isinstance(node.value, Boolean):
        return "OUI" if value else "NON"  # the template's spelling
    if isinstance(value, datetime.datetime):
        value = value.date()
    return to_xml_text(node, value)


def write_passages_csv(passages, out, version="1.1.2"):
    """Write passages in the import layout: a row of dictionary ids, a row of labels.

    ``passages``: dicts, or ``(row_number, passage)`` pairs as in
    ``ImportResult.passages``. The template has one DigComp result per row:
    a passage with more results is written with its first one, and a warning
    is returned for it.
    """
    schema = get_schema(version)
    columns = export_columns(schema)
    labels = column_labels(schema)
    warnings = []
    with _text_out(out) as stream:
        writer = _writer(stream)
        writer.writerow([node.dico_id for node in columns])
        writer.writerow([labels[node.key] for node in columns])
        for item in passages:
            passage = item[1] if isinstance(item, tuple) else item
            cells = []
            for node in columns:
                group = item_group(schema, node)
                if group is not None:
                    items = passage.get(group.key) or [{}]
                    value = items[0].get(node.key)
                else:
                    value = passage.get(node.key)
                cells.append(safe_cell(cell_text(node, value)))
            writer.writerow(cells)
            results = passage.get("resultats") or []
            if len(results) > 1:
                warnings.append(
                    Finding(
                        WARNING,
                        "export_digcomp",
                        f"Seul le premier des {len(results)} résultats DigComp tient dans "
                        "une ligne du modèle : les autres ne sont pas exportés.",
                        passage=passage.get("idTechnique"),
                    )
                )
    return warnings


__all__ = [
    "CELL_LIMIT",
    "FindingsReport",
    "PRIVATE_KEYS",
    "cell_text",
    "clip",
    "export_columns",
    "mask_personal",
    "safe_cell",
    "write_findings_csv",
    "write_passages_csv",
    "write_table_csv",
]
