"""Import passages from CSV or XLSX laid out like the CDC Excel template v1.4.

The CDC publishes no CSV deposit format (SPEC.md §5) but an Excel
data-entry template: sheet "Tableau declaration", one row per passage, one
column per dictionary id (``1.1`` … ``9.3``), a row of ids, a row of labels
("Id Technique"), instruction rows, then data below the row that says
"Commencez votre saisie en-dessous de cette ligne". This module reads that
layout, or any CSV/XLSX whose header row names the columns by dictionary id,
XML name, fact key, template label or French label. The columns are those of
the dictionary table (``schema.columns``); nothing is listed here.

Decisions:

- a bad cell gives a blocking :class:`~accrochage.findings.Finding` (row,
  column, French reason) and leaves that field ``None``; the passage is still
  returned, so callers can show the whole preview and no row disappears;
- empty rows are skipped without a word; a row with data only in unknown
  columns gives a warning;
- the flux-level columns (``1.x``: idFlux, horodatage, marked "Auto, ne
  rien inscrire" in the template) are ignored: the writer generates them;
- values of personal fields (NIR, birth day and month) never appear in a
  message;
- a leading ``'`` that protects a cell against formula injection (see
  :mod:`accrochage.export`) is removed, so exported files read back.

>>> result = read_passages(b"5.1;8.1;8.6\\nP-1;MARTIN;1990\\n;;\\nP-2;DURAND;19x0\\n")
>>> [(row, p["idTechnique"], p["anneeNaissance"]) for row, p in result.passages]
[(2, 'P-1', 1990), (4, 'P-2', None)]
>>> [(f.row, f.column) for f in result.findings]
[(4, '8.6 (Annee Naissance)')]
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field

from .dictionary import get_schema, personal_keys
from .exceptions import ImportFileError, InvalidFormat
from .findings import BLOCKING, WARNING, Finding
from .values import is_blank, parse_text

TEMPLATE_SHEET = "Tableau declaration"
#: the template's marker row, column B: data starts on the next row
START_MARKER = "commencezvotresaisie"
#: facts whose value never goes into a message or an export (personal data)
PRIVATE_KEYS = personal_keys()
#: characters a spreadsheet reads as the start of a formula
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")
#: rows searched for the header row
HEADER_SCAN = 60


@dataclass
class ImportResult:
    """Passages read from a file, with what was wrong in it."""

    passages: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    columns: tuple = ()
    header_row: int | None = None
    format: str | None = None

    @property
    def blocking(self):
        return [finding for finding in self.findings if finding.blocking]

    def findings_for(self, row):
        return [finding for finding in self.findings if finding.row == row]


# -- column names ------------------------------------------------------------


def _fold(text):
    """Lower case, no accents, letters and digits only: ``Id Technique`` → ``idtechnique``."""
    text = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c)).lower()


def _words(name):
    """``voieAccessVAE`` → ``['voie', 'access', 'vae']``; ``prenom1`` → ``['prenom', '1']``."""
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)]


def column_labels(schema):
    """The template's labels, derived from the XML names: ``Id Technique``.

    A name used twice gets a number, as in the template (``Id Client 2``).

    >>> labels = column_labels(get_schema("1.1.2"))
    >>> labels["idTechnique"], labels["idClientCertificateur"], labels["voieAccessVAE"]
    ('Id Technique', 'Id Client 2', 'Voie Access Vae')
    """
    labels, seen = {}, {}
    for node in schema.columns:
        label = " ".join(word.capitalize() for word in _words(node.name))
        seen[label] = seen.get(label, 0) + 1
        labels[node.key] = label if seen[label] == 1 else f"{label} {seen[label]}"
    return labels


def _header_index(schema):
    """Folded header text → column node, from every name the table gives a column."""
    exact, by_words = {}, {}
    labels = column_labels(schema)
    for node in schema.columns:
        for name in (node.key, labels[node.key], node.label):
            exact.setdefault(_fold(name), node)
        # the template also names a leaf with its groups: "Code Insee Commune
        # Naissance" is codeInsee in codeInseeNaissance in codeCommuneNaissance
        words, path = set(_words(node.name)), node.parent
        for _depth in range(2):
            if not path or path == schema.passage_path:
                break
            words |= set(_words(path.rsplit("/", 1)[-1]))
            by_words.setdefault(frozenset(words), node)
            path = schema.by_path[path].parent
    return exact, by_words


def _match(text, schema, index):
    if not isinstance(text, str) or not text.strip():
        return None
    candidate = text.strip().lstrip("#").strip()
    node = schema.by_dico_id.get(candidate)
    if node is not None and node.is_leaf:
        return schema.by_key[node.key]
    exact, by_words = index
    node = exact.get(_fold(candidate))
    if node is None:
        node = by_words.get(frozenset(w.lower() for w in re.findall(r"[^\W_]+", _strip(text))))
    return node


def _strip(text):
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


# -- reading the grid --------------------------------------------------------


def _load(source):
    """Bytes of the source and a display name."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    if hasattr(source, "read"):
        data = source.read()
        return (data.encode("utf-8") if isinstance(data, str) else data), getattr(
            source, "name", None
        )
    try:
        with open(source, "rb") as handle:
            return handle.read(), os.fspath(source)
    except (OSError, TypeError) as error:
        raise ImportFileError(
            f"Impossible de lire le fichier « {source} » : "
            f"{getattr(error, 'strerror', None) or error}. Vérifiez le chemin."
        ) from None


