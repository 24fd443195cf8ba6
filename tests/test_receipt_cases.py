"""Receipts as the CDC's guides describe them, generated here, through the
engine and the ``accrochage receipt`` command.

Sources: general guide V5 §4.4.1 (p.24, a file rejected as a whole), the
receipt guide V3 (p.2-5), the error guide V4 (table p.4-5, §3.1-3.10).
Every case asserts the exit code, that no traceback is printed, and the
French message.
"""

import json
import subprocess
import sys
import textwrap
from xml.sax.saxutils import escape

import pytest

from accrochage import cli
from accrochage.exceptions import ReceiptError
from accrochage.receipt import (
    ALREADY_RECORDED_HINT,
    FILE_REJECTED,
    STATUSES,
    parse_receipt,
    receipt_outcome,
)
from tests.conftest import ROOT

ALREADY = (
    "Le passage certification avec le bcr émetteur 12ABC345 et l'id technique partenaire "
    "{id} existe déjà en base"
)
NOBODY = "Aucun titulaire ne correspond aux critères obligatoires"


def receipt_xml(ko=(), ok=(), *, errors=None, id_flux="F-1", header=True):
    """A receipt shaped like the real ones (SPEC.md §4.4) or like the error
    guide's screenshots (``errors``: (message, line, column) triples)."""
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>']
    parts.append('<rapport xmlns:ns2="urn:cdc:cpf:pc5:rapport:schema">')
    if header:
        parts.append("<nomFichier>depot.xml</nomFichier>")
        if id_flux:
            parts.append(f"<idFlux>{id_flux}</idFlux><idTraitement>13407</idTraitement>")
        else:
            parts.append("<idDemande>472</idDemande>")
    if errors is not None:
        parts.append("<erreurs>")
        for message, line, column in errors:
            parts.append(
                f"<erreur><type>XSD</type><message>{escape(message)}</message>"
                f"<ligne>{line}</ligne><colonne>{column}</colonne></erreur>"
            )
        parts.append("</erreurs>")
    else:
        parts.append("<PassagesKO>")
        for id_technique, message in ko:
            parts.append(
                f"<passage><idTechnique>{id_technique}</idTechnique>"
                f"<messageErreur>{escape(message)}</messageErreur></passage>"
            )
        parts.append("</PassagesKO><PassagesOK>")
        parts.extend(f"<idTechnique>{i}</idTechnique>" for i in ok)
        parts.append("</PassagesOK>")
    parts.append("</rapport>")
    return "\n".join(parts)


def run(capsys, tmp_path, text, *options):
    path = tmp_path / "accuse.xml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    code = cli.main(["receipt", str(path), *options])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# -- a file rejected as a whole ------------------------------------------------

