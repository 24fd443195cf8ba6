"""CSV exports: findings report and passages, safe to open in a spreadsheet."""

import csv
import datetime
import io

import pytest

from accrochage.export import write_findings_csv, write_passages_csv
from accrochage.findings import BLOCKING, WARNING, Finding
from accrochage.importer import read_passages
from tests.factories import make_passage

NIR = "290057512345678"


def _rows(data: bytes):
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8")), delimiter=";"))


def test_findings_report_lines_and_statuses(tmp_path):
    ok = make_passage(1)
    blocked = make_passage(2, nir=NIR, code="RS5875")
    warned = make_passage(3, nomNaissance="@SUM(A1)", prenom1="-Zoé")
    findings = [
        Finding(BLOCKING, "nir", f"NIR {NIR} : la clé ne correspond pas.", detail=NIR),
        Finding(WARNING, "deadline", "Échéance dans 20 jours."),
    ]
    path = tmp_path / "constats.csv"
    write_findings_csv(
        [(ok, []), (blocked, findings), (warned, findings[1:])], path, version="1.1.2"
    )
    data = path.read_bytes()
    header, *lines = _rows(data)
    assert header[:2] == ["Ligne", "Identifiant technique du passage"]
    assert header[-1] == "Constats"
    lines = [line[1:] for line in lines]  # no source row here
    assert [line[0] for line in lines] == ["P-000001", "P-000002", "P-000003"]
    assert [line[3] for line in lines] == ["prêt", "à corriger", "à vérifier"]
    assert lines[0][1] == "MARTIN Élodie" and lines[1][2] == "RS5875"
    assert lines[1][4:6] == ["1", "1"]
    assert "[bloquant]" in lines[1][6] and "[avertissement] Échéance" in lines[1][6]
    # formula injection: the cell is text, not a formula
    assert lines[2][1] == "'@SUM(A1) -Zoé"
    # personal data never leaves: no NIR (even inside a message), no birth day/month
    text = data.decode("utf-8")
    assert NIR not in text and "[NIR masqué]" in text
    assert "17" not in text.replace("P-0000", "")


def test_findings_report_with_source_rows_and_file_level_findings():
    out = io.BytesIO()
    file_level = Finding(WARNING, "import_column", "Colonne X non reconnue.")
    write_findings_csv(
        [(None, None, [file_level]), (5, {"idTechnique": "=cmd|' /C calc'!A0"}, [])], out
    )
    header, first, second = _rows(out.getvalue())
    assert header[0] == "Ligne"
    assert first[:2] == ["", ""] and first[4] == "à vérifier"
    assert second[0] == "5" and second[1].startswith("'=")


#: cells of a row without a finding: usual ones, and ones the csv writer
#: quotes or the report guards
READY_CELLS = (
    "P-1",
    "BERNARD-A",
    "Élodie",
    "O'Brien",
    "Jean Pierre",
    "RNCP35726",
    "",
    None,
    12,
    "a;b",
    'dit "Jo"',
    "a\nb",
    "a\rb",
    "=1+2",
    "-Zoé",
    " espace",
    "x" * 40_000,
)


def test_the_usual_row_s_report_line_is_the_csv_writer_s():
    """A row without a finding is written without the ``csv`` writer when
    no cell needs it: the report is the same, byte for byte, as the writer's
    for every mix of usual and odd cells (idTechnique, names, code, row)."""
    from accrochage import export

    rows = []
    for number, value in enumerate(READY_CELLS):
        for key in ("idTechnique", "nomNaissance", "prenom1", "code"):
            passage = {"idTechnique": "P-1", "nomNaissance": "MARTIN", "prenom1": "Élodie"}
            passage |= {"code": "RS5875", key: value}
            rows.append((number + 2, passage, []))
    rows.append((None, {"idTechnique": "P-1", "code": "RS5875", "nomNaissance": "MARTIN"}, []))
    formatted = []
    ready_line = export._ready_line

    def watched(row, passage):
        line = ready_line(row, passage)
        formatted.append(line is not None)
        return line

    def report():
        out = io.BytesIO()
        write_findings_csv(rows, out)
        return out.getvalue()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(export, "_ready_line", watched)
        fast = report()
        patch.setattr(export, "_ready_line", lambda row, passage: None)
        reference = report()
    assert fast == reference
    assert 10 < sum(formatted) < len(rows) - 10


def test_passages_round_trip_through_the_import(tmp_path):
    passages = [
        make_passage(1),
        make_passage(
            2,
            idTechnique="-12",
            codeInsee="01053",
            presenceNiveauNumeriqueEuro=True,
            scoreGeneral=420,
            resultats=[{"niveau": 5, "domaineCompetenceId": "3", "competenceId": "4"}],
            dateFinValidite=datetime.date(2031, 10, 15),
            nir=NIR,
        ),
    ]
    path = tmp_path / "passages.csv"
    assert write_passages_csv(passages, path, version="1.1.2") == []
    assert NIR not in path.read_text(encoding="utf-8-sig")
    result = read_passages(path)
    assert result.findings == []
    assert [row for row, _p in result.passages] == [3, 4]  # ids row, labels row, data
    for original, (_row, read) in zip(passages, result.passages, strict=True):
        expected = {key: value for key, value in original.items() if key != "nir"}
        expected.setdefault("resultats", [])
        assert {key: read[key] for key in expected} == expected
        assert "nir" not in read
        # columns absent from the passage come back empty
        assert all(read[key] in (None, []) for key in set(read) - set(expected))


def test_imported_passage_passes_the_pre_send_rules():
    rules = pytest.importorskip("accrochage.rules")
    out = io.StringIO()
    write_passages_csv([make_passage(1)], out)
    ((_row, passage),) = read_passages(out.getvalue().encode()).passages
    today = datetime.date(2026, 11, 1)
    assert [str(f) for f in rules.check_passage(passage, today=today)] == []


def test_passages_export_warns_when_digcomp_results_do_not_fit():
    passage = make_passage(
        1,
        dateInscription=datetime.datetime(2026, 1, 12, 9, 30),
        resultats=[
            {"niveau": 5, "domaineCompetenceId": "3", "competenceId": "4"},
            {"niveau": 2, "domaineCompetenceId": "1", "competenceId": "1"},
        ],
    )
    out = io.StringIO()
    (warning,) = write_passages_csv([(7, passage)], out)
    assert warning.passage == "P-000001" and "premier des 2" in warning.message
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff")), delimiter=";"))
    assert rows[2][rows[0].index("6.2")] == "5"
    assert rows[2][rows[0].index("7.4")] == "2026-01-12"