def _decode(data):
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # spreadsheets on Windows save "CSV" in Windows-1252
        return data.decode("cp1252", errors="replace")


def _csv_rows(data):
    text = _decode(data)
    sample = text.splitlines()[:HEADER_SCAN]

    def widest(delimiter):
        return max((len(row) for row in csv.reader(sample, delimiter=delimiter)), default=0)

    delimiter = max((";", ",", "\t"), key=widest)  # ties keep ";", the French default
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_rows(data):
    import openpyxl  # imported late: CSV imports and receipts never need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(
            f"Le classeur Excel est illisible ({type(error).__name__}) : enregistrez-le "
            "à nouveau au format .xlsx ou exportez-le en CSV."
        ) from None
    try:
        sheets = {_fold(name): name for name in book.sheetnames}
        sheet = book[sheets.get(_fold(TEMPLATE_SHEET), book.sheetnames[0])]
        rows, blank_run = [], 0
        for row in sheet.iter_rows(values_only=True):
            rows.append(row)
            # the template declares a million formatted rows: stop well after the data
            blank_run = blank_run + 1 if all(is_blank(v) for v in row) else 0
            if blank_run > 10_000:
                break
        return rows
    finally:
        book.close()


def _grid(data, filename):
    if data.startswith(b"PK\x03\x04"):
        return "xlsx", _xlsx_rows(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "Le format Excel 97-2003 (.xls) n'est pas pris en charge : enregistrez le "
            "classeur au format .xlsx ou en CSV."
        )
    if filename and str(filename).lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(
            f"« {filename} » n'est pas un classeur .xlsx valide : enregistrez-le à nouveau."
        )
    return "csv", _csv_rows(data)


# -- cells -------------------------------------------------------------------


def _clean(raw):
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("'") and text[1:2] in FORMULA_CHARS:
            text = text[1:]  # our own formula-injection guard, see export.py
        return text
    return raw


def _bad_cell(node, column, row, error, passage_id):
    if node.key in PRIVATE_KEYS:
        # never echo personal data into a report
        message = (
            f"{node.label} ({node.ref}) : valeur non valide ; attendu : {node.value.describe()}."
        )
    else:
        message = str(error)
    return Finding(
        BLOCKING,
        "import_value",
        message,
        field=node.key,
        dico_id=node.dico_id,
        passage=passage_id,
        row=row,
        column=column,
    )


def item_group(schema, node):
    """The repeated group a passage leaf belongs to (DigComp result), or None.

    ``Schema.repeated_group`` also answers for header leaves (the repeated
    certification); those are plain facts of the passage here.
    """
    if not node.path.startswith(schema.passage_path + "/"):
        return None
    return schema.repeated_group(node.path)


def _read_row(schema, columns, cells, row_number):
    """One data row → (passage, findings), or None for an empty row."""
    passage, items, problems = {}, {}, []
    for index, node, column in columns:
        raw = _clean(cells[index]) if index < len(cells) else None
        try:
            # parse_text also restores the leading zeros a spreadsheet drops
            value = parse_text(node, raw)
        except InvalidFormat as error:
            value = None
            problems.append((node, column, error))
        group = item_group(schema, node)
        if group is not None:
            items.setdefault(group.key, {})[node.key] = value
        else:
            passage[node.key] = value
    for key, item in items.items():
        passage[key] = [item] if any(v is not None for v in item.values()) else []
    if not problems and all(v is None or v == [] for v in passage.values()):
        return None
    passage_id = passage.get("idTechnique")
    findings = [_bad_cell(n, c, row_number, e, passage_id) for n, c, e in problems]
    return passage, findings


