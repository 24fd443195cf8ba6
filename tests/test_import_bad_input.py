"""Hostile or damaged input files (issue 8): the importer never crashes, never
loses a row and says in French what to fix. Inputs are generated here.

Every test checks the row accounting: each non-empty data row of the input
comes out of ``iter_rows`` as one ``ImportedRow``, usable or not.
"""

import datetime
import io
import os
import re
import subprocess
import sys
import textwrap
import time
import zipfile

import openpyxl
import pytest

from accrochage import importer
from accrochage.exceptions import AccrochageError, ImportFileError
from accrochage.findings import BLOCKING, WARNING
from accrochage.importer import iter_rows, read_passages
from tests.factories import rewrite_part, workbook

HEADER = "5.1;8.1;8.3;8.6\n"


def _row(number, name="MARTIN", first="Léa", year=1990):
    return f"P-{number};{name};{first};{year}\n"


def _rows(data, **options):
    return list(iter_rows(data, **options))


def _by_row(rows):
    return {r.row: r for r in rows}


# -- fields longer than the csv module's limit (131,072) ----------------------


def test_a_200000_character_name_blocks_its_row_naming_the_column():
    data = (HEADER + _row(2) + _row(3, name="N" * 200_000) + _row(4)).encode()
    rows = _by_row(_rows(data))
    assert sorted(rows) == [2, 3, 4]  # every row accounted for
    (finding,) = rows[3].findings
    assert finding.severity == BLOCKING and finding.column == "8.1 (Nom Naissance)"
    assert "200\u202f000 caractères" in finding.message
    assert "N" * 50 not in finding.message  # the value is not echoed
    assert rows[3].passage["nomNaissance"] is None
    assert rows[3].passage["prenom1"] == "Léa"  # the rest of the row is read
    assert rows[4].passage["idTechnique"] == "P-4" and not rows[4].findings


@pytest.mark.parametrize("where", ["first", "middle"])
def test_a_one_megabyte_line_of_separators_neither_crashes_nor_hides_rows(where):
    noise = ";" * 1_000_000 + "\n"
    text = noise + HEADER + _row(3) if where == "first" else HEADER + _row(2) + noise + _row(4)
    rows = _rows(text.encode())
    assert [r.passage["idTechnique"] for r in rows] == (
        ["P-3"] if where == "first" else ["P-2", "P-4"]
    )
    assert all(not r.findings for r in rows)


def test_data_far_beyond_the_header_on_a_huge_line_is_reported():
    line = "P-2;MARTIN;Léa;1990" + ";" * 500_000 + "oubli\n"
    (row,) = _rows((HEADER + line).encode())
    (warning,) = row.findings
    assert warning.severity == WARNING and warning.code == "import_column"
    assert warning.row == 2


def test_a_line_without_end_is_refused_naming_where_it_starts(monkeypatch):
    monkeypatch.setattr(importer, "MAX_LINE_BYTES", 100_000)
    data = (HEADER + _row(2) + "P-3;" + "x" * 300_000).encode()
    with pytest.raises(ImportFileError, match="Ligne 3 : plus de") as error:
        _rows(data)
    assert isinstance(error.value, AccrochageError)


# -- unclosed quotes ---------------------------------------------------------


def test_an_unclosed_quote_no_longer_eats_the_next_rows():
    text = HEADER + _row(2) + _row(3) + 'P-4;"MARTIN;Léa;1990\n' + _row(5) + _row(6) + _row(7)
    rows = _by_row(_rows(text.encode()))
    assert sorted(rows) == [2, 3, 4, 5, 6, 7]
    blocked = rows[4]
    assert blocked.passage is None
    (finding,) = blocked.findings
    assert finding.blocking and finding.column == "B" and finding.row == 4
    assert "guillemet" in finding.message and "lignes 5 à 7" in finding.message
    assert [rows[n].passage["idTechnique"] for n in (5, 6, 7)] == ["P-5", "P-6", "P-7"]
    assert all(rows[n].passage["nomNaissance"] == "MARTIN" for n in (5, 6, 7))


