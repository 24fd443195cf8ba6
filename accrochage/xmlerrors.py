"""The XML errors the CDC reports on a rejected file, explained in French.

When a deposited file fails the CDC's XML check, the whole file is
rejected and its accusé de traitement lists the errors (general guide V5
§4.4.1, p.24): each is a standard Xerces message, in French, often with its
technical code (``cvc-pattern-valid : La valeur …``). The guide
"d'accompagnement à la résolution des erreurs XML" V4 lists them (table
p.4–5) and explains each in §3.1–3.10 (p.6–15). :func:`explain` maps a
message of each family to a stable ``family`` code, the element and
dictionary field it names (when it names one) and two French sentences: what
is wrong and what to fix. Xerces' English wording and libxml2's messages
(what ``accrochage validate`` meets) map to the same families, so a file
gets the same advice before and after deposit.

>>> found = explain("cvc-type.3.1.3 : La valeur '1' de l'élément 'cpf:idClient' "
...                 "n'est pas valide.")
>>> found.family, found.element, found.code
('xsd_value', 'idClient', 'cvc-type.3.1.3')
>>> explain('La chaîne "--" n\\'est pas autorisée dans les commentaires.').family
'xml_comment'
>>> explain("Erreur inconnue").family
'autre'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from .dictionary import get_schema

GUIDE = "guide de résolution des erreurs XML V4"


@dataclass(frozen=True)
class XmlErrorExplanation:
    """One CDC (or libxml2) XML error, explained."""

    family: str
    code: str | None
    element: str | None
    field: str | None
    dico_id: str | None
    explanation: str
    hint: str


def _plain(text):
    """Lower case, no accents, straight quotes, single spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    for curly, straight in (("\u2019", "'"), ("\u2018", "'"), ("\u00ab", '"'), ("\u00bb", '"')):
        text = text.replace(curly, straight)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("\u00a0", " ")
    return " ".join(text.lower().split())


# -- the families, in match order -------------------------------------------
#
# (family, pattern on the plain message, explanation, hint). ``{where}`` is
# replaced by the element named in the message ("de l'élément #1.2
# horodatage"), or by nothing.

