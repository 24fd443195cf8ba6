"""Paths a user gets wrong: a French sentence and exit 2, never a traceback
(issue #8, "Paths"). Every case is generated in a temporary folder."""

import os

import pytest

from tests.clirun import run, run_process, write_csv
from tests.factories import make_passage


@pytest.fixture
def good_csv(tmp_path):
    return write_csv(tmp_path / "passages.csv", [make_passage(1)])


def _cases(tmp_path, good_csv):
    """(name, argv, expected words) for each wrong path."""
    folder = tmp_path / "un-dossier"
    folder.mkdir()
    a_file = tmp_path / "un-fichier.txt"
    a_file.write_text("x", encoding="utf-8")
    fake_xlsx = tmp_path / "faux.xlsx"
    fake_xlsx.write_text("5.1;8.1\nP-1;MARTIN\n", encoding="utf-8")
    missing = tmp_path / "absent.csv"
    out = tmp_path / "sortie"
    return [
        ("input missing", ["build", missing, "-o", out], "introuvable"),
        ("input is a folder", ["build", folder, "-o", out], "est un dossier"),
        ("output is a file", ["build", good_csv, "-o", a_file], "n'est pas un dossier"),
        (
            "output under a file",
            ["build", good_csv, "-o", a_file / "sous-dossier"],
            "Impossible de créer le dossier de sortie",
        ),
        ("second input missing", ["build", good_csv, missing, "-o", out], "introuvable"),
        (
            "accepted ids missing",
            ["build", good_csv, "-o", out, "--accepted-ids", missing],
            "introuvable",
        ),
        (
            "accepted receipt is a folder",
            ["build", good_csv, "-o", out, "--accepted-receipts", folder],
            "est un dossier",
        ),
        ("not an xlsx", ["build", fake_xlsx, "-o", out], "xlsx"),
        ("validate missing", ["validate", missing], "introuvable"),
        ("validate a folder", ["validate", folder], "est un dossier"),
        ("xsd missing", ["validate", good_csv, "--xsd", missing], "introuvable"),
        ("bad clock", ["build", good_csv, "-o", out, "--now", "demain"], "--now"),
        ("bad limit", ["build", good_csv, "-o", out, "--max-passages", "0"], "positifs"),
    ]


def test_every_wrong_path_is_a_french_usage_error(tmp_path, good_csv, capsys):
    cases = _cases(tmp_path, good_csv)
    assert len(cases) == 13
    for name, argv, words in cases:
        code, out, err = run(capsys, *argv)
        assert code == 2, (name, out, err)
        assert err.startswith("accrochage : ") and words in err, (name, err)
        assert not list(tmp_path.glob("sortie/*.xml")), name


def test_a_wrong_path_from_a_terminal_prints_one_sentence(tmp_path, good_csv):
    taken = tmp_path / "taken"
    taken.write_text("", encoding="utf-8")
    code, out, err = run_process("build", good_csv, "-o", taken)
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "n'est pas un dossier" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_input_names_the_rights(tmp_path, good_csv, capsys):
    good_csv.chmod(0)
    try:
        code, _out, err = run(capsys, "build", good_csv, "-o", tmp_path / "out")
    finally:
        good_csv.chmod(0o644)
    assert code == 2 and "droits" in err


def test_a_file_error_while_writing_is_french(tmp_path, good_csv, capsys, monkeypatch):
    from accrochage import writer

    def full_disk(*_args, **_kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "out" / "x.xml"))

    monkeypatch.setattr(writer, "write_deposit", full_disk)
    monkeypatch.setattr("accrochage.pipeline.write_deposit", full_disk)
    code, _out, err = run(capsys, "build", good_csv, "-o", tmp_path / "out")
    assert code == 2 and "disque plein" in err and "x.xml" in err
    assert not (tmp_path / "out" / "rapport-anomalies.csv").exists()


def test_an_unexpected_error_is_one_sentence_without_the_values(
    tmp_path, good_csv, capsys, monkeypatch
):
    def bug(*_args, **_kwargs):
        raise KeyError("290057512345678")

    monkeypatch.setattr("accrochage.pipeline.write_deposit", bug)
    from accrochage import cli

    code = cli.main(["build", str(good_csv), "-o", str(tmp_path / "out")])
    _out, err = capsys.readouterr()
    assert code == 2 and "erreur inattendue (KeyError)" in err
    assert "290057512345678" not in err and "Traceback" not in err
    monkeypatch.setenv("ACCROCHAGE_DEBUG", "1")
    with pytest.raises(KeyError):
        cli.main(["build", str(good_csv), "-o", str(tmp_path / "out2")])