def test_an_unclosed_quote_swallowing_more_than_the_csv_limit():
    body = "".join(_row(n) for n in range(3, 8003))  # ~190,000 characters
    text = HEADER + 'P-2;"MARTIN;Léa;1990\n' + body
    rows = _rows(text.encode())
    assert [r.row for r in rows] == list(range(2, 8003))
    assert rows[0].passage is None and rows[0].findings[0].blocking
    assert all(r.passage["idTechnique"] == f"P-{r.row}" for r in rows[1:])
    assert not any(r.findings for r in rows[1:])


def test_a_stray_quote_closed_later_still_accounts_for_every_row():
    text = HEADER + 'P-2;"MARTIN;Léa;1990\n' + 'P-3;DURAND";Zoé;1991\n' + _row(4)
    rows = _by_row(_rows(text.encode()))
    assert sorted(rows) == [2, 3, 4]
    assert rows[2].passage is None and "ligne 3" in rows[2].findings[0].message
    assert rows[3].passage["idTechnique"] == "P-3"


def test_a_real_line_break_inside_a_quoted_cell_stays_one_row():
    text = HEADER + 'P-2;"MARTIN\nDIT DURAND";Léa;1990\n' + _row(4)
    rows = _rows(text.encode())
    assert [r.passage["idTechnique"] for r in rows] == ["P-2", "P-4"]
    (warning,) = rows[0].findings
    assert warning.severity == WARNING and "saut de ligne" in warning.message


@pytest.mark.parametrize("long_first", [False, True])
def test_a_line_break_in_one_cell_and_an_over_long_cell_in_the_same_row(long_first):
    """Found by the corpus (tests/bad_input_corpus.py): ``csv`` refuses the
    long cell, and the row must not split at the line break into two rows,
    whether ``csv`` gave up before the line break or after it."""
    long, broken = "L" * 200_000, '"MARTIN\nDIT DURAND"'
    cells = f"{long};{broken}" if long_first else f"{broken};{long}"
    header = "5.1;8.3;8.1;8.6\n" if long_first else HEADER
    rows = _by_row(_rows((header + f"P-2;{cells};1990\n" + _row(3)).encode()))
    assert sorted(rows) == [2, 4]  # rows are numbered by their first line
    assert rows[2].passage["nomNaissance"] == "MARTIN\nDIT DURAND"
    assert [f.column for f in rows[2].findings if f.blocking] == ["8.3 (Prenom 1)"]
    assert rows[4].passage["idTechnique"] == "P-3" and not rows[4].findings


# -- encodings, decided per row ----------------------------------------------


def test_one_windows_1252_row_does_not_change_the_utf8_rows():
    data = (
        (HEADER + _row(2, name="GARCÍA LÓPEZ")).encode()
        + _row(3, name="LEFÈVRE").encode("cp1252")
        + _row(4, name="GARCÍA LÓPEZ", first="Zoé").encode()
    )
    rows = _by_row(_rows(data))
    assert rows[2].passage["nomNaissance"] == rows[4].passage["nomNaissance"] == "GARCÍA LÓPEZ"
    assert rows[4].passage["prenom1"] == "Zoé"
    assert not rows[2].findings and not rows[4].findings
    (flag,) = rows[3].findings
    assert flag.code == "import_encoding" and flag.row == 3 and flag.passage == "P-3"
    assert rows[3].passage["nomNaissance"] == "LEFÈVRE"


def test_a_byte_no_encoding_knows_blocks_its_cell():
    data = (HEADER + _row(2, name="GARCÍA")).encode() + b"P-3;MA\x81RTIN;L\xe9a;1990\n"
    rows = _by_row(_rows(data))
    blocking = [f for f in rows[3].findings if f.blocking]
    assert [f.column for f in blocking] == ["8.1 (Nom Naissance)"]
    assert "illisible" in blocking[0].message
    assert rows[3].passage["prenom1"] == "Léa"
    assert rows[2].passage["nomNaissance"] == "GARCÍA"


