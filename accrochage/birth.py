"""Birth date of the holder (#8.6 anneeNaissance, #8.7 moisNaissance, #8.8 jourNaissance).

The year is required, month and day may be unknown (nil) (NC5 V22 #8.6-8.8).
The XSD takes a year of 1900-2099, a month of 1-12 and a day of 1-31, each
on its own, so 31 April or a birth next year pass it. The CDC matches the
holder first on birth name, first name, sex and birth year, then on month
and day (receipt guide V3 p.4): a date that cannot be true can only fail.

:func:`validate` refuses what cannot be a birth date (where it is typed:
the holder's contact); :func:`warnings` lists what is possible but odd
(born before 1900, under 14 at the award). The pre-send rules use
:func:`problems` so that both say the same thing.

>>> import datetime
>>> today = datetime.date(2026, 11, 26)
>>> validate(1990, 5, 17, today=today)
(1990, 5, 17)
>>> validate(1990, 2, 29, today=today)
Traceback (most recent call last):
...
accrochage.exceptions.InvalidComponent: Le jour de naissance (#8.8) n'existe pas ...
>>> validate(1990, 13, None, today=today)
Traceback (most recent call last):
...
accrochage.exceptions.InvalidComponent: Le mois de naissance (#8.7) doit être ...
>>> validate(2027, None, None, today=today)
Traceback (most recent call last):
...
accrochage.exceptions.InvalidComponent: L'année de naissance (#8.6) donne une naissance ...
>>> [f.code for f in warnings(2013, 1, 1, award=datetime.date(2026, 10, 15), today=today)]
['holder_too_young']
"""

from __future__ import annotations

import datetime

from .exceptions import InvalidComponent, InvalidFormat
from .findings import WARNING, Finding

__all__ = ["MIN_AGE", "problems", "validate", "warnings"]

#: below this age at the award date, a birth year is probably mistyped
MIN_AGE = 14
#: the XSD's first year (anneeNaissance 1900-2099)
FIRST_YEAR = 1900
_NODES = {
    "anneeNaissance": ("L'année de naissance", "8.6"),
    "moisNaissance": ("Le mois de naissance", "8.7"),
    "jourNaissance": ("Le jour de naissance", "8.8"),
}
#: problems that cannot be true: refused on entry, blocking in the rules
ERRORS = frozenset({"birth_date_invalid", "birth_in_future"})


def _days_in(year, month):
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _age(born, on):
    """Age on the date ``on`` of someone born on ``born`` (year, month, day)."""
    return on.year - born[0] - ((on.month, on.day) < born[1:])


def problems(year, month=None, day=None, *, today, award=None):
    """``(code, fact key, French fragment)`` for an int year and month/day in range.

    Month and day outside their ranges are the caller's to report (the XSD
    facets); they count as unknown here. The fragment follows the field's
    name: "Jour de naissance (#8.8) n'existe pas …".

    >>> problems(1990, 4, 31, today=datetime.date(2026, 1, 1))[0][:2]
    ('birth_date_invalid', 'jourNaissance')
    >>> problems(1890, today=datetime.date(2026, 1, 1))[0][:2]
    ('birth_year_old', 'anneeNaissance')
    """
    month = month if month and 1 <= month <= 12 else None
    day = day if day and 1 <= day <= 31 else None
    if month and day and day > _days_in(year, month):
        return [
            (
                "birth_date_invalid",
                "jourNaissance",
                "n'existe pas pour ce mois et cette année : corrigez le jour ou le mois "
                "de naissance.",
            )
        ]
    # the earliest possible birthday: the oldest the holder can be
    earliest = (year, month or 1, day if month and day else 1)
    if earliest > (today.year, today.month, today.day):
        return [
            (
                "birth_in_future",
                "anneeNaissance",
                "donne une naissance dans le futur : vérifiez la date de naissance.",
            )
        ]
    if year < FIRST_YEAR:
        return [
            (
                "birth_year_old",
                "anneeNaissance",
                f"est antérieure à {FIRST_YEAR}, que le schéma de la Caisse des Dépôts "
                "n'accepte pas (#8.6 : de 1900 à 2099) : vérifiez l'année de naissance.",
            )
        ]
    if award is not None and _age(earliest, award) < MIN_AGE:
        return [
            (
                "holder_too_young",
                "anneeNaissance",
                f"donne un titulaire de moins de {MIN_AGE} ans à la date de délivrance : "
                "vérifiez la date de naissance.",
            )
        ]
    return []


def _number(value, key):
    if value is None or value == 0:  # Odoo stores an unknown month or day as 0
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        label, dico_id = _NODES[key]
        raise InvalidFormat(
            f"{label} (#{dico_id}) doit être un nombre entier : corrigez-le.",
            field=key,
            dico_id=dico_id,
            code="birth_date_format",
        )
    return value


def _raise(code, key, fragment):
    label, dico_id = _NODES[key]
    raise InvalidComponent(
        f"{label} (#{dico_id}) {fragment}", field=key, dico_id=dico_id, code=code
    )


def validate(year, month=None, day=None, *, today=None):
    """Return ``(year, month, day)`` (None where unknown) or raise.

    Refused: a month outside 1-12, a day outside 1-31 or absent from its
    month, a date after ``today`` (default: the current date). A day with
    an unknown month is accepted as typed.
    """
    today = today or datetime.date.today()
    year = _number(year, "anneeNaissance")
    month = _number(month, "moisNaissance")
    day = _number(day, "jourNaissance")
    if year is None:
        _raise("birth_year_missing", "anneeNaissance", "est obligatoire : renseignez-la.")
    if month is not None and not 1 <= month <= 12:
        _raise("birth_month_range", "moisNaissance", "doit être compris entre 1 et 12.")
    if day is not None and not 1 <= day <= 31:
        _raise("birth_day_range", "jourNaissance", "doit être compris entre 1 et 31.")
    for code, key, fragment in problems(year, month, day, today=today):
        if code in ERRORS:
            _raise(code, key, fragment)
    return year, month, day


def warnings(year, month=None, day=None, *, award=None, today=None):
    """:class:`~accrochage.findings.Finding` warnings for a date :func:`validate` accepts.

    ``award`` (the date of délivrance, #5.10), when known, enables the age check.
    """
    year, month, day = validate(year, month, day, today=today)
    today = today or datetime.date.today()
    return [
        Finding(
            WARNING,
            code,
            f"{_NODES[key][0]} (#{_NODES[key][1]}) {fragment}",
            field=key,
            dico_id=_NODES[key][1],
            source="dictionnaire NC5 V22 #8.6-8.8",
        )
        for code, key, fragment in problems(year, month, day, today=today, award=award)
        if code not in ERRORS
    ]
