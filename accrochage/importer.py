"""Import passages from CSV or XLSX laid out like the CDC Excel template v1.4.

The CDC publishes no CSV deposit format (SPEC.md §5) but an Excel
data-entry template (S-XLS, "modèle excel accrochage certificateurs" v1.4):
sheet "Tableau declaration", one row per passage, one column per dictionary
id. Its rows, read with openpyxl: row 11 "Bloc", row 12 the dictionary ids
(``1.1`` … ``9.3``), row 13 the labels ("Id Technique"), rows 14, 15, 17
and 18 labelled in column A "Type champ", "Obligatoire", "Consigne" and
"Exemple" (a fictitious passage), row 20 "Commencez votre saisie
en-dessous de cette ligne", data from row 22. This module reads that
layout, or any CSV/XLSX whose header row names the columns by dictionary id,
XML name, fact key, template label or French label. The columns are those of
the dictionary table (``schema.columns``); nothing is listed here.

:func:`iter_rows` streams: one :class:`ImportedRow` per data row, read,
parsed, then dropped. An ordinary row is read by a function generated once
per (schema version, header) from the dictionary table, in straight code;
a row with an odd cell goes through the interpreted reader, cell by cell,
which says what is wrong (its findings are the reference). An XLSX sheet
is read from its XML as it inflates, one row at a time.
Decisions:

- every non-empty data row comes out, usable or not: a bad cell gives a
  blocking :class:`~accrochage.findings.Finding` (row, column, French
  reason) and leaves that field ``None``; a row that cannot be read at all
  comes out with ``passage=None`` and a blocking finding. So "N lignes lues
  = X écrites + Y écartées" always holds;
- empty rows and the template's own rows (labelled in column A, the marker
  row, a second header row) are skipped; any other row between the header
  and the marker is imported;
- the flux-level columns (``1.x``: idFlux, horodatage, marked "Auto, ne
  rien inscrire" in the template) are ignored: the writer generates them;
- values of personal fields (NIR, birth day and month) never appear in a
  message;
- a leading ``'`` that protects a cell against formula injection (see
  :mod:`accrochage.export`) is removed, so exported files read back.

>>> rows = list(iter_rows(b"5.1;8.1;8.6\\nP-1;MARTIN;1990\\n;;\\nP-2;DURAND;19x0\\n"))
>>> [(r.row, r.passage["idTechnique"], r.passage["anneeNaissance"]) for r in rows]
[(2, 'P-1', 1990), (4, 'P-2', None)]
>>> [(f.row, f.column) for r in rows for f in r.findings]
[(4, '8.6 (Annee Naissance)')]
"""

from __future__ import annotations

import csv
import datetime
import functools
import html
import io
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass, field

from .dictionary import Date, get_schema, personal_keys
from .exceptions import ImportFileError, InvalidFormat
from .findings import BLOCKING, WARNING, Finding
from .values import excel_serial_date, is_blank, parser

TEMPLATE_SHEET = "Tableau declaration"
#: the template's marker row, column B: data starts on the next row
START_MARKER = "commencezvotresaisie"
#: column-A labels of the template's own rows (S-XLS v1.4, rows 11-18)
TEMPLATE_ROW_LABELS = frozenset(
    {"bloc", "identifiant", "intitule", "typechamp", "obligatoire", "consigne", "exemple"}
)
#: facts whose value never goes into a message or an export (personal data)
PRIVATE_KEYS = personal_keys()
#: characters a spreadsheet reads as the start of a formula
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")
#: rows searched for the header row, and for the template rows under it
HEADER_SCAN = 60
#: the most characters a spreadsheet cell holds (Excel's limit): a longer
#: value is no CDC value (they are 255 characters at most)
MAX_CELL_CHARS = 32_767
#: a "line" longer than this is no CSV line: the file is refused
MAX_LINE_BYTES = 16 * 1024 * 1024
#: postal codes (#5.9, #8.11): the template formats them ``00000``, NC5 says
#: text; a French postal code has 5 digits
POSTAL_KEYS = ("codePostalCentreExamen", "codePostal")
POSTAL_WIDTH = 5
#: how often ``progress`` is called, in rows
PROGRESS_EVERY = 256
#: characters XML 1.0 cannot carry (C0 controls but tab, LF, CR), and the
#: replacement character a failed decoding leaves
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd\ufffe\uffff]")
#: the XML whitespace a one-line CDC value should not hold
_LINE_BREAKS = re.compile("[\t\n\r]")
#: any of the above: one search per cell on the common path
_INVISIBLE = re.compile("[\x00-\x1f\ufffd\ufffe\uffff]")
_CONTROL_NAMES = {
    "\x00": "NUL",
    "\x0b": "tabulation verticale",
    "\x0c": "saut de page",
    "\t": "tabulation",
    "\n": "saut de ligne",
    "\r": "retour chariot",
}


@dataclass
class ImportedRow:
    """One data row of the file: its number as the user sees it, the passage
    read from it (``None`` when the row could not be read at all) and the
    findings about it (each with ``row`` set)."""

    row: int
    passage: dict | None
    findings: list = field(default_factory=list)
    #: the schema version the passage is already normalized for (as
    #: :func:`accrochage.rules.normalize_passage` does), see :func:`iter_rows`
    normalized: str | None = None

    @property
    def blocking(self):
        return any(finding.blocking for finding in self.findings)


@dataclass
class ImportResult:
    """Passages read from a file, with what was wrong in it."""

    passages: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    columns: tuple = ()
    header_row: int | None = None
    format: str | None = None
    rows: int = 0

    @property
    def blocking(self):
        return [finding for finding in self.findings if finding.blocking]

    def findings_for(self, row):
        return [finding for finding in self.findings if finding.row == row]


# -- column names ------------------------------------------------------------


def _fold(text):
    """Lower case, no accents, letters and digits only: ``Id Technique`` → ``idtechnique``."""
    text = str(text)
    if text.isascii():  # nothing to decompose: the header scan meets mostly such cells
        return "".join(filter(str.isalnum, text)).lower()
    text = unicodedata.normalize("NFKD", text)
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
    if not isinstance(text, str) or not text.strip() or len(text) > 200:
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
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def column_letter(position):
    """Spreadsheet letter of a 0-based column position.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(50)
    ('A', 'Z', 'AA', 'AY')
    """
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def item_group(schema, node):
    """The repeated group a passage leaf belongs to (DigComp result), or None.

    ``Schema.repeated_group`` also answers for header leaves (the repeated
    certification); those are plain facts of the passage here.
    """
    if not node.path.startswith(schema.passage_path + "/"):
        return None
    return schema.repeated_group(node.path)


# -- sources -----------------------------------------------------------------


class _Source:
    """The input as a binary stream (or a text stream), its name and size."""

    def __init__(self, source, filename):
        self.text = None
        self.owned = False
        if isinstance(source, (bytes, bytearray, memoryview)):
            self.stream, self.name = io.BytesIO(bytes(source)), None
        elif hasattr(source, "read"):
            self.stream, self.name = source, getattr(source, "name", None)
            if isinstance(source, io.TextIOBase):
                self.text = source
        else:
            try:
                self.stream = open(source, "rb")  # noqa: SIM115 (closed by close())
            except (OSError, TypeError) as error:
                raise ImportFileError(
                    f"Impossible de lire le fichier « {source} » : "
                    f"{getattr(error, 'strerror', None) or error}. Vérifiez le chemin."
                ) from None
            self.owned, self.name = True, os.fspath(source)
        self.name = filename or self.name
        self.total = self._size()

    def _size(self):
        if self.text is not None:
            return None
        try:
            here = self.stream.tell()
            size = self.stream.seek(0, io.SEEK_END)
            self.stream.seek(here)
            return size - here
        except (OSError, AttributeError, ValueError):
            return None

    def head(self, size):
        """The first bytes without consuming them (the stream is made seekable)."""
        if not self._seekable():
            self.stream = io.BytesIO(self.stream.read())
            self.total = len(self.stream.getvalue())
        here = self.stream.tell()
        data = self.stream.read(size)
        self.stream.seek(here)
        return data

    def _seekable(self):
        try:
            return self.stream.seekable()
        except (AttributeError, ValueError):
            return False

    def close(self):
        if self.owned:
            self.stream.close()


# -- CSV ---------------------------------------------------------------------


@dataclass
class _Record:
    """One CSV record: its first physical line, its cells (None when the
    record could not be split) and a blocking reason."""

    row: int
    cells: list | None
    problem: str | None = None
    cp1252: bool = False
    suspicious: bool = False
    column: str | None = None
    #: every cell is plain text as :func:`_plain_cells` says
    plain: bool = False


