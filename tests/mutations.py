"""A corpus of flux documents to compare two schemas: valid documents made
by the writer, and mutations of every constraint the dictionary table
states (each leaf's facets, cardinality, nil-ability, choices, namespace).

``corpus(sample=None)`` returns ``[(name, bytes)]``. Nothing here says which
documents are valid: the conformance test asks both schemas and compares.
"""

from __future__ import annotations

import copy
import datetime
import tempfile

from lxml import etree

from accrochage.dictionary import Boolean, Date, DateTime, Enum, Integer, Text, get_schema
from accrochage.writer import XSI_NIL, write_deposit
from tests.factories import make_passage

NOW = datetime.datetime(2026, 11, 26, 15, 30, 45)
SCHEMA = get_schema("1.1.2")
NS = SCHEMA.namespace


def _without(passage, *parts):
    """Drop the facts of the leaves under the given path parts."""
    for node in SCHEMA.leaves:
        if any(f"/{part}/" in node.path for part in parts):
            passage.pop(node.key, None)
    return passage


def _full(index, **overrides):
    """Every optional field present."""
    return make_passage(
        index,
        urlPreuve="https://preuves.example/a",
        libelleOption="Option & spécialité <B>",
        dateFinValidite=datetime.date(2031, 10, 15),
        presenceNiveauLangueEuro=True,
        niveauLangueEuropeen="C1",
        presenceNiveauNumeriqueEuro=True,
        scoreGeneral=890,
        resultats=[
            {"niveau": 5, "domaineCompetenceId": "3", "competenceId": "4"},
            {"niveau": 8, "domaineCompetenceId": "1", "competenceId": "1"},
        ],
        scoring="12.4",
        modaliteAcces="VAE",
        voieAccessVAE="CONGES_VAE",
        nomUsage="DURAND",
        prenom3="Marie",
        codeInsee="99109",
        codePaysNaissance="109",
        libellePaysNaissance="ALLEMAGNE",
        commentairesMEN="Commentaire",
        verbatim="TOSA",
        **overrides,
    )


def passage_sets():
    """Named lists of passages, varied along every branch of the table."""
    nils = make_passage(
        10,
        mentionValidee=None,
        modaliteAcces=None,
        moisNaissance=None,
        jourNaissance=None,
        codeInsee=None,
        natureDeposant=None,
        initiativeInscription=None,
        dateInscription=None,
    )
    postal = make_passage(11, codeInsee=None, codePostal="75009")
    dossier = _without(
        make_passage(12, idDossier="1234567890123", nomTitulaire="DUPONT", prenom1Titulaire="Jean"),
        "titulaire",
    )
    digcomp = make_passage(
        13,
        presenceNiveauNumeriqueEuro=True,
        resultats=[{"niveau": 3}, {"domaineCompetenceId": "2", "competenceId": "6"}],
    )
    several = [
        make_passage(20 + i, type=type_, code=code, natureDeposant=nature)
        for i, (type_, code, nature) in enumerate(
            [
                ("RNCP", "RNCP35726", "CERTIFICATEUR"),
                ("RS", "RS5875", "TIERS_CONFIANCE"),
                ("RNCP", "RNCP35726", "CERTIFICATEUR"),
                ("RS", "RS5875", "TIERS_CONFIANCE"),
            ]
        )
    ]
    return {
        "full": [_full(1)],
        "nils": [nils],
        "postal": [postal],
        "dossier": [dossier],
        "digcomp": [digcomp],
        "several": several,
        "mixed": [_full(30), nils, postal, dossier, digcomp],
        "tiers": [make_passage(40, idClientEmetteur="98ZYX765", natureDeposant="TIERS_CONFIANCE")],
    }


def base_documents():
    """``{name: bytes}``: documents written (and checked) by the writer."""
    documents = {}
    with tempfile.TemporaryDirectory() as out:
        for name, passages in passage_sets().items():
            [written] = write_deposit(passages, f"{out}/{name}", now=NOW)
            documents[name] = written.path.read_bytes()
    return documents


