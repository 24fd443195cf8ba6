"""The accusé de traitement parser: content, categories, and hostile input."""

import io
import pathlib
import time

import pytest
from lxml import etree

from accrochage import receipt as receipt_module
from accrochage.exceptions import ReceiptError
from accrochage.receipt import classify, parse_receipt

DATA = pathlib.Path(__file__).parent / "data"


def test_real_style_receipt_gives_ids_and_every_category():
    receipt = parse_receipt(DATA / "receipt_real_style.xml")
    assert receipt.id_traitement == "13407"
    assert receipt.id_flux == "7b0c5a52-3c1e-4a57-9f51-0c1d2b3e4f50"
    assert receipt.nom_fichier == "depot-test-20260126.xml"
    by_id = {result.id_technique: result for result in receipt.results}
    assert len(by_id) == 10
    assert {by_id[f"P-00000{n}"].category for n in range(2, 10)} == {
        "deja_enregistre",
        "certification_ko",
        "titulaire_introuvable",
        "titulaire_jour_mois",
        "titulaire_reconciliation",
        "titulaires_multiples",
        "dates_validite",
        "autre",
    }
    # "existe déjà en base" is a success: the passage is recorded, never resend it
    already = by_id["P-000002"]
    assert already.accepted and already.already_recorded
    assert set(receipt.accepted_ids) == {"P-000001", "P-000010", "P-000002"}
    assert receipt.counts == {
        "total": 10,
        "accepted": 3,
        "already_recorded": 1,
        "rejected": 7,
        "file_errors": 0,
        "problems": 0,
    }
    assert [r.id_technique for r in receipt.rejected] == [f"P-00000{n}" for n in range(3, 10)]
    for result in receipt.rejected:
        assert result.message and result.hint
    assert by_id["P-000001"].message is None and by_id["P-000001"].category is None


def test_hints_name_the_fields_to_fix():
    receipt = parse_receipt(DATA / "receipt_real_style.xml")
    hints = {r.category: r.hint for r in receipt.results if r.hint}
    assert "#4.2 code" in hints["certification_ko"]
    assert "#8.8 jourNaissance" in hints["titulaire_jour_mois"]
    assert "#8.1 nomNaissance" in hints["titulaire_introuvable"]
    assert "#5.11 dateFinValidite" in hints["dates_validite"]
    assert "#8.10 codeInsee" in hints["titulaire_reconciliation"]
    assert "nouveau fichier" in hints["titulaires_multiples"]
    assert "support" in hints["autre"]


def test_guide_style_prefixed_lowercase_latin1():
    receipt = parse_receipt(DATA / "receipt_guide_style.xml")
    assert receipt.id_flux == "F-GUIDE"
    assert receipt.accepted_ids == ("A1",)
    (ko,) = receipt.rejected
    # upper case, doubled spaces and a line break inside the message still match
    assert ko.category == "titulaire_introuvable"
    latin = parse_receipt((DATA / "receipt_latin1.xml").read_bytes())
    assert latin.nom_fichier == "café.xml"
    assert latin.results == ()


@pytest.mark.parametrize(
    "message, category",
    [
        (
            "le statut de la certification avec le bcr emetteur 01XYZ999, l’id technique "
            "partenaire 77 et l’index 0 est ko",
            "certification_ko",
        ),
        (
            "Aucun titulaire ne correspond aux criteres obligatoires enrichis du jour et du mois",
            "titulaire_jour_mois",
        ),
        (
            "Aucun titulaire ne correspond aux critères de réconciliation",
            "titulaire_reconciliation",
        ),
        (
            "La date de fin de validité est inférieure à la date de début de validité",
            "dates_validite",
        ),
        ("Le passage ... existe\u00a0déjà en base", "deja_enregistre"),
        (None, "autre"),
    ],
)
def test_classify_tolerates_accents_case_and_apostrophes(message, category):
    assert classify(message)[0] == category


def test_text_input_with_declaration_and_file_object():
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rapport><idFlux>F</idFlux>'
        "<passagesok><idTechnique> X1 </idTechnique></passagesok></rapport>"
    )
    assert parse_receipt(text).accepted_ids == ("X1",)
    assert parse_receipt(io.BytesIO(text.encode())).accepted_ids == ("X1",)
    assert parse_receipt(io.StringIO(text)).accepted_ids == ("X1",)
    assert parse_receipt(str(DATA / "receipt_guide_style.xml")).id_flux == "F-GUIDE"


