"""The day a French user means by "today": a form filled at 00:10 in Paris (23:10 UTC) is dated the Paris day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.clock import paris_today
from crisis.checks import FieldErrors
from fei.form import check_form


@pytest.mark.parametrize(("now", "expected"), [
    (datetime(2026, 12, 3, 23, 10, tzinfo=UTC), date(2026, 12, 4)),   # winter, UTC+1
    (datetime(2026, 12, 3, 22, 59, tzinfo=UTC), date(2026, 12, 3)),
    (datetime(2026, 7, 14, 22, 5, tzinfo=UTC), date(2026, 7, 15)),    # summer, UTC+2
    (datetime(2026, 7, 14, 21, 59, tzinfo=UTC), date(2026, 7, 14)),
])
def test_the_paris_day_turns_at_midnight_in_paris(now, expected):
    assert paris_today(now) == expected


def test_an_adverse_event_dated_today_in_paris_is_accepted_just_after_midnight():
    """The CI failure of 2026-12-03 23:10 UTC: the form's default date was the Paris day (4 Dec), the check used
    the UTC day (3 Dec) and refused it as "dans le futur"."""
    now = datetime(2026, 12, 3, 23, 10, tzinfo=UTC)
    payload = {"occurred_on": "2026-12-04", "category": "transfert_documents", "sites": "010000033",
               "description": "Transfert retardé faute de lit d'aval."}
    assert check_form(payload, today=paris_today(now)).occurred_on == date(2026, 12, 4)
    with pytest.raises(FieldErrors) as refused:
        check_form({**payload, "occurred_on": "2026-12-05"}, today=paris_today(now))
    assert refused.value.fields == {"occurred_on": "Date de l'évènement : date dans le futur."}