#: every message family of the error guide V4 (table p.4-5, §3.1-3.10), as the
#: receipt shows it, with the family, the element and a word of the advice
GUIDE_MESSAGES = [
    ('La chaîne "--" n\'est pas autorisée dans les commentaires.', "xml_comment", None, "--"),
    ("La version est obligatoire dans la déclaration XML.", "xml_version", None, "1.0"),
    (
        'La version XML "2.0" n\'est pas prise en charge. Seule la version XML 1.0 est prise '
        "en charge.",
        "xml_version",
        None,
        "1.0",
    ),
    (
        "cvc-elt.1.a : Déclaration de l'élément 'cpf:flux' introuvable.",
        "xsd_version",
        "flux",
        "xmlns",
    ),
    (
        'Le type d\'élément "cpf:idClient" doit se terminer par la balise de fin '
        'correspondante "</cpf:idClient>".',
        "xml_end_tag",
        "idClient",
        "fermante",
    ),
    (
        'Le type d\'élément "cpf:flux" doit être suivi des spécifications d\'attribut, ">" '
        'ou "/>".',
        "xml_chevron",
        "flux",
        "chevron",
    ),
    (
        "cvc-type.3.1.3 : La valeur '1' de l'élément 'cpf:idClient' n'est pas valide.",
        "xsd_value",
        "idClient",
        "dictionnaire",
    ),
    (
        "cvc-pattern-valid : La valeur '20-12-18T14:24:12+01:00' n'est pas un facet valide "
        "par rapport au modèle '(19|20)[0-9]{2}' pour le type '#AnonType_horodatageflux'.",
        "xsd_pattern",
        "horodatage",
        "format",
    ),
    (
        "cvc-length-valid : La valeur '1234567', ayant pour longueur '7', n'est pas un facet "
        "valide par rapport à la longueur '8' pour le type '#AnonType_idClientemetteurflux'.",
        "xsd_length",
        "idClient",
        "longueur",
    ),
    (
        "cvc-complex-type.2.4.b : Le contenu de l'élément 'cpf:emetteur' n'est pas complet. "
        "L'un des éléments '{\"urn:cdc:cpf:pc5:schema:1.0.0\":idClient, "
        '"urn:cdc:cpf:pc5:schema:1.0.0":certificateurs}\' est attendu.',
        "xsd_missing",
        "emetteur",
        "Ajoutez",
    ),
    (
        "cvc-complex-type.2.4.a : Contenu non valide trouvé à partir de l'élément 'coucou'. "
        "L'une des valeurs '{\"urn:cdc:cpf:pc5:schema:1.0.0\":idClient, "
        '"urn:cdc:cpf:pc5:schema:1.0.0":certificateurs}\' est attendue.',
        "xsd_unexpected",
        "coucou",
        "Retirez",
    ),
    (
        "cvc-complex-type.2.4.d : Contenu non valide trouvé à partir de l'élément "
        "'cpf:codePostalNaissance'. Aucun élément enfant n'est attendu à cet endroit.",
        "xsd_choice",
        "codePostalNaissance",
        "exclusifs",
    ),
    (
        "cvc-enumeration-valid : La valeur 'H' n'est pas un facet valide par rapport à "
        "l'énumération '[M, F]'. Il doit s'agir d'une valeur provenant de l'énumération.",
        "xsd_enumeration",
        None,
        "liste",
    ),
]


def test_error_guide_v4_every_family_is_explained_and_the_file_rejected_whole(tmp_path, capsys):
    errors = [(message, index + 1, 10) for index, (message, *_rest) in enumerate(GUIDE_MESSAGES)]
    receipt = parse_receipt(receipt_xml(errors=errors, id_flux=None))
    assert receipt.rejected_whole and receipt.results == ()
    for error, (_message, family, element, word) in zip(
        receipt.file_problems, GUIDE_MESSAGES, strict=True
    ):
        assert error.family == family, error.message
        assert error.element == element, error.message
        assert word in error.explanation + error.hint, (family, error.explanation, error.hint)
        assert "V4 §3." in error.explanation
    code, out, _ = run(capsys, tmp_path, receipt_xml(errors=errors, id_flux=None))
    assert code == 1
    assert "Fichier rejeté en entier : rien n'est enregistré." in out
    assert "ligne 8, colonne 10 : cvc-pattern-valid" in out
    assert "Horodatage (#1.2 horodatage)" in out
    assert "0 passage(s) accepté(s)" not in out


def test_general_guide_v5_4_4_1_a_file_rejected_whole_in_json(tmp_path, capsys):
    text = receipt_xml(errors=[(GUIDE_MESSAGES[6][0], 6, 36)], id_flux=None)
    code, out, _ = run(capsys, tmp_path, text, "--json")
    payload = json.loads(out)
    assert code == 1 and payload["fichierRejete"] is True
    assert payload["idTraitement"] == "472" and payload["idFlux"] is None
    (error,) = payload["erreursFichier"]
    assert (error["ligne"], error["colonne"], error["famille"]) == (6, 36, "xsd_value")
    assert error["explication"] and error["conseil"] and error["message"].startswith("cvc-type")


def test_general_guide_v5_4_4_1_every_passage_of_a_file_rejected_whole_is_rejected():
    receipt = parse_receipt(receipt_xml(errors=[(GUIDE_MESSAGES[0][0], 7, 12)], id_flux=None))
    outcome = receipt_outcome(["P1", "P2"], receipt, file_name="/tmp/x/depot.xml")
    assert [o.status for o in outcome.passages] == [FILE_REJECTED, FILE_REJECTED]
    first = outcome.passages[0]
    assert not first.recorded and "ligne 7, colonne 12" in first.message
    assert "rien n'est enregistré" in first.hint
    with pytest.raises(ReceiptError, match="depot.xml"):
        receipt_outcome(["P1"], receipt, file_name="autre.xml")


# -- "existe déjà en base" ------------------------------------------------------


