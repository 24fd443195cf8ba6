"""French postal code (#8.11 codePostal, #5.9 codePostalCentreExamen).

Five digits: the first two are the department (01-95, 20 for Corsica,
97 overseas, 98 for Monaco and the overseas collectivities). The XSD takes
1 to 9 characters, and the CDC template stores these cells as numbers
(format ``00000``), which loses the leading zero of 01000 (NC5 V22 #5.9,
#8.11; template v1.4). The birth postal code is only used when the INSEE
code is unknown, and the CDC recommends the INSEE code.

More information:

* https://www.laposte.fr (base officielle des codes postaux, data.gouv.fr)

>>> validate(" 01000 ")
'01000'
>>> validate("1000")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidLength: Le code postal doit compter 5 chiffres ...
>>> validate("00150")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidFormat: Le code postal « 00150 » ...
>>> is_valid("20000"), is_valid("97400"), is_valid("98000"), is_valid("96000")
(True, True, True, False)
"""

from __future__ import annotations

import re

from .exceptions import VALUE_ERRORS, InvalidFormat, InvalidLength

__all__ = ["compact", "format", "is_valid", "validate"]

FIELD = "codePostal"
DICO_ID = "8.11"
_SHAPE = re.compile(r"(0[1-9]|[1-8][0-9]|9[0-5]|9[78])[0-9]{3}")


def compact(code):
    """Remove spaces; a number from a spreadsheet gets its leading zero back.

    >>> compact(1000), compact("69 003")
    ('01000', '69003')
    """
    if isinstance(code, int) and not isinstance(code, bool):
        return f"{code:05d}"
    return "".join(str(code).split())


def validate(code, *, field=FIELD, dico_id=DICO_ID):
    """Return the compact postal code, or raise."""
    code = compact(code)
    if not code.isdigit():
        raise InvalidFormat(
            "Le code postal ne doit contenir que des chiffres (5 chiffres, ex. 69003) : "
            "corrigez-le.",
            field=field,
            dico_id=dico_id,
            code="postal_code_format",
        )
    if len(code) != 5:
        raise InvalidLength(
            f"Le code postal doit compter 5 chiffres (il en compte {len(code)}) : ajoutez le "
            "zéro initial s'il manque (01000, pas 1000).",
            field=field,
            dico_id=dico_id,
            code="postal_code_length",
        )
    if not _SHAPE.fullmatch(code):
        raise InvalidFormat(
            f"Le code postal « {code} » ne commence pas par un numéro de département "
            "(01 à 95, 97 ou 98) : corrigez-le.",
            field=field,
            dico_id=dico_id,
            code="postal_code_format",
        )
    return code


def is_valid(code):
    """True when :func:`validate` accepts the code."""
    try:
        validate(code)
    except VALUE_ERRORS:
        return False
    return True


def format(code):  # noqa: A001 (stdnum's verb)
    """The code as La Poste writes it: 5 digits, no space."""
    return compact(code)