class _Lines:
    """Physical lines of a CSV file, decoded one by one, fed to ``csv.reader``.

    Each line is decoded on its own: UTF-8, else Windows-1252 (spreadsheets
    on Windows save "CSV" in that code page). One stray byte therefore
    changes only its own line. Lines handed out since :meth:`mark` are kept,
    so a record that went wrong can be split again line by line.
    """

    def __init__(self, source):
        self.source = source
        self.pending = deque()
        self.taken = []
        self.number = 0
        self.done = 0
        self.utf8_seen = False
        #: set once the delimiter is known (:func:`_unusual_bytes`)
        self.unusual = None
        self._buffer = None  # the bytes the last line read from the file came from
        self._buffer_plain = None
        self._raw = self._raw_lines()

    def _raw_lines(self):
        source = self.source
        if source.text is not None:
            for line in source.text:
                yield line.rstrip("\n").encode("utf-8", "surrogatepass")
            return
        stream = source.stream
        head = source.head(1 << 20)
        if head.startswith(b"\xef\xbb\xbf"):
            self.utf8_seen = True
            stream.read(3)
            self.done = 3
        self.utf8_seen = self.utf8_seen or _has_utf8(head)
        separator = b"\r" if b"\r" in head and b"\n" not in head else b"\n"
        rest = b""
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            buffer = rest + chunk
            if separator == b"\n":
                self._buffer, self._buffer_plain = buffer, None
            parts = buffer.split(separator)
            rest = parts.pop()
            if len(rest) > MAX_LINE_BYTES:
                raise self._too_long(len(parts))
            for part in parts:
                if len(part) > MAX_LINE_BYTES:
                    raise self._too_long(0)
                yield part
        if rest:
            yield rest

    def _too_long(self, skipped):
        return ImportFileError(
            f"Ligne {self.number + skipped + 1} : plus de {MAX_LINE_BYTES // (1024 * 1024)} Mo "
            "sans fin de ligne. Ce n'est pas un fichier CSV lisible : vérifiez le fichier "
            "(ou enregistrez-le à nouveau en CSV depuis le tableur)."
        )

    def fresh_plain(self):
        """True when the line :meth:`next_line` just read from the file comes
        from bytes without anything that would make a line not plain
        (:func:`_unusual_bytes`): a few scans per megabyte instead of a
        dozen per line. Only for a line read from the file, not one given
        back (``pending``): that one may come from earlier bytes."""
        if self._buffer is None or self.unusual is None:
            return False
        if self._buffer_plain is None:
            self._buffer_plain = not self.unusual(self._buffer)
        return self._buffer_plain

    def next_line(self):
        """(number, text, cp1252) of the next physical line; StopIteration at the end."""
        if self.pending:
            return self.pending.popleft()
        raw = next(self._raw)
        self.number += 1
        self.done += len(raw) + 1
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            text, cp1252 = raw.decode("utf-8"), False
            if not self.utf8_seen and not raw.isascii():
                self.utf8_seen = True
        except UnicodeDecodeError:
            text, cp1252 = raw.decode("cp1252", errors="replace"), True
        return self.number, text + "\n", cp1252

    def __iter__(self):
        return self

    def __next__(self):
        item = self.next_line()
        self.taken.append(item)
        return item[1]

    def mark(self):
        self.taken = []


def _has_utf8(data):
    """True when ``data`` holds UTF-8 multi-byte characters (an incomplete last one aside)."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start > 0 and not data[: error.start].isascii()
    return True


def _sniff_delimiter(lines):
    """``;``, ``,`` or tab: the one giving the widest row (ties keep ``;``)."""

    def widest(delimiter):
        best = 0
        for line in lines:
            try:
                best = max(best, len(next(csv.reader([line], delimiter=delimiter), [])))
            except csv.Error:
                best = max(best, line.count(delimiter) + 1)
        return best

    return max((";", ",", "\t"), key=widest)


def _split_line(text, delimiter):
    """Split one line without the ``csv`` module (no size limit), honouring quotes.

    >>> _split_line('a;"b;c";"x""y" z;d', ";")
    ['a', 'b;c', 'x"y z', 'd']
    """
    return _split(text, delimiter)[0]


def _split(text, delimiter):
    """(cells, whether a quote is still open at the end) of ``text``."""
    cells, cell, quoted, index, text = [], [], False, 0, text.rstrip("\r\n")
    while index < len(text):
        char = text[index]
        if quoted:
            if char == '"' and text[index + 1 : index + 2] == '"':
                cell.append('"')
                index += 1
            elif char == '"':
                quoted = False
            else:
                cell.append(char)
        elif char == '"' and not cell:
            quoted = True
        elif char == delimiter:
            cells.append("".join(cell))
            cell = []
        else:
            cell.append(char)
        index += 1
    cells.append("".join(cell))
    return cells, quoted


def _csv_records(lines, delimiter, width):
    """Records of the file, one per data row, each row accounted for.

    A quote opened and never closed swallows the following lines into one
    cell: when the lines it swallowed look like rows of their own (as many
    separators as half a header), the row that opened it is blocked and the
    swallowed lines are read again one by one. A field longer than the
    ``csv`` module's limit is split again by :func:`_split_line`.
    """
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        plain = _plain_record(lines, delimiter)
        if plain is not None:
            yield plain
            continue
        threshold = max(1, (width[0] - 1) // 2)
        lines.mark()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            cells = None
        span = lines.taken
        if not span:  # pragma: no cover (csv raises only after reading a line)
            return
        number, text, cp1252 = span[0]
        cp1252 = lines.utf8_seen and any(item[2] for item in span)
        if cells is None:
            cells = _beyond_the_limit(lines, delimiter, threshold)
        if len(span) > 1 and _swallowed(cells, delimiter, threshold):
            column = _quote_column(text, delimiter)
            lines.pending.extendleft(reversed(span[1:]))
            last = span[-1][0]
            yield _Record(
                number,
                None,
                f"Colonne {column} : guillemet ouvert et jamais fermé ; la cellule avalait "
                f"{_line_span(number + 1, last)}, relue(s) séparément. Fermez le guillemet "
                "(ou doublez-le s'il fait partie du texte), puis importez à nouveau.",
                cp1252,
                column=column,
            )
            continue
        if cells is None:
            if len(span) > 1:
                lines.pending.extendleft(reversed(span[1:]))
            cells = _split_line(text, delimiter)
        suspicious = any(_UNWRITABLE.search(item[1]) for item in span) or len(span) > 1
        yield _Record(number, cells, None, cp1252, suspicious or "\t" in text)


#: below this length no field of a line can pass ``csv``'s field size limit
_CSV_FIELD_LIMIT = csv.field_size_limit()


def _plain_record(lines, delimiter):
    """The record of the next line when it is a plain one, else None.

    A line without quotes (nor a carriage return or NUL) is one record, and
    ``csv.reader`` splits it at every delimiter: ``str.split`` gives the
    same cells, without the reader's machinery. Any other line is given
    back for :func:`_csv_records` to read with ``csv``.
    """
    fresh = not lines.pending
    try:
        item = lines.next_line()
    except StopIteration:
        return None
    number, text, cp1252 = item
    body = text[:-1]  # without the "\n" that next_line adds for csv
    if fresh and body and not cp1252 and len(body) < _CSV_FIELD_LIMIT and lines.fresh_plain():
        plain = len(body) <= MAX_CELL_CHARS
        return _Record(number, body.split(delimiter), None, False, False, plain=plain)
    if (
        not body
        or '"' in body
        or "\n" in body
        or "\r" in body
        or "\x00" in body
        or len(body) >= _CSV_FIELD_LIMIT
    ):
        lines.pending.appendleft(item)
        return None
    suspicious = "\t" in body or _UNWRITABLE.search(body) is not None
    plain = not suspicious and _plain_cells(body, delimiter)
    cp1252 = lines.utf8_seen and cp1252
    return _Record(number, body.split(delimiter), None, cp1252, suspicious, plain=plain)


#: the white space ``str.strip`` removes, beyond ASCII (an ASCII line that
#: is not suspicious holds no other white space than the space)
_WIDE_SPACE = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def _plain_cells(body, delimiter):
    """True when no cell of a line that is not suspicious is longer than a
    spreadsheet cell, starts with our formula guard (``'``) or starts or
    ends with white space: the reader's per-cell tests for these
    (:meth:`_RowReader._text`, the stripping) then have nothing to find,
    and :func:`_fast_reader` skips them."""
    return (
        len(body) <= MAX_CELL_CHARS
        and body[0] != "'"
        and body[0] != " "
        and body[-1] != " "
        and delimiter + "'" not in body
        and delimiter + " " not in body
        and " " + delimiter not in body
        and (body.isascii() or _WIDE_SPACE.search(body) is None)
    )


@functools.cache  # one per delimiter: its tables walk every code point
def _unusual_bytes(delimiter):
    """The test, on the UTF-8 bytes of many lines at once, for anything that
    makes one of them not plain: what :func:`_plain_record` sends to ``csv``
    (a quote, a lone carriage return, NUL), what makes a line suspicious (a
    tab, :data:`_UNWRITABLE`), and what :func:`_plain_cells` rules out (a
    cell starting with the guard quote or with white space, or ending with
    white space; :data:`_WIDE_SPACE`). UTF-8 is self-synchronising: these
    characters are in the text exactly when their bytes are in the bytes.

    Made of byte scans that run at memory speed (``bytes.translate``, a
    search led by a rare byte); one regular expression over a megabyte, or
    two-byte searches led by the delimiter, would cost more than the
    per-line tests they replace."""
    own = delimiter.encode("ascii")
    controls = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), ord('"'), ord("\t")])
    beyond_ascii = "".join(map(chr, range(0x80, 0x10000)))  # one search, not one a character
    wide, unwritable = _WIDE_SPACE.findall(beyond_ascii), _UNWRITABLE.findall(beyond_ascii)
    by_lead = {}  # the non-ASCII characters by their first byte, a rare one
    for char in wide + unwritable:
        encoded = char.encode("utf-8")
        by_lead.setdefault(encoded[:1], []).append(encoded)
    around_space = (own + b" ", b" " + own, b"\n ", b" \n", b" \r")
    around_quote = (own + b"'", b"\n'")

    def unusual(buffer):
        if buffer.startswith((b"'", b" ")) or buffer.endswith((b" ", b" \r")):
            return True
        if len(buffer.translate(None, controls)) != len(buffer):
            return True
        if buffer.count(b"\r") != buffer.count(b"\r\n"):
            return True
        if b" " in buffer and any(pair in buffer for pair in around_space):
            return True
        if b"'" in buffer and any(pair in buffer for pair in around_quote):
            return True
        if buffer.isascii():
            return False
        return any(
            lead in buffer and any(char in buffer for char in chars)
            for lead, chars in by_lead.items()
        )

    return unusual


#: lines a quoted cell may span when ``csv`` gave up on its record
MAX_CELL_LINES = 1000


def _beyond_the_limit(lines, delimiter, threshold):
    """The cells of a record that ``csv`` refused for a field over its limit,
    read again without limit: the lines a quoted cell spans are taken (a line
    break typed in a cell, and a long cell elsewhere in the row). None when
    the quotes hold other rows rather than text, or never close.
    """
    span = lines.taken
    text = "".join(item[1] for item in span)
    cells, quoted = _split(text, delimiter)
    while quoted and len(span) < MAX_CELL_LINES and len(text) < MAX_LINE_BYTES:
        try:
            text += next(lines)
        except StopIteration:
            break
        cells, quoted = _split(text, delimiter)
    if quoted or (len(span) > 1 and _swallowed(cells, delimiter, threshold)):
        return None
    return cells


def _line_span(first, last):
    return f"la ligne {first}" if first == last else f"les lignes {first} à {last}"


def _swallowed(cells, delimiter, threshold):
    """True when a cell spanning lines holds what looks like other rows.

    A legitimate multi-line cell (a line break typed in a spreadsheet cell)
    holds text; a cell opened by a stray quote holds the following rows,
    separators included.
    """
    if cells is None:
        return True
    return any(
        segment.count(delimiter) >= threshold
        for cell in cells
        if "\n" in cell
        for segment in cell.split("\n")
    )


def _quote_column(text, delimiter):
    """Letter of the cell where an unclosed quote opens in ``text``."""
    position, quoted, start = 0, False, True
    for char in text:
        if quoted:
            if char == '"':
                quoted = False
        elif char == '"' and start:
            quoted = True
            opened = position
        elif char == delimiter:
            position += 1
            start = True
            continue
        start = False
    return column_letter(opened if quoted else position)


def _csv_rows(source):
    """(kind, header candidates, rows iterator, reader state) for a CSV file."""
    lines = _Lines(source)
    sample = []
    try:
        while len(sample) < HEADER_SCAN:
            sample.append(lines.next_line())
    except StopIteration:
        pass
    delimiter = _sniff_delimiter([text for _n, text, _c in sample[:HEADER_SCAN]])
    lines.unusual = _unusual_bytes(delimiter)
    lines.pending.extend(sample)
    width = [max((text.count(delimiter) + 1 for _n, text, _c in sample), default=1)]
    return lines, _csv_records(lines, delimiter, width), width


# -- XLSX --------------------------------------------------------------------

#: uncompressed size limits read from the zip directory before anything is
#: inflated: a 200,000-row template sheet is about 150-350 MB of XML
MAX_SHEET_BYTES = 1 << 30
MAX_PART_BYTES = 128 << 20
MAX_ARCHIVE_BYTES = 3 << 29
#: compression ratio above which a large part is an archive bomb
MAX_RATIO = 200
#: cells calamine may hold at once (it builds the sheet's whole grid in
#: memory, and aborts the process when that grid cannot be allocated)
MAX_GRID_CELLS = 12_000_000


#: what a damaged archive raises while it is read: a bad directory, a part
#: cut short, a compression method zipfile does not know, a corrupt stream
ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    NotImplementedError,
    zlib.error,
    struct.error,
)


def _damage(error):
    """What is wrong with the archive, in words, from what reading it raised."""
    from lxml import etree

    if isinstance(error, NotImplementedError):
        return "archive compressée d'une façon inconnue"
    if isinstance(error, (zlib.error, EOFError)):
        return "données compressées endommagées ou tronquées"
    if isinstance(error, (zipfile.BadZipFile, struct.error)):
        return "ce n'est pas une archive .xlsx intacte"
    if isinstance(error, etree.XMLSyntaxError):
        return "une partie XML du classeur est endommagée"
    return type(error).__name__


def _unreadable(detail, sheet=None):
    where = f" (feuille « {sheet} »)" if sheet else ""
    return ImportFileError(
        f"Le classeur Excel est illisible{where} : {detail}. Enregistrez-le à nouveau au "
        "format .xlsx ou exportez-le en CSV.",
        detail=detail,
    )


def _check_archive(archive):
    """Refuse an archive that would inflate beyond bounds, from its directory alone."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        limit = MAX_SHEET_BYTES if info.filename.startswith("xl/worksheets/") else MAX_PART_BYTES
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limit or (info.file_size > (16 << 20) and ratio > MAX_RATIO):
            raise ImportFileError(
                f"Le classeur Excel est refusé : sa partie « {info.filename} » occupe "
                f"{_thousands(info.file_size // 1_000_000)} Mo une fois décompressée "
                f"(compressée {_thousands(int(ratio))} fois). Ce n'est pas un tableau de "
                "passages : exportez les données en CSV ou découpez le classeur."
            )
    if total > MAX_ARCHIVE_BYTES:
        raise ImportFileError(
            f"Le classeur Excel est refusé : {_thousands(total // 1_000_000)} Mo une fois "
            "décompressé. Découpez-le ou exportez les données en CSV."
        )


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _small_xml(archive, name):
    from lxml import etree

    from . import xmlsafe

    try:
        with archive.open(name) as part:
            return etree.fromstring(part.read(), xmlsafe.parser())
    except KeyError:
        return None


def _workbook_sheets(archive):
    """Sheet name → part name, and whether the workbook counts dates from 1904."""
    from lxml import etree

    try:
        book = _small_xml(archive, "xl/workbook.xml")
        rels = _small_xml(archive, "xl/_rels/workbook.xml.rels")
    except (etree.XMLSyntaxError, *ARCHIVE_ERRORS) as error:
        raise _unreadable(_damage(error)) from None
    if book is None or rels is None:
        raise _unreadable("le classeur n'a pas de feuille")
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(_PKG_NS + "Relationship")}
    sheets = {}
    for sheet in book.iter(_NS + "sheet"):
        target = targets.get(sheet.get(_REL_NS + "id"), "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        sheets[sheet.get("name")] = os.path.normpath(target).replace(os.sep, "/")
    properties = book.find(_NS + "workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    return sheets, date1904


_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,2}(\d+)"')
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,2})\d')
#: a cell with a 3-letter column, or without a reference at all
_ODD_CELL = re.compile(rb'<c r="[A-Z]{3}|<c(?=[\s/>])(?! r=")|<\w+:c[\s/>]')