# --------------------------------------------------------------------------
# Mutations
# --------------------------------------------------------------------------


def _find(root, path):
    """The first element on a dictionary path, by local names."""
    names = path.split("/")
    if etree.QName(root).localname != names[0]:
        return None
    element = root
    for name in names[1:]:
        element = next(
            (c for c in element if isinstance(c.tag, str) and etree.QName(c).localname == name),
            None,
        )
        if element is None:
            return None
    return element


def _set_text(element, text):
    element.attrib.pop(XSI_NIL, None)
    element.text = text


def _values(node):
    """(label, text) of values around each facet of a leaf's type."""
    kind = node.value
    if isinstance(kind, Text):
        values = [("padded", " x "), ("long255+", "x" * 256)]
        if kind.length is not None:
            values += [("length-1", "A" * (kind.length - 1)), ("length+1", "A" * (kind.length + 1))]
            values += [("length", "A" * kind.length)]
        else:
            values += [("max", "é" * kind.max_length), ("max+1", "é" * (kind.max_length + 1))]
        return values
    if isinstance(kind, Enum):
        first = kind.values[0]
        return [
            ("lower", first.lower()),
            ("unknown", "X" + first),
            ("padded", f" {first} "),
            ("last", kind.values[-1]),
        ]
    if isinstance(kind, Integer):
        return [
            ("min-1", str(kind.minimum - 1)),
            ("min", str(kind.minimum)),
            ("max", str(kind.maximum)),
            ("max+1", str(kind.maximum + 1)),
            ("decimal", "1.5"),
            ("letters", "abc"),
            ("plus", f"+{kind.minimum}"),
            ("leading-zero", f"0{kind.minimum}"),
            ("padded", f" {kind.maximum} "),
        ]
    if isinstance(kind, Date):
        return [
            ("feb30", "2024-02-30"),
            ("month13", "2024-13-01"),
            ("1899", "1899-12-31"),
            ("2100", "2100-01-01"),
            ("one-digit", "2024-1-01"),
            ("zulu", "2024-01-01Z"),
            ("offset", "2024-01-01+01:00"),
            ("french", "01/02/2024"),
            ("padded", " 2024-01-01 "),
            ("leap", "2024-02-29"),
        ]
    if isinstance(kind, DateTime):
        day = "2024-07-01"
        return [
            ("zulu", f"{day}T10:00:00Z"),
            ("fraction", f"{day}T10:00:00.5+02:00"),
            ("one-digit-offset", f"{day}T10:00:00+1:00"),
            ("offset+14:30", f"{day}T10:00:00+14:30"),
            ("offset+14:00", f"{day}T10:00:00+14:00"),
            ("offset-12:00", f"{day}T10:00:00-12:00"),
            ("offset+00:00", f"{day}T10:00:00+00:00"),
            ("offset+15:00", f"{day}T10:00:00+15:00"),
            ("pattern-quirk", f"{day}T10:00:00+:20:00"),
            ("hour24", f"{day}T24:00:00+02:00"),
            ("no-offset", f"{day}T10:00:00"),
            ("space", f"{day} 10:00:00+02:00"),
            ("no-seconds", f"{day}T10:00+02:00"),
            ("winter", "2024-01-15T08:00:00+01:00"),
        ]
    if isinstance(kind, Boolean):
        return [
            ("one", "1"),
            ("zero", "0"),
            ("upper", "TRUE"),
            ("oui", "oui"),
            ("padded", " true "),
        ]
    raise TypeError(kind)  # pragma: no cover


