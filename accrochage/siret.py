"""SIRET of the certifier (its establishment number).

The CDC opens one depositor account per SIRET: the certifier gives it when
it asks to be known (general guide V5 §4.1–4.3). It is not written in the
flux. Checked by python-stdnum's ``stdnum.fr.siret`` (Luhn key, and the
La Poste exception), whose errors become the engine's in one place.

More information:

* https://www.insee.fr/fr/metadonnees/definition/c1841 (SIRET)

>>> validate("732 829 320 00074")
'73282932000074'
>>> validate("73282932000075")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidChecksum: La clé du SIRET ne correspond pas ...
>>> validate("7328293200007")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidLength: Le SIRET doit compter 14 chiffres ...
>>> format("73282932000074"), to_siren("73282932000074")
('732 829 320 00074', '732829320')
"""

from __future__ import annotations

from stdnum.fr import siret as _stdnum_siret

from .exceptions import VALUE_ERRORS, from_stdnum

__all__ = ["compact", "format", "is_valid", "to_siren", "validate"]

FIELD = "siret"
_FIX = "recopiez-le depuis l'avis de situation SIRENE (annuaire-entreprises.data.gouv.fr)."
_MESSAGES = {
    "length": "Le SIRET doit compter 14 chiffres (SIREN puis NIC) : " + _FIX,
    "format": "Le SIRET ne doit contenir que des chiffres : " + _FIX,
    "checksum": "La clé du SIRET ne correspond pas : une faute de frappe est probable, " + _FIX,
    "component": "Le SIRET est invalide : " + _FIX,
}


def compact(number):
    """Strip spaces, dots and dashes.

    >>> compact("732 829 320 00074")
    '73282932000074'
    """
    return _stdnum_siret.compact(str(number))


def validate(number):
    """Return the compact SIRET if it is valid, else raise."""
    with from_stdnum("siret", _MESSAGES, field=FIELD):
        return _stdnum_siret.validate(str(number))


def is_valid(number):
    """True when :func:`validate` accepts the number."""
    try:
        validate(number)
    except VALUE_ERRORS:
        return False
    return True


def format(number, separator=" "):  # noqa: A001 (stdnum's verb)
    """Group as SIRENE prints it: ``732 829 320 00074``."""
    return _stdnum_siret.format(str(number), separator)


def to_siren(number):
    """The SIREN (the company) of a SIRET: its first 9 digits."""
    return compact(number)[:9]