def _zero_styles(archive):
    """Cell styles whose number format pads with zeros (``00000``, as the
    template's R22 and AR18:AS18 cells), as the ``s`` values of the sheet XML."""
    from lxml import etree

    try:
        styles = _small_xml(archive, "xl/styles.xml")
    except (etree.XMLSyntaxError, *ARCHIVE_ERRORS):
        return ()
    if styles is None:
        return ()
    zero_formats = {
        number.get("numFmtId")
        for number in styles.iter(_NS + "numFmt")
        if re.fullmatch(r"0{2,}", number.get("formatCode", ""))
    }
    cell_styles = styles.find(_NS + "cellXfs")
    if not zero_formats or cell_styles is None:
        return ()
    return tuple(
        str(index).encode()
        for index, style in enumerate(cell_styles.iter(_NS + "xf"))
        if style.get("numFmtId") in zero_formats
    )


def _scan_sheet(archive, part, zero_styles):
    """One pass over the sheet's XML with regular expressions (zipfile stops
    at the size the directory declares): the rows × columns of the grid
    calamine would build (None when a cell has no plain reference), and the
    short numbers shown with leading zeros, as (column position, row)."""
    rows, columns, tail, odd = 0, set(), b"", False
    zero_cell = None
    if zero_styles:
        zero_cell = re.compile(
            rb'<c r="([A-Z]{1,2})(\d+)" s="(?:'
            + b"|".join(zero_styles)
            + rb')"(?: t="n")?><v>\d{1,4}</v>'
        )
    zero_cells = set()
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(1 << 22)
            if not chunk:
                break
            data = tail + chunk
            cut = data.rfind(b"<")
            data, tail = data[:cut], data[cut:]
            if zero_cell is not None:
                zero_cells.update(
                    (_column_number(letters) - 1, int(row))
                    for letters, row in zero_cell.findall(data)
                )
            if odd or _ODD_CELL.search(data):
                odd = True
                continue
            found = _CELL_ROW.findall(data)
            if found:
                rows = max(rows, max(map(int, found)))
            columns.update(_CELL_COLUMN.findall(data))
    width = max((_column_number(c) for c in columns), default=0)
    return (None if odd else rows * width), zero_cells


def _column_number(letters):
    number = 0
    for char in letters.decode():
        number = number * 26 + ord(char) - 64
    return number


def _xlsx_reader():
    """``stream``: the sheet's XML read row by row with lxml (memory does not
    grow with the rows). ``calamine`` (python-calamine, which builds the
    whole grid in memory) and ``openpyxl`` (read-only mode) can be asked for."""
    return "stream"


def _xlsx_rows(source, reader=None):
    """(sheet name, rows iterator, row count, date1904, reader used, zero cells)."""
    source.head(4)  # makes the stream seekable
    try:
        archive = zipfile.ZipFile(source.stream)
        _check_archive(archive)
        sheets, date1904 = _workbook_sheets(archive)
    except ARCHIVE_ERRORS as error:
        raise _unreadable(_damage(error)) from None
    if not sheets:
        raise _unreadable("le classeur n'a pas de feuille")
    by_fold = {_fold(name): name for name in sheets}
    name = by_fold.get(_fold(TEMPLATE_SHEET), next(iter(sheets)))
    reader = reader or _xlsx_reader()
    zero_styles, zero_cells = _zero_styles(archive), set()
    if reader == "calamine" or (zero_styles and reader != "stream"):
        try:
            cells, zero_cells = _scan_sheet(archive, sheets[name], zero_styles)
        except KeyError:
            raise _unreadable("une feuille annoncée manque", name) from None
        except ARCHIVE_ERRORS as error:
            raise _unreadable(_damage(error), name) from None
        if cells is None or cells > MAX_GRID_CELLS:
            reader = "openpyxl"  # streams, where calamine would hold the whole grid
    source.stream.seek(0)
    if reader == "stream":
        rows, count, zero_cells = _stream_rows(archive, sheets[name], name, date1904, zero_styles)
    elif reader == "calamine":
        rows, count = _calamine_rows(source.stream, name)
    else:
        rows, count = _openpyxl_rows(source.stream, name)
    return name, rows, count, date1904, reader, zero_cells


