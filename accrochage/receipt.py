"""The CDC's accusé de traitement (processing receipt), read safely.

After processing a deposited file, the Caisse des Dépôts returns a small XML
report (SPEC.md §4.4, seen in real receipts, no official XSD)::

    <rapport xmlns:ns2="urn:cdc:cpf:pc5:rapport:schema">
      <nomFichier>…</nomFichier><idFlux>…</idFlux><idTraitement>13407</idTraitement>
      <PassagesKO><passage><idTechnique>…</idTechnique>
                           <messageErreur>…</messageErreur></passage>…</PassagesKO>
      <PassagesOK><idTechnique>…</idTechnique>…</PassagesOK>
    </rapport>

Element names are matched without namespace and without case
(``PassagesKO`` in real receipts, ``passagesKO`` in the CDC guide). Each KO
message is mapped to a stable category and a French hint (the seven
normalised messages of the guide "lecture de l'accusé de traitement" V3);
"existe déjà en base" means the passage was recorded earlier, so it counts
as accepted.

The receipt comes from outside: it is parsed without DTD, without entity
expansion, without network and with a size limit. Any problem raises
:class:`~accrochage.exceptions.ReceiptError` with a French message.

>>> receipt = parse_receipt(
...     "<rapport><nomFichier>f.xml</nomFichier><idFlux>F1</idFlux>"
...     "<idTraitement>7</idTraitement><PassagesKO><passage>"
...     "<idTechnique>P2</idTechnique><messageErreur>Plusieurs titulaires ont "
...     "été identifiés</messageErreur></passage></PassagesKO>"
...     "<PassagesOK><idTechnique>P1</idTechnique></PassagesOK></rapport>"
... )
>>> receipt.accepted_ids
('P1',)
>>> [(r.id_technique, r.category) for r in receipt.rejected]
[('P2', 'titulaires_multiples')]
>>> receipt.counts
{'total': 2, 'accepted': 1, 'already_recorded': 0, 'rejected': 1}
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field

from lxml import etree

from . import xmlsafe
from .dictionary import get_schema
from .exceptions import ReceiptError

#: a receipt is a few hundred bytes per passage; 50 MB covers 200,000 passages
MAX_BYTES = 50_000_000

OTHER = "autre"
ALREADY_RECORDED = "deja_enregistre"

_DOCTYPE = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _parser():
    """The one parser used for receipts: nothing is fetched, nothing expanded."""
    return xmlsafe.parser(recover=False, remove_pis=True)


@dataclass(frozen=True)
class PassageResult:
    """What the CDC said about one passage."""

    id_technique: str
    accepted: bool
    message: str | None = None
    category: str | None = None
    hint: str | None = None
    already_recorded: bool = False


@dataclass(frozen=True)
class Receipt:
    """A parsed accusé de traitement."""

    id_traitement: str | None
    id_flux: str | None
    nom_fichier: str | None
    results: tuple[PassageResult, ...] = ()
    file_errors: tuple[str, ...] = field(default=())

    @property
    def accepted_ids(self):
        """``idTechnique`` of every passage now recorded by the CDC."""
        return tuple(result.id_technique for result in self.results if result.accepted)

    @property
    def rejected(self):
        """The KO passages, to correct and deposit again in a new file."""
        return [result for result in self.results if not result.accepted]

    @property
    def counts(self):
        accepted = sum(1 for result in self.results if result.accepted)
        return {
            "total": len(self.results),
            "accepted": accepted,
            "already_recorded": sum(1 for r in self.results if r.already_recorded),
            "rejected": len(self.results) - accepted,
        }


# -- message categories ----------------------------------------------------


def _refs(*keys):
    """``#8.1 nomNaissance, #8.3 prenom1`` from the table, for the hints."""
    schema = get_schema()
    return ", ".join(schema.by_key[key].ref for key in keys)


_AGAIN = " Corrigez, puis déposez ce passage dans un nouveau fichier avec les seuls passages KO."