_FAMILIES = (
    # Error guide V4 §3.1 (p.6), table p.4: « Commentaire interdit ».
    (
        "xml_comment",
        r'chaine "--" n\'est pas autorisee|string "--" is not permitted|double hyphen|'
        r"comment not terminated",
        "Un commentaire du fichier contient « -- », interdit en XML (guide V4 §3.1).",
        "Retirez les doubles tirets du commentaire (ou le commentaire entier), puis "
        "déposez le fichier corrigé.",
    ),
    # Error guide V4 §3.2 (p.7), table p.4: « Version XML non déclarée ».
    (
        "xml_version",
        r"version est obligatoire|version is required|expecting version|"
        r"version xml .* n'est pas prise en charge|xml version .* is not supported|"
        r"unsupported version|seule la version xml 1.0",
        "La déclaration XML n'indique pas la version 1.0 : c'est la seule acceptée "
        "(guide V4 §3.2).",
        'Écrivez <?xml version="1.0" encoding="UTF-8"?> sur la première ligne du fichier.',
    ),
    # Error guide V4 §3.3 (p.8), table p.4: « Version XSD erronée » (cvc-elt.1.a);
    # the CDC stops the analysis at this error.
    (
        "xsd_version",
        r"cvc-elt\.1(\.a)?\b|declaration de l'element .* introuvable|"
        r"cannot find the declaration of element|no matching global declaration",
        "L'élément racine {where}n'est pas reconnu : l'espace de noms (la version du "
        "schéma) déclaré n'est pas celui attendu (guide V4 §3.3). La CDC arrête l'analyse "
        "à cette erreur : d'autres peuvent suivre.",
        'Déclarez xmlns:cpf="urn:cdc:cpf:pc5:schema:1.0.0" sur <cpf:flux> (dernière '
        "version du XSD), puis validez le fichier avec accrochage validate avant de le "
        "déposer.",
    ),
    # Error guide V4 §3.4 (p.9), table p.4: « Balise fermante absente ».
    (
        "xml_end_tag",
        r"doit se terminer par la balise de fin|must be terminated by the matching end-tag|"
        r"opening and ending tag mismatch|premature end of data|end tag .* does not match",
        "La balise {where}n'est pas fermée par la balise de fin correspondante (guide V4 §3.4).",
        "Ajoutez la balise fermante manquante (</cpf:…>) à l'endroit indiqué, ou "
        "régénérez le fichier.",
    ),
    # Error guide V4 §3.4 (p.9), table p.4: « Balise XML non fermée (chevron > absent) ».
    (
        "xml_chevron",
        r"doit etre suivi des specifications d'attribut|must be followed by either "
        r"attribute specifications|couldn't find end of start tag|attributes construct error|"
        r"expected '>'",
        "Une balise {where}n'est pas refermée par « > » (guide V4 §3.4).",
        "Ajoutez le chevron « > » manquant à la fin de la balise indiquée.",
    ),
    # Error guide V4 §3.5 (p.10), table p.4: « Données mal formatée » (cvc-pattern-valid).
    (
        "xsd_pattern",
        r"cvc-pattern-valid|not facet-valid with respect to pattern|"
        r"n'est pas un facet valide par rapport au modele",
        "La valeur {where}n'a pas le format attendu (guide V4 §3.5){expected}.",
        "Corrigez la valeur au format attendu (voir l'exemple officiel de la CDC et "
        "accrochage dictionary), puis déposez le fichier corrigé.",
    ),
    # Error guide V4 §3.6 (p.11), table p.4: « Donnée trop courte/longue ».
    (
        "xsd_length",
        r"cvc-(min|max)?length-valid|with respect to (min|max)?length|"
        r"par rapport a la longueur",
        "La valeur {where}est trop longue ou trop courte (guide V4 §3.6){expected}.",
        "Donnez une valeur de la longueur permise ; une valeur vide n'est pas admise "
        '(une donnée inconnue facultative s\'envoie avec xsi:nil="true" si le schéma le '
        "prévoit).",
    ),
    # Error guide V4 §3.10 (p.15), table p.5: « Non-respect d'une énumération ».
    (
        "xsd_enumeration",
        r"cvc-enumeration-valid|with respect to enumeration|par rapport a l'enumeration",
        "La valeur {where}n'est pas dans la liste des valeurs permises (guide V4 §3.10){expected}.",
        "Remplacez-la par une valeur de la liste, écrite exactement (majuscules comprises).",
    ),
    # Error guide V4 §3.7 (p.12), table p.5: « Donnée absente » (cvc-complex-type.2.4.b).
    (
        "xsd_missing",
        r"cvc-complex-type\.2\.4\.b|n'est pas complet|is not complete|missing child element",
        "Une donnée obligatoire manque dans {where_plain}(guide V4 §3.7){expected}.",
        "Ajoutez l'élément attendu ; s'il est inconnu et que le schéma le permet, "
        'envoyez-le avec xsi:nil="true".',
    ),
    # Error guide V4 §3.9 (p.14), table p.5: « Non-respect du ou-exclusif » (2.4.d).
    (
        "xsd_choice",
        r"cvc-complex-type\.2\.4\.d|aucun element enfant n'est attendu|"
        r"no child element is expected",
        "L'élément {where}est en trop : à cet endroit un seul choix est permis (par "
        "exemple le code INSEE ou le code postal de naissance, pas les deux ; guide V4 §3.9).",
        "Retirez l'un des deux éléments exclusifs (ou l'élément en trop).",
    ),
    # Error guide V4 §3.8 (p.13), table p.5: « Donnée en trop » (cvc-complex-type.2.4.a).
    (
        "xsd_unexpected",
        r"cvc-complex-type\.2\.4\.[ac]|contenu non valide trouve|invalid content was found|"
        r"this element is not expected|element .* not expected",
        "L'élément {where}n'est pas attendu à cet endroit : en trop, mal nommé ou mal "
        "placé (guide V4 §3.8){expected}.",
        "Retirez l'élément en trop, ou corrigez son nom et sa place selon le schéma.",
    ),
    # Error guide V4 §3.5 (p.10), table p.4: cvc-type.3.1.3 names the element whose
    # value failed (it follows the cvc-pattern/length/enumeration message).
    (
        "xsd_value",
        r"cvc-type\.3\.1\.3|cvc-datatype-valid|cvc-complex-type\.2\.2|cvc-elt\.3|"
        r"n'est pas valide|is not (a )?valid|not a valid value",
        "La valeur {where}n'est pas valide (guide V4 §3.5).",
        "Corrigez-la selon le format du dictionnaire des données (accrochage dictionary).",
    ),
    # Not in the guide: the engine's own refusal (no DTD, no entity).
    (
        "xml_refused",
        r"doctype|entity|entite",
        "Le fichier contient une déclaration DOCTYPE ou une entité, refusées.",
        "Retirez-la : un flux de la Caisse des Dépôts n'en contient jamais.",
    ),
)

_OTHER = (
    "Erreur XML non répertoriée par le " + GUIDE + ".",
    "Lisez le message, corrigez le fichier à la ligne indiquée et validez-le avec "
    "accrochage validate avant de le déposer à nouveau ; sinon, ouvrez un ticket auprès du "
    "support certificateurs de la Caisse des Dépôts.",
)