#: the most rows and columns a sheet has (Excel's limits, ECMA-376 §18.3.1.73)
MAX_SHEET_ROWS = 1_048_576
MAX_SHEET_COLUMNS = 16_384
_SHEET_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]{1,3}\d+:[A-Z]{1,3}(\d+)"')


def _stream_rows(archive, part, name, date1904, zero_styles):
    """(rows iterator, row count or None, zero cells) of a sheet read as it
    streams: lxml's iterparse over the sheet's XML, one ``row`` element at a
    time, freed once read; shared strings are read first (one list).

    Cells come out as calamine gives them: text (``_xHHHH_`` escapes
    decoded), ``int`` or ``float``, ``bool``, a date (``datetime.date``, or
    ``datetime.datetime`` with a time) where the cell's number format is a
    date, the error text (``#N/A``). The short numbers shown with leading
    zeros (``zero_styles``) are noted as the rows go, before each row is
    handed out.
    """
    from lxml import etree

    try:
        strings = _shared_strings(archive)
        date_styles = _date_styles(archive)
        with archive.open(part) as head:
            found = _SHEET_DIMENSION.search(head.read(1 << 12))
    except KeyError:
        raise _unreadable("une feuille annoncée manque", name) from None
    except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError) as error:
        raise _unreadable(type(error).__name__, name) from None
    count = int(found.group(1)) if found else None
    zero_cells = set()
    zero_styles = {style.decode() for style in zero_styles}
    epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH_1900

    reading = (strings, date_styles, epoch, zero_styles, zero_cells)

    def rows():
        done = 0
        try:
            with archive.open(part) as stream:
                for cells in _scan_rows(stream, reading):
                    done += 1
                    yield cells
            return
        except _Unusual:
            pass  # read again with lxml, past the rows already given
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise _unreadable(type(error).__name__, name) from None
        for cells in _walk_rows(archive, part, name, reading):
            if done:
                done -= 1
                continue
            yield cells

    return rows(), count, zero_cells


class _Unusual(Exception):
    """The sheet's XML holds something the scanner does not read: lxml will."""


#: the inflated sheet read at a time by the scanner
SCAN_CHUNK = 1 << 20
#: a row longer than this is left to lxml
SCAN_ROW_CHARS = 32 << 20
_DECLARED_ENCODING = re.compile(rb"""(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=["']([^"']*)["']""")
_SHEET_DATA = re.compile(r"<(?:(\w+):)?sheetData(?:/>|>)")
_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)")


def _scan_rows(stream, reading):
    """The rows of the sheet, read from its XML text with regular
    expressions, for the usual sheet (Excel, LibreOffice and openpyxl write
    the same shapes): each ``row`` with plain cells (see
    :data:`_SERIAL_CELL`), attributes in their usual order. Anything else
    (a formula, rich text, a comment, a DOCTYPE, another encoding, an
    unknown entity, text between rows, a file cut short) raises
    :class:`_Unusual` before the row is given, and lxml reads the sheet."""
    strings, date_styles, epoch, zero_styles, zero_cells = reading
    head = stream.read(SCAN_CHUNK)
    declared = _DECLARED_ENCODING.match(head)
    if (
        b"<!" in head[:4096]
        or b"\x00" in head[:4]
        or (declared and declared.group(1).lower() not in (b"utf-8", b"utf8"))
    ):
        raise _Unusual  # a DOCTYPE, a comment up front, another encoding
    text, tail = _decoded(head)
    found = _SHEET_DATA.search(text)
    while found is None:  # the sheet's properties before its data
        chunk = stream.read(SCAN_CHUNK)
        if not chunk or len(text) > SCAN_ROW_CHARS:
            raise _Unusual
        more, tail = _decoded(tail + chunk)
        text += more
        found = _SHEET_DATA.search(text)
    prefix = (found.group(1) + ":") if found.group(1) else ""
    if found.group(0).endswith("/>"):
        return
    cell_pattern = _scan_patterns(prefix)
    cell_with, cell_bare, cell_empty = f"<{prefix}c ", f"<{prefix}c>", f"<{prefix}c/>"
    end_tag = f"</{prefix}sheetData>"
    position = found.end()
    positions = {}
    number = 0
    while True:
        for attributes, content, end in _row_spans(text, position, prefix):
            position = end
            at = _ROW_NUMBER.search(attributes) if attributes else None
            at = int(at.group(1)) if at else number + 1
            if at > MAX_SHEET_ROWS or at <= number:
                raise _Unusual
            cells = []
            if content:
                found_cells = cell_pattern.findall(content)
                opened = (
                    content.count(cell_with) + content.count(cell_bare) + content.count(cell_empty)
                )
                if len(found_cells) != opened:
                    raise _Unusual
                if "&" in content and _ENTITY.search(content):
                    raise _Unusual
                cells = _scanned_cells(found_cells, at, positions, reading)
            while number + 1 < at:  # rows with no cell: blank rows
                number += 1
                yield [None]
            number = at
            yield cells
        rest = text[position:]
        if rest.lstrip().startswith(end_tag):
            return
        if len(rest) > SCAN_ROW_CHARS:
            raise _Unusual  # one row of many megabytes: lxml's limits apply
        chunk = stream.read(SCAN_CHUNK)
        if not chunk and not tail:
            raise _Unusual  # cut short: lxml says where
        more, tail = _decoded(tail + chunk, final=not chunk)
        text, position = rest + more, 0


_ROW_NUMBER = re.compile(r' r="(\d+)"')


def _row_spans(text, position, prefix):
    """``(attributes, content, end)`` of each whole ``row`` element
    of ``text`` from ``position``: ``<row`` with its attributes (none, or
    starting with a space), then ``/>`` (content None) or ``>``, the
    content, and the first ``</row>``. Found with ``str.find``: a regular
    expression with a lazy ``.*?`` up to ``</row>`` tried to end the match at
    every character of the row. Text between rows, or a tag starting with
    ``<row`` that is not this, raises :class:`_Unusual`; it stops at the
    first row not whole in ``text``."""
    opening, closing = f"<{prefix}row", f"</{prefix}row>"
    while True:
        start = text.find(opening, position)
        if start < 0:
            return
        if text[position:start].strip():
            raise _Unusual  # something between rows
        after = start + len(opening)
        close = text.find(">", after)
        if close < 0:
            return
        if text[close - 1] == "/":
            attributes, content, end = text[after : close - 1], None, close + 1
        else:
            attributes = text[after:close]
            finish = text.find(closing, close + 1)
            if finish < 0:
                return
            content, end = text[close + 1 : finish], finish + len(closing)
        if attributes and attributes[0] != " ":
            raise _Unusual  # another tag, or attributes the scanner does not read
        yield attributes, content, end
        position = end


def _decoded(data, final=False):
    """The text of ``data`` up to its last ``<`` (a whole character), and the
    rest; all of it at the end of the part."""
    cut = len(data) if final else data.rfind(b"<")
    if cut <= 0:
        cut = len(data)
    try:
        return data[:cut].decode("utf-8"), data[cut:]
    except UnicodeDecodeError:
        raise _Unusual from None


_PATTERNS = {}


def _scan_patterns(prefix):
    """The cell expression for the sheet's namespace prefix."""
    patterns = _PATTERNS.get(prefix)
    if patterns is None:
        p = re.escape(prefix)
        cell = re.compile(
            rf'<{p}c r="([A-Z]{{1,3}})\d+"(?: s="(\d+)")?(?: t="(\w+)")?(?:/>|>(?:'
            rf"<{p}v>([^<]*)</{p}v>"
            rf'|<{p}is><{p}t(?: xml:space="preserve")?>([^<]*)</{p}t></{p}is>'
            rf")</{p}c>)"
        )
        patterns = _PATTERNS[prefix] = cell
    return patterns


def _scanned_cells(found, number, positions, reading):
    """The values of one row's cells found by the scanner, by column position."""
    strings, date_styles, epoch, zero_styles, zero_cells = reading
    cells = []
    for letters, style, kind, value, inline in found:
        position = positions.get(letters)
        if position is None:
            position = _letters_position(letters, positions)
            if position >= MAX_SHEET_COLUMNS:
                raise _unreadable(f"la colonne « {letters} » dépasse la limite d'Excel")
        if inline:
            if "&" in inline:
                inline = html.unescape(inline)
            value = _XSTRING.sub(_unescape, inline) if "_x" in inline else inline
        elif value:
            if "&" in value:
                value = html.unescape(value)
            if zero_styles and style in zero_styles and kind in ("", "n") and value.isdigit():
                if len(value) <= 4:
                    zero_cells.add((position, number))
            value = _cell_value(value, kind or None, style or None, strings, date_styles, epoch)
        else:
            value = None
        if position > len(cells):
            cells.extend([None] * (position - len(cells)))
        if position == len(cells):
            cells.append(value)
        else:  # the same cell twice: the last one wins, as in a spreadsheet
            cells[position] = value
    return cells


def _walk_rows(archive, part, name, reading):
    """The rows of the sheet read with lxml's iterparse, element by element:
    any sheet the format allows, one ``row`` element at a time, freed once read."""
    from lxml import etree

    from . import xmlsafe

    strings, date_styles, epoch, zero_styles, zero_cells = reading
    tags = {"v": _NS + "v", "is": _NS + "is", "t": _NS + "t", "r": _NS + "r"}
    positions = {}
    number = 0
    try:
        with archive.open(part) as stream:
            context = xmlsafe.iterparse(stream, events=("end",), tag=_NS + "row")
            for _event, row in context:
                ref = row.get("r")
                at = int(ref) if ref and ref.isdigit() else number + 1
                if at > MAX_SHEET_ROWS:
                    raise _unreadable(f"la ligne {at} dépasse la limite d'Excel", name)
                while number + 1 < at:  # rows with no cell: blank rows
                    number += 1
                    yield [None]
                number = max(number, at)
                cells = _sheet_row_walk(row, at, tags, positions, strings, date_styles, epoch)
                if zero_styles:
                    _note_zero_cells(row, at, positions, zero_styles, zero_cells)
                row.clear()
                parent = row.getparent()
                while row.getprevious() is not None:
                    del parent[0]
                yield cells
    except etree.XMLSyntaxError as error:
        raise _unreadable(type(error).__name__, name) from None
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise _unreadable(type(error).__name__, name) from None