def _leaf_mutations(node, element):
    """(label, function(element)) for one leaf."""

    def setter(text):
        return lambda e: _set_text(e, text)

    def nil(e):
        e.text = None
        e.set(XSI_NIL, "true")

    def nil_with_value(e):
        e.set(XSI_NIL, "true")

    def nil_false(e):
        e.set(XSI_NIL, "false")

    def duplicate(e):
        e.addnext(copy.deepcopy(e))

    mutations = [
        ("missing", lambda e: e.getparent().remove(e)),
        ("empty", setter("")),
        ("nil", nil),
        ("nil-with-value", nil_with_value),
        ("nil-false", nil_false),
        ("duplicate", duplicate),
    ]
    mutations += [(label, setter(text)) for label, text in _values(node)]
    return mutations


def _rename_namespace(root, namespace):
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{" + NS + "}"):
            element.tag = (f"{{{namespace}}}" if namespace else "") + etree.QName(element).localname
    etree.cleanup_namespaces(root)


Q = f"{{{NS}}}"
TITULAIRE = SCHEMA.by_key["nomNaissance"].parent
NAISSANCE = SCHEMA.by_key["codeInsee"].parent.rsplit("/", 1)[0]
IDENTIFICATION = TITULAIRE.rsplit("/", 1)[0]


def _both_birth_places(root):
    place = _find(root, NAISSANCE)
    postal = etree.SubElement(place, Q + "codePostalNaissance")
    etree.SubElement(postal, Q + "codePostal").text = "75009"


def _both_birth_places_reversed(root):
    place = _find(root, NAISSANCE)
    postal = etree.Element(Q + "codePostalNaissance")
    etree.SubElement(postal, Q + "codePostal").text = "75009"
    place.insert(0, postal)


def _both_identifications(documents):
    def mutate(root):
        other = etree.fromstring(documents["dossier"])
        dossier = _find(other, IDENTIFICATION + "/dossierFormation")
        _find(root, IDENTIFICATION).append(copy.deepcopy(dossier))

    return mutate


def _duplicate(path):
    return lambda root: _find(root, path).addnext(copy.deepcopy(_find(root, path)))


def _remove(path):
    return lambda root: _find(root, path).getparent().remove(_find(root, path))


def _empty(path):
    def mutate(root):
        element = _find(root, path)
        for child in list(element):
            element.remove(child)

    return mutate


def _unknown_in(path):
    def mutate(root):
        etree.SubElement(_find(root, path), Q + "inconnu").text = "x"

    return mutate


def _reverse_every_list(root):
    for element in root.iter():
        if isinstance(element.tag, str) and len(element) > 1:
            element[:] = list(reversed(element))


def _reverse_all_groups(root):
    for node in SCHEMA.nodes:
        if not node.is_leaf and node.content == "all":
            element = _find(root, node.path)
            if element is not None:
                element[:] = list(reversed(element))


def _attribute(path, name, value):
    return lambda root: _find(root, path).set(name, value)


def _text_in(path):
    def mutate(root):
        _find(root, path).text = "texte"

    return mutate


def _comment_in(path):
    return lambda root: _find(root, path).insert(0, etree.Comment(" note "))


def _child_namespace(path, namespace):
    def mutate(root):
        element = _find(root, path)
        element.tag = (f"{{{namespace}}}" if namespace else "") + etree.QName(element).localname

    return mutate