def _categories():
    """(code, pattern on the normalised message, accepted, French hint), in match order.

    Patterns run on lower-case text without accents and with single spaces;
    the BCR and the idTechnique embedded in some messages are matched loosely.
    """
    return (
        (
            ALREADY_RECORDED,
            r"existe deja en base",
            True,
            "Ce passage est déjà enregistré à la Caisse des Dépôts : rien à faire, "
            "ne le renvoyez pas.",
        ),
        (
            "certification_ko",
            r"statut de la certification .*\best ko\b",
            False,
            "La certification n'est pas reconnue : vérifiez le code ("
            + _refs("type", "code")
            + ") — préfixe compris (RS1710 et non 1710), fiche active et type cohérent "
            "avec le code — et que vous êtes bien habilité à la déclarer." + _AGAIN,
        ),
        (
            "titulaire_jour_mois",
            r"aucun titulaire ne correspond aux criteres obligatoires enrichis",
            False,
            "Titulaire introuvable avec le jour et le mois de naissance : vérifiez "
            + _refs("jourNaissance", "moisNaissance")
            + ", puis le nom, le prénom, le sexe et l'année de naissance."
            + _AGAIN,
        ),
        (
            "titulaire_reconciliation",
            r"aucun titulaire ne correspond aux criteres de reconcil",
            False,
            "Titulaire introuvable avec les données complémentaires : vérifiez la commune "
            "et le pays de naissance ("
            + _refs("codeInsee", "libelleCommuneNaissance", "codePaysNaissance")
            + ") et les autres prénoms."
            + _AGAIN,
        ),
        (
            "titulaire_introuvable",
            r"aucun titulaire ne correspond aux criteres obligatoires",
            False,
            "Aucun titulaire ne correspond : vérifiez, tels qu'à l'état civil, "
            + _refs("nomNaissance", "prenom1", "sexe", "anneeNaissance")
            + "."
            + _AGAIN,
        ),
        (
            "titulaires_multiples",
            r"plusieurs titulaires ont ete identifies",
            False,
            "Plusieurs personnes correspondent : ajoutez des données pour distinguer le "
            "titulaire ("
            + _refs("jourNaissance", "moisNaissance", "codeInsee", "prenom2")
            + ")."
            + _AGAIN,
        ),
        (
            "dates_validite",
            r"date de fin de validite est inferieure a (la )?date de debut de validite",
            False,
            "La date de fin de validité précède la date de délivrance : corrigez "
            + _refs("dateDebutValidite", "dateFinValidite")
            + " (laissez la fin vide si la certification n'expire pas)."
            + _AGAIN,
        ),
    )


_CATEGORIES = None
_OTHER_HINT = (
    "Message non répertorié par le guide de lecture de l'accusé de traitement : lisez-le, "
    "vérifiez les données du titulaire et de la certification, puis déposez ce passage "
    "dans un nouveau fichier ; s'il reste KO, ouvrez un ticket auprès du support "
    "certificateurs de la Caisse des Dépôts."
)


def normalise(message):
    """Lower case, no accents, straight apostrophes, single spaces.

    >>> normalise("  Plusieurs   titulaires ont ÉTÉ identifiés ")
    'plusieurs titulaires ont ete identifies'
    """
    text = unicodedata.normalize("NFKD", message)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.replace("\u2019", "'").replace("\u00a0", " ")
    return " ".join(text.lower().split())


def classify(message):
    """``(category, accepted, hint)`` of a CDC ``messageErreur``.

    >>> classify("Le passage certification avec le bcr émetteur 12ABC345 et l'id "
    ...          "technique partenaire P-1 existe déjà en base")[:2]
    ('deja_enregistre', True)
    >>> classify("Aucun titulaire ne correspond aux critères obligatoires")[0]
    'titulaire_introuvable'
    >>> classify("Erreur inattendue")[:2]
    ('autre', False)
    """
    global _CATEGORIES
    if _CATEGORIES is None:
        _CATEGORIES = tuple(
            (code, re.compile(pattern), accepted, hint)
            for code, pattern, accepted, hint in _categories()
        )
    text = normalise(message or "")
    for code, pattern, accepted, hint in _CATEGORIES:
        if pattern.search(text):
            return code, accepted, hint
    return OTHER, False, _OTHER_HINT


# -- reading ---------------------------------------------------------------


