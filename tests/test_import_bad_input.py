"""Hostile or damaged input files (issue 8): the importer never crashes, never
loses a row and says in French what to fix. Inputs are generated here.

Every test checks the row accounting: each non-empty data row of the input
comes out of ``iter_rows`` as one ``ImportedRow``, usable or not.
"""

import io
import os
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
    good = _workbook([["5.1", "8.1", "8.3"], ["P-1", "MARXXTIN", "Léa_x_"]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    (row,) = _rows(_rewrite(good, "xl/worksheets/sheet1.xml", sheet.replace(b"XX", b"_x000B_")))
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


def _workbook(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tableau declaration"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(data, name, content):
    """The same archive with one part replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = content if info.filename == name else source.read(info.filename)
            target.writestr(info.filename, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.fixture(params=["calamine", "openpyxl"])
def xlsx_reader(request, monkeypatch):
    if request.param == "calamine":
        pytest.importorskip("python_calamine")
    monkeypatch.setattr(importer, "_xlsx_reader", lambda: request.param)
    return request.param


def test_a_malformed_sheet_part_is_an_unreadable_workbook_naming_the_sheet(xlsx_reader):
    good = _workbook([["5.1", "8.1"]] + [[f"P-{n}", "MARTIN"] for n in range(200)])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    broken = _rewrite(good, "xl/worksheets/sheet1.xml", sheet[: len(sheet) * 2 // 3])
    with pytest.raises(ImportFileError, match="illisible") as error:
        _rows(broken)
    assert "« Tableau declaration »" in str(error.value)


def test_a_workbook_without_sheets_and_a_damaged_directory():
    good = _workbook([["5.1", "8.1"]])
    with pytest.raises(ImportFileError, match="illisible"):
        _rows(_rewrite(good, "xl/workbook.xml", b"<workbook"))
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
    good = _workbook([["5.1", "8.1"], ["P-1", "MARTIN"]])
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
