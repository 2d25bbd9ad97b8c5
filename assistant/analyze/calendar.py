"""Working days in Russia, for limits counted in working days («в течение 5 рабочих дней»).

Non-working holidays are those of art. 112 of the Labour Code (Трудовой кодекс РФ, ст. 112):
1–6 and 8 January, 23 February, 8 March, 1 and 9 May, 12 June, 4 November. When one of them
(other than the January ones) falls on a Saturday or Sunday, the next working day is off
(ст. 112, ч. 2). The government's yearly decree on moving days off (e.g. the two January days
moved to other dates) is not known here and is not applied: a due date may come out a day early
around such a move, never late.

>>> import datetime as dt
>>> add_working_days(dt.date(2026, 10, 30), 3)      # Fri → Mon 2 Nov, Tue 3 Nov, Thu 5 Nov (4 Nov is a holiday)
datetime.date(2026, 11, 5)
>>> add_working_days(dt.date(2026, 10, 31), 1)      # from a Saturday: the first working day after it
datetime.date(2026, 11, 2)
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

_FIXED = [(1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6), (1, 8), (2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)]


@lru_cache(maxsize=16)
def holidays(year: int) -> tuple[dt.date, ...]:
    days = {dt.date(year, m, d) for m, d in _FIXED}
    taken = set(days)
    for m, d in _FIXED:
        day = dt.date(year, m, d)
        if m != 1 and day.weekday() >= 5:   # moved to the next working day
            extra = day + dt.timedelta(days=1)
            while extra.weekday() >= 5 or extra in taken:
                extra += dt.timedelta(days=1)
            taken.add(extra)
            days.add(extra)
    return tuple(sorted(days))


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` itself not counted)."""
    years = range(start.year, start.year + 2 + n // 200)
    off = np.array([d for y in years for d in holidays(y)], dtype="datetime64[D]")
    # roll back first, so that counting from a weekend starts at the next working day
    return np.busday_offset(np.datetime64(start, "D"), n, roll="backward", holidays=off).astype(dt.date)