#: day 0 of the two spreadsheet date systems (ECMA-376 §18.17.4.1)
EXCEL_EPOCH_1900 = datetime.datetime(1899, 12, 30)
EXCEL_EPOCH_1904 = datetime.datetime(1904, 1, 1)


def _sheet_row_walk(row, number, tags, positions, strings, date_styles, epoch):
    """:func:`_sheet_row`, element by element: any cell of the format."""
    cells = []
    tag_v, tag_is = tags["v"], tags["is"]
    for cell in row:
        ref = cell.get("r")
        if ref is None:
            position = len(cells)
        else:
            position = positions.get(ref[:3].rstrip("0123456789"))
            if position is None:
                letters = ref.rstrip("0123456789")
                position = _letters_position(letters, positions)
        if position >= MAX_SHEET_COLUMNS:
            raise _unreadable(f"la cellule « {ref} » dépasse la limite d'Excel")
        kind = cell.get("t")
        value = None
        for child in cell:
            if child.tag == tag_v:
                value = _cell_value(child.text, kind, cell.get("s"), strings, date_styles, epoch)
            elif child.tag == tag_is:
                value = _rich_text(child, tags)
        if position > len(cells):
            cells.extend([None] * (position - len(cells)))
        if position == len(cells):
            cells.append(value)
        else:  # the same cell twice: the last one wins, as in a spreadsheet
            cells[position] = value
    return cells


def _letters_position(letters, positions):
    number = 0
    for char in letters:
        if not "A" <= char <= "Z":
            raise _unreadable(f"référence de cellule « {letters} » inconnue")
        number = number * 26 + ord(char) - 64
    if not 0 < len(letters) <= 3:
        raise _unreadable(f"référence de cellule « {letters} » inconnue")
    positions[letters] = number - 1
    return number - 1


def _cell_value(text, kind, style, strings, date_styles, epoch):
    if text is None:
        return None
    if kind is None or kind == "n":
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return text
            if number.is_integer():
                number = int(number)
        if style is not None and style in date_styles:
            return _serial_date(number, epoch)
        return number
    if kind == "s":
        try:
            return strings[int(text)]
        except (ValueError, IndexError):
            raise _unreadable(f"texte partagé n° « {text[:20]} » absent") from None
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "str" or kind == "e" or kind == "d":
        return _xstring(text)
    return text


def _serial_date(serial, epoch):
    """A date cell: its date, with its time when it has one; a serial out of
    the range of dates is left as a number (the parser says why)."""
    if not -1 < serial < 2_958_466:  # 9999-12-31
        return serial
    moment = epoch + datetime.timedelta(days=serial)
    if moment.hour == moment.minute == moment.second == moment.microsecond == 0:
        return moment.date()
    return moment


def _rich_text(element, tags):
    """The text of a ``si`` or ``is`` element: its ``t``, or its runs' ``t``
    (phonetic runs, ``rPh``, left out)."""
    tag_t, tag_r = tags["t"], tags["r"]
    parts = []
    for child in element:
        if child.tag == tag_t:
            parts.append(child.text or "")
        elif child.tag == tag_r:
            for run in child:
                if run.tag == tag_t:
                    parts.append(run.text or "")
    return _xstring("".join(parts))


def _xstring(text):
    return _XSTRING.sub(_unescape, text) if "_x" in text else text


def _shared_strings(archive):
    """The workbook's shared strings, in order (one list)."""
    from . import xmlsafe

    part = _related_part(archive, "/sharedStrings")
    if part is None:
        return []
    tags = {"t": _NS + "t", "r": _NS + "r"}
    strings = []
    try:
        stream = archive.open(part)
    except KeyError:
        return []
    with stream:
        for _event, item in xmlsafe.iterparse(stream, events=("end",), tag=_NS + "si"):
            strings.append(_rich_text(item, tags))
            item.clear()
            parent = item.getparent()
            while item.getprevious() is not None:
                del parent[0]
    return strings


def _related_part(archive, kind):
    """The part of the workbook's relation whose type ends with ``kind``."""
    rels = _small_xml(archive, "xl/_rels/workbook.xml.rels")
    if rels is None:
        return None
    for rel in rels.iter(_PKG_NS + "Relationship"):
        if rel.get("Type", "").endswith(kind):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            return os.path.normpath(target).replace(os.sep, "/")
    return None


