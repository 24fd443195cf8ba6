"""The legal deadline: a passage is due within 3 months of the award date.

Source: CDC "Guide général d'accompagnement" V5 §2.8 and art. R6113-17-2 of
the Code du travail: the certifier transmits the data within three months
of the date of délivrance (#5.10 ``dateDebutValidite``). The month is
calendar-based, clamped to the month's last day (30 November + 3 months =
28 or 29 February). The deadline day itself is still in time.

>>> import datetime
>>> deadline(datetime.date(2026, 10, 15))
datetime.date(2027, 1, 15)
>>> deadline_status(datetime.date(2026, 10, 15), datetime.date(2027, 1, 2))
'soon'
"""

from __future__ import annotations

import calendar
import datetime

__all__ = [
    "CORRECTION_DELAY_MONTHS",
    "DELAY_MONTHS",
    "OK",
    "OVERDUE",
    "SOON",
    "add_months",
    "correction_deadline",
    "deadline",
    "deadline_status",
]

#: months allowed between the award and the transmission (R6113-17-2)
DELAY_MONTHS = 3
#: months allowed to answer a correction request (décret n° 2024-1236)
CORRECTION_DELAY_MONTHS = 3
OK, SOON, OVERDUE = "ok", "soon", "overdue"


def add_months(day, months):
    """``day`` plus ``months`` calendar months, clamped to the month's end.

    >>> add_months(datetime.date(2023, 11, 30), 3)
    datetime.date(2024, 2, 29)
    >>> add_months(datetime.date(2024, 11, 30), 3)
    datetime.date(2025, 2, 28)
    >>> add_months(datetime.date(2026, 12, 31), 3)
    datetime.date(2027, 3, 31)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def deadline(award_date):
    """The last day to transmit a passage awarded on ``award_date``.

    >>> deadline(datetime.date(2026, 11, 30))
    datetime.date(2027, 2, 28)
    """
    return add_months(award_date, DELAY_MONTHS)


def correction_deadline(received):
    """The last day to answer a correction request received on ``received``.

    Décret n° 2024-1236 of 30 December 2024 (in force on 1 January 2025):
    when the Caisse des Dépôts finds an error in the data sent, or when a
    holder asks for a correction, the certifier has three months from the
    request to send the corrected data or to explain why the request is
    unfounded. Calendar months, clamped like :func:`deadline`.

    >>> correction_deadline(datetime.date(2026, 11, 30))
    datetime.date(2027, 2, 28)
    >>> correction_deadline(datetime.date(2026, 12, 1))
    datetime.date(2027, 3, 1)
    """
    return add_months(received, CORRECTION_DELAY_MONTHS)


def deadline_status(award_date, today, warn_days=30):
    """``"ok"``, ``"soon"`` (``warn_days`` or fewer left) or ``"overdue"``.

    >>> award = datetime.date(2026, 10, 15)
    >>> [deadline_status(award, datetime.date(2026, 12, d)) for d in (15, 16)]
    ['ok', 'soon']
    >>> [deadline_status(award, datetime.date(2027, 1, d)) for d in (15, 16)]
    ['soon', 'overdue']
    """
    last_day = deadline(award_date)
    if today > last_day:
        return OVERDUE
    if (last_day - today).days <= warn_days:
        return SOON
    return OK
