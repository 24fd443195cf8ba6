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
"P-1;'=MARTIN;RS5875;à corriger;1;0;[bloquant] Code absent."
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
    names = [passage.get("nomNaissance"), passage.get("prenom1")]
    if not any(names):
        names = [passage.get("nomTitulaire"), passage.get("prenom1Titulaire")]
    return " ".join(str(name) for name in names if name)


def _status(findings):
    if any(finding.blocking for finding in findings):
        return STATUS_BLOCKED
    return STATUS_CHECK if findings else STATUS_READY


def _finding_text(finding):
    label = SEVERITY_LABELS.get(finding.severity, finding.severity)
    return f"[{label}] {mask_personal(finding.message)}"


def write_findings_csv(rows, out, *, version="1.1.2"):
    """One line per passage: idTechnique, holder, certification, status, findings.

    ``rows``: ``(passage, findings)`` or ``(row_number, passage, findings)``
    items; ``passage`` may be ``None`` for file-level findings. A ``Ligne``
    column is added when rows carry their source row number.
    """
    schema = get_schema(version)
    rows = [item if len(item) == 3 else (None, *item) for item in rows]
    with_rows = any(row is not None for row, _passage, _findings in rows)
    header = [
        schema.by_key["idTechnique"].label,
        "Titulaire",
        schema.by_key["code"].label,
        "Statut",
        "Bloquants",
        "Avertissements",
        "Constats",
    ]
    with _text_out(out) as stream:
        writer = _writer(stream)
        writer.writerow((["Ligne"] if with_rows else []) + header)
        for row, passage, findings in rows:
            passage = passage or {}
            blocking = sum(1 for finding in findings if finding.blocking)
            cells = [
                passage.get("idTechnique"),
                _holder(passage),
                passage.get("code"),
                _status(findings),
                blocking,
                len(findings) - blocking,
                " | ".join(_finding_text(finding) for finding in findings),
            ]
            writer.writerow([safe_cell(c) for c in ([row] if with_rows else []) + cells])


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


def _cell(node, value):
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
                cells.append(safe_cell(_cell(node, value)))
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
    "PRIVATE_KEYS",
    "export_columns",
    "mask_personal",
    "safe_cell",
    "write_findings_csv",
    "write_passages_csv",
    "write_table_csv",
]
