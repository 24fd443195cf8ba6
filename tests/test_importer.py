"""Import of CSV and XLSX files laid out like the CDC Excel template v1.4."""

import datetime
import functools
import io
import shutil

import openpyxl
import pytest

from accrochage.dictionary import get_schema
from accrochage.exceptions import ImportFileError
from accrochage.findings import BLOCKING, WARNING
from accrochage.importer import column_labels, read_passages

SCHEMA = get_schema("1.1.2")
IDS = [node.dico_id for node in SCHEMA.columns]


def _template_like(data_rows, *, extra_header=None):
    """A workbook shaped like the template: ids on row 12, labels on 13, marker on 20."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tableau declaration"
    sheet["B1"] = "Tableau de déclaration"
    sheet.cell(12, 1, "Identifiant")
    sheet.cell(13, 1, "Intitulé")
    sheet.cell(17, 1, "Consigne")
    for position, dico_id in enumerate(IDS, start=2):
        sheet.cell(12, position, dico_id)
        sheet.cell(13, position, f"libellé {dico_id}")
        sheet.cell(17, position, "A compléter")
    if extra_header:
        sheet.cell(12, len(IDS) + 2, extra_header)
    sheet["B20"] = "Commencez votre saisie en-dessous de cette ligne"
    sheet["B22"] = "Auto, ne rien inscrire"
    sheet["C22"] = "Auto, ne rien inscrire"
    for row_number, values in data_rows.items():
        for key, value in values.items():
            column = len(IDS) + 2 if key == "extra" else IDS.index(key) + 2
            sheet.cell(row_number, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_ROW = {
    "1.1": "Auto, ne rien inscrire",
    "2.1": "12ABC345",
    "3.1": "12ABC345",
    "3.2": "MCFCER000123",
    "4.1": "RNCP",
    "4.2": "RNCP35726",
    "4.3": "CERTIFICATEUR",
    "5.1": "P-1",
    "5.4": "PAR_ADMISSION",
    "5.5": "OUI",
    "5.6": datetime.datetime(2026, 6, 2),
    "5.10": "15/10/2026",
    "5.11": "NILL",
    "5.12": "NON",
    "5.14": "OUI",
    "6.1": 420,
    "6.2": 5,
    "6.3": 3,
    "6.4": "4",
    "7.1": "VAE",
    "7.2": "VAE_CLASSIQUE",
    "8.1": "MARTIN",
    "8.3": "Élodie",
    "8.6": 1990,
    "8.7": 5,
    "8.8": 17,
    "8.9": "F",
    "8.10": 1053,
    "8.13": 99,
}


def test_template_like_workbook_reads_typed_values():
    data = _template_like(
        {
            23: GOOD_ROW,
            24: {},
            26: {**GOOD_ROW, "5.1": "P-2", "6.2": None, "6.3": None, "6.4": None},
        }
    )
    result = read_passages(data)
    assert result.format == "xlsx" and result.header_row == 12
    assert result.findings == []
    (row1, first), (row2, second) = result.passages
    assert (row1, row2) == (23, 26)  # sheet row numbers; empty rows 24-25 skipped
    assert first["idTechnique"] == "P-1"
    # header facts (deposit and certification levels) are carried on every passage
    assert (first["idClientCertificateur"], first["type"], first["code"]) == (
        "12ABC345",
        "RNCP",
        "RNCP35726",
    )
    assert None not in first
    assert first["donneeCertifiee"] is True and first["presenceNiveauLangueEuro"] is False
    assert first["dateDebutExamen"] == datetime.date(2026, 6, 2)
    assert first["dateDebutValidite"] == datetime.date(2026, 10, 15)
    assert first["dateFinValidite"] is None
    assert first["anneeNaissance"] == 1990
    # numbers that lost their leading zeros get them back (fixed length in the table)
    assert first["codeInsee"] == "01053"
    assert first["codePaysNaissance"] == "099"
    assert first["scoreGeneral"] == 420
    assert first["resultats"] == [{"niveau": 5, "domaineCompetenceId": "3", "competenceId": "4"}]
    assert second["resultats"] == []
    # generated flux columns are never imported
    assert "idFlux" not in first and "horodatage" not in first
    assert "5.1" in [node.dico_id for node in result.columns]
    assert "1.1" not in [node.dico_id for node in result.columns]


def test_bad_cells_are_reported_and_the_row_kept():
    bad = {**GOOD_ROW, "5.5": "peut-être", "8.6": "mil neuf cent", "7.1": "STAGE"}
    result = read_passages(_template_like({23: GOOD_ROW, 25: bad}))
    assert [row for row, _p in result.passages] == [23, 25]
    passage = dict(result.passages)[25]
    assert passage["donneeCertifiee"] is None and passage["anneeNaissance"] is None
    assert passage["nomNaissance"] == "MARTIN"  # the rest of the row is kept
    assert all(f.severity == BLOCKING and f.row == 25 for f in result.findings)
    assert {f.dico_id for f in result.findings} == {"5.5", "8.6", "7.1"}
    assert {f.passage for f in result.findings} == {"P-1"}
    by_id = {f.dico_id: f for f in result.findings}
    assert by_id["8.6"].column.startswith("8.6 (")
    # birth data is personal: the reason says what is expected, not the value
    assert "mil neuf cent" not in by_id["8.6"].message
    assert "1900 à 2099" in by_id["8.6"].message
    assert "VAE" in by_id["7.1"].message  # says which values are allowed
    assert result.findings_for(25) == result.blocking
    assert result.findings_for(23) == []


def test_birth_day_value_never_appears_in_a_message():
    result = read_passages(_template_like({23: {**GOOD_ROW, "8.8": "dix-sept"}}))
    (finding,) = result.findings
    assert finding.dico_id == "8.8"
    assert "dix-sept" not in finding.message and "8.8" in finding.message


def test_unknown_column_is_reported_once_when_it_carries_data():
    rows = {
        23: {**GOOD_ROW, "extra": "x"},
        24: {**GOOD_ROW, "5.1": "P-2", "extra": "y"},
        25: {"extra": "seul"},
    }
    result = read_passages(_template_like(rows, extra_header="Commentaire interne"))
    assert len(result.passages) == 2
    warnings = [f for f in result.findings if f.severity == WARNING]
    column = [f for f in warnings if f.code == "import_column"]
    assert len(column) == 1 and "Commentaire interne" in column[0].message
    # a row with data in unknown columns only is never silently dropped:
    # it is counted and left out with a blocking finding
    ignored = [f for f in result.findings if f.code == "import_row_ignored"]
    assert [(f.row, f.severity) for f in ignored] == [(25, BLOCKING)]
    assert result.rows == 3


def test_csv_utf8_bom_semicolon_with_template_labels():
    text = (
        "Id Technique;Nom Naissance;Prenom 1;Code Insee Commune Naissance;"
        "Code Postal Commune Naissance;Id Client;Id Client 2;Donnee Certifiee\n"
        "P-9;GARCÍA;Zoé;2A004;;01AAA111;02BBB222;oui\n"
    )
    result = read_passages(text.encode("utf-8-sig"), filename="import.csv")
    assert result.format == "csv"
    ((row, passage),) = result.passages
    assert row == 2
    assert passage == {
        "idTechnique": "P-9",
        "nomNaissance": "GARCÍA",
        "prenom1": "Zoé",
        "codeInsee": "2A004",
        "codePostal": None,
        "idClientEmetteur": "01AAA111",
        "idClientCertificateur": "02BBB222",
        "donneeCertifiee": True,
    }


def test_csv_windows_1252_comma_with_xml_names_and_quotes(tmp_path):
    path = tmp_path / "export excel.csv"
    path.write_bytes(
        "idTechnique,nomNaissance,libelleOption,dateFinExamen\n"
        '"P-1","LEFÈVRE","Option ""A"", spécialité","2026-06-03"\n'.encode("cp1252")
    )
    ((_row, passage),) = read_passages(path).passages
    assert passage["nomNaissance"] == "LEFÈVRE"
    assert passage["libelleOption"] == 'Option "A", spécialité'
    assert passage["dateFinExamen"] == datetime.date(2026, 6, 3)


def test_csv_with_id_and_label_rows_and_formula_guard():
    text = (
        "5.1;8.1;#8.3;4.1\nId Technique;Nom Naissance;Prenom 1;Type\n'-12;'=HYPERLINK(1);Léa;RNCP\n"
    )
    result = read_passages(io.BytesIO(text.encode()))
    ((row, passage),) = result.passages
    assert row == 3
    assert passage["idTechnique"] == "-12"
    assert passage["nomNaissance"] == "=HYPERLINK(1)"
    assert passage["prenom1"] == "Léa"


@pytest.mark.parametrize(
    "text",
    [
        "".join(map(chr, range(0x80))),
        "Id Technique",
        "Code_Insee-Commune (naissance)",
        "Prénom 1",
        "ÉTABLISSEMENT",
        "ﬁn ½",
        "Nom\u0301 naissance",
    ],
)
def test_a_header_cell_folds_as_its_decomposed_letters(text):
    """Column names are compared folded: letters and digits of the NFKD form,
    lower case, without accents; an ASCII cell skips the decomposition."""
    import unicodedata

    from accrochage.importer import _fold

    decomposed = unicodedata.normalize("NFKD", text)
    expected = "".join(
        c for c in decomposed if c.isalnum() and not unicodedata.combining(c)
    ).lower()
    assert _fold(text) == expected


def test_data_beyond_the_header_is_reported():
    result = read_passages(b"5.1;8.1\nP-1;MARTIN;oubli\n")
    (warning,) = result.findings
    assert warning.code == "import_column" and "Colonne C" in warning.message


def test_duplicate_column_keeps_the_first():
    result = read_passages(b"5.1;8.1;idTechnique\nP-1;MARTIN;P-X\n")
    assert result.passages[0][1]["idTechnique"] == "P-1"
    (warning,) = result.findings
    assert warning.severity == WARNING and "#5.1 idTechnique" in warning.message


def test_version_1_1_5_reads_the_national_identifier():
    result = read_passages(b"5.1;10.1;8.1\nP-1;1900575123456;MARTIN\n", version="1.1.5")
    assert result.passages[0][1]["nir"] == "1900575123456"
    bad = read_passages(b"5.1;8.7\nP-1;treize\n")
    assert "treize" not in bad.findings[0].message


@pytest.mark.parametrize(
    "data, match",
    [
        (b"", "vide"),
        (b"nom;prenom\nMARTIN;Paul\n", "en-tête"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 20, "97-2003"),
        (b"PK\x03\x04garbage", "illisible"),
    ],
)
def test_unreadable_files_raise_a_french_error(data, match):
    with pytest.raises(ImportFileError, match=match):
        read_passages(data)


def test_misnamed_xlsx_and_missing_path(tmp_path):
    with pytest.raises(ImportFileError, match="xlsx valide"):
        read_passages(b"5.1;8.1\n", filename="passages.xlsx")
    with pytest.raises(ImportFileError, match="Impossible de lire"):
        read_passages(tmp_path / "absent.csv")


def test_labels_follow_the_template_convention():
    labels = column_labels(SCHEMA)
    assert labels["prenom1Titulaire"] == "Prenom 1 Titulaire"
    assert labels["codePostalCentreExamen"] == "Code Postal Centre Examen"
    assert len(set(labels.values())) == len(labels)


# -- the official template (oracle; skipped when absent) ---------------------


def _official_header(path):
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["Tableau declaration"].iter_rows(min_row=12, max_row=13, values_only=True))
    book.close()
    return rows


def test_official_template_header_is_recognised(official_template_path):
    result = read_passages(official_template_path)
    assert result.header_row == 12
    assert result.passages == [] and result.findings == []
    ids, labels = _official_header(official_template_path)
    template_ids = {i for i in ids[1:] if i and not i.startswith("1.")}
    assert {node.dico_id for node in result.columns} == template_ids
    # the label row alone is recognised as well, column for column
    csv_text = ";".join(labels[1:]) + "\n" + ";".join("" for _ in labels[1:]) + "\n"
    by_label = read_passages(csv_text.encode())
    assert [n.dico_id for n in by_label.columns] == [n.dico_id for n in result.columns]


def test_official_template_filled_in_a_copy(official_template_path, tmp_path):
    copy = tmp_path / "modele.xlsx"
    shutil.copyfile(official_template_path, copy)
    book = openpyxl.load_workbook(copy)
    sheet = book["Tableau declaration"]
    position = {sheet.cell(12, c).value: c for c in range(1, sheet.max_column + 1)}
    for offset, values in enumerate([GOOD_ROW, {**GOOD_ROW, "5.1": "P-2", "8.6": "dix-neuf"}]):
        for dico_id, value in values.items():
            sheet.cell(23 + offset * 2, position[dico_id], value)
    book.save(copy)
    result = read_passages(copy)
    assert [row for row, _p in result.passages] == [23, 25]
    first = result.passages[0][1]
    assert first["idTechnique"] == "P-1" and first["codeInsee"] == "01053"
    assert first["resultats"] == [{"niveau": 5, "domaineCompetenceId": "3", "competenceId": "4"}]
    (finding,) = result.findings
    assert (finding.row, finding.dico_id, finding.passage) == (25, "8.6", "P-2")


def test_long_csv_without_marker_and_text_stream():
    lines = ["idTechnique;nomNaissance"] + [f"P-{n};NOM{n}" for n in range(1, 101)]
    result = read_passages(io.StringIO("\n".join(lines)))
    assert len(result.passages) == 100
    assert result.passages[-1] == (101, {"idTechnique": "P-100", "nomNaissance": "NOM100"})


# -- streaming API -------------------------------------------------------------


def test_iter_rows_reports_progress_by_bytes_up_to_the_whole_file():
    from accrochage.importer import PROGRESS_EVERY, iter_rows

    lines = ["idTechnique;nomNaissance"] + [f"P-{n};NOM{n}" for n in range(3 * PROGRESS_EVERY)]
    data = "\n".join(lines).encode()
    calls = []
    rows = list(iter_rows(data, progress=lambda done, total: calls.append((done, total))))
    assert len(rows) == 3 * PROGRESS_EVERY
    assert len(calls) >= 3 and all(total == len(data) for _done, total in calls)
    assert [done for done, _t in calls] == sorted(done for done, _t in calls)
    assert calls[-1] == (len(data), len(data))


@pytest.fixture(params=["stream", "calamine", "openpyxl"])
def xlsx_reader(request, monkeypatch):
    from accrochage import importer

    if request.param == "calamine":
        pytest.importorskip("python_calamine")
    monkeypatch.setattr(importer, "_xlsx_reader", lambda: request.param)
    return request.param


def test_a_sheet_starting_at_c3_keeps_its_row_numbers(xlsx_reader):
    from accrochage.importer import iter_rows

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C3"], sheet["D3"], sheet["C5"], sheet["D5"] = "5.1", "8.1", "P-1", "MARTIN"
    buffer = io.BytesIO()
    book.save(buffer)
    rows = iter_rows(buffer.getvalue())
    expected = [(5, {"idTechnique": "P-1", "nomNaissance": "MARTIN"})]
    assert [(r.row, r.passage) for r in rows] == expected
    assert rows.header_row == 3 and rows.xlsx_reader == xlsx_reader


def test_serial_dates_of_a_1904_workbook(xlsx_reader):
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    from accrochage.importer import iter_rows

    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["5.1", "5.10"])
    sheet.append(["P-1", 44000])  # a "General" cell: the serial number stays a number
    buffer = io.BytesIO()
    book.save(buffer)
    (row,) = iter_rows(buffer.getvalue())
    assert row.passage["dateDebutValidite"] == datetime.date(2024, 6, 19)


#: cells that the compiled fast path must read exactly as the interpreted
#: one, or hand over to it: guards, nils, odd characters, serials, types
ODD_CELLS = (
    None,
    "",
    " ",
    "nill",
    "NILL",
    "néant",
    "'=1+2",
    "'P-1",
    " P-1 ",
    "P-1\x0b",
    "P-1\t",
    "a\ufffdb",
    "_x000B_x",
    "x" * 70,
    "x" * 40_000,
    "01",
    "1053",
    "01053",
    "69003",
    "2A004",
    "46000",
    "2026-06-02",
    "2026-02-30",
    "02/06/2026",
    "2/6/2026",
    "2026/06/02",
    "2026-W23-2",
    "OUI",
    "non",
    "x",
    "0",
    "1",
    "+5",
    "-3",
    "²",
    "１２",
    "1990",
    "1.5",
    "F",
    "MENTION_BIEN",
    "tiers_de_confiance",
    "EQUIVALENCE_(DIPLOME_ETRANGER)",
    "VAE",
    "Élodie",
    0,
    5,
    1990,
    46000,
    46000.0,
    1.5,
    True,
    False,
    datetime.date(2026, 6, 2),
    datetime.datetime(2026, 6, 2, 10, 30),
)


@pytest.mark.parametrize("version", ["1.1.2", "1.1.5"])
def test_the_compiled_row_reader_reads_as_the_interpreted_one(version):
    """Every column × odd cells × (suspicious or not, openpyxl escapes or
    not): the fast path gives the interpreted passage with no finding, or
    hands the row over; and it does take the ordinary rows."""
    from accrochage import importer

    schema = get_schema(version)
    header = [None] + [node.dico_id for node in schema.columns]
    plan = importer._Plan(schema, header, importer._header_index(schema))
    base = [None] + [GOOD_ROW.get(node.dico_id) for node in schema.columns]
    taken = handed = 0
    for unescape in (False, True):
        reader = importer._RowReader(plan, unescape=unescape, zero_cells={(10, 22)})
        for column in plan.columns:
            for value in ODD_CELLS:
                cells = list(base)
                cells[column.position] = value
                for suspicious in (False, True):
                    fast = reader.fast(cells, suspicious)
                    reference = reader._read_values(cells, 22, suspicious)
                    if fast is None:
                        handed += 1
                        continue
                    taken += 1
                    passage, findings, any_value = reference
                    assert findings == [], (column.node.key, value)
                    assert any_value is (fast is not False), (column.node.key, value, cells)
                    assert list(fast.items()) == list(passage.items()), (column.node.key, value)
        # a row cut short (an XLSX row ends at its last cell) reads alike
        short = base[: plan.columns[len(plan.columns) // 2].position]
        assert list(reader.fast(short, True).items()) == list(
            reader._read_values(short, 22, True)[0].items()
        )
        assert reader.fast([None] * 3, False) is False
    assert taken > 2000 and handed > 1000


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, bool):
        return "OUI" if value else "NON"
    return str(value)


#: text cells a typed CSV line may hold besides ODD_CELLS: around the text,
#: white space the plain-line test must see, in and out of ASCII
PLAIN_EDGES = (
    "P-1 ",
    " P-1",
    "P-1\xa0",
    "\u2003P-1",
    "O'Brien",
    "'P-1",
    "MENTION_BIEN ",
    "mention_bien",
    "Oui",
    "FALSE",
    "2026-06-02 ",
)


@pytest.mark.parametrize("version", ["1.1.2", "1.1.5"])
def test_plain_csv_lines_read_as_the_interpreted_reader_reads_them(version):
    """The fast path for plain CSV lines (no quote, no odd character, no
    cell with white space around it) against the reference: every column ×
    odd texts, read by ``iter_rows`` with the plain path and without it
    (``_plain_cells`` refusing every line) give the same rows, passages and
    findings; the plain path does take the ordinary lines, and never one
    whose cells need stripping or unguarding."""
    from accrochage import importer

    schema = get_schema(version)
    header = [node.dico_id for node in schema.columns]
    base = [_csv_text(GOOD_ROW.get(node.dico_id)) for node in schema.columns]
    lines = [";".join(header), ";".join(base)]
    texts = [v for v in (*ODD_CELLS, *PLAIN_EDGES) if isinstance(v, str)]
    texts = [v for v in texts if not any(c in v for c in ';"\r\n')]
    for position in range(len(header)):
        for value in texts:
            cells = list(base)
            cells[position] = value
            lines.append(";".join(cells))
    data = ("\n".join(lines) + "\n").encode("utf-8")

    def read():
        return [(r.row, r.passage, r.findings) for r in importer.iter_rows(data, version=version)]

    taken = []
    plain_cells = importer._plain_cells

    def watched(body, delimiter):
        plain = plain_cells(body, delimiter)
        taken.append(plain)
        return plain

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(importer, "_plain_cells", watched)
        fast = read()
        patch.setattr(importer, "_plain_cells", lambda body, delimiter: False)
        reference = read()
    assert len(fast) == len(reference) == len(lines) - 1
    for got, expected in zip(fast, reference, strict=True):
        assert got[0] == expected[0]
        assert list((got[1] or {}).items()) == list((expected[1] or {}).items()), got[0]
        assert got[2] == expected[2], got[0]
    assert sum(taken) > len(lines) // 2 and not all(taken)


def test_the_plain_line_test_refuses_what_the_reader_must_see():
    """A line is plain only when no cell needs the reader's care: a guard
    quote, white space at either end (a space, a tab, a no-break or wide
    space), a cell longer than a spreadsheet's."""
    from accrochage.importer import MAX_CELL_CHARS, _plain_cells

    assert _plain_cells("P-1;MARTIN;O'Brien;Élodie;;2026-06-02", ";")
    for line in (
        "'=1+2;MARTIN",
        "P-1;'=1+2",
        " P-1;MARTIN",
        "P-1 ;MARTIN",
        "P-1;MARTIN ",
        "P-1; MARTIN",
        "P-1;MARTIN\xa0;x",
        "P-1;\u3000MARTIN",
        "P-1;" + "x" * MAX_CELL_CHARS,
    ):
        assert not _plain_cells(line, ";"), line