def _date_styles(archive):
    """The ``s`` values of the cell styles whose number format is a date
    (built-in formats 14-22, 45-47, or a custom format with d, m, y…)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    styles = _small_xml(archive, "xl/styles.xml")
    if styles is None:
        return frozenset()
    formats = {str(key): code for key, code in BUILTIN_FORMATS.items()}
    for number in styles.iter(_NS + "numFmt"):
        formats[number.get("numFmtId")] = number.get("formatCode", "")
    cell_styles = styles.find(_NS + "cellXfs")
    if cell_styles is None:
        return frozenset()
    return frozenset(
        str(index)
        for index, style in enumerate(cell_styles.iter(_NS + "xf"))
        if is_date_format(formats.get(style.get("numFmtId", "0"), ""))
    )


def _note_zero_cells(row, number, positions, zero_styles, zero_cells):
    """The cells of a "00000" number format holding a short number."""
    for cell in row:
        if cell.get("s") in zero_styles and cell.get("t") in (None, "n"):
            ref = cell.get("r") or ""
            text = cell.findtext(_NS + "v") or ""
            position = positions.get(ref.rstrip("0123456789"))
            if position is not None and text.isdigit() and len(text) <= 4:
                zero_cells.add((position, number))


def _calamine_rows(stream, name):
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(stream)
        sheet = book.get_sheet_by_name(name)
    except Exception as error:  # calamine raises its own kinds, and ValueError
        raise _unreadable(_damage(error), name) from None

    # calamine's grid starts at the first filled cell; depending on its
    # version, iter_rows puts the blank rows and columns before it back or
    # not: the lengths tell, so rows and columns keep their numbers
    top, left = sheet.start or (0, 0)

    def rows():
        try:
            grid = sheet.iter_rows()
            first = next(grid, None)
            if first is None:
                return
            padded_rows = top > 0 and all(value == "" for value in first)
            margin = [None] * left if len(first) == sheet.width else []
            if not padded_rows:
                for _blank in range(top):
                    yield [None]
            yield margin + [_calamine_cell(value) for value in first]
            for row in grid:
                yield margin + [_calamine_cell(value) for value in row]
        finally:
            book.close()

    return rows(), top + sheet.height


def _calamine_cell(value):
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: how a workbook escapes a character XML cannot hold (ECMA-376 ST_Xstring,
#: ``_x000B_``); calamine decodes it, openpyxl leaves it as it is
_XSTRING = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(match):
    return chr(int(match.group(1), 16))


def _openpyxl_rows(stream, name):
    import openpyxl

    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        sheet = book[name]
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise _unreadable(_damage(error), name) from None

    def rows():
        try:
            yield from sheet.iter_rows(values_only=True)
        except Exception as error:  # a damaged part shows only while iterating
            raise _unreadable(_damage(error), name) from None
        finally:
            book.close()

    return rows(), sheet.max_row


# -- compiled row plan -------------------------------------------------------

#: how a column's cells are read: by the dictionary parser alone, or with the
#: template's number formats undone first (postal codes, serial dates)
PLAIN, POSTAL, DATE = 0, 1, 2


@dataclass
class _Column:
    position: int
    node: object
    label: str
    parse: object
    group: str | None
    kind: int  # PLAIN, POSTAL or DATE


class _Plan:
    """What the header says, compiled once: where each fact is and how to parse it."""

    def __init__(self, schema, header, index):
        labels = column_labels(schema)
        self.schema = schema
        self.columns, self.unknown, self.ignored = [], {}, set()
        seen = set()
        for position, cell in enumerate(header):
            node = _match(cell, schema, index)
            label = str(cell).strip() if cell is not None else ""
            if node is None or node.key in seen:
                self.unknown[position] = (label, node)
                continue
            seen.add(node.key)
            if node.level == "flux":
                self.ignored.add(position)  # generated by the writer for each file
                continue
            shown = labels[node.key] if label.lstrip("#") == node.dico_id else label
            group = item_group(schema, node)
            kind = (
                POSTAL
                if node.key in POSTAL_KEYS
                else (DATE if isinstance(node.value, Date) else PLAIN)
            )
            self.columns.append(
                _Column(
                    position,
                    node,
                    f"{node.dico_id} ({shown})",
                    parser(node),
                    group.key if group is not None else None,
                    kind,
                )
            )
        self.width = len(header)
        self.fast = tuple(
            (c.position, c.node.key, c.parse, c.kind, c.group, c) for c in self.columns
        )
        self.plain = {c.node.key: None for c in self.columns if c.group is None}
        self.groups = sorted({c.group for c in self.columns if c.group})
        self.unknown_positions = sorted(self.unknown)
        self.first_unknown_use = set()
        keys = {c.node.key for c in self.columns}
        self.birth_choice = _birth_choice(schema) if {"codeInsee", "codePostal"} <= keys else None
        self.label_column = 0 in self.unknown or 0 in self.ignored


def _birth_choice(schema):
    """The branch the writer picks when both birth codes are given (``Schema.branches``)."""
    choice = schema.by_key["codeInsee"].parent.rsplit("/", 1)[0]
    for branch in schema.branches(choice):
        if branch.own_keys & {"codeInsee", "codePostal"}:
            return branch
    return None  # pragma: no cover (the table has both branches)


class _RowReader:
    """Turns the cells of one row into an :class:`ImportedRow`, with the plan."""

    def __init__(
        self,
        plan,
        *,
        date1904=False,
        unescape=False,
        zero_cells=frozenset(),
        normalize=False,
        grid=False,
    ):
        self.plan = plan
        #: the rows of a sheet (XLSX, typed cells), not the lines of a CSV file
        self.grid = grid
        #: plain lines, or a sheet's rows, are read normalized (see iter_rows)
        #: when the header allows
        self.normalized = (
            _normalized_reader(plan, grid=grid, unescape=unescape) if normalize else None
        )
        #: (position, row) of the numbers shown with their leading zeros
        self.zero_cells = zero_cells
        self.date1904 = date1904
        #: openpyxl leaves ST_Xstring escapes (``_x000B_``) in the text
        self.unescape = unescape
        self._fast = {}  # compiled on first use: a file may need one reader only

    def fast(self, cells, suspicious):
        """The compiled reader (:func:`_fast_reader`) of an ordinary row."""
        return self._reader(False)(cells, suspicious)

    def fast_plain(self, cells):
        """The compiled reader of a plain CSV line (:func:`_plain_cells`)."""
        return self._reader(True)(cells)

    def _reader(self, plain):
        reader = self._fast.get(plain)
        if reader is None:
            reader = self._fast[plain] = _fast_reader(self.plan, self.unescape, plain=plain)
        return reader

    def _read_normalized(self, cells, row, suspicious):
        """A plain line, or a sheet's row, read normalized, when it gives no
        finding; else None. The compiled reader hands over any cell the
        general path may change with a warning (a postal code of fewer than
        5 digits, whatever its cell's format says; a date as a number or as 5
        digits): :meth:`_special` reads those."""
        plan = self.plan
        if self.grid:
            passage = self.normalized(cells, suspicious)
            if not passage or _filled_elsewhere(cells, plan):
                return None  # the general path says what these cells are
        else:
            passage = self.normalized(cells)
            if not passage:
                return None
            if len(cells) > plan.width or any(
                position < len(cells) and cells[position] for position in plan.unknown_positions
            ):
                return None  # the general path says what these cells are
        if plan.birth_choice and passage.get("codeInsee") and passage.get("codePostal"):
            return None
        return ImportedRow(row, passage, [], plan.schema.version)

    def read(self, cells, row, *, suspicious=True, plain=False):
        if self.normalized is not None and (plain or self.grid):
            imported = self._read_normalized(cells, row, suspicious)
            if imported is not None:
                return imported
        plan = self.plan
        passage, findings, any_value = self._values(cells, row, suspicious, plain)
        extra = self._extra(cells, row, findings)
        if not any_value:
            if not extra:
                return None
            findings.append(
                Finding(
                    BLOCKING,
                    "import_row_ignored",
                    "Ligne écartée : seules des colonnes non reconnues sont remplies. "
                    "Nommez ces colonnes par leur identifiant du dictionnaire (ex. 5.1).",
                    row=row,
                )
            )
            return ImportedRow(row, None, findings)
        if plan.birth_choice and passage.get("codeInsee") and passage.get("codePostal"):
            findings.append(_both_birth_codes(plan, row, passage))
        passage_id = passage.get("idTechnique")
        if passage_id:
            findings = [_with_passage(f, passage_id) for f in findings]
        return ImportedRow(row, passage, findings)

    def _values(self, cells, row, suspicious, plain=False):
        """The passage of one row, the findings about its cells, and whether any is filled."""
        fast = self._fast.get(plain) or self._reader(plain)
        passage = fast(cells) if plain else fast(cells, suspicious)
        if passage is not None:
            return passage, [], passage is not False
        return self._read_values(cells, row, suspicious)

    def _read_values(self, cells, row, suspicious):
        """:meth:`_values` interpreted, cell by cell: the reference."""
        plan = self.plan
        passage = dict(plan.plain)
        items = None
        findings = []
        size = len(cells)
        any_value = False
        for position, key, parse, kind, group, column in plan.fast:
            if position >= size:
                break  # columns are in position order
            raw = cells[position]
            if raw is None or raw == "":
                continue
            if type(raw) is str:
                raw, problem = self._text(raw, suspicious)
                if problem:
                    findings.append(self._bad(column, row, problem, passage))
                    if problem[0] == BLOCKING:
                        any_value = True
                        continue
                special = kind == POSTAL or (kind == DATE and len(raw) == 5 and raw.isdigit())
            else:
                special = kind != PLAIN
            try:
                if special:
                    value, note = self._special(column, raw, row)
                    if note:
                        findings.append(self._bad(column, row, (WARNING, note), passage))
                else:
                    value = parse(raw)
            except InvalidFormat as error:
                findings.append(_bad_cell(column, row, error, passage.get("idTechnique")))
                any_value = True
                continue
            if value is None:
                continue
            any_value = True
            if group is None:
                passage[key] = value
            else:
                if items is None:
                    items = {}
                items.setdefault(group, {})[key] = value
        for key in plan.groups:
            item = items.get(key) if items else None
            passage[key] = [_complete(item, plan, key)] if item else []
        return passage, findings, any_value

    def _text(self, raw, suspicious):
        """A text cell without our formula guard, and what is wrong with it."""
        if raw[0] == "'" or raw[0] == " ":
            raw = _unguard(raw)
        if self.unescape and "_x" in raw:
            raw = _XSTRING.sub(_unescape, raw)
        if (suspicious and _INVISIBLE.search(raw)) or len(raw) > MAX_CELL_CHARS:
            return raw, _text_problem(raw)
        return raw, None

    def _special(self, column, raw, row):
        """Postal codes and dates: the template's number formats, undone."""
        node = column.node
        if column.kind == POSTAL:
            digits = _number_text(raw)
            if digits is not None and len(digits) < POSTAL_WIDTH:
                padded = digits.zfill(POSTAL_WIDTH)
                if (column.position, row) in self.zero_cells:
                    return padded, None  # the cell showed them: format 00000
                return padded, (
                    f"lu « {digits} » (le tableur l'a pris pour un nombre) : complété en "
                    f"« {padded} », un code postal français comptant 5 chiffres. Vérifiez-le."
                )
            return column.parse(raw), None
        # dates: a number is a serial date, stored so in a "General" cell
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            serial = raw + 1462 if self.date1904 else raw
            if excel_serial_date(serial) is None:
                raise InvalidFormat(
                    f"{node.label} ({node.ref}) : le nombre « {raw} » n'est pas une date ; "
                    "attendu : une date AAAA-MM-JJ ou JJ/MM/AAAA.",
                    field=node.key,
                    dico_id=node.dico_id,
                )
            return column.parse(serial), None
        text = raw.strip() if isinstance(raw, str) else raw
        if isinstance(text, str) and len(text) == 5 and text.isdigit():
            date = column.parse(int(text))
            return date, (
                f"lu « {text} », un numéro de série de date du tableur : compris comme le "
                f"{date:%d/%m/%Y}. Vérifiez-le, ou écrivez la date en JJ/MM/AAAA."
            )
        return column.parse(raw), None

    def _bad(self, column, row, problem, passage):
        severity, message = problem
        node = column.node
        return Finding(
            severity,
            "import_value" if severity == BLOCKING else "import_value_changed",
            f"{node.label} ({node.ref}) : {message}",
            field=node.key,
            dico_id=node.dico_id,
            passage=passage.get("idTechnique"),
            row=row,
            column=column.label,
        )

    def _extra(self, cells, row, findings):
        """Data in columns the header does not name: a warning, once per column."""
        plan = self.plan
        used = False
        for position in plan.unknown_positions:
            if position < len(cells) and not is_blank(_unguard_cell(cells[position])):
                if position in plan.ignored:  # pragma: no cover (ignored are not unknown)
                    continue
                used = True
                if position not in plan.first_unknown_use:
                    plan.first_unknown_use.add(position)
                    findings.append(_unknown_column(plan, position, row))
        if len(cells) > plan.width:
            for position in range(plan.width, len(cells)):
                if not is_blank(_unguard_cell(cells[position])):
                    used = True
                    if position not in plan.first_unknown_use:
                        plan.first_unknown_use.add(position)
                        plan.unknown.setdefault(position, ("", None))
                        findings.append(_unknown_column(plan, position, row))
        return used


def _filled_elsewhere(cells, plan):
    """A cell of a sheet's row, typed or text, in a column the plan does not
    read (not named by the header, or past it): a ``0`` or ``False`` counts."""
    size = len(cells)
    for position in plan.unknown_positions:
        if position < size and cells[position] not in (None, ""):
            return True
    return size > plan.width and any(
        cells[position] not in (None, "") for position in range(plan.width, size)
    )


def _complete(item, plan, key):
    """A DigComp result with every one of its columns (None when empty)."""
    full = {c.node.key: None for c in plan.columns if c.group == key}
    full.update(item)
    return full


def _unguard(raw):
    text = raw.lstrip()
    if text[:1] == "'" and text[1:2] in FORMULA_CHARS:
        return text[1:]  # our own formula-injection guard, see export.py
    return raw


def _unguard_cell(value):
    return _unguard(value) if isinstance(value, str) and value else value


