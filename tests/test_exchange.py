"""The partner exchange's reading of candidates and its answers (accrochage.exchange)."""

import datetime

import pytest

from accrochage import exchange
from accrochage.dictionary import get_schema


def candidate(**passage):
    return {"reference": "R-1", "passage": passage}


def test_a_full_candidate_is_read_into_typed_values():
    read = exchange.read_candidate(
        candidate(
            type="RNCP",
            code="RNCP35726",
            nomNaissance="Martin",
            prenom1="Élodie",
            anneeNaissance=1990,
            moisNaissance="05",
            jourNaissance=17,
            sexe="F",
            donneeCertifiee=True,
            dateDebutValidite="2026-10-15",
            mentionValidee=None,
        ),
        version="1.1.2",
    )
    assert not read.refused and read.reference == "R-1"
    assert read.passage["moisNaissance"] == 5
    assert read.passage["dateDebutValidite"] == datetime.date(2026, 10, 15)
    assert read.passage["donneeCertifiee"] is True and read.passage["mentionValidee"] is None


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("not an object", "candidate_shape", "attendu un objet"),
        ({"reference": "R", "passage": []}, "candidate_shape", "attendu un objet"),
        ({"passage": {}}, "reference_missing", "référence du candidat"),
        ({"reference": "R" * 65, "passage": {}}, "reference_missing", "1 à 64"),
        ({"reference": 12, "passage": {}}, "reference_missing", "reference"),
        ({"reference": "R", "passage": {}, "extra": 1}, "unknown_key", "« extra »"),
        (candidate(couleur="bleu"), "unknown_key", "« couleur » inconnue"),
        (candidate(nir="290056912304560"), "unknown_key", "« nir » inconnue"),
        (candidate(idTechnique="X"), "certifier_key", "renseigné par le certificateur"),
        (candidate(natureDeposant="CERTIFICATEUR"), "certifier_key", "(#4.3 natureDeposant)"),
        (candidate(anneeNaissance="mille"), "value_format", "Année de naissance"),
        (candidate(anneeNaissance=1990.5), "value_format", "attend une valeur JSON de type entier"),
        (candidate(donneeCertifiee="peut-être"), "value_format", "Résultat définitif"),
        (candidate(nomNaissance=True), "value_format", "de type texte"),
        (candidate(donneeCertifiee=1), "value_format", "de type booléen"),
        (candidate(dateDebutValidite=46000), "value_format", "de type texte"),
        (candidate(dateDebutValidite="31/02/2026"), "value_format", "Date de délivrance"),
    ],
)
def test_a_faulty_candidate_is_refused_with_a_french_finding(raw, code, words):
    read = exchange.read_candidate(raw, version="1.1.2", position=3)
    assert read.refused
    finding = next(f for f in read.findings if f.code == code)
    assert words in finding.message and finding.row == 3 and finding.blocking


def test_the_nir_is_a_candidate_key_where_the_schema_carries_it():
    read = exchange.read_candidate(candidate(nir="2 90 05 69 123 045 60"), version="1.1.5")
    assert not read.refused and read.passage["nir"]


def test_every_candidate_key_is_in_the_dictionary_of_its_version():
    for version in ("1.1.2", "1.1.5"):
        keys = exchange.candidate_keys(version)
        by_key = get_schema(version).by_key
        assert keys and all(key in by_key for key in keys)
        assert not set(keys) & exchange.CERTIFIER_KEYS


def test_answers_and_status_entries():
    from accrochage.findings import BLOCKING, Finding

    finding = Finding(BLOCKING, "required", "Sexe (#8.9) manquant.", field="sexe", dico_id="8.9")
    assert exchange.answer("R", "incomplete", [finding]) == {
        "reference": "R",
        "status": "incomplete",
        "label": "Incomplet",
        "findings": [
            {
                "severity": "blocking",
                "code": "required",
                "message": "Sexe (#8.9) manquant.",
                "field": "sexe",
                "dico_id": "8.9",
            }
        ],
    }
    entry = exchange.status_entry(
        "R",
        "accepted",
        answered_on=datetime.datetime(2026, 12, 1, 9, 30),
        deposit="DEP/2026/0001",
        deposited_on=datetime.datetime(2026, 11, 20, 8, 0),
    )
    assert entry["label"] == "Accepté par la CDC" and entry["cdc_date"] == "2026-12-01T09:30:00"
    assert entry["deposit"] == "DEP/2026/0001" and entry["cdc_message"] is None


def test_the_openapi_document_describes_candidates_from_the_dictionary():
    methods = [("partner_submit", [("candidates", "list[dict]", True)], "Push.\n\nMore.")]
    doc = exchange.openapi_document(methods, model="accrochage.passage", version="1.1.5", title="T")
    operation = doc["paths"]["/json/2/accrochage.passage/partner_submit"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["candidates"]
    assert body["properties"]["candidates"]["items"] == {"$ref": "#/components/schemas/Candidate"}
    passage = doc["components"]["schemas"]["Passage"]["properties"]
    assert set(passage) == set(exchange.candidate_keys("1.1.5"))
    assert passage["sexe"]["enum"][:-1] == [
        code for code, _ in get_schema("1.1.5").by_key["sexe"].value.choices
    ]
    assert passage["dateDebutValidite"]["format"] == "date"
    assert passage["anneeNaissance"]["minimum"] <= 1990 <= passage["anneeNaissance"]["maximum"]
    assert passage["codeInsee"].get("maxLength") or passage["codeInsee"].get("pattern")
    assert operation["summary"] == "Push." and operation["description"] == "More."
    assert set(operation["responses"]) == {"200", "400", "401", "403", "422"}