def _line_is_plain(body, delimiter):
    """The per-line verdict of ``_plain_record``: read by ``str.split``,
    not suspicious, and every cell plain (``_plain_cells``)."""
    from accrochage import importer

    return (
        bool(body)
        and not any(char in body for char in '"\n\r\x00\t')
        and importer._UNWRITABLE.search(body) is None
        and importer._plain_cells(body, delimiter)
    )


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_the_bytes_test_of_many_lines_refuses_what_the_line_test_refuses(delimiter, ending):
    """``_unusual_bytes`` tests a megabyte of lines at once, so that the
    usual line skips the per-line tests: the bytes of plain lines with one
    odd cell anywhere (first or last cell, first or last line, the last
    without its line break) are refused exactly when that line is not plain
    by the per-line tests; a CRLF file's line ends are not odd. (A line's
    length is still tested line by line.)"""
    from accrochage.importer import MAX_CELL_CHARS, _unusual_bytes

    unusual = _unusual_bytes(delimiter)
    base = ["P-1", "MARTIN", "Élodie", "", "2026-06-02", "MENTION_BIEN"]
    texts = [v for v in (*ODD_CELLS, *PLAIN_EDGES) if isinstance(v, str)]
    texts += ["a\x1fb", "a\rb", "x\u2028", "a\uffffb", "\u205f", "O'Brien", "Jean Pierre"]
    texts = [v for v in texts if delimiter not in v and "\n" not in v]
    texts = [v for v in texts if len(v) < MAX_CELL_CHARS - 100]
    plain_line = delimiter.join(base)
    assert _line_is_plain(plain_line, delimiter)
    refused = 0
    for value in texts:
        for position in (0, 2, len(base) - 1):
            cells = list(base)
            cells[position] = value
            odd = delimiter.join(cells)
            expected = not _line_is_plain(odd, delimiter)
            refused += expected
            for lines, end in (
                ([plain_line, odd, plain_line], ending),  # inside
                ([odd, plain_line], ending),  # the first line of the bytes
                ([plain_line, odd], ending),  # the last line
                ([plain_line, odd], ""),  # the last line, no line break
            ):
                data = (ending.join(lines) + end).encode("utf-8")
                assert unusual(data) == expected, (value, position, lines, end)
    assert 0 < refused < len(texts) * 3


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_plain_file_read_by_the_bytes_test_reads_as_line_by_line(tmp_path, ending):
    """The same rows, passages and findings whether the lines of a plain
    file are passed by the bytes test of their megabyte or by the per-line
    tests, in LF and CRLF, with a file larger than one read (several
    megabytes, a line cut between two reads); and the bytes test is what
    takes them."""
    from accrochage import importer

    schema = get_schema("1.1.2")
    header = [node.dico_id for node in schema.columns if node.key != "nir"]
    base = [_csv_text(GOOD_ROW.get(dico_id)) for dico_id in header]
    ident = header.index("5.1")
    rows = []
    for number in range(15000):
        cells = list(base)
        cells[ident] = f"P-{number:05d}-" + "x" * (number % 37)
        rows.append(";".join(cells))
    # odd lines past the first megabyte: their megabyte is read line by line
    rows[14000] = rows[14000].replace("P-14000", '"P;14000"', 1)
    rows[14200] = rows[14200].replace("P-14200", " P-14200", 1)
    # the header scan reads past the first megabyte: an odd line it holds
    # (given back, read later) is not judged by the bytes then being read
    for number in range(30):
        cells = list(base)
        cells[ident] = '"Q;3"' if number == 3 else f"Q-{number}"
        cells[-2:] = ["y" * 30_000] * 2
        rows[number] = ";".join(cells)
    path = tmp_path / f"plain{len(ending)}.csv"
    path.write_bytes((ending.join([";".join(header), *rows]) + ending).encode("utf-8"))
    assert path.stat().st_size > 2 << 20
    taken = []
    fresh_plain = importer._Lines.fresh_plain

    def watched(lines):
        plain = fresh_plain(lines)
        taken.append(plain)
        return plain

    def read():
        return [(r.row, r.passage, r.findings) for r in importer.iter_rows(path)]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(importer._Lines, "fresh_plain", watched)
        by_bytes = read()
        patch.setattr(importer._Lines, "fresh_plain", lambda lines: False)
        by_line = read()
    assert len(by_bytes) == len(rows)
    assert by_bytes == by_line
    assert sum(taken) > len(rows) * 0.5
    assert by_bytes[3][1]["idTechnique"] == "Q;3"
    assert by_bytes[14000][1]["idTechnique"].startswith("P;14000")