def _number_text(raw):
    """Digits of a postal code read as a number, or None when it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return str(raw) if raw >= 0 else None
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() and raw >= 0 else None
    if not isinstance(raw, str):
        return None  # a date cell, say: the parser says what is wrong
    text = raw.strip()
    return text if text.isascii() and text.isdigit() else None


def _thousands(number):
    """``200 000``: French digit grouping."""
    return f"{number:,}".replace(",", "\u202f")


def _text_problem(raw):
    """(severity, French reason) for a value no CDC field can take, or None."""
    if len(raw) > MAX_CELL_CHARS:
        return (
            BLOCKING,
            f"la cellule compte {_thousands(len(raw))} caractères, plus qu'une cellule de "
            f"tableur n'en contient ({_thousands(MAX_CELL_CHARS)}) : elle est ignorée. "
            "Vérifiez cette colonne (un séparateur ou un guillemet manque peut-être).",
        )
    bad = _UNWRITABLE.search(raw)
    if bad:
        char = bad.group()
        if char == "\ufffd":
            return (
                BLOCKING,
                "contient un caractère illisible (octet invalide pour l'encodage) : "
                "corrigez la valeur et enregistrez le fichier en UTF-8.",
            )
        name = _CONTROL_NAMES.get(char, "caractère de contrôle")
        return (
            BLOCKING,
            f"contient un caractère de contrôle invisible (U+{ord(char):04X}, {name}) que "
            "le fichier XML ne peut pas porter : supprimez-le de la cellule.",
        )
    space = _LINE_BREAKS.search(raw.strip())
    if space:
        name = _CONTROL_NAMES[space.group()]
        return (
            WARNING,
            f"contient un caractère invisible ({name}) : il sera remplacé par une espace. "
            "Vérifiez la valeur.",
        )
    return None


def _bad_cell(column, row, error, passage_id):
    node = column.node
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
        column=column.label,
    )


def _with_passage(finding, passage_id):
    if finding.passage is not None:
        return finding
    return Finding(**{**finding.__dict__, "passage": passage_id})


def _both_birth_codes(plan, row, passage):
    """Both #8.10 and #8.11: the XSD takes one; the writer keeps the first branch."""
    insee = plan.schema.by_key["codeInsee"]
    postal = plan.schema.by_key["codePostal"]
    kept, dropped = (insee, postal)
    if "codeInsee" not in plan.birth_choice.own_keys:  # pragma: no cover (table order)
        kept, dropped = postal, insee
    return Finding(
        WARNING,
        "import_birth_codes",
        f"{insee.ref} et {postal.ref} sont remplis tous les deux : le schéma de la CDC "
        f"n'accepte que l'un des deux (choix codeCommuneNaissance). Seul {kept.label.lower()} "
        f"({kept.ref}) est transmis, car le dictionnaire NC5 recommande le code INSEE ; "
        f"{dropped.label.lower()} est ignoré. Videz la colonne inutile.",
        field=dropped.key,
        dico_id=dropped.dico_id,
        row=row,
    )


def _unknown_column(plan, position, row):
    label, duplicate = plan.unknown[position]
    letter = column_letter(position)
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
    return Finding(WARNING, "import_column", message, row=row, column=label or letter)


# -- header and template rows ------------------------------------------------


def _find_header(rows, schema, index):
    best, best_row = 0, None
    for number, row in enumerate(rows):
        found = {_match(cell, schema, index) for cell in row[:200]} - {None}
        if len(found) > best:
            best, best_row = len(found), number
    if best < 2:
        raise ImportFileError(
            "Aucune ligne d'en-tête reconnue : la première ligne du tableau doit nommer les "
            "colonnes par leur identifiant du dictionnaire (5.1, 8.1…), leur nom XML "
            "(idTechnique, nomNaissance…) ou leur intitulé du modèle Excel (Id Technique…)."
        )
    return best_row


def _template_label(cell):
    """True for a column-A label of the template's own rows ("Exemple"…)."""
    return isinstance(cell, str) and 0 < len(cell) <= 20 and _fold(cell) in TEMPLATE_ROW_LABELS


