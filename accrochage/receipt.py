"""The CDC's accusé de traitement (processing receipt), read safely.

After processing a deposited file, the Caisse des Dépôts returns a small XML
report. Two shapes are documented:

- the file was processed (receipt guide V3 §2, p.2; SPEC.md §4.4, seen in
  real receipts)::

    <rapport xmlns:ns2="urn:cdc:cpf:pc5:rapport:schema">
      <nomFichier>…</nomFichier><idFlux>…</idFlux><idTraitement>13407</idTraitement>
      <PassagesKO><passage><idTechnique>…</idTechnique>
                           <messageErreur>…</messageErreur></passage>…</PassagesKO>
      <PassagesOK><idTechnique>…</idTechnique>…</PassagesOK>
    </rapport>

  (the guide's own example carries ``idDemande`` and no ``idFlux``);

- the file was rejected as a whole by the XML check (general guide V5
  §4.4.1, p.24; error guide V4, screenshots p.6–15): nothing is recorded::

    <rapport><nomFichier>…</nomFichier><idDemande>472</idDemande>
      <erreurs><erreur><type>XSD</type><message>…</message>
                       <ligne>7</ligne><colonne>12</colonne></erreur>…</erreurs>
    </rapport>

Element names are matched without namespace and without case
(``PassagesKO`` in real receipts, ``passagesKO`` in the CDC guide). Each KO
message is mapped to a stable category and a French hint (the normalised
messages of the receipt guide V3, p.3–5); each file error to the error
guide V4's explanation (:mod:`accrochage.xmlerrors`). "existe déjà en base"
means the passage was recorded earlier, so it counts as accepted.

The receipt comes from outside: it is streamed (a 200,000-passage receipt
is read in linear time, the tree freed as it goes) without DTD, entity
expansion or network, with a size limit. Any problem raises
:class:`~accrochage.exceptions.ReceiptError` with a French message.

:func:`receipt_outcome` turns a receipt and the ``idTechnique`` of the file
it answers into one outcome per passage, so a caller (the Odoo addon)
applies it without knowing the CDC's formats.

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
>>> receipt.counts["accepted"], receipt.counts["rejected"]
(1, 1)
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from dataclasses import dataclass, field

from . import xmlsafe
from .dictionary import get_schema
from .exceptions import FileTooLarge, ReceiptError, XmlLimitExceeded, XmlRefused
from .exceptions import XmlSyntaxInvalid as _XmlSyntaxInvalid
from .xmlerrors import explain

#: a receipt is a few hundred bytes per passage: 200 MB covers 200,000
#: passages with room to spare; it is streamed, so memory does not follow
MAX_BYTES = 200_000_000

OTHER = "autre"
ALREADY_RECORDED = "deja_enregistre"
#: an id listed both in PassagesOK and PassagesKO
OK_AND_KO = "ok_et_ko"

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _parser():
    """A parser with the receipts' options, for whole-document use."""
    return xmlsafe.parser(recover=False, remove_pis=True)


@dataclass(frozen=True, slots=True)
class PassageResult:
    """What the CDC said about one passage."""

    id_technique: str
    accepted: bool
    message: str | None = None
    category: str | None = None
    hint: str | None = None
    already_recorded: bool = False


@dataclass(frozen=True)
class FileError:
    """One error of a file rejected as a whole, with the error guide's advice."""

    message: str
    type: str | None = None
    line: int | None = None
    column: int | None = None
    family: str = OTHER
    code: str | None = None
    element: str | None = None
    field: str | None = None
    dico_id: str | None = None
    explanation: str = ""
    hint: str = ""

    def as_dict(self):
        return {
            "message": self.message,
            "type": self.type,
            "ligne": self.line,
            "colonne": self.column,
            "famille": self.family,
            "code": self.code,
            "element": self.element,
            "champ": self.field,
            "dico": self.dico_id,
            "explication": self.explanation,
            "conseil": self.hint,
        }


@dataclass(frozen=True)
class ReceiptProblem:
    """Something in the receipt itself that needs a look (not a CDC verdict)."""

    code: str  # "id_vide", "ok_et_ko", "doublon"
    message: str
    id_technique: str | None = None