def test_a_windows_1252_file_reads_without_flags():
    data = (HEADER + _row(2, name="LEFÈVRE") + _row(3, name="GARÇON")).encode("cp1252")
    rows = _rows(data)
    assert [r.passage["nomNaissance"] for r in rows] == ["LEFÈVRE", "GARÇON"]
    assert not any(r.findings for r in rows)


def test_mac_line_endings_and_a_text_stream():
    rows = _rows((HEADER + _row(2) + _row(3)).replace("\n", "\r").encode())
    assert [r.row for r in rows] == [2, 3]
    rows = _rows(io.StringIO(HEADER + _row(2, name="GARCÍA")))
    assert rows[0].passage["nomNaissance"] == "GARCÍA"


# -- control characters --------------------------------------------------------


@pytest.mark.parametrize(
    "char, name", [("\x0b", "U+000B"), ("\x00", "U+0000"), ("\x01", "U+0001"), ("\x1f", "U+001F")]
)
def test_control_characters_are_reported_not_turned_into_spaces(char, name):
    rows = _by_row(_rows((HEADER + _row(2, name=f"MAR{char}TIN") + _row(3)).encode()))
    (finding,) = rows[2].findings
    assert finding.blocking and finding.column == "8.1 (Nom Naissance)" and name in finding.message
    assert rows[2].passage["nomNaissance"] is None
    assert not rows[3].findings


def test_a_tab_inside_a_value_is_a_warning():
    (row,) = _rows((HEADER + _row(2, first="Léa\tMarie")).encode())
    (warning,) = row.findings
    assert warning.severity == WARNING and "tabulation" in warning.message


