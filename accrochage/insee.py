"""INSEE code of the birthplace (#8.10 codeInsee).

Born in France: the code of the commune in the INSEE official geographic
code (COG): the department on 2 characters (2A/2B for Corsica since 1976)
or 3 digits overseas (971-978, 984-989), then the commune. Born abroad:
the INSEE code of the country, ``99XXX``, whose last 3 digits are also
written in #8.13 (NC5 V22 #8.10, #8.13; construction guide V1 §2.5.2.2).

The XSD only asks for 5 characters. :func:`validate` refuses what cannot
be an INSEE code; :func:`warnings` points at codes that are INSEE codes but
not the expected ones: ``99100`` (France as a country) and the Corsican
``20XXX`` used before 1976, whose communes now carry 2A/2B codes (the
template's Communes sheet, COG 2021, lists 2A/2B only).

More information:

* https://www.insee.fr/fr/information/2560452 (code officiel géographique)
* https://www.insee.fr/fr/information/2028273 (pays et territoires étrangers)

>>> validate(" 2a004 ")
'2A004'
>>> kind("69123"), kind("97105"), kind("99352")
('france', 'france', 'abroad')
>>> validate("2C004")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidFormat: Le code INSEE de naissance « 2C004 » ...
>>> validate("6912")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidLength: Le code INSEE de naissance doit compter 5 caractères ...
>>> [finding.code for finding in warnings("20004")]
['insee_corsica_1976']
>>> country_code("99352")
'352'
"""

from __future__ import annotations

import re

from .exceptions import VALUE_ERRORS, InvalidFormat, InvalidLength
from .findings import WARNING, Finding

__all__ = ["ABROAD", "FRANCE", "compact", "country_code", "format", "is_valid", "kind"]
__all__ += ["validate", "warnings"]

FIELD = "codeInsee"
DICO_ID = "8.10"
FRANCE, ABROAD = "france", "abroad"
#: the INSEE code of France among the countries: never a birthplace
FRANCE_COUNTRY = "99100"

#: metropolitan departments 01-95 with Corsica 2A/2B (and 20 before 1976),
#: then overseas 971-978 and the overseas collectivities 984-989
_FRANCE = re.compile(r"(0[1-9]|1[0-9]|2[0-9AB]|[3-8][0-9]|9[0-5])[0-9]{3}|9(7[1-8]|8[4-9])[0-9]{2}")
_ABROAD = re.compile(r"99[0-9]{3}")
_CORSICA_1976 = re.compile(r"20[0-9]{3}")


def compact(code):
    """Remove every space and upper-case (``2a004`` → ``2A004``).

    >>> compact(" 2b 033")
    '2B033'
    """
    return "".join(str(code).split()).upper()


def validate(code):
    """Return the compact code if it can be an INSEE birthplace code, else raise.

    >>> validate("99100")  # a valid code, flagged by warnings()
    '99100'
    """
    code = compact(code)
    if len(code) != 5:
        raise InvalidLength(
            f"Le code INSEE de naissance doit compter 5 caractères (il en compte {len(code)}) : "
            "le département puis la commune, ou 99XXX pour une naissance à l'étranger ; "
            "corrigez-le d'après le code officiel géographique de l'INSEE.",
            field=FIELD,
            dico_id=DICO_ID,
            code="insee_length",
        )
    if not (_FRANCE.fullmatch(code) or _ABROAD.fullmatch(code)):
        raise InvalidFormat(
            f"Le code INSEE de naissance « {code} » n'est pas un code de commune : il commence "
            "par le département (2 chiffres, 2A ou 2B pour la Corse, 97X ou 98X outre-mer) "
            "suivi du numéro de la commune, ou par 99 pour une naissance à l'étranger ; "
            "corrigez-le d'après le code officiel géographique de l'INSEE.",
            field=FIELD,
            dico_id=DICO_ID,
            code="insee_format",
        )
    return code


def is_valid(code):
    """True when :func:`validate` accepts the code.

    >>> is_valid("2B033"), is_valid("00123")
    (True, False)
    """
    try:
        validate(code)
    except VALUE_ERRORS:
        return False
    return True


def format(code):  # noqa: A001 (stdnum's verb)
    """The code as the INSEE writes it (no separator, upper case)."""
    return compact(code)


def kind(code):
    """``"france"`` or ``"abroad"`` for a valid code (raises like :func:`validate`)."""
    return ABROAD if validate(code).startswith("99") else FRANCE


def country_code(code):
    """The 3 digits written in #8.13 for a birth abroad, else None."""
    code = compact(code)
    return code[2:] if _ABROAD.fullmatch(code) else None


def warnings(code):
    """Warnings (:class:`~accrochage.findings.Finding`) for a valid code that
    is not the expected one: 99100, or a Corsican code of before 1976.

    >>> warnings("69123")
    []
    >>> [finding.code for finding in warnings("99100")]
    ['insee_france_country']
    """
    code = compact(code)
    if code == FRANCE_COUNTRY:
        return [
            _warning(
                "insee_france_country",
                "Le code 99100 désigne la France parmi les pays, pas une commune : pour une "
                "personne née en France, indiquez le code INSEE de sa commune de naissance.",
                "dictionnaire NC5 V22 #8.10",
            )
        ]
    if _CORSICA_1976.fullmatch(code):
        commune = code[2:]
        return [
            _warning(
                "insee_corsica_1976",
                f"Le code {code} est un code de la Corse d'avant 1976 (département 20) : les "
                "communes corses portent aujourd'hui un code 2A (Corse-du-Sud) ou 2B "
                f"(Haute-Corse) ; indiquez le code actuel de la commune (2A{commune} ou "
                f"2B{commune}, selon son département).",
                "modèle Excel v1.4, feuille Communes (code officiel géographique)",
            )
        ]
    return []


def _warning(code, message, source):
    return Finding(WARNING, code, message, field=FIELD, dico_id=DICO_ID, source=source)
