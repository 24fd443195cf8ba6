"""Reading passages back from a flux file gives what was written."""

import pytest

from accrochage.dictionary import get_schema
from accrochage.exceptions import DocumentInvalid
from accrochage.reader import iter_passages
from accrochage.writer import write_deposit
from tests.factories import make_passage


def _cpf_file_passage(index):
    """A holder identified by a CPF file number only (bloc 9)."""
    schema = get_schema("1.1.2")
    civil_status = {n.key for n in schema.leaves if "/titulaire/" in n.path}
    passage = {k: v for k, v in make_passage(index).items() if k not in civil_status}
    return {
        **passage,
        "idDossier": "1234567891011",
        "nomTitulaire": "ROUX",
        "prenom1Titulaire": "Camille",
    }


def test_round_trip_keeps_every_fact(tmp_path):
    written = [
        make_passage(1),
        make_passage(
            2,
            presenceNiveauNumeriqueEuro=True,
            scoreGeneral=640,
            resultats=[
                {"niveau": 4, "domaineCompetenceId": "3", "competenceId": "4"},
                {"niveau": 6, "domaineCompetenceId": "1", "competenceId": "2"},
            ],
        ),
        _cpf_file_passage(3),
    ]
    files = write_deposit(written, tmp_path)
    read = [passage for path in files for _line, passage, _p in iter_passages(path.path)]
    assert [p["idTechnique"] for p in read] == [p["idTechnique"] for p in written]
    first = read[0]
    for key, value in written[0].items():
        if value is not None:
            assert first[key] == value, key
    assert read[1]["resultats"] == written[1]["resultats"]
    assert read[2]["idDossier"] == "1234567891011"
    assert "nomNaissance" not in read[2]


def test_nil_values_read_as_unknown(tmp_path):
    files = write_deposit([make_passage(1, moisNaissance=None, jourNaissance=None)], tmp_path)
    ((_line, passage, problems),) = list(iter_passages(files[0].path))
    assert problems == []
    assert "moisNaissance" not in passage and "jourNaissance" not in passage


def test_unreadable_values_are_reported_not_dropped(tmp_path):
    files = write_deposit([make_passage(1)], tmp_path)
    text = (
        files[0]
        .path.read_text(encoding="utf-8")
        .replace("<cpf:anneeNaissance>1990<", "<cpf:anneeNaissance>19x0<")
    )
    files[0].path.write_text(text, encoding="utf-8")
    ((_line, passage, problems),) = list(iter_passages(files[0].path))
    assert problems and problems[0].dico_id == "8.6"
    assert passage["idTechnique"] == "P-000001"


def test_malformed_file_raises_a_french_error(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text("<cpf:flux xmlns:cpf='urn:cdc:cpf:pc5:schema:1.0.0'><cpf:idFlux>", "utf-8")
    with pytest.raises(DocumentInvalid, match="bien formé"):
        list(iter_passages(path))