def test_a_cell_read_as_nil_starts_with_a_nil_start():
    """The compiled readers lowercase a short cell to compare it with the
    nil words only when its first character is one a nil word starts with:
    no other code point lowercases to such a character."""
    from accrochage.importer import nil_starts
    from accrochage.values import NIL_WORDS

    starts = nil_starts()
    lowered = {word[0] for word in NIL_WORDS if word}
    for code in range(0x110000):
        char = chr(code)
        if char.lower()[:1] in lowered:
            assert char in starts, hex(code)


def _odd_lines_csv(version, unique_ids=False, leave_out=()):
    """The import layout with every column × odd texts, one row each
    (``unique_ids``: each row with an idTechnique of its own; ``leave_out``:
    texts not to use)."""
    schema = get_schema(version)
    header = [node.dico_id for node in schema.columns if node.key != "nir"]
    base = [_csv_text(GOOD_ROW.get(dico_id)) for dico_id in header]
    base[header.index("8.10")] = "69123"  # a birth code that goes with no other
    lines = [";".join(header), ";".join(base)]
    extra = ("martin", "  élodie   marie", "2a004", "rs 5875", "Rncp")
    texts = [v for v in (*ODD_CELLS, *PLAIN_EDGES, *extra) if isinstance(v, str)]
    texts = [v for v in texts if not any(c in v for c in ';"\r\n') and v not in leave_out]
    for position in range(len(header)):
        for value in texts:
            cells = list(base)
            if unique_ids:
                cells[header.index("5.1")] = f"P-{len(lines)}"
            cells[position] = value
            lines.append(";".join(cells))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _assert_read_normalized_as_normalize_makes_it(raw, normalized, version):
    """Row by row: the same findings; a row read normalized holds exactly
    what normalize_passage makes of the reference's row, and a quarter of
    the rows at least are; any other row is the reference's."""
    from accrochage.rules import normalize_passage

    taken = 0
    for before, after in zip(raw, normalized, strict=True):
        assert (after.row, after.findings) == (before.row, before.findings)
        if after.normalized is None:
            assert list((after.passage or {}).items()) == list((before.passage or {}).items())
            continue
        taken += 1
        assert after.normalized == version and before.findings == []
        expected = normalize_passage(before.passage, version=version)
        assert list(after.passage.items()) == list(expected.items()), after.row
    assert normalized[0].normalized == version and taken > len(raw) // 4


