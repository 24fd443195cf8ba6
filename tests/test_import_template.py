"""The official CDC Excel template v1.4 (S-XLS), copied and filled with openpyxl
as a certifier would (issue 9). Skipped when ../shared/cdc is absent.

Layout of sheet "Tableau declaration", read with openpyxl: ids on row 12,
labels on row 13, template rows labelled in column A (14 "Type champ", 15
"Obligatoire", 17 "Consigne", 18 "Exemple", a fictitious passage), row 20
"Commencez votre saisie en-dessous de cette ligne", data from row 22. Cell
R22 (#5.9) has the number format ``00000``; S22 (#5.10) is "General".
"""

import datetime
import json
import shutil

import openpyxl
import pytest

from accrochage import importer
from accrochage.findings import BLOCKING, WARNING
from accrochage.importer import iter_rows
from tests.clirun import run

NEXT_YEAR = datetime.date.today().year + 1

PASSAGE = {
    "2.1": "12ABC345",
    "3.1": "12ABC345",
    "3.2": "MCFCER000123",
    "4.1": "RNCP",
    "4.2": "RNCP35726",
    "5.4": "PAR_ADMISSION",
    "5.5": "OUI",
    "5.10": "15/10/2026",
    "5.12": "NON",
    "5.14": "NON",
    "7.1": "CANDIDAT_LIBRE",
    "8.1": "MARTIN",
    "8.3": "Léa",
    "8.6": 1990,
    "8.9": "F",
    "8.10": "69123",
}


def _fill(book, path, rows, *, clear=()):
    sheet = book["Tableau declaration"]
    column = {sheet.cell(12, c).value: c for c in range(1, sheet.max_column + 1)}
    for coordinate in clear:
        sheet[coordinate] = None
    for number, values in rows.items():
        for dico_id, value in values.items():
            sheet.cell(number, column[dico_id], value)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def filled(official_template_path, tmp_path_factory):
    """One copy with the marker, one where the user deleted it."""
    folder = tmp_path_factory.mktemp("modele")
    shutil.copyfile(official_template_path, folder / "modele.xlsx")
    book = openpyxl.load_workbook(folder / "modele.xlsx")
    del book["Communes"]  # 18 MB of reference list, only slow to save here
    with_marker = _fill(
        book,
        folder / "avec-repere.xlsx",
        {
            16: {**PASSAGE, "5.1": "P-16"},  # typed between the header and the marker
            22: {
                **PASSAGE,
                "5.1": "P-22",
                "5.9": 1000,  # R22: number format 00000
                "8.10": None,
                "8.11": 1000,  # AS22: General
                "5.10": 46000,  # S22: General, a serial date
                "8.6": NEXT_YEAR,  # born in the future: the rules block it
            },
            23: {**PASSAGE, "5.1": "P-23", "8.10": 1053},
            24: {**PASSAGE, "5.1": "P-24", "5.10": 12},
        },
    )
    data_rows = [f"{letter}{number}" for number in (16, 22, 23, 24) for letter in _LETTERS]
    without_marker = _fill(
        book,
        folder / "sans-repere.xlsx",
        {22: {**PASSAGE, "5.1": "P-22"}},
        clear=("B20", *data_rows),
    )
    return with_marker, without_marker


READERS = ["calamine", "openpyxl"]
_LETTERS = [importer.column_letter(position) for position in range(51)]


def _read(path, reader, monkeypatch):
    if reader == "calamine":
        pytest.importorskip("python_calamine")
    monkeypatch.setattr(importer, "_xlsx_reader", lambda: reader)
    rows = iter_rows(path)
    return list(rows), rows


@pytest.mark.parametrize("reader", READERS)
def test_template_v1_4_own_rows_are_skipped_and_a_row_above_the_marker_is_imported(
    filled, reader, monkeypatch
):
    rows, source = _read(filled[0], reader, monkeypatch)
    assert source.header_row == 12 and source.sheet == "Tableau declaration"
    # rows 13-18 are the template's (labels, "Type champ", "Obligatoire",
    # "Consigne", the fictitious "Exemple"); row 16 was typed by the user
    assert [r.row for r in rows] == [16, 22, 23, 24]
    assert rows[0].passage["idTechnique"] == "P-16" and not rows[0].findings


@pytest.mark.parametrize("reader", READERS)
def test_template_v1_4_example_passage_is_never_imported_without_the_marker(
    filled, reader, monkeypatch
):
    rows, _source = _read(filled[1], reader, monkeypatch)
    assert [(r.row, r.passage["idTechnique"]) for r in rows] == [(22, "P-22")]


@pytest.mark.parametrize("reader", READERS)
def test_template_v1_4_format_00000_postal_codes_keep_their_leading_zeros(
    filled, reader, monkeypatch
):
    rows, _source = _read(filled[0], reader, monkeypatch)
    row = {r.row: r for r in rows}[22]
    assert row.passage["codePostalCentreExamen"] == "01000"  # R22: format 00000, shown so
    assert row.passage["codePostal"] == "01000"  # AS22: General, shown 1000: ambiguous
    (warning,) = [f for f in row.findings if f.code == "import_value_changed"]
    assert warning.dico_id == "8.11" and warning.severity == WARNING
    assert "« 01000 »" in warning.message and warning.column.startswith("8.11 (")
    assert {r.row: r for r in rows}[23].passage["codeInsee"] == "01053"


