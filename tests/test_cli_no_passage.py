"""No passage at all is not a success: exit 1, "aucun passage à déposer", and
the row accounting says what was read (issue #8, "Nothing usable, yet success").
Every input is generated: empty layouts in CSV and XLSX, the official template
left unfilled, and files where every row is set aside."""

import json
import shutil

import pytest

from accrochage.dictionary import get_schema
from accrochage.export import export_columns
from accrochage.importer import TEMPLATE_SHEET, column_labels
from tests.clirun import run, write_csv
from tests.factories import make_passage


def _csv(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx_layout_only(path):
    """The template's layout (ids, labels, marker row) without a passage."""
    import openpyxl

    schema = get_schema("1.1.2")
    labels = column_labels(schema)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = TEMPLATE_SHEET
    columns = schema.columns
    sheet.append(["Identifiant"] + [node.dico_id for node in columns])
    sheet.append(["Intitulé"] + [labels[node.key] for node in columns])
    sheet.append([None, "Commencez votre saisie en-dessous de cette ligne"])
    for _ in range(5):
        sheet.append([])
    book.save(path)
    return path


def empty_inputs(tmp_path):
    ids = ";".join(node.dico_id for node in export_columns(get_schema("1.1.2")))
    yield "ids row only", _csv(tmp_path, "ids.csv", ids + "\n")
    yield "ids and labels rows", write_csv(tmp_path / "labels.csv", [])
    blank = ";" * ids.count(";")
    yield "blank lines", _csv(tmp_path, "blank.csv", ids + "\n\n" + (blank + "\n") * 5 + "\n")
    yield "spaces only", _csv(tmp_path, "spaces.csv", ids + "\n" + " ; ;  ;\n" * 3)
    yield "xlsx layout", _xlsx_layout_only(tmp_path / "vide.xlsx")


def _assert_nothing(code, out, tmp_path, out_dir):
    assert code == 1, out
    assert "Aucun passage à déposer" in out
    assert "0 ligne lue = 0 écrite + 0 écartée." in out
    assert not list(out_dir.glob("*.xml"))


def test_an_input_without_a_passage_is_not_a_success(tmp_path, capsys):
    cases = list(empty_inputs(tmp_path))
    assert len(cases) == 5
    for name, path in cases:
        out_dir = tmp_path / f"out-{path.stem}"
        code, out, err = run(capsys, "build", path, "-o", out_dir)
        _assert_nothing(code, out, tmp_path, out_dir)
        assert "en-tête seul" in out, name


def test_the_json_answer_says_so_too(tmp_path, capsys):
    path = write_csv(tmp_path / "labels.csv", [])
    code, out, _err = run(capsys, "build", path, "-o", tmp_path / "out", "--json")
    payload = json.loads(out)
    assert code == 1
    assert payload["message"].startswith("Aucun passage à déposer : le fichier ne contient")
    assert payload["compteurs"]["lignes"] == 0 and payload["fichiers"] == []


def test_the_official_template_left_unfilled(tmp_path, capsys, official_template_path):
    copy = tmp_path / "modele.xlsx"
    shutil.copy(official_template_path, copy)
    code, out, _err = run(capsys, "build", copy, "-o", tmp_path / "out")
    _assert_nothing(code, out, tmp_path, tmp_path / "out")


@pytest.mark.parametrize("rows", [1, 3])
def test_every_row_set_aside_is_not_a_success(tmp_path, capsys, rows):
    bad = [make_passage(n, nomNaissance=None) for n in range(1, rows + 1)]
    path = write_csv(tmp_path / "bad.csv", bad)
    code, out, _err = run(capsys, "build", path, "-o", tmp_path / "out")
    assert code == 1
    assert "Aucun passage à déposer : toutes les lignes sont écartées" in out
    lines = "ligne lue" if rows == 1 else "lignes lues"
    aside = "écartée" if rows == 1 else "écartées"
    assert f"{rows} {lines} = 0 écrite + {rows} {aside}." in out
    assert not list((tmp_path / "out").glob("*.xml"))