@pytest.mark.parametrize("version", ["1.1.2", "1.1.5"])
def test_rows_read_normalized_are_what_normalize_passage_makes_of_them(version):
    """``iter_rows(normalize=True)``: a row read normalized in one pass holds
    exactly what normalize_passage makes of the row as read, with the same
    (no) findings; every other row is read as without the option."""
    from accrochage import importer

    data = _odd_lines_csv(version)
    raw = list(importer.iter_rows(data, version=version))
    normalized = list(importer.iter_rows(data, version=version, normalize=True))
    assert len(raw) == len(normalized)
    _assert_read_normalized_as_normalize_makes_it(raw, normalized, version)


#: cells a sheet may hold besides ODD_CELLS and PLAIN_EDGES: names and codes
#: normalize changes, escapes openpyxl leaves as they are, numbers in text
#: and date columns (postal codes, serial dates), times and booleans
SHEET_CELLS = (
    "martin",
    "  élodie   marie",
    "d'ARC",
    "2a004",
    "rs 5875",
    "Rncp",
    "P-1_x0009_",
    "_x000B_x",
    "44000",
    "44000.5",
    44000,
    44000.5,
    1000,
    75009,
    1053,
    99,
    -3,
    datetime.datetime(2026, 6, 2),
    datetime.datetime(2026, 6, 2, 23, 59, 59),
)
#: the number format of the template's postal code cells: a short number shows its zeros
ZEROS = "00000"