@dataclass(frozen=True)
class Receipt:
    """A parsed accusé de traitement.

    ``results`` has one entry per distinct ``idTechnique`` (an id listed
    twice counts once; an id both OK and KO is one rejected entry of
    category ``ok_et_ko``). ``file_problems`` holds the errors of a file
    rejected as a whole; ``problems`` what looked wrong in the receipt.
    """

    id_traitement: str | None
    id_flux: str | None
    nom_fichier: str | None
    results: tuple[PassageResult, ...] = ()
    file_problems: tuple[FileError, ...] = field(default=())
    problems: tuple[ReceiptProblem, ...] = ()

    @property
    def file_errors(self):
        """The CDC's messages for a file rejected as a whole, as they are."""
        return tuple(error.message for error in self.file_problems)

    @property
    def rejected_whole(self):
        """The XML check failed: nothing of the file is recorded."""
        return bool(self.file_problems) and not self.results

    @property
    def accepted_ids(self):
        """``idTechnique`` of every passage now recorded by the CDC."""
        return tuple(result.id_technique for result in self.results if result.accepted)

    @property
    def already_recorded_ids(self):
        return tuple(r.id_technique for r in self.results if r.already_recorded)

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
            "already_recorded": len(self.already_recorded_ids),
            "rejected": len(self.results) - accepted,
            "file_errors": len(self.file_problems),
            "problems": len(self.problems),
        }


# -- message categories ----------------------------------------------------


def _refs(*keys):
    """``#8.1 nomNaissance, #8.3 prenom1`` from the table, for the hints."""
    schema = get_schema()
    return ", ".join(schema.by_key[key].ref for key in keys)


_AGAIN = " Corrigez, puis déposez ce passage dans un nouveau fichier avec les seuls passages KO."

#: receipt guide V3 p.3 "Doublons" and general guide V5 §4.4.3 (p.26: resending
#: an idTechnique does not update it, "pas encore disponible")
ALREADY_RECORDED_HINT = (
    "Déjà enregistré à la Caisse des Dépôts sous cet idTechnique. Trois cas : "
    "(1) le même passage a été envoyé deux fois : rien à faire, ne le renvoyez pas ; "
    "(2) l'idTechnique a été réutilisé pour un autre titulaire : ce titulaire-là n'est PAS "
    "enregistré, renvoyez-le avec un nouvel idTechnique ; "
    "(3) c'était une correction d'un passage déjà envoyé : la Caisse des Dépôts ne "
    "l'applique pas (renvoyer un idTechnique ne met pas à jour ses données) ; "
    "demandez la correction au support certificateurs."
)


def _categories():
    """(code, pattern on the normalised message, accepted, French hint), in match order.

    Patterns run on lower-case text without accents and with single spaces;
    the BCR and the idTechnique embedded in some messages are matched loosely.
    """
    return (
        # receipt guide V3 p.3 "Doublons"
        (ALREADY_RECORDED, r"existe deja en base", True, ALREADY_RECORDED_HINT),
        # receipt guide V3 p.3 "Erreur de certification"
        (
            "certification_ko",
            r"statut de la certification .*\best ko\b",
            False,
            "La certification n'est pas reconnue : vérifiez le code ("
            + _refs("type", "code")
            + ") — préfixe compris (RS1710 et non 1710), fiche active et type cohérent "
            "avec le code — et que vous êtes bien habilité à la déclarer." + _AGAIN,
        ),
        # receipt guide V3 p.4 "Aucun titulaire identifié" (second message)
        (
            "titulaire_jour_mois",
            r"aucun titulaire ne correspond aux criteres obligatoires enrichis",
            False,
            "Titulaire introuvable avec le jour et le mois de naissance : vérifiez "
            + _refs("jourNaissance", "moisNaissance")
            + ", puis le nom, le prénom, le sexe et l'année de naissance."
            + _AGAIN,
        ),
        # receipt guide V3 p.4 "Aucun titulaire identifié" (third message)
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
        # receipt guide V3 p.4 "Aucun titulaire identifié" (first message); the
        # guide's own example reads "… ne correspond à ces critères" (p.2)
        (
            "titulaire_introuvable",
            r"aucun titulaire ne correspond aux criteres obligatoires|"
            r"aucun titulaire ne correspond a ces criteres|aucun titulaire identifie",
            False,
            "Aucun titulaire ne correspond : vérifiez, tels qu'à l'état civil (les accents "
            "ne comptent pas, les tirets des prénoms composés si), "
            + _refs("nomNaissance", "prenom1", "sexe", "anneeNaissance")
            + "."
            + _AGAIN,
        ),
        # receipt guide V3 p.5 "Trop de titulaires identifiés"
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
        # receipt guide V3 p.5 "Erreur de date de passage": "une date de fin de
        # validité ou d'examen antérieure à la date de début"
        (
            "dates_validite",
            r"date de fin .*est inferieure a (la )?date de debut",
            False,
            "Une date de fin précède sa date de début : vérifiez la fin de validité "
            "face à la délivrance ("
            + _refs("dateDebutValidite", "dateFinValidite")
            + " ; laissez la fin vide si la certification n'expire pas) et la fin d'examen "
            "face à son début (" + _refs("dateDebutExamen", "dateFinExamen") + ")." + _AGAIN,
        ),
    )