def test_receipt_guide_v3_p3_already_recorded_is_accepted_counted_once_with_its_three_causes(
    tmp_path, capsys
):
    ko = [("P2", ALREADY.format(id="P2")), ("P2", ALREADY.format(id="P2")), ("P3", NOBODY)]
    text = receipt_xml(ko=ko, ok=["P1", "P2"])
    receipt = parse_receipt(text)
    assert receipt.counts["accepted"] == 2 and receipt.counts["already_recorded"] == 1
    assert receipt.already_recorded_ids == ("P2",)
    for cause in ("envoyé deux fois", "autre titulaire", "n'est PAS", "correction"):
        assert cause in ALREADY_RECORDED_HINT
    code, out, _ = run(capsys, tmp_path, text)
    assert code == 1  # P3 is rejected
    assert "2 passage(s) accepté(s), 1 rejeté(s) ; dont 1 déjà enregistré(s)." in out
    assert "Déjà enregistré(s) : P2" in out and "nouvel idTechnique" in out
    assert "✗ P2" not in out
    code, out, _ = run(capsys, tmp_path, receipt_xml(ko=ko[:2], ok=["P1"]), "--json")
    payload = json.loads(out)
    assert code == 0 and payload["dejaEnregistres"] == ["P2"]
    assert sorted(payload["acceptes"]) == ["P1", "P2"]


# -- what looks wrong in the receipt itself -------------------------------------


def test_an_id_listed_twice_counts_once(tmp_path, capsys):
    code, out, _ = run(capsys, tmp_path, receipt_xml(ok=["A", "A", "B"]), "--json")
    payload = json.loads(out)
    assert code == 0
    assert payload["compteurs"]["accepted"] == 2 and payload["acceptes"] == ["A", "B"]
    assert [p["code"] for p in payload["anomaliesAccuse"]] == ["doublon"]


def test_an_id_both_ok_and_ko_is_flagged_and_not_recorded(tmp_path, capsys):
    text = receipt_xml(ko=[("A", NOBODY)], ok=["A", "B"])
    receipt = parse_receipt(text)
    assert receipt.accepted_ids == ("B",)
    (conflict,) = receipt.rejected
    assert conflict.category == "ok_et_ko" and "portail" in conflict.hint
    code, out, _ = run(capsys, tmp_path, text)
    assert code == 1
    assert "à la fois parmi les acceptés et les rejetés" in out
    outcome = receipt_outcome(["A", "B"], receipt, id_flux="F-1")
    assert [o.status for o in outcome.passages] == ["rejected", "accepted"]


@pytest.mark.parametrize("where", ["ko", "ok"])
def test_an_entry_without_id_is_flagged(tmp_path, capsys, where):
    text = receipt_xml(ko=[("", NOBODY)], ok=["B"]) if where == "ko" else receipt_xml(ok=[" ", "B"])
    code, out, _ = run(capsys, tmp_path, text, "--json")
    payload = json.loads(out)
    assert code == 1
    (problem,) = payload["anomaliesAccuse"]
    assert problem["code"] == "id_vide" and "n'a pas d'idTechnique" in problem["message"]
    assert payload["acceptes"] == ["B"]


@pytest.mark.parametrize(
    "text",
    [
        "<rapport/>",
        "<rapport><nomFichier>depot.xml</nomFichier><idFlux>F</idFlux></rapport>",
        "<rapport><nomFichier>d.xml</nomFichier><erreurs/></rapport>",
        "<html><body><h1>Maintenance</h1><p>PassagesOK</p></body></html>",
        "<accuseReception><idFlux>F</idFlux><statut>traitement en cours</statut></accuseReception>",
        '<?xml version="1.0"?><flux xmlns="urn:cdc:cpf:pc5:schema:1.0.0"><idFlux>F</idFlux></flux>',
    ],
)
def test_not_a_receipt_the_engine_understands(tmp_path, capsys, text):
    code, out, err = run(capsys, tmp_path, text)
    assert code == 2 and not out
    assert "n'est pas un accusé de traitement que l'outil comprend" in err


def test_the_guide_example_without_id_flux_is_read():
    """Receipt guide V3 p.2: idDemande, no idFlux, capitalised sections."""
    receipt = parse_receipt(
        receipt_xml(
            ko=[("12345", "Aucun titulaire ne correspond à ces critères")],
            ok=["67890", "12121"],
            id_flux=None,
        )
    )
    assert receipt.id_traitement == "472" and receipt.id_flux is None
    assert receipt.rejected[0].category == "titulaire_introuvable"