_XERCES_CODE = re.compile(r"\b(cvc-[a-z-]+(?:\.[0-9a-z]+)*)", re.IGNORECASE)
_ELEMENT = re.compile(
    r"(?:element|élément|type d'élément|tag|mismatch:)\s+['\"]?"
    r"(?:\{[^}]*\}|\{?\"[^\"]*\":)?(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)",
    re.IGNORECASE,
)
_ANON_TYPE = re.compile(r"#AnonType_([A-Za-z_][\w]*)")
_EXPECTED = re.compile(
    r"(?:l'une? des (?:[ée]l[ée]ments|valeurs)|one of)\s*'?\{([^}]*)\}", re.IGNORECASE
)
_ENUMERATION = re.compile(r"(?:enumeration|énumération)\s*'\[([^\]]*)\]'", re.IGNORECASE)


@cache
def _families():
    return tuple((f, re.compile(p), e, h) for f, p, e, h in _FAMILIES)


def _node_by_name(schema, name, anonymous=None):
    """The dictionary node an element name (or a Xerces anonymous type
    name, element then enclosing elements) designates, or None."""
    if anonymous:
        best = None
        for node in schema.nodes:
            if not anonymous.startswith(node.name):
                continue
            rest, parent, ancestry = anonymous[len(node.name) :], node.parent, ""
            while parent:
                ancestry += schema.by_path[parent].name
                parent = schema.by_path[parent].parent
            if ancestry.startswith(rest) and (best is None or len(node.name) > len(best.name)):
                best = node
        return best
    matches = [node for node in schema.nodes if node.name == name]
    return matches[0] if len(matches) == 1 else None


def _expected_names(message):
    found = _EXPECTED.search(message)
    if found:
        return [part.strip().strip('"').rsplit(":", 1)[-1] for part in found.group(1).split(",")]
    found = _ENUMERATION.search(message)
    if found:
        return [part.strip() for part in found.group(1).split(",")]
    return []


def _describe(schema, name, node):
    if node is not None:
        return f"{node.label} ({node.ref})"
    return f"« {name} »"


def explain(message, *, version="1.1.2") -> XmlErrorExplanation:
    """Explain one XML error message of a receipt (or of libxml2).

    >>> hint = explain("cvc-pattern-valid : La valeur '20-12-18T14:24:12+01:00' n'est pas "
    ...     "un facet valide par rapport au modèle '(19|20)…' pour le type "
    ...     "'#AnonType_horodatageflux'.")
    >>> hint.family, hint.field, hint.dico_id
    ('xsd_pattern', 'horodatage', '1.2')
    >>> print(hint.explanation)  # doctest: +NORMALIZE_WHITESPACE
    La valeur de Horodatage (#1.2 horodatage) n'a pas le format attendu (guide V4 §3.5) :
    date et heure au format AAAA-MM-JJTHH:MM:SS+HH:MM.
    >>> found = explain("cvc-complex-type.2.4.b : Le contenu de l'élément 'cpf:emetteur' n'est "
    ...     "pas complet. L'un des éléments '{\\"urn:cdc:cpf:pc5:schema:1.0.0\\":idClient, "
    ...     "\\"urn:cdc:cpf:pc5:schema:1.0.0\\":certificateurs}' est attendu.")
    >>> print(found.explanation)  # doctest: +NORMALIZE_WHITESPACE
    Une donnée obligatoire manque dans Émetteur du flux (#2 emetteur) (guide V4 §3.7) :
    attendu idClient ou certificateurs.
    """
    schema = get_schema(version)
    text = message or ""
    plain = _plain(text)
    code = _XERCES_CODE.search(text)
    code = code.group(1).rstrip(".") if code else None
    anonymous = _ANON_TYPE.search(text)
    element_match = _ELEMENT.search(text)
    name = anonymous.group(1) if anonymous else None
    node = None
    if anonymous:
        node = _node_by_name(schema, None, anonymous.group(1))
        name = node.name if node is not None else None
    if node is None and element_match:
        name = element_match.group(1)
        node = _node_by_name(schema, name)
    family, explanation, hint = next(
        ((f, e, h) for f, pattern, e, h in _families() if pattern.search(plain)),
        ("autre", *_OTHER),
    )
    expected = _expected_names(text)
    expected_text = ""
    if family == "xsd_pattern" and node is not None and node.is_leaf:
        expected_text = f" : {node.value.describe()}"
    elif expected:
        expected_text = " : attendu " + " ou ".join(expected[:12])
    where = f"de {_describe(schema, name, node)} " if name else ""
    if family in ("xsd_unexpected", "xsd_choice", "xml_end_tag", "xml_chevron", "xsd_version"):
        where = f"{_describe(schema, name, node)} " if name else ""
    explanation = explanation.format(
        where=where,
        where_plain=(f"{_describe(schema, name, node)} " if name else "un élément "),
        expected=expected_text,
    )
    return XmlErrorExplanation(
        family=family,
        code=code,
        element=name,
        field=node.key if node is not None and node.key else None,
        dico_id=node.dico_id if node is not None else None,
        explanation=explanation,
        hint=hint,
    )