def test_ok_entries_wrapped_in_passage_and_comments_are_tolerated():
    receipt = parse_receipt(
        b"<rapport><!-- c --><idFlux>F</idFlux><PassagesOK><!-- c -->"
        b"<passage><idTechnique>W</idTechnique></passage><autre/></PassagesOK>"
        b"<PassagesKO><autre/></PassagesKO></rapport>"
    )
    assert receipt.accepted_ids == ("W",)


def test_xsd_failure_receipt_gives_file_errors():
    """The shape of the error guide V4's screenshots (p.6-15)."""
    receipt = parse_receipt(DATA / "receipt_xsd_failure.xml")
    assert receipt.results == () and receipt.rejected_whole
    assert receipt.id_flux is None and receipt.id_traitement == "601"
    assert len(receipt.file_errors) == 2
    assert receipt.file_errors[0].startswith("cvc-pattern-valid")
    first, second = receipt.file_problems
    assert (first.type, first.line, first.column) == ("XSD", 4, 60)
    assert first.family == "xsd_pattern" and first.dico_id == "1.2"
    assert second.family == "xsd_value" and second.element == "idClient"


def test_bare_error_elements_are_file_errors_too():
    receipt = parse_receipt(
        "<rapport><nomFichier>d.xml</nomFichier><erreurs><erreur>cvc-complex-type.2.4.a: "
        "Invalid content was found starting with element 'sexe'</erreur></erreurs></rapport>"
    )
    (error,) = receipt.file_problems
    assert error.family == "xsd_unexpected" and error.field == "sexe" and error.line is None


def _refused(data, match, **options):
    started = time.monotonic()
    with pytest.raises(ReceiptError, match=match) as caught:
        parse_receipt(data, **options)
    assert time.monotonic() - started < 5
    return caught.value


def test_external_entity_is_refused():
    error = _refused(DATA / "receipt_xxe.xml", "DOCTYPE")
    assert "root:" not in str(error)


def test_doctype_in_utf16_is_refused():
    text = (DATA / "receipt_xxe.xml").read_text().replace('<?xml version="1.0"?>', "")
    _refused(text.encode("utf-16"), "UTF-16")


def test_entity_bomb_is_refused_quickly():
    _refused((DATA / "receipt_billion_laughs.xml").read_bytes(), "DOCTYPE")


def test_parser_itself_never_resolves_external_entities(tmp_path):
    # defence in depth: even if the DOCTYPE check were bypassed, nothing is read
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    document = f'<!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r><idFlux>&x;</idFlux></r>'
    root = etree.fromstring(document.encode(), receipt_module._parser())
    assert "TOP-SECRET" not in etree.tostring(root, encoding="unicode")


def test_parser_itself_never_expands_an_entity_bomb():
    started = time.monotonic()
    data = (DATA / "receipt_billion_laughs.xml").read_bytes()
    try:
        root = etree.fromstring(data, receipt_module._parser())
    except etree.XMLSyntaxError:
        pass  # libxml2 may refuse the amplification itself: fine too
    else:
        assert len(etree.tostring(root)) < 10_000
    assert time.monotonic() - started < 5


def test_oversized_input_is_refused_before_parsing(tmp_path):
    _refused(b"<rapport>" + b" " * 200 + b"</rapport>", "trop volumineux", max_bytes=100)
    big = tmp_path / "big.xml"
    big.write_bytes(b"<rapport>" + b" " * 200 + b"</rapport>")
    _refused(big, "trop volumineux", max_bytes=100)
    _refused(io.BytesIO(b"<a>" + b" " * 200 + b"</a>"), "trop volumineux", max_bytes=100)


@pytest.mark.parametrize(
    "data, match",
    [
        (b"", "vide"),
        (b"  \n", "vide"),
        (b"<rapport><idFlux>F</rapport>", "bien formé"),
        (b"<html><body>Maintenance</body></html>", "que l'outil comprend"),
        ("not-a-file-xyz.xml", "Impossible de lire"),
        (12345, "contenu XML ou chemin"),
    ],
)
def test_bad_inputs_give_a_clear_error(data, match):
    error = _refused(data, match)
    assert error.code == "receipt"