@pytest.mark.parametrize("reader", READERS)
def test_template_v1_4_column_s_serial_date_is_a_date_and_one_cell_one_finding(
    filled, reader, monkeypatch
):
    rows, _source = _read(filled[0], reader, monkeypatch)
    by_row = {r.row: r for r in rows}
    assert by_row[22].passage["dateDebutValidite"] == datetime.date(2025, 12, 9)
    assert not [f for f in by_row[22].findings if f.dico_id == "5.10"]
    assert by_row[23].passage["dateDebutValidite"] == datetime.date(2026, 10, 15)
    (bad,) = [f for f in by_row[24].findings if f.dico_id == "5.10"]
    assert bad.severity == BLOCKING and "« 12 »" in bad.message


@pytest.mark.parametrize("reader", READERS)
def test_a_birth_year_in_the_future_is_left_to_the_rules(filled, reader, monkeypatch):
    """Issue 11: blocking in the rules; the importer keeps the year as typed."""
    rows, _source = _read(filled[0], reader, monkeypatch)
    row = {r.row: r for r in rows}[22]
    assert row.passage["anneeNaissance"] == NEXT_YEAR
    assert not [f for f in row.findings if f.dico_id == "8.6"]


def test_both_readers_give_the_same_rows_values_and_findings(filled, monkeypatch):
    pytest.importorskip("python_calamine")
    for path in filled:
        fast, _ = _read(path, "calamine", monkeypatch)
        fallback, _ = _read(path, "openpyxl", monkeypatch)
        assert fast == fallback


@pytest.mark.parametrize("reader", READERS)
def test_the_unfilled_template_has_no_passage(official_template_path, reader, monkeypatch):
    rows, source = _read(official_template_path, reader, monkeypatch)
    assert rows == [] and source.header_row == 12


# -- through ``accrochage build``, as a certifier runs it ------------------------


def _copy(official_template_path, path, rows):
    """A fresh copy of the template, filled with openpyxl."""
    shutil.copyfile(official_template_path, path)
    book = openpyxl.load_workbook(path)
    del book["Communes"]  # 18 MB of reference list, only slow to save here
    return _fill(book, path, rows)


def _build(capsys, source, out_dir, *options):
    code, out, _err = run(capsys, "build", source, "-o", out_dir, "--json", *options)
    payload = json.loads(out)
    flux = "".join(path.read_text(encoding="utf-8") for path in out_dir.glob("*.xml"))
    return code, payload, flux


def test_template_v1_4_build_loses_no_row_and_says_each_cell_once(
    official_template_path, tmp_path, capsys
):
    """Template v1.4, sheet "Tableau declaration": the user typed a passage
    above the marker (row 16), a stray note in row 19, and, under the marker,
    a good passage and one whose date cell (column S, #5.10, "General") holds
    12. Every row is accounted for, the fictitious example (row 18) is not
    deposited, the bad cell gives one finding (not also "obligatoire"), and
    the findings report has one byte-order mark."""
    source = _copy(
        official_template_path,
        tmp_path / "modele.xlsx",
        {
            16: {**PASSAGE, "5.1": "P-16"},
            19: {"8.1": "DURAND"},
            22: {**PASSAGE, "5.1": "P-22", "8.3": "Zoé"},
            24: {**PASSAGE, "5.1": "P-24", "8.3": "Inès", "5.10": 12},
        },
    )
    code, payload, flux = _build(capsys, source, tmp_path / "depot")
    assert code == 1
    assert payload["compteurs"]["lignes"] == 4, payload["compteurs"]
    assert "<cpf:idTechnique>P-16<" in flux and "<cpf:idTechnique>P-22<" in flux
    for absent in ("P-24", "0000-0000-0000-0000", "DURAND", "NOM DE NAISSANCE"):
        assert absent not in flux
    by_row = {}
    for finding in payload["anomalies"]:
        by_row.setdefault(finding.get("row"), []).append(finding)
    assert any(f["severity"] == "blocking" for f in by_row[19])  # reported, not dropped
    (date,) = [f for f in by_row[24] if f.get("dico_id") == "5.10"]
    assert date["code"] == "import_value" and "« 12 »" in date["message"]
    report = (tmp_path / "depot" / "rapport-anomalies.csv").read_bytes()
    assert report.startswith(b"\xef\xbb\xbf") and b"\xef\xbb\xbf" not in report[3:]
    lines = report.decode("utf-8-sig").splitlines()
    assert [line.split(";")[0] for line in lines[1:]] == ["16", "19", "22", "24"]


def test_nc5_7_2_a_vae_row_of_the_template_is_sent_unless_strict(
    official_template_path, tmp_path, capsys
):
    """NC5 V22 #7.2 "Facultatif": a VAE passage without #7.2 is deposited with
    a warning that names both sources; ``--strict`` holds it back."""
    source = _copy(
        official_template_path,
        tmp_path / "modele.xlsx",
        {22: {**PASSAGE, "5.1": "P-VAE", "7.1": "VAE"}},
    )
    code, payload, flux = _build(capsys, source, tmp_path / "souple")
    assert code == 0 and "<cpf:idTechnique>P-VAE<" in flux
    (warning,) = payload["anomalies"]
    assert (warning["severity"], warning["code"]) == ("warning", "conditional_missing")
    assert "V.16 #7.2" in warning["message"] and "NC5 V22 #7.2" in warning["message"]
    code, payload, flux = _build(capsys, source, tmp_path / "strict", "--strict")
    assert code == 1 and "P-VAE" not in flux
    (blocking,) = payload["anomalies"]
    assert (blocking["severity"], blocking["code"]) == ("blocking", "conditional_missing")
