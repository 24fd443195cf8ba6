"""The legal deadline: award date + 3 months."""

import datetime

import pytest

from accrochage.deadline import OK, OVERDUE, SOON, add_months, deadline, deadline_status

D = datetime.date


@pytest.mark.parametrize(
    "award, last_day",
    [
        (D(2026, 10, 15), D(2027, 1, 15)),
        (D(2026, 11, 30), D(2027, 2, 28)),
        (D(2027, 11, 30), D(2028, 2, 29)),  # leap year
        (D(2026, 12, 31), D(2027, 3, 31)),
        (D(2026, 5, 31), D(2026, 8, 31)),
        (D(2026, 3, 31), D(2026, 6, 30)),
        (D(2026, 1, 1), D(2026, 4, 1)),
    ],
)
def test_deadline_is_three_calendar_months_later(award, last_day):
    assert deadline(award) == last_day


def test_add_months_across_years_and_backwards():
    assert add_months(D(2026, 12, 15), 1) == D(2027, 1, 15)
    assert add_months(D(2026, 1, 31), 13) == D(2027, 2, 28)
    assert add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)


def test_every_award_date_gets_a_deadline_in_the_third_month_after():
    day = D(2024, 1, 1)
    while day.year < 2026:
        last = deadline(day)
        months = (last.year - day.year) * 12 + last.month - day.month
        assert months == 3
        assert last.day <= day.day
        day += datetime.timedelta(days=1)


def test_status_around_the_warning_window_and_the_deadline():
    award = D(2026, 10, 15)  # deadline 2027-01-15
    assert deadline_status(award, D(2026, 10, 15)) == OK
    assert deadline_status(award, D(2026, 12, 15)) == OK  # 31 days left
    assert deadline_status(award, D(2026, 12, 16)) == SOON  # 30 days left
    assert deadline_status(award, D(2027, 1, 15)) == SOON  # the last day is in time
    assert deadline_status(award, D(2027, 1, 16)) == OVERDUE
    assert deadline_status(award, D(2028, 1, 1)) == OVERDUE


def test_warning_window_is_configurable():
    award = D(2026, 10, 15)
    assert deadline_status(award, D(2027, 1, 1), warn_days=7) == OK
    assert deadline_status(award, D(2027, 1, 8), warn_days=7) == SOON
    assert deadline_status(award, D(2027, 1, 15), warn_days=0) == SOON
    assert deadline_status(award, D(2027, 1, 14), warn_days=0) == OK


@pytest.mark.parametrize(
    ("received", "last_day"),
    [
        (datetime.date(2026, 1, 15), datetime.date(2026, 4, 15)),
        (datetime.date(2025, 11, 30), datetime.date(2026, 2, 28)),
        (datetime.date(2027, 11, 30), datetime.date(2028, 2, 29)),
        (datetime.date(2026, 12, 31), datetime.date(2027, 3, 31)),
    ],
)
def test_correction_request_answered_within_three_months(received, last_day):
    """Décret n° 2024-1236: 3 months from the request to correct or refuse."""
    from accrochage.deadline import correction_deadline

    assert correction_deadline(received) == last_day