def _read(data, max_bytes):
    """The receipt's bytes, refusing anything over ``max_bytes`` before parsing."""
    if isinstance(data, str) and data.lstrip("\ufeff \t\r\n").startswith("<"):
        data = _XML_DECLARATION.sub("", data.lstrip("\ufeff")).encode("utf-8")
    elif isinstance(data, (str, os.PathLike)):
        try:
            size = os.path.getsize(data)
            if size > max_bytes:
                raise _too_big(size, max_bytes)
            with open(data, "rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as error:
            raise ReceiptError(
                f"Impossible de lire l'accusé de traitement « {os.fspath(data)} » : "
                f"{error.strerror or error}. Vérifiez le chemin du fichier."
            ) from None
    elif hasattr(data, "read"):
        data = data.read(max_bytes + 1)
        if isinstance(data, str):
            data = _XML_DECLARATION.sub("", data.lstrip("\ufeff")).encode("utf-8")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ReceiptError(
            "L'accusé de traitement doit être fourni comme contenu XML ou chemin de fichier."
        )
    data = bytes(data)
    if len(data) > max_bytes:
        raise _too_big(len(data), max_bytes)
    if not data.strip():
        raise ReceiptError("L'accusé de traitement est vide : téléchargez-le à nouveau.")
    return data


def _too_big(size, max_bytes):
    return ReceiptError(
        f"L'accusé de traitement est trop volumineux ({size} octets, maximum {max_bytes}) : "
        "ce n'est sans doute pas un accusé de la Caisse des Dépôts."
    )


def _refuse_doctype():
    return ReceiptError(
        "L'accusé de traitement contient une déclaration DOCTYPE ou ENTITY, refusée par "
        "sécurité : un accusé authentique n'en contient pas."
    )


def _parse_xml(data):
    # UTF-16/32 text hides "<!DOCTYPE" behind NUL bytes: look without them too
    if _DOCTYPE.search(data) or _DOCTYPE.search(data.replace(b"\x00", b"")):
        raise _refuse_doctype()
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise ReceiptError(
            "L'accusé de traitement n'est pas un XML bien formé "
            f"({error.msg}) : téléchargez-le à nouveau depuis l'espace certificateur."
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _refuse_doctype()  # pragma: no cover - caught by the byte check above
    return root


def _name(element):
    if not isinstance(element.tag, str):
        return ""  # comment or processing instruction
    return etree.QName(element).localname.lower()


def _text(element):
    return " ".join("".join(element.itertext()).split()) or None


def _child(element, name):
    for child in element:
        if _name(child) == name:
            return child
    return None


def _child_text(element, name):
    child = _child(element, name)
    return _text(child) if child is not None else None


def _ko(section):
    for entry in section:
        if _name(entry) != "passage":
            continue
        id_technique = _child_text(entry, "idtechnique") or ""
        message = _child_text(entry, "messageerreur")
        category, accepted, hint = classify(message)
        yield PassageResult(
            id_technique,
            accepted,
            message,
            category,
            hint,
            already_recorded=category == ALREADY_RECORDED,
        )


def _ok(section):
    for entry in section:
        if _name(entry) == "idtechnique":
            yield PassageResult(_text(entry) or "", True)
        elif _name(entry) == "passage":  # tolerate OK entries wrapped like KO ones
            yield PassageResult(_child_text(entry, "idtechnique") or "", True)


_ERROR_NAME = re.compile(r"erreur|error|message|anomalie")


def _file_errors(root):
    """Error lines of an XSD-failure receipt (format not seen: read loosely)."""
    errors = []
    for element in root.iter():
        if _ERROR_NAME.search(_name(element)) and len(element) == 0:
            text = _text(element)
            if text:
                errors.append(text)
    return tuple(errors)


def parse_receipt(data, *, max_bytes=MAX_BYTES) -> Receipt:
    """Read an accusé de traitement: XML bytes or text, a path, or a binary file.

    Raises :class:`ReceiptError` (French message) when the input is empty,
    too large, not well-formed, carries a DTD, or is not a receipt.
    """
    root = _parse_xml(_read(data, max_bytes))
    results, sections = [], 0
    for section in root:
        name = _name(section)
        if name == "passagesko":
            sections += 1
            results.extend(_ko(section))
        elif name == "passagesok":
            sections += 1
            results.extend(_ok(section))
    id_flux = _child_text(root, "idflux")
    file_errors = () if sections else _file_errors(root)
    if id_flux is None and not (file_errors and _name(root) == "rapport"):
        raise ReceiptError(
            "Ce fichier n'est pas un accusé de traitement de la Caisse des Dépôts "
            "(élément idFlux absent) : vérifiez que vous avez choisi le bon fichier."
        )
    return Receipt(
        id_traitement=_child_text(root, "idtraitement"),
        id_flux=id_flux,
        nom_fichier=_child_text(root, "nomfichier"),
        results=tuple(results),
        file_errors=file_errors,
    )