def test_control_characters_in_a_workbook_cell(xlsx_reader):
    """Excel writes a vertical tab typed in a cell as ``_x000B_`` (ST_Xstring)."""
    good = workbook([["5.1", "8.1", "8.3"], ["P-1", "MARXXTIN", "Léa_x_"]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    (row,) = _rows(rewrite_part(good, "xl/worksheets/sheet1.xml", sheet.replace(b"XX", b"_x000B_")))
    (finding,) = row.findings
    assert finding.blocking and "U+000B" in finding.message
    assert row.passage["prenom1"] == "Léa_x_"


# -- birth place: INSEE code and postal code both given ------------------------


def test_both_birth_codes_say_which_one_is_written():
    (row,) = _rows(b"5.1;8.10;8.11\nP-1;69123;69003\n")
    (finding,) = row.findings
    assert finding.severity == WARNING and finding.code == "import_birth_codes"
    assert "Seul code insee de la commune de naissance (#8.10 codeInsee)" in finding.message
    assert finding.field == "codePostal" and finding.passage == "P-1"
    assert row.passage["codeInsee"] == "69123"


# -- damaged and hostile workbooks -------------------------------------------


@pytest.fixture(params=["stream", "calamine", "openpyxl"])
def xlsx_reader(request, monkeypatch):
    if request.param == "calamine":
        pytest.importorskip("python_calamine")
    monkeypatch.setattr(importer, "_xlsx_reader", lambda: request.param)
    return request.param


def test_a_malformed_sheet_part_is_an_unreadable_workbook_naming_the_sheet(xlsx_reader):
    good = workbook([["5.1", "8.1"]] + [[f"P-{n}", "MARTIN"] for n in range(200)])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    broken = rewrite_part(good, "xl/worksheets/sheet1.xml", sheet[: len(sheet) * 2 // 3])
    with pytest.raises(ImportFileError, match="illisible") as error:
        _rows(broken)
    assert "« Tableau declaration »" in str(error.value)


def test_a_workbook_without_sheets_and_a_damaged_directory():
    good = workbook([["5.1", "8.1"]])
    with pytest.raises(ImportFileError, match="illisible"):
        _rows(rewrite_part(good, "xl/workbook.xml", b"<workbook"))
    with pytest.raises(ImportFileError, match="illisible"):
        _rows(good[: len(good) // 2])


def test_a_sparse_sheet_neither_aborts_nor_lags(xlsx_reader):
    """Two cells far apart: calamine would allocate the whole grid and abort."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["5.1", "8.1"])
    sheet.append(["P-1", "MARTIN"])
    sheet["ZZ200000"] = "loin"  # a grid of 140 million cells
    buffer = io.BytesIO()
    book.save(buffer)
    start = time.monotonic()
    rows = _rows(buffer.getvalue())
    assert time.monotonic() - start < 30
    assert [r.row for r in rows] == [2, 200000]
    assert rows[1].passage is None and rows[1].findings[0].code == "import_column"


_BOMB = textwrap.dedent(
    """
    import resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
    from accrochage import importer
    from accrochage.exceptions import ImportFileError
    importer._xlsx_reader = lambda: sys.argv[2]
    if len(sys.argv) > 3:  # a smaller limit, so that the test inflates less
        importer.MAX_SHEET_BYTES, importer.MAX_RATIO = int(sys.argv[3]), 10**9
    start = time.monotonic()
    try:
        list(importer.iter_rows(sys.argv[1]))
    except ImportFileError as error:
        print("REFUSED", round(time.monotonic() - start, 1), error)
    """
)


def _bomb(path, part, size, unit):
    """A workbook whose ``part`` inflates to ``size`` bytes of ``unit``."""
    good = workbook([["5.1", "8.1"], ["P-1", "MARTIN"]])
    with (
        zipfile.ZipFile(io.BytesIO(good)) as source,
        zipfile.ZipFile(path, "w", compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename == part:
                continue
            target.writestr(info.filename, source.read(info.filename), zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo(part)
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as stream:
            block = unit * ((1 << 20) // len(unit))
            for _ in range(size // len(block)):
                stream.write(block)
    return path


BOMBS = {
    "rows over the size limit": ("xl/worksheets/sheet1.xml", 80 << 20, b"<row><c/></row>"),
    "rows compressed 1000 times": ("xl/worksheets/sheet1.xml", 64 << 20, b"<row/>"),
    "one string of 200 MB": ("xl/sharedStrings.xml", 200 << 20, b"A"),
}


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    return {
        name: (_bomb(folder / f"{index}.xlsx", part, size, unit), part, size)
        for index, (name, (part, size, unit)) in enumerate(BOMBS.items())
    }


@pytest.mark.parametrize("bomb", BOMBS)
def test_archive_bombs_are_refused_quickly_with_bounded_memory(bombs, bomb, xlsx_reader):
    path, part, size = bombs[bomb]
    assert os.path.getsize(path) < size // 100
    limit = [str(64 << 20)] if bomb == "rows over the size limit" else []
    result = subprocess.run(
        [sys.executable, "-c", _BOMB, str(path), xlsx_reader, *limit],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    refused, seconds, message = result.stdout.split(" ", 2)
    assert refused == "REFUSED" and float(seconds) < 10
    assert "refusé" in message and part in message


# -- nothing lost in the preview either --------------------------------------


def test_read_passages_counts_every_row():
    text = HEADER + _row(2) + 'P-3;"MARTIN;Léa;1990\n' + _row(4) + ";;;\n" + "x;y\x0b;z;1\n"
    result = read_passages(text.encode())
    assert result.rows == 4
    assert [row for row, _p in result.passages] == [2, 4, 6]
    assert {f.row for f in result.blocking} == {3, 6}


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def test_the_streamed_sheet_reads_every_kind_of_cell(monkeypatch):
    """Shared strings with runs (phonetic runs left out), inline and formula
    texts, booleans, errors, escapes, entities, date cells with and without
    a time, cells and rows without a reference, gaps, a prefixed namespace:
    each as calamine gives it, in its row and column."""
    monkeypatch.setattr(importer, "_xlsx_reader", lambda: "stream")
    strings = (
        f'<sst xmlns="{_MAIN}"><si><t>5.1</t></si><si><t>8.1</t></si>'
        "<si><r><t>Mar</t></r><r><rPr><b/></rPr><t>tin</t></r><rPh><t>ma</t></rPh></si>"
        "<si><t>L&amp;a_x0009_b</t></si></sst>"
    )
    styles = (
        f'<styleSheet xmlns="{_MAIN}"><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
        '</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="22"/></cellXfs>'
        "</styleSheet>"
    )
    sheet = (
        f'<x:worksheet xmlns:x="{_MAIN}"><x:dimension ref="A1:D9"/><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>'
        '<x:c r="C1" t="inlineStr"><x:is><x:t>8.9</x:t></x:is></x:c>'
        '<x:c r="D1" t="inlineStr"><x:is><x:t>8.6</x:t></x:is></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>P-1</x:t></x:is></x:c>'
        '<x:c r="B2" t="s"><x:v>2</x:v></x:c><x:c r="C2" t="str"><x:f>"F"</x:f><x:v>F</x:v></x:c>'
        '<x:c r="D2" s="1"><x:v>46000</x:v></x:c></x:row>'
        '<x:row><x:c t="inlineStr"><x:is><x:t>P-2</x:t></x:is></x:c><x:c t="s"><x:v>3</x:v></x:c>'
        '<x:c t="b"><x:v>1</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c></x:row>'
        '<x:row r="6"><x:c r="A6" t="inlineStr"><x:is><x:t>P-3 &lt;</x:t></x:is></x:c>'
        '<x:c r="B6" t="inlineStr"><x:is><x:t xml:space="preserve"> A_x000B_ </x:t></x:is></x:c>'
        '<x:c r="C6"/><x:c r="D6" s="2"><x:v>46000.5</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{relations}"><sheets>'
        '<sheet name="Tableau declaration" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        f'Type="{relations}/worksheet"/><Relationship Id="rId2" Target="sharedStrings.xml" '
        f'Type="{relations}/sharedStrings"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
        "xl/styles.xml": styles,
        "xl/sharedStrings.xml": strings,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, text in parts.items():
            target.writestr(name, text)
    book = out.getvalue()
    archive = zipfile.ZipFile(io.BytesIO(book))
    rows, count, _zeros = importer._stream_rows(
        archive, "xl/worksheets/sheet1.xml", "feuille", False, ()
    )
    got = list(rows)
    assert count == 9
    assert got[0] == ["5.1", "8.1", "8.9", "8.6"]
    assert got[1] == ["P-1", "Martin", "F", datetime.date(2025, 12, 9)]
    assert got[2] == ["P-2", "L&a\tb", True, "#N/A"]
    assert got[3:5] == [[None], [None]]  # rows 4 and 5 hold no cell
    assert got[5] == ["P-3 <", " A\x0b ", None, datetime.datetime(2025, 12, 9, 12, 0)]
    # through the importer: rows keep their numbers, a bad cell is a finding
    found = list(iter_rows(book))
    assert [r.row for r in found] == [2, 3, 6]
    assert found[0].passage["anneeNaissance"] is None  # a date is no year
    assert [f.dico_id for f in found[0].findings] == ["8.6"]


def test_the_sheet_scanner_and_the_lxml_walk_read_alike(monkeypatch):
    """An ordinary sheet (openpyxl's, as Excel's): the scanner reads it all,
    zero-padded cells included, and gives what lxml's walk gives."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tableau declaration"
    sheet.append(["5.1", "8.1", "8.6", "5.6", "8.11", "5.5"])
    for number in range(1, 60):
        sheet.append([f"P-{number}", "L&a <b> é", 1990, datetime.date(2026, 6, 2), 1000, True])
    sheet["E3"].number_format = "00000"
    sheet["A70"] = "P-70"
    buffer = io.BytesIO()
    book.save(buffer)
    archive = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    part, _date1904 = "xl/worksheets/sheet1.xml", False
    zero = importer._zero_styles(archive)
    reading = (
        importer._shared_strings(archive),
        importer._date_styles(archive),
        importer.EXCEL_EPOCH_1900,
        {style.decode() for style in zero},
        set(),
    )
    with archive.open(part) as stream:
        scanned = list(importer._scan_rows(stream, reading))
    walked_zeros = set()
    walked = list(importer._walk_rows(archive, part, "x", (*reading[:4], walked_zeros)))
    assert scanned == walked and len(scanned) == 70
    assert scanned[2] == ["P-2", "L&a <b> é", 1990, datetime.date(2026, 6, 2), 1000, True]
    assert reading[4] == walked_zeros == {(4, 3)}
    # through the importer: only row 3 shows its zeros; the others are padded with a warning
    rows = list(iter_rows(buffer.getvalue()))
    assert rows[1].passage["codePostal"] == rows[2].passage["codePostal"] == "01000"
    assert [f.code for f in rows[1].findings] == []
    assert [f.code for f in rows[2].findings] == ["import_value_changed"]


#: the rows of a sheet as the scanner once found them, by a regular expression
_ROW_EXPRESSION = r"<{p}row((?: [^>]*?)?)(?:/>|>(.*?)</{p}row>)"


def _rows_by_expression(text, prefix):
    pattern = re.compile(_ROW_EXPRESSION.format(p=re.escape(prefix)), re.S)
    rows, position = [], 0
    for match in pattern.finditer(text):
        if text[position : match.start()].strip():
            return rows, "unusual"
        rows.append((match.group(1), match.group(2), match.end()))
        position = match.end()
    return rows, _after_rows(text[position:], prefix)


def _after_rows(rest, prefix):
    return "end" if rest.lstrip().startswith(f"</{prefix}sheetData>") else "unusual"


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_the_sheet_scanner_finds_the_rows_the_regular_expression_found(prefix):
    """``_row_spans`` finds rows with ``str.find``: the same attributes,
    content and ends as the expression it replaced, and the same verdict
    (read to the end, or left to lxml) on rows of every shape."""
    from accrochage.importer import _row_spans, _Unusual

    row, cell = f"{prefix}row", f'<{prefix}c r="A1"><{prefix}v>1</{prefix}v></{prefix}c>'
    shapes = [
        f"<{row}/>",
        f"<{row}>{cell}</{row}>",
        f'<{row} r="2"/>',
        f'<{row} r="3" spans="1:2" />',
        f'<{row} r="4" spans="1:2">{cell}{cell}</{row}>',
        f'<{row} r="5/">{cell}</{row}>',
        f"<{row}></{row}>",
        f'<{row}\tr="6">{cell}</{row}>',
        f'<{row}s r="7">{cell}</{row}s>',
        f"<{row}/ >",
        f"text<{row}/>",
        f"<{row} r='8'>{cell}",
        f'<{prefix}c r="B9"/>',
    ]
    checked = 0
    for first in shapes:
        for second in shapes:
            text = f"\n<{row}>{cell}</{row}>{first} {second}\n</{prefix}sheetData></x>"
            expected = _rows_by_expression(text, prefix)
            rows = []
            try:
                rows.extend(_row_spans(text, 0, prefix))
                verdict = _after_rows(text[rows[-1][2] if rows else 0 :], prefix)
            except _Unusual:
                verdict = "unusual"
            assert (rows, verdict) == expected, text
            checked += verdict == "end"
    assert 0 < checked < len(shapes) ** 2


def test_the_sheet_scanner_reads_to_the_end_whatever_the_chunk_size(monkeypatch):
    """The last chunk may hold only the closing tags: the scan still ends
    by itself, without handing the sheet over to lxml."""
    book = openpyxl.Workbook()
    for number in range(1, 40):
        book.active.append([f"P-{number}", "MARTIN"])
    buffer = io.BytesIO()
    book.save(buffer)
    archive = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    reading = ([], frozenset(), importer.EXCEL_EPOCH_1900, set(), set())
    for chunk in (64, 97, 1000, size - 20, size - 1, size, size + 1):
        monkeypatch.setattr(importer, "SCAN_CHUNK", chunk)
        with archive.open("xl/worksheets/sheet1.xml") as stream:
            rows = list(importer._scan_rows(stream, reading))
        assert [row[0] for row in rows] == [f"P-{n}" for n in range(1, 40)], chunk
