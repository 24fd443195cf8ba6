"""CPF training file number (#9.1 idDossier).

The number of the holder's training file on Mon Compte Formation (EDOF),
used instead of the civil status when the certifier holds it (block 9).
The XSD and the data dictionary NC5 V22 (#9.1) take 1 to 13 characters;
the template's dictionary sheet (v1.4, V.16, #9.1) calls it numeric. A
number with letters is therefore probably not a CPF file number (an
internal reference, a registration number): :func:`validate` refuses it,
and the pre-send rules only warn, since the XSD accepts it.

>>> validate(" 1234 5678 901 ")
'12345678901'
>>> validate("DOSS-42")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidFormat: Le numéro de dossier CPF ne contient que des chiffres ...
>>> validate("12345678901234")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidLength: Le numéro de dossier CPF compte 13 chiffres au plus ...
"""

from __future__ import annotations

from .exceptions import VALUE_ERRORS, InvalidFormat, InvalidLength

__all__ = ["compact", "format", "is_valid", "validate"]

FIELD = "idDossier"
DICO_ID = "9.1"
MAX_LENGTH = 13


def compact(number):
    """Remove spaces.

    >>> compact("12 34")
    '1234'
    """
    if isinstance(number, int) and not isinstance(number, bool):
        return str(number)
    return "".join(str(number).split())


def validate(number):
    """Return the compact number, or raise."""
    number = compact(number)
    if not number.isdigit() or not number.isascii():
        raise InvalidFormat(
            "Le numéro de dossier CPF ne contient que des chiffres (modèle Excel v1.4, "
            "#9.1) : recopiez-le depuis le dossier de formation sur EDOF, ou identifiez le "
            "titulaire par son état civil (bloc 8).",
            field=FIELD,
            dico_id=DICO_ID,
            code="cpf_file_format",
        )
    if len(number) > MAX_LENGTH:
        raise InvalidLength(
            f"Le numéro de dossier CPF compte {MAX_LENGTH} chiffres au plus (il en compte "
            f"{len(number)}) : recopiez-le depuis le dossier de formation sur EDOF.",
            field=FIELD,
            dico_id=DICO_ID,
            code="cpf_file_length",
        )
    return number


def is_valid(number):
    """True when :func:`validate` accepts the number.

    >>> is_valid("1234567890123"), is_valid("A1")
    (True, False)
    """
    try:
        validate(number)
    except VALUE_ERRORS:
        return False
    return True


def format(number):  # noqa: A001 (stdnum's verb)
    """The number without separators."""
    return compact(number)