def _template_row(cells, plan, schema, index):
    """The template's own rows: labelled in column A, the marker, a second header."""
    if plan.label_column and cells and _template_label(cells[0]):
        return True
    texts = [c for c in cells if isinstance(c, str) and c.strip()]
    if any(_fold(c).startswith(START_MARKER) for c in texts[:3]):
        return True
    matched = sum(1 for c in texts if _match(c, schema, index))
    return matched >= max(2, len(plan.columns) // 2)


# -- the entry point ---------------------------------------------------------


class RowIterator:
    """The rows of one file (see :func:`iter_rows`); ``header_row``,
    ``columns`` and ``format`` are known once the first row is read."""

    def __init__(self, source, *, version, filename, progress, xlsx_reader=None, normalize=False):
        self.schema = get_schema(version)
        self._normalize = normalize
        self._source = source
        self._filename = filename
        self._progress = progress
        self._xlsx_reader = xlsx_reader
        self.header_row = None
        self.columns = ()
        self.format = None
        self.sheet = None
        #: the XLSX reader used: "stream" (the default), "calamine" or "openpyxl"
        self.xlsx_reader = None
        self._blank = None
        self._index = None
        self._rows = self._generate()

    def __iter__(self):
        return self._rows  # a for loop takes the generator's own next

    def __next__(self):
        return next(self._rows)

    def close(self):
        self._rows.close()

    def _generate(self):
        source = _Source(self._source, self._filename)
        try:
            yield from self._read(source)
        finally:
            source.close()

    def _read(self, source):
        kind = self._kind(source)
        self.format = kind
        date1904, zero_cells = False, frozenset()
        if kind == "xlsx":
            self.sheet, grid, count, date1904, self.xlsx_reader, zero_cells = _xlsx_rows(
                source, self._xlsx_reader
            )
            numbered = enumerate(grid, start=1)
            lines = None
        else:
            lines, records, width = _csv_rows(source)
            count = None
            numbered = ((record.row, record) for record in records)
        index = self._index = _header_index(self.schema)
        head = []
        for item in numbered:
            head.append(item)
            if len(head) >= HEADER_SCAN:
                break
        header_cells = [_cells(item) for _n, item in head]
        position = _find_header(header_cells, self.schema, index)
        self.header_row = head[position][0]
        plan = _Plan(self.schema, header_cells[position], index)
        self.columns = tuple(c.node for c in plan.columns)
        if lines is not None:
            width[0] = max(plan.width, 2)
        reader = _RowReader(
            plan,
            date1904=date1904,
            unescape=self.xlsx_reader == "openpyxl",
            zero_cells=zero_cells,
            normalize=self._normalize,
            grid=lines is None,
        )
        rest = head[position + 1 :]
        preamble = HEADER_SCAN
        done = 0
        for number, item in _chain(rest, numbered):
            done += 1
            if done % PROGRESS_EVERY == 0:
                self._report(lines, source, done, count)
            if isinstance(item, _Record):
                imported = self._csv_row(item, reader, plan, preamble > 0)
            else:
                imported = self._grid_row(item, number, reader, plan, preamble > 0)
            preamble -= 1
            if imported is not None:
                yield imported
        if self._progress is not None and source.total is not None:
            self._progress(source.total, source.total)

    def _report(self, lines, source, done, count):
        if self._progress is None or source.total is None:
            return
        if lines is not None:
            position = min(lines.done, source.total)
        else:
            position = min(source.total, source.total * done // max(count or done, done))
        self._progress(position, source.total)

    def _kind(self, source):
        if source.text is not None:
            return "csv"
        if not source.head(1 << 16).strip():
            raise ImportFileError("Le fichier importé est vide.")
        head = source.head(8)
        if head.startswith(b"PK\x03\x04"):
            return "xlsx"
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportFileError(
                "Le format Excel 97-2003 (.xls) n'est pas pris en charge : enregistrez le "
                "classeur au format .xlsx ou en CSV."
            )
        name = source.name
        if name and str(name).lower().endswith((".xlsx", ".xlsm")):
            raise ImportFileError(
                f"« {name} » n'est pas un classeur .xlsx valide : enregistrez-le à nouveau."
            )
        return "csv"

    def _csv_row(self, record, reader, plan, in_preamble):
        if record.problem:
            return ImportedRow(
                record.row,
                None,
                [
                    Finding(
                        BLOCKING,
                        "import_row_unreadable",
                        record.problem,
                        row=record.row,
                        column=record.column,
                    )
                ],
            )
        cells = record.cells
        if not any(cells):
            return None
        if in_preamble and _template_row(cells, plan, self.schema, self._index):
            return None
        if plan.label_column and _template_label(cells[0]):
            return None
        imported = reader.read(cells, record.row, suspicious=record.suspicious, plain=record.plain)
        if imported is not None and record.cp1252:
            imported.findings.insert(0, _cp1252_finding(record.row, imported))
        return imported

    def _grid_row(self, cells, number, reader, plan, in_preamble):
        if cells is self._blank or cells.count(None) == len(cells):
            self._blank = cells  # openpyxl repeats one empty row for missing rows
            return None
        if in_preamble and _template_row(cells, plan, self.schema, self._index):
            return None
        if plan.label_column and _template_label(cells[0]):
            return None
        return reader.read(cells, number, suspicious=True)


def _cp1252_finding(row, imported):
    passage = imported.passage or {}
    return Finding(
        WARNING,
        "import_encoding",
        "Ligne enregistrée en Windows-1252 (ANSI) alors que le fichier est en UTF-8 : ses "
        "accents ont été lus en Windows-1252. Vérifiez les noms de cette ligne.",
        passage=passage.get("idTechnique"),
        row=row,
    )


def _cells(item):
    return item.cells or [] if isinstance(item, _Record) else item


def _chain(first, rest):
    yield from first
    yield from rest


def iter_rows(
    source, *, version="1.1.2", filename=None, progress=None, normalize=False
) -> RowIterator:
    """Stream the data rows of a CSV or XLSX file in the CDC template layout.

    ``source``: a path, bytes, or a binary (or text) file object. Yields one
    :class:`ImportedRow` per non-empty data row, unusable ones included.
    ``progress(done_bytes, total_bytes)`` is called every few hundred rows.
    Raises :class:`ImportFileError` (French message) when the file cannot be
    read at all. An XLSX sheet is streamed (:func:`_stream_rows`): memory
    does not grow with its rows. With ``normalize`` (the deposit pipeline),
    a row (a plain CSV line, a sheet's row) that reads without a finding may
    come already normalized as :func:`accrochage.rules.normalize_passage`
    would leave it, in one pass; such a row says so (``normalized`` is the
    version).

    >>> rows = iter_rows(b"idTechnique;codePostal\\nP-1;1000\\n")
    >>> [(r.row, r.passage["codePostal"], [f.code for f in r.findings]) for r in rows]
    [(2, '01000', ['import_value_changed'])]
    >>> rows.header_row, rows.format
    (1, 'csv')
    """
    return RowIterator(
        source, version=version, filename=filename, progress=progress, normalize=normalize
    )


def read_passages(source, *, filename=None, version="1.1.2") -> ImportResult:
    """Read a whole CSV or XLSX file into an :class:`ImportResult` (a thin
    wrapper over :func:`iter_rows`, for previews).

    ``source``: a path, bytes, or a binary file object. Raises
    :class:`ImportFileError` when the file cannot be read at all; cell
    problems are findings of the result.
    """
    rows = iter_rows(source, filename=filename, version=version)
    result = ImportResult()
    for imported in rows:
        result.rows += 1
        if imported.passage is not None:
            result.passages.append((imported.row, imported.passage))
        result.findings.extend(imported.findings)
    result.columns, result.header_row, result.format = rows.columns, rows.header_row, rows.format
    return result


# -- compiled fast path --------------------------------------------------------

#: compiled row readers, by (schema version, columns, openpyxl escapes, kind)
_FAST_READERS = {}


def _fast_reader(plan, unescape, *, plain=False):
    """``fast(cells, suspicious)``: the passage of an ordinary row, in straight
    code generated from the plan, or None when a cell is anything but
    ordinary (a guard quote, an odd character, a value its parser would
    refuse or change, a type it does not expect); :meth:`_RowReader._values`
    then reads the row and says what is wrong: its findings are the
    reference (the tests compare both on every column and many odd cells).
    ``False``: no column of the plan is filled. Built once per header.
    With ``plain``, ``fast(cells)`` for the cells of a plain CSV line (see
    :func:`_fast_cell`): the same passage, fewer tests.
    """
    key = (
        plan.schema.version,
        tuple((c.position, c.node.key, c.kind, c.group) for c in plan.columns),
        unescape,
        plain,
    )
    fast = _FAST_READERS.get(key)
    if fast is None:
        fast = _FAST_READERS[key] = _compile_fast(plan, unescape, plain)
    return fast


def _normalized_reader(plan, *, grid=False, unescape=False):
    """``fast(cells)`` for a plain CSV line, each text as
    :func:`accrochage.rules.normalize_passage` leaves it (the cleaners of
    :mod:`accrochage.rule_plan`, the one source); None when the header has a
    NIR column (normalize checks the NIR as a whole). With ``grid``,
    ``fast(cells, suspicious)`` for a row of a sheet, typed cells included
    (see :func:`_fast_reader`; ``unescape``: openpyxl's rows)."""
    from .rule_plan import NIR, compiled

    key = (
        plan.schema.version,
        tuple((c.position, c.node.key, c.kind, c.group) for c in plan.columns),
        "normalized",
        grid,
        grid and unescape,
    )
    if key not in _FAST_READERS:
        keys = {c.node.key for c in plan.columns}
        rules = compiled(plan.schema.version)
        cleaners = {key: rules.text_cleaner(key) for key in keys}
        _FAST_READERS[key] = (
            None if NIR in keys else _compile_fast(plan, grid and unescape, not grid, cleaners)
        )
    return _FAST_READERS[key]


def _fast_cell(column, unescape, constants, plain=False, clean=None):
    """The lines reading one column: ``v`` is the cell, ``s`` its stripped
    text; each kind of value does what :func:`accrochage.values.parser`
    does on the usual input, and hands anything else over.

    ``plain``: the cells of a CSV line that :func:`_plain_cells` passed, text
    or None: what it rules out (a guard quote, white space around the text, a
    cell too long) is not tested again, and no cell needs stripping.
    ``clean``: how normalize changes this column's text
    (:meth:`accrochage.rule_plan._Plan.text_cleaner`), applied as it is read."""
    from .dictionary import Boolean, Enum, Integer
    from .values import _BOOLEANS

    node, kind = column.node, column.node.value
    target = f"p[{node.key!r}]" if column.group is None else f"i{column.group}[{node.key!r}]"

    def const(value):
        name = f"_k{len(constants)}"
        constants[name] = value
        return name

    odd = "v[0] == \"'\" or v[0] == ' ' or len(v) > MAX or (S and INV(v))"
    if unescape:
        odd += " or '_x' in v"
    if isinstance(kind, Date):
        odd += " or len(v) == 5"  # a serial date typed as text: with a warning
    text = []  # s is a non-nil stripped text
    others = []  # (test, lines making s, value) for a cell of another type
    if isinstance(kind, Boolean):
        # the words as typed most often first (OUI, Non), then any case
        spellings = {
            spelling: value
            for word, value in _BOOLEANS.items()
            for spelling in (word, word.upper(), word.capitalize())
        }
        text = [
            f"b = {const(spellings)}.get(s)",
            f"if b is None: b = {const(_BOOLEANS)}.get(s.lower())",
            "if b is None: return None",
            f"{target} = b",
        ]
        others = [("v is True or v is False", [], "v")]
    elif isinstance(kind, Integer):
        text = ["if not (s.isdigit() and s.isascii()): return None", f"{target} = int(s)"]
        others = [("v.__class__ is int", [], "v")]
    elif isinstance(kind, Enum):
        codes = {code: code for code in kind.values}
        upper = all(code.upper() == code for code in codes)
        first = f"{const(codes)}.get(s) or " if upper else ""  # a code as the table spells it
        text = [
            f"e = {first}{const(codes)}.get(s.upper())",
            "if e is None: return None",
            f"{target} = e",
        ]
    elif isinstance(kind, Date):
        # values._parse_date reads these two forms first; others: interpreted
        text = [
            "if len(s) != 10: return None",
            "try:",
            " if s[4] == '-': d = ISO(s)",
            " elif s[2] == '/' and s[5] == '/': d = DATE(int(s[6:]), int(s[3:5]), int(s[:2]))",
            " else: return None",
            "except ValueError: return None",
            f"{target} = d",
        ]
        others = [("v.__class__ is DATE", [], "v"), ("v.__class__ is DATETIME", [], "v.date()")]
    else:
        width = kind.length if node.zero_pad and getattr(kind, "length", None) else None
        pad = [f"if len(s) < {width} and s.isdigit(): s = s.zfill({width})"] if width else []
        if column.kind == POSTAL:
            # fewer than 5 digits: padded with a warning, by the interpreted path
            text = [f"if len(s) < {POSTAL_WIDTH} and s.isdigit() and s.isascii(): return None"]
        value = "s"
        if clean is not None:
            value = f"{const(clean)}(s)"
            memo = getattr(clean, "memo", None)
            if memo is not None:  # a text met before: no call
                value = f"(x if (x := {const(memo)}.get(s, MISSING)) is not MISSING else {value})"
        text += [*pad, f"{target} = {value}"]
        # a number in a text column: its digits, cleaned as a text would be
        number = ["s = str(v)"]
        if column.kind == POSTAL:
            number.append(f"if len(s) < {POSTAL_WIDTH}: return None")
        others = [("v.__class__ is int and v >= 0", [*number, *pad], value)]
    if plain:
        serial = ["  if len(v) == 5: return None"] if isinstance(kind, Date) else []
        return [
            f" v = c[{column.position}]",
            " if v:",
            *serial,
            "  if len(v) > 5 or v[0] not in NIL1 or v.lower() not in NIL:",
            "   s = v",
            *("   " + line for line in text),
            "   n = 1",
        ]
    lines = [
        f" v = c[{column.position}]",
        " if v.__class__ is str:",
        "  if not v: pass",
        f"  elif {odd}: return None",
        "  elif (s := v.strip()) and (len(s) > 5 or s[0] not in NIL1 or s.lower() not in NIL):",
        *("   " + line for line in text),
        "   n = 1",
        " elif v is None: pass",
    ]
    for test, making, value in others:
        lines.append(f" elif {test}:")
        lines += ["  " + line for line in making]
        lines += [f"  {target} = {value}", "  n = 1"]
    lines.append(" else: return None")
    return lines


def nil_starts():
    """The first characters of the words read as nil (:data:`NIL_WORDS`), in
    either case: a cell starting with another one is not nil, and is not
    lowercased to be sure (``tests`` check every code point)."""
    from .values import NIL_WORDS

    return frozenset(char for word in NIL_WORDS if word for char in (word[0], word[0].upper()))


def _compile_fast(plan, unescape, plain=False, cleaners=None):

    from .values import NIL_WORDS

    constants = {
        "MAX": MAX_CELL_CHARS,
        "INV": _INVISIBLE.search,
        "NIL": NIL_WORDS,
        "NIL1": nil_starts(),
        "MISSING": object(),
        "DATE": datetime.date,
        "ISO": datetime.date.fromisoformat,
        "DATETIME": datetime.datetime,
        "PLAIN_KEYS": plan.plain,
    }
    width = max((c.position + 1 for c in plan.columns), default=0)
    constants["NONES"] = [None] * width
    lines = [
        "def fast(c):" if plain else "def fast(c, S):",
        f" if len(c) < {width}: c = [*c, *NONES[len(c):]]",
        " p = PLAIN_KEYS.copy()",
        " n = 0",
    ]
    lines += [f" i{group} = {{}}" for group in plan.groups]
    for column in plan.columns:
        clean = cleaners.get(column.node.key) if cleaners else None
        lines += _fast_cell(column, unescape, constants, plain, clean)
    for group in plan.groups:
        full = {c.node.key: None for c in plan.columns if c.group == group}
        constants[f"FULL_{group}"] = full
        lines.append(f" p[{group!r}] = [{{**FULL_{group}, **i{group}}}] if i{group} else []")
    lines.append(" return p if n else False")
    source = "\n".join(lines)
    code = compile(source, f"<accrochage import {plan.schema.version}>", "exec")
    namespace = dict(constants)
    exec(code, namespace)  # noqa: S102 (source generated from the table)
    return namespace["fast"]