@functools.cache
def _odd_sheet(version, unique_ids=False):
    """A workbook in the import layout, and an unknown column "Remarque":
    every column × odd cells, one row each, the numbers also with the format
    ``00000``; then rows with something in the unknown column, and with both
    birth codes (``unique_ids``: each row with an idTechnique of its own)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    schema = get_schema(version)
    header = [node.dico_id for node in schema.columns if node.key != "nir"]
    base = [GOOD_ROW.get(dico_id) for dico_id in header]
    ident = header.index("5.1")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([*header, "Remarque"])
    sheet.append(base)
    number = 2  # the sheet's last row

    def add(cells, number_format=None, position=None):
        nonlocal number
        number += 1
        if unique_ids and position != ident:
            cells[ident] = f"P-{number}"
        if number_format is not None:
            cells[position] = WriteOnlyCell(sheet, cells[position])
            cells[position].number_format = number_format
        sheet.append(cells)

    values = [*ODD_CELLS, *PLAIN_EDGES, *SHEET_CELLS]
    # openpyxl refuses the control characters it would have to escape
    values = [v for v in values if not (isinstance(v, str) and ILLEGAL_CHARACTERS_RE.search(v))]
    birth_insee, birth_postal = header.index("8.10"), header.index("8.11")
    for position in range(len(header)):
        for value in values:
            cells = list(base)
            if position == birth_postal:
                cells[birth_insee] = None  # one birth code: the postal one
            cells[position] = value
            add(list(cells), position=position)
            if type(value) in (int, float):
                add(cells, ZEROS, position)
    for value in (0, False, "x", " ", "", "'=1+2"):
        add([*base, value])
    both = list(base)
    both[birth_postal] = 75009
    add(both)
    add(both, ZEROS, birth_postal)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("version", ["1.1.2", "1.1.5"])
def test_sheet_rows_read_normalized_are_what_normalize_passage_makes_of_them(version, xlsx_reader):
    """``iter_rows(normalize=True)`` on a workbook, through each XLSX reader,
    against the interpreted reader alone (the reference, cell by cell): a
    row read normalized holds exactly what normalize_passage makes of the
    row as read, with the same (no) findings; every other row (an odd cell,
    a short postal code as a number, with or without the format that shows
    its zeros, a serial date, something in the unknown column, both birth
    codes) is read as the reference reads it. With a NIR column, no row is."""
    from accrochage import importer

    data = _odd_sheet(version)
    with pytest.MonkeyPatch.context() as patch:  # every row handed over to the reference
        patch.setattr(importer, "_fast_reader", lambda *args, **kwargs: lambda *cells: None)
        raw = list(importer.iter_rows(data, version=version))
    normalized = list(importer.iter_rows(data, version=version, normalize=True))
    assert len(raw) == len(normalized) > 3000
    _assert_read_normalized_as_normalize_makes_it(raw, normalized, version)
    # what the reference changes with a warning (a short postal code as a number
    # in a cell that does not show its zeros, a serial date, a tab) is its own
    changed = [r for r in normalized if any(f.code == "import_value_changed" for f in r.findings)]
    assert changed and all(r.normalized is None for r in changed)
    # something in the unknown column, even a 0 or FALSE: said once, by the general path
    (unknown,) = [r for r in normalized if any(f.code == "import_column" for f in r.findings)]
    assert unknown.normalized is None and raw[-8].row == unknown.row
    if version == "1.1.5":  # a NIR column (normalize checks it as a whole): no row is
        book = openpyxl.Workbook()
        book.active.append(["5.1", "8.1", "8.3", "nir"])
        book.active.append(["P-1", "martin", "élodie", None])
        buffer = io.BytesIO()
        book.save(buffer)
        (row,) = importer.iter_rows(buffer.getvalue(), version=version, normalize=True)
        assert row.normalized is None and row.passage["nomNaissance"] == "martin"