_CATEGORIES = None
_OTHER_HINT = (
    "Message non répertorié par le guide de lecture de l'accusé de traitement : lisez-le, "
    "vérifiez les données du titulaire et de la certification, puis déposez ce passage "
    "dans un nouveau fichier ; s'il reste KO, ouvrez un ticket auprès du support "
    "certificateurs de la Caisse des Dépôts."
)
_CONFLICT_HINT = (
    "L'accusé cite ce passage à la fois parmi les acceptés et les rejetés : il n'est pas "
    "compté comme enregistré. Vérifiez son statut sur le portail ; dans le doute, "
    "déposez-le de nouveau : s'il est déjà enregistré, l'accusé dira « existe déjà en base »."
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
    found = _CLASSIFIED.get(message)
    if found is None:
        found = _classify(message)
        if len(_CLASSIFIED) < 4096:  # most messages repeat word for word
            _CLASSIFIED[message] = found
    return found


_CLASSIFIED = {}


def _classify(message):
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


def _source(data, max_bytes):
    """A binary file to stream from, refusing a known size over ``max_bytes``."""
    if isinstance(data, str) and data.lstrip("\ufeff \t\r\n").startswith("<"):
        return io.BytesIO(_XML_DECLARATION.sub("", data.lstrip("\ufeff")).encode("utf-8"))
    if isinstance(data, (str, os.PathLike)):
        try:
            size = os.path.getsize(data)
            if size > max_bytes:
                raise _too_big(size, max_bytes)
            if size == 0:
                raise _empty()
            return open(data, "rb")  # noqa: SIM115 (closed by parse_receipt)
        except OSError as error:
            raise ReceiptError(
                f"Impossible de lire l'accusé de traitement « {os.fspath(data)} » : "
                f"{error.strerror or error}. Vérifiez le chemin du fichier."
            ) from None
    if hasattr(data, "read"):
        first = data.read(0)
        if isinstance(first, str):
            text = data.read(max_bytes + 1)
            return io.BytesIO(_XML_DECLARATION.sub("", text.lstrip("\ufeff")).encode("utf-8"))
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        if len(data) > max_bytes:
            raise _too_big(len(data), max_bytes)
        return io.BytesIO(bytes(data))
    raise ReceiptError(
        "L'accusé de traitement doit être fourni comme contenu XML ou chemin de fichier."
    )


def _too_big(size, max_bytes):
    return ReceiptError(
        f"L'accusé de traitement est trop volumineux ({size} octets, maximum {max_bytes}) : "
        "ce n'est sans doute pas un accusé de la Caisse des Dépôts."
    )


def _empty():
    return ReceiptError("L'accusé de traitement est vide : téléchargez-le à nouveau.")


_NAMES = {}


def _name(element):
    """The local name in lower case ("" for a comment)."""
    tag = element.tag
    name = _NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""
        if len(_NAMES) < 1000:
            _NAMES[tag] = name
    return name


def _text(element):
    text = element.text if len(element) == 0 else "".join(element.itertext())
    if not text:
        return None
    text = text.strip()
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
        text = " ".join(text.split())
    return text or None


def _child_text(element, name):
    for child in element:
        if _name(child) == name:
            return _text(child)
    return None


def _integer(text):
    return int(text) if text and text.isdigit() else None


def _file_error(element):
    """One ``erreur``: with children (type, message, ligne, colonne) as in
    the error guide's screenshots, or a bare message."""
    if len(element):
        message = _child_text(element, "message") or _text(element) or ""
        kind = _child_text(element, "type")
        line, column = _child_text(element, "ligne"), _child_text(element, "colonne")
    else:
        message, kind, line, column = _text(element) or "", None, None, None
    found = explain(message)
    return FileError(
        message=message,
        type=kind,
        line=_integer(line),
        column=_integer(column),
        family=found.family,
        code=found.code,
        element=found.element,
        field=found.field,
        dico_id=found.dico_id,
        explanation=found.explanation,
        hint=found.hint,
    )


class _Collector:
    """Builds the receipt from a stream of (event, element), freeing as it goes."""

    def __init__(self):
        self.root_name = None
        self.header = {}
        self.section = None  # "passagesko", "passagesok", "erreurs"
        self.sections = 0
        self.entries = []  # (id, accepted, message)
        self.empty_ids = []
        self.file_problems = []

    def start(self, element):
        name = _name(element)
        if self.root_name is None:
            self.root_name = name
        elif element.getparent() is not None and element.getparent().getparent() is None:
            if name in ("passagesko", "passagesok", "erreurs"):
                self.section = name
                self.sections += name != "erreurs"

    def end(self, element):
        name = _name(element)
        parent = element.getparent()
        if parent is None:
            return
        at_top = parent.getparent() is None
        if at_top:
            if name in ("idflux", "idtraitement", "iddemande", "nomfichier"):
                self.header.setdefault(name, _text(element))
            elif name == self.section:
                self.section = None
            if name != "erreur":
                self._free(element)
                return
        in_section = _name(parent) == self.section
        if self.section == "passagesko" and in_section:
            if name == "passage":
                self._entry(
                    _child_text(element, "idtechnique"),
                    False,
                    _child_text(element, "messageerreur"),
                )
            self._free(element)
        elif self.section == "passagesok" and in_section:
            if name == "idtechnique":
                self._entry(_text(element), True, None)
            elif name == "passage":  # tolerate OK entries wrapped like KO ones
                self._entry(_child_text(element, "idtechnique"), True, None)
            self._free(element)
        elif name == "erreur" and self.section not in ("passagesko", "passagesok"):
            self.file_problems.append(_file_error(element))
            self._free(element)

    def _entry(self, id_technique, accepted, message):
        if not id_technique:
            self.empty_ids.append((accepted, message))
        else:
            self.entries.append((id_technique, accepted, message))

    @staticmethod
    def _free(element):
        element.clear(keep_tail=True)
        parent = element.getparent()
        while element.getprevious() is not None:
            del parent[0]


def _results(entries):
    """One result per distinct id, and the problems of the receipt itself."""
    by_id, problems, duplicates = {}, [], 0
    for id_technique, accepted, message in entries:
        if message is not None or not accepted:
            category, accepted, hint = classify(message)
        else:
            category = hint = None
        result = PassageResult(
            id_technique,
            accepted,
            message,
            category,
            hint,
            already_recorded=category == ALREADY_RECORDED,
        )
        seen = by_id.get(id_technique)
        if seen is None:
            by_id[id_technique] = result
        elif seen.accepted != result.accepted and seen.category != OK_AND_KO:
            ko = seen if not seen.accepted else result
            by_id[id_technique] = PassageResult(
                id_technique, False, ko.message, OK_AND_KO, _CONFLICT_HINT
            )
            problems.append(
                ReceiptProblem(
                    OK_AND_KO,
                    f"Le passage {id_technique} figure à la fois parmi les acceptés et les "
                    "rejetés : il n'est pas compté comme enregistré.",
                    id_technique,
                )
            )
        else:
            duplicates += 1
    if duplicates:
        problems.append(
            ReceiptProblem(
                "doublon",
                f"{duplicates} idTechnique cité(s) plusieurs fois dans l'accusé : chacun est "
                "compté une fois.",
            )
        )
    return tuple(by_id.values()), problems


def parse_receipt(data, *, max_bytes=MAX_BYTES) -> Receipt:
    """Read an accusé de traitement: XML bytes or text, a path, or a binary file.

    Raises :class:`ReceiptError` (French message) when the input is empty,
    too large, not well-formed, carries a DTD or an entity, or is not a
    receipt the engine understands (no PassagesOK/KO section and no file
    error).
    """
    source = _source(data, max_bytes)
    collector = _Collector()
    try:
        for event, element in xmlsafe.stream(
            source, events=("start", "end"), max_bytes=max_bytes, remove_pis=True
        ):
            if event == "start":
                collector.start(element)
            else:
                collector.end(element)
    except XmlRefused as error:
        raise ReceiptError(
            "Accusé de traitement refusé : il contient une déclaration DOCTYPE ou ENTITY, une "
            "entité, ou n'est pas en UTF-8/ISO-8859-1 ; un accusé authentique n'en contient "
            f"pas : téléchargez-le à nouveau ({error})."
        ) from None
    except FileTooLarge:
        raise _too_big(f"plus de {max_bytes}", max_bytes) from None
    except XmlLimitExceeded as error:
        raise ReceiptError(
            f"L'accusé de traitement dépasse les limites de lecture : {error}"
        ) from None
    except _XmlSyntaxInvalid as error:
        if collector.root_name is None:
            raise ReceiptError(
                "L'accusé de traitement est vide ou n'est pas du XML : téléchargez-le à "
                "nouveau depuis l'espace certificateur."
            ) from None
        raise ReceiptError(
            "L'accusé de traitement n'est pas un XML bien formé "
            f"({error.detail or error}) : téléchargez-le à nouveau depuis l'espace certificateur."
        ) from None
    finally:
        if source is not data:
            source.close()
    return _receipt(collector)


def _receipt(collector):
    if collector.root_name != "rapport" or not (collector.sections or collector.file_problems):
        raise ReceiptError(
            "Ce fichier n'est pas un accusé de traitement que l'outil comprend : ni section "
            "PassagesOK / PassagesKO, ni erreurs de fichier (élément rapport attendu). "
            "Vérifiez que vous avez choisi l'accusé de traitement téléchargé depuis "
            "l'espace certificateur, et non l'accusé de réception ou une autre page."
        )
    results, problems = _results(collector.entries)
    for accepted, message in collector.empty_ids:
        section = "acceptés (PassagesOK)" if accepted else "rejetés (PassagesKO)"
        problems.append(
            ReceiptProblem(
                "id_vide",
                f"Une entrée des {section} n'a pas d'idTechnique"
                + (f" (message : {message})" if message else "")
                + " : elle ne peut être rattachée à aucun passage ; vérifiez sur le portail "
                "quel passage elle concerne.",
            )
        )
    header = collector.header
    return Receipt(
        id_traitement=header.get("idtraitement") or header.get("iddemande"),
        id_flux=header.get("idflux"),
        nom_fichier=header.get("nomfichier"),
        results=results,
        file_problems=tuple(collector.file_problems),
        problems=tuple(problems),
    )


# -- the outcome per passage (what the addon applies) ---------------------------

ACCEPTED = "accepted"
RECORDED_BEFORE = "already_recorded"
REJECTED = "rejected"
FILE_REJECTED = "file_rejected"
NOT_MENTIONED = "not_mentioned"
#: the outcome of a passage: recorded now, recorded earlier under this id
#: ("existe déjà en base"), rejected, in a file rejected whole, not mentioned
STATUSES = (ACCEPTED, RECORDED_BEFORE, REJECTED, FILE_REJECTED, NOT_MENTIONED)

FILE_REJECTED_HINT = (
    "Fichier rejeté en entier : rien n'est enregistré. Corrigez les erreurs du fichier "
    "(voir l'accusé de traitement), puis déposez de nouveau tous ses passages dans un "
    "nouveau fichier."
)
NOT_MENTIONED_HINT = (
    "L'accusé ne mentionne pas ce passage : il n'est pas enregistré. Déposez-le de nouveau "
    "dans un prochain fichier."
)


@dataclass(frozen=True, slots=True)
class PassageOutcome:
    """What became of one passage of a deposited file.

    ``status`` is one of :data:`STATUSES`; ``recorded`` is True when the CDC
    holds the passage (``accepted`` or ``already_recorded``); ``category``,
    ``message`` (the CDC's words) and ``hint`` (French, what to do) are set
    for every status but ``accepted``.
    """

    id_technique: str
    status: str
    message: str | None = None
    category: str | None = None
    hint: str | None = None

    @property
    def recorded(self):
        return self.status in (ACCEPTED, RECORDED_BEFORE)


@dataclass(frozen=True)
class ReceiptOutcome:
    """The receipt applied to one file: an outcome for each of its passages."""

    id_flux: str | None
    id_traitement: str | None
    passages: tuple[PassageOutcome, ...]
    unknown_ids: tuple[str, ...]
    file_errors: tuple[FileError, ...]
    problems: tuple[ReceiptProblem, ...]

    @property
    def counts(self):
        counts = dict.fromkeys(STATUSES, 0)
        for outcome in self.passages:
            counts[outcome.status] += 1
        counts["unknown"] = len(self.unknown_ids)
        return counts


def receipt_outcome(id_techniques, receipt: Receipt, *, id_flux=None, file_name=None):
    """The outcome of each passage of a file, from the file's ``idTechnique``
    (in file order) and its parsed receipt. Linear in both sizes.

    ``id_flux`` (and ``file_name``, for receipts without idFlux, like the
    receipt guide's example) is checked against the receipt: a receipt of
    another file raises :class:`ReceiptError`. When the file was rejected
    as a whole every passage is ``file_rejected`` with the errors; ids the
    receipt cites but the file does not hold are in ``unknown_ids``.

    >>> receipt = parse_receipt(
    ...     "<rapport><idFlux>F1</idFlux><PassagesKO><passage><idTechnique>B</idTechnique>"
    ...     "<messageErreur>Plusieurs titulaires ont été identifiés</messageErreur></passage>"
    ...     "</PassagesKO><PassagesOK><idTechnique>A</idTechnique><idTechnique>Z"
    ...     "</idTechnique></PassagesOK></rapport>")
    >>> outcome = receipt_outcome(["A", "B", "C"], receipt, id_flux="F1")
    >>> [(o.id_technique, o.status, o.recorded) for o in outcome.passages]
    [('A', 'accepted', True), ('B', 'rejected', False), ('C', 'not_mentioned', False)]
    >>> outcome.unknown_ids
    ('Z',)
    >>> receipt_outcome(["A"], receipt, id_flux="F2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    accrochage.exceptions.ReceiptError: Cet accusé ... « F1 », pas celui d'idFlux « F2 » ...
    """
    _check_file(receipt, id_flux, file_name)
    ids = list(dict.fromkeys(str(i) for i in id_techniques))
    by_id = {result.id_technique: result for result in receipt.results}
    whole = receipt.rejected_whole
    if whole:
        summary = "\n".join(_file_error_line(error) for error in receipt.file_problems)
        passages = tuple(
            PassageOutcome(i, FILE_REJECTED, summary, "fichier_rejete", FILE_REJECTED_HINT)
            for i in ids
        )
    else:
        passages = tuple(_outcome(i, by_id.get(i)) for i in ids)
    known = set(ids)
    return ReceiptOutcome(
        id_flux=receipt.id_flux or id_flux,
        id_traitement=receipt.id_traitement,
        passages=passages,
        unknown_ids=tuple(r.id_technique for r in receipt.results if r.id_technique not in known),
        file_errors=receipt.file_problems,
        problems=receipt.problems,
    )


def _check_file(receipt, id_flux, file_name):
    if id_flux and receipt.id_flux and receipt.id_flux != id_flux:
        raise ReceiptError(
            f"Cet accusé de traitement concerne le fichier d'idFlux « {receipt.id_flux} », "
            f"pas celui d'idFlux « {id_flux} » : importez l'accusé du bon fichier."
        )
    if receipt.id_flux is None and file_name and receipt.nom_fichier:
        if os.path.basename(str(file_name)) != os.path.basename(receipt.nom_fichier):
            raise ReceiptError(
                f"Cet accusé de traitement concerne le fichier « {receipt.nom_fichier} », "
                f"pas « {os.path.basename(str(file_name))} » : importez l'accusé du bon fichier."
            )


def _outcome(id_technique, result):
    if result is None:
        return PassageOutcome(id_technique, NOT_MENTIONED, None, None, NOT_MENTIONED_HINT)
    if result.already_recorded:
        status = RECORDED_BEFORE
    else:
        status = ACCEPTED if result.accepted else REJECTED
    return PassageOutcome(id_technique, status, result.message, result.category, result.hint)


# -- the summary (accrochage receipt) ---------------------------------------------


def _file_error_line(error):
    where = []
    if error.line is not None:
        where.append(f"ligne {error.line}")
    if error.column is not None:
        where.append(f"colonne {error.column}")
    return (", ".join(where) + " : " if where else "") + error.message


def summary_lines(receipt: Receipt) -> list[str]:
    """The text of ``accrochage receipt``: counts, then what to do, in French."""
    counts = receipt.counts
    title = (
        f"Accusé de traitement {receipt.id_traitement or '?'} du fichier "
        f"{receipt.nom_fichier or '?'}"
        + (f" (idFlux {receipt.id_flux})" if receipt.id_flux else "")
        + " :"
    )
    lines = [title]
    if receipt.rejected_whole:
        lines.append("  Fichier rejeté en entier : rien n'est enregistré.")
        lines.append(
            f"  {counts['file_errors']} erreur(s) dans le fichier (la Caisse des Dépôts n'en "
            "liste que les 100 premières environ) :"
        )
        for error in receipt.file_problems:
            lines.append(f"  ✗ {_file_error_line(error)}")
            lines.append(f"      → {error.explanation} {error.hint}".rstrip())
        lines.append(
            "Corrigez le fichier (accrochage validate le vérifie), puis déposez de nouveau tous "
            "ses passages dans un nouveau fichier."
        )
    else:
        lines.append(
            f"  {counts['accepted']} passage(s) accepté(s), {counts['rejected']} rejeté(s)"
            + (
                f" ; dont {counts['already_recorded']} déjà enregistré(s)."
                if counts["already_recorded"]
                else "."
            )
        )
        if not counts["total"]:
            lines.append(f"  ✗ {NOTHING_MENTIONED}")
        for result in receipt.rejected:
            lines.append(f"  ✗ {result.id_technique} : {result.message}")
            lines.append(f"      → {result.hint}")
        already = receipt.already_recorded_ids
        if already:
            lines.append(f"  Déjà enregistré(s) : {', '.join(already)}")
            lines.append(f"      → {ALREADY_RECORDED_HINT}")
        if receipt.rejected:
            lines.append(
                "Corrigez ces passages puis déposez-les dans un nouveau fichier ; "
                "ne renvoyez pas les passages acceptés."
            )
    for problem in receipt.problems:
        lines.append(f"  ! {problem.message}")
    return lines


def summary_payload(receipt: Receipt) -> dict:
    """The ``--json`` of ``accrochage receipt``."""
    return {
        "idTraitement": receipt.id_traitement,
        "idFlux": receipt.id_flux,
        "nomFichier": receipt.nom_fichier,
        "fichierRejete": receipt.rejected_whole,
        "compteurs": receipt.counts,
        "acceptes": list(receipt.accepted_ids),
        "dejaEnregistres": list(receipt.already_recorded_ids),
        "rejetes": [
            {
                "idTechnique": r.id_technique,
                "message": r.message,
                "categorie": r.category,
                "conseil": r.hint,
            }
            for r in receipt.rejected
        ],
        "erreursFichier": [error.as_dict() for error in receipt.file_problems],
        "anomaliesAccuse": [
            {"code": p.code, "idTechnique": p.id_technique, "message": p.message}
            for p in receipt.problems
        ],
    }


#: a receipt whose sections are there but empty answers for no passage
NOTHING_MENTIONED = (
    "L'accusé ne mentionne aucun passage : vérifiez qu'il est celui du bon fichier (idFlux), "
    "sinon téléchargez-le à nouveau depuis le portail de la Caisse des Dépôts."
)


def exit_status(receipt: Receipt) -> int:
    """1 when something needs doing (rejected passages, file rejected,
    an id both OK and KO or without id, no passage mentioned), else 0."""
    attention = any(p.code != "doublon" for p in receipt.problems)
    silent = not receipt.counts["total"]
    return 1 if receipt.rejected or receipt.file_problems or attention or silent else 0