def _structural(documents):
    """(name, base, function(root)) for whole-structure mutations."""
    passage = SCHEMA.passage_path
    certificateur = SCHEMA.by_key["idClientCertificateur"].parent
    certification = SCHEMA.certification_path
    numerique = SCHEMA.by_key["scoreGeneral"].parent
    resultats = numerique + "/resultats"
    modalites = passage + "/modalitesInscription"
    old = "urn:cdc:cpf:pc5:schema:0.0.7"
    return [
        ("both-birth-places", "full", _both_birth_places),
        ("both-birth-places-reversed", "postal", _both_birth_places_reversed),
        ("empty-birth-place", "full", _empty(NAISSANCE)),
        ("both-identifications", "full", _both_identifications(documents)),
        ("no-identification", "full", _empty(IDENTIFICATION)),
        ("two-certificateurs", "full", _duplicate(certificateur)),
        ("two-emetteurs", "full", _duplicate("flux/emetteur")),
        ("two-certifications", "full", _duplicate(certification)),
        ("two-passages", "full", _duplicate(passage)),
        ("two-titulaires", "full", _duplicate(TITULAIRE)),
        ("two-modalites", "full", _duplicate(modalites)),
        ("two-resultats-blocks", "full", _duplicate(resultats)),
        ("two-digcomp-blocks", "full", _duplicate(numerique)),
        ("no-passage", "full", _remove(passage)),
        ("no-certification", "full", _remove(certification)),
        ("no-modalites", "full", _remove(modalites)),
        ("empty-modalites", "nils", _empty(modalites)),
        ("empty-resultats", "full", _empty(resultats)),
        ("empty-digcomp", "full", _empty(numerique)),
        ("empty-titulaire", "full", _empty(TITULAIRE)),
        ("empty-certificateurs", "full", _empty("flux/emetteur/certificateurs")),
        ("reverse-every-list", "mixed", _reverse_every_list),
        ("reverse-all-groups", "full", _reverse_all_groups),
        ("reverse-several", "several", _reverse_all_groups),
        ("unknown-in-root", "full", _unknown_in("flux")),
        ("unknown-in-passage", "full", _unknown_in(passage)),
        ("unknown-in-titulaire", "full", _unknown_in(TITULAIRE)),
        ("unknown-in-resultat", "full", _unknown_in(resultats + "/resultat")),
        ("unknown-in-dossier", "dossier", _unknown_in(IDENTIFICATION + "/dossierFormation")),
        ("nil-on-titulaire", "full", _attribute(TITULAIRE, XSI_NIL, "true")),
        ("nil-on-passage", "full", _attribute(passage, XSI_NIL, "true")),
        ("attribute-on-passage", "full", _attribute(passage, "statut", "x")),
        ("attribute-on-leaf", "full", _attribute(passage + "/idTechnique", "statut", "x")),
        ("text-in-passage", "full", _text_in(passage)),
        ("text-in-flux", "full", _text_in("flux")),
        ("comment-in-passage", "full", _comment_in(passage)),
        ("leaf-no-namespace", "full", _child_namespace(passage + "/idTechnique", None)),
        ("leaf-other-namespace", "full", _child_namespace(passage + "/scoring", "urn:autre")),
        ("group-old-namespace", "full", _child_namespace(TITULAIRE, old)),
        ("root-old-namespace", "full", lambda root: _rename_namespace(root, old)),
        ("no-namespace", "full", lambda root: _rename_namespace(root, None)),
    ]


def corpus(sample=None):
    """``[(name, bytes)]``: the documents to submit to both schemas."""
    documents = base_documents()
    result = [(f"base/{name}", data) for name, data in documents.items()]
    if sample is not None:
        result.append(("official-sample", sample))
        sample_root = etree.fromstring(sample)
        for name, _base, mutate in _structural(documents)[:24]:
            root = copy.deepcopy(sample_root)
            try:
                mutate(root)
            except (AttributeError, TypeError):
                continue  # the sample lacks that part
            result.append((f"sample/{name}", etree.tostring(root)))
    parsed = {name: etree.fromstring(data) for name, data in documents.items()}
    for node in SCHEMA.leaves:
        base = next((n for n, root in parsed.items() if _find(root, node.path) is not None), None)
        assert base is not None, f"no base document holds {node.path}"
        for label, mutate in _leaf_mutations(node, None):
            root = copy.deepcopy(parsed[base])
            mutate(_find(root, node.path))
            result.append(
                (f"leaf/{node.path.rsplit('/', 2)[-2]}/{node.name}/{label}", etree.tostring(root))
            )
    for name, base, mutate in _structural(documents):
        root = copy.deepcopy(parsed[base])
        mutate(root)
        result.append((f"structure/{name}", etree.tostring(root)))
    return result