def test_receipt_guide_v3_p5_date_hint_covers_the_exam_end_before_its_start():
    """Receipt guide V3 p.5: "une date de fin de validité ou d'examen antérieure"."""
    receipt = parse_receipt(
        receipt_xml(
            ko=[
                (
                    "A",
                    "La date de fin de validité est inférieure à date de début de validité "
                    "pour le passage certification avec le bcr émetteur 1234ABCD",
                ),
                ("B", "La date de fin d'examen est inférieure à la date de début d'examen"),
            ]
        )
    )
    for result in receipt.rejected:
        assert result.category == "dates_validite"
        assert "#5.7 dateFinExamen" in result.hint and "#5.11 dateFinValidite" in result.hint


# -- the outcome per passage ------------------------------------------------------


def test_outcome_gives_every_status():
    text = receipt_xml(
        ko=[("R", NOBODY), ("D", ALREADY.format(id="D"))], ok=["A", "GHOST"], id_flux="F-9"
    )
    outcome = receipt_outcome(["A", "D", "R", "N", "A"], parse_receipt(text), id_flux="F-9")
    statuses = {o.id_technique: o.status for o in outcome.passages}
    assert statuses == {
        "A": "accepted",
        "D": "already_recorded",
        "R": "rejected",
        "N": "not_mentioned",
    }
    assert set(statuses.values()) | {FILE_REJECTED} == set(STATUSES)
    by_id = {o.id_technique: o for o in outcome.passages}
    assert by_id["D"].recorded and by_id["A"].recorded and not by_id["N"].recorded
    assert by_id["R"].category == "titulaire_introuvable" and by_id["R"].hint
    assert by_id["N"].hint and "pas enregistré" in by_id["N"].hint
    assert outcome.unknown_ids == ("GHOST",)
    assert outcome.counts["accepted"] == 1 and outcome.counts["unknown"] == 1
    with pytest.raises(ReceiptError, match="F-9"):
        receipt_outcome(["A"], parse_receipt(text), id_flux="F-10")


# -- receipts at scale ------------------------------------------------------------

_SCALE = textwrap.dedent(
    """
    import json, resource, sys, time
    from accrochage.receipt import parse_receipt, receipt_outcome
    count = int(sys.argv[1])
    ids = [f"P-{i:06d}" for i in range(count)]
    parts = ['<rapport><nomFichier>f.xml</nomFichier><idFlux>F</idFlux><PassagesKO>']
    ko = ids[: count // 10]
    parts += [f"<passage><idTechnique>{i}</idTechnique><messageErreur>Aucun titulaire ne "
              f"correspond aux critères obligatoires</messageErreur></passage>" for i in ko]
    parts.append("</PassagesKO><PassagesOK>")
    parts += [f"<idTechnique>{i}</idTechnique>" for i in ids[count // 10:]]
    parts.append("</PassagesOK></rapport>")
    data = "\\n".join(parts).encode()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    receipt = parse_receipt(data)
    parsed = time.process_time() - started
    outcome = receipt_outcome(ids, receipt, id_flux="F")
    applied = time.process_time() - started - parsed
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024
    print(json.dumps({"parse": parsed, "outcome": applied, "grown_mb": grown,
                      "bytes": len(data), "counts": outcome.counts}))
    """
)


def _scale(count):
    result = subprocess.run(
        [sys.executable, "-c", _SCALE, str(count)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    return json.loads(result.stdout)


def test_a_200000_passage_receipt_is_read_in_linear_time_and_bounded_memory():
    small, large = _scale(50_000), _scale(200_000)
    assert large["counts"]["accepted"] == 180_000 and large["counts"]["rejected"] == 20_000
    assert large["parse"] < 20 and large["outcome"] < 5
    # linear: four times the passages, not much more than four times the time
    assert large["parse"] < 8 * max(small["parse"], 0.05)
    # the results themselves, not the XML tree (16 MB of XML here)
    assert large["grown_mb"] < 200, large


def test_a_receipt_that_mentions_no_passage_is_not_a_clean_one(capsys, tmp_path):
    """Found by the corpus (tests/bad_input_corpus.py): empty OK and KO
    sections answer for nothing, and must not end as a success."""
    code, out, _ = run(capsys, tmp_path, receipt_xml())
    assert code == 1
    assert "ne mentionne aucun passage" in out and "idFlux" in out
