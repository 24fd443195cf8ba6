"""Certification type and code (#4.1 type, #4.2 code).

The code of the France compétences record: the prefix ``RNCP`` or ``RS``
then its number (NC5 V22 #4.2: "RNCPXXXXX ou RSXXXX"). The CDC rejects a
passage whose code does not exist, is misspelt ("1710 au lieu de RS1710")
or does not match its type (receipt guide V3 p.3, "Le statut de la
certification … est KO"). The dictionary NC5 V22 #4.1 also lists
"Diplôme d'Etablissement", "Diplôme Universitaire", "Habilitation" and
"Reconnaissance", but the CDC collects only RNCP and RS certifications
(general guide V5 §2.5: the others "seront demandées ultérieurement") and
the template's list (v1.4, #4.1) offers RNCP and RS only.

More information:

* https://www.francecompetences.fr/recherche_certificationprofessionnelle/

>>> validate(" rncp 35726 ")
'RNCP35726'
>>> kind("RS5875")
'RS'
>>> validate("35726")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidFormat: Le code de la certification doit être ...
>>> validate_type("Diplôme Universitaire", "RNCP35726")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidComponent: Le type « Diplôme Universitaire » n'est pas ...
>>> validate_pair("RNCP", "RS5875")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidComponent: Le code RS5875 est une fiche RS alors que ...
"""

from __future__ import annotations

import re

from .exceptions import VALUE_ERRORS, InvalidComponent, InvalidFormat

__all__ = ["TYPES", "compact", "compact_type", "format", "is_valid", "kind", "validate"]
__all__ += ["validate_pair", "validate_type"]

#: the types the CDC collects (general guide V5 §2.5); each is also the prefix
TYPES = ("RNCP", "RS")
_CODE = re.compile(r"(RNCP|RS)([0-9]+)")
_LOOSE = re.compile(r"(RNCP|RS)\s*[-_./]?\s*([0-9]+)", re.IGNORECASE)


def compact(code):
    """Remove every space and upper-case (``rncp 35726`` → ``RNCP35726``).

    >>> compact(" rs 5875\\t")
    'RS5875'
    """
    return "".join(str(code).split()).upper()


def compact_type(text):
    """``RNCP`` / ``RS`` however typed; any other type trimmed, as typed.

    An unknown type is kept readable so that its message can quote it.

    >>> compact_type(" rncp "), compact_type("Diplôme  Universitaire ")
    ('RNCP', 'Diplôme Universitaire')
    """
    code = compact(text)
    return code if code in TYPES else " ".join(str(text).split())


def validate(code):
    """Return the compact code if it has the RNCP/RS form, else raise."""
    text = str(code)
    compacted = compact(text)
    if _CODE.fullmatch(compacted):
        return compacted
    loose = _LOOSE.fullmatch(text.strip())
    hint = f" : écrivez {loose.group(1).upper()}{loose.group(2)}" if loose else ""
    raise InvalidFormat(
        "Le code de la certification doit être le préfixe RNCP ou RS suivi du numéro de la "
        "fiche France compétences, sans espace (ex. RNCP35726, RS5875)"
        + (hint or " : recopiez-le depuis la fiche France compétences")
        + ".",
        field="code",
        dico_id="4.2",
        code="certification_code_format",
    )


def is_valid(code):
    """True when :func:`validate` accepts the code.

    >>> is_valid("RNCP35726"), is_valid("RNCP")
    (True, False)
    """
    try:
        validate(code)
    except VALUE_ERRORS:
        return False
    return True


def format(code):  # noqa: A001 (stdnum's verb)
    """The code as France compétences writes it: ``RNCP35726``."""
    return compact(code)


def kind(code):
    """``RNCP`` or ``RS``: the prefix of a valid code."""
    return _CODE.fullmatch(validate(code)).group(1)


def validate_type(type_, code=None):
    """Return ``RNCP`` or ``RS``; raise on any other type, naming it.

    ``code``, when it is a valid code, gives the type to write in the hint.

    >>> validate_type("rs")
    'RS'
    """
    compacted = compact(type_)
    if compacted in TYPES:
        return compacted
    suggestion = kind(code) if code is not None and is_valid(code) else None
    fix = (
        f"indiquez {suggestion} pour le code {compact(code)}"
        if suggestion
        else "indiquez RNCP ou RS selon la fiche France compétences"
    )
    raise InvalidComponent(
        f"Le type « {compact_type(type_)} » n'est pas transmis : la Caisse des Dépôts ne "
        "reçoit que les certifications RNCP et RS, et rejette un type qui ne correspond pas "
        f"au code : {fix}.",
        field="type",
        dico_id="4.1",
        code="certification_type",
    )


def validate_pair(type_, code):
    """The type if ``type_`` and ``code`` are valid and agree, else raise.

    >>> validate_pair("RS", "RS5875")
    'RS'
    """
    type_ = validate_type(type_, code)
    prefix = kind(code)
    if prefix != type_:
        raise InvalidComponent(
            f"Le code {compact(code)} est une fiche {prefix} alors que le type est {type_} : "
            f"corrigez le type ({prefix}) ou le code ; la Caisse des Dépôts rejette sinon le "
            "passage.",
            field="type",
            dico_id="4.1",
            code="certification_mismatch",
        )
    return type_