def _find_header(rows, schema, index):
    best, best_row = 0, None
    for number, row in enumerate(rows[:HEADER_SCAN]):
        found = {_match(cell, schema, index) for cell in row} - {None}
        if len(found) > best:
            best, best_row = len(found), number
    if best < 2:
        raise ImportFileError(
            "Aucune ligne d'en-tête reconnue : la première ligne du tableau doit nommer les "
            "colonnes par leur identifiant du dictionnaire (5.1, 8.1…), leur nom XML "
            "(idTechnique, nomNaissance…) ou leur intitulé du modèle Excel (Id Technique…)."
        )
    return best_row


def _first_data_row(rows, header, schema, index, width):
    """Skip label and instruction rows under the header, or jump past the marker."""
    for number in range(header + 1, len(rows)):
        if any(isinstance(c, str) and _fold(c).startswith(START_MARKER) for c in rows[number]):
            return number + 1
        if number - header > HEADER_SCAN:
            break
    start = header + 1
    while start < len(rows):
        matched = sum(1 for cell in rows[start] if _match(cell, schema, index))
        if matched < max(2, width // 2):
            break
        start += 1  # a second header row (labels under ids)
    return start


def read_passages(source, *, filename=None, version="1.1.2") -> ImportResult:
    """Read a CSV or XLSX file in the CDC template layout.

    ``source``: a path, bytes, or a binary file object. Raises
    :class:`ImportFileError` when the file cannot be read at all; cell
    problems are findings of the result.
    """
    schema = get_schema(version)
    data, name = _load(source)
    filename = filename or name
    if not data.strip():
        raise ImportFileError("Le fichier importé est vide.")
    kind, rows = _grid(data, filename)
    index = _header_index(schema)
    header = _find_header(rows, schema, index)
    result = ImportResult(header_row=header + 1, format=kind)
    columns, unknown, seen, ignored = [], {}, set(), set()
    labels = column_labels(schema)
    for position, cell in enumerate(rows[header]):
        node = _match(cell, schema, index)
        label = str(cell).strip() if cell is not None else ""
        if node is None or node.key in seen:
            unknown[position] = (label, node)
            continue
        seen.add(node.key)
        if node.level == "flux":
            ignored.add(position)  # generated by the writer for each file
            continue
        shown = labels[node.key] if label.lstrip("#") == node.dico_id else label
        columns.append((position, node, f"{node.dico_id} ({shown})"))
    result.columns = tuple(node for _p, node, _c in columns)
    used = set()
    for number in range(_first_data_row(rows, header, schema, index, len(columns)), len(rows)):
        cells = rows[number]
        row_number = number + 1
        mapped = {position for position, _n, _c in columns}
        extra = {
            p
            for p, cell in enumerate(cells)
            if p not in mapped and p not in ignored and not is_blank(_clean(cell))
        }
        for position in extra - unknown.keys():
            unknown[position] = ("", None)  # data beyond the header row
        read = _read_row(schema, columns, cells, row_number)
        if read is None:
            if extra:
                result.findings.append(
                    Finding(
                        WARNING,
                        "import_row_ignored",
                        "Ligne ignorée : seules des colonnes non reconnues sont remplies.",
                        row=row_number,
                    )
                )
            continue
        used |= extra
        passage, findings = read
        result.passages.append((row_number, passage))
        result.findings.extend(findings)
    result.findings.extend(_unknown_columns(unknown, used, header + 1))
    return result


def _unknown_columns(unknown, used, header_row):
    for position in sorted(used):
        label, duplicate = unknown[position]
        letter = _column_letter(position)
        if duplicate is not None:
            message = (
                f"Colonne {letter} « {label} » : {duplicate.ref} figure déjà dans une "
                "colonne précédente ; cette colonne est ignorée."
            )
        else:
            message = (
                f"Colonne {letter} « {label or 'sans en-tête'} » non reconnue : elle est "
                "ignorée. Nommez-la par son identifiant du dictionnaire (ex. 5.1) si elle "
                "doit être importée."
            )
        yield Finding(WARNING, "import_column", message, row=header_row, column=label or letter)


def _column_letter(position):
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
