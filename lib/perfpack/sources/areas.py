"""A force's areas from its own records: the districts that hold a real share of its rows (a
neighbour's district holds a few rows in many border LSOAs; a force's own district has rows in
all its LSOAs), and district names that differ only in form read as one."""

from __future__ import annotations

import re

import pandas as pd

# The rule for a force's areas when no profile lists them (derive_areas): a district is one of
# the force's areas when it holds at least AREA_MIN_SHARE of the rows of the force's largest
# district and its rows per LSOA are at least AREA_MIN_DENSITY of the largest district's.
AREA_MIN_SHARE = 0.02
AREA_MIN_DENSITY = 0.10


def district_key(name: str) -> str:
    """A district name without its form: case, punctuation, ``&`` for ``and`` and a leading
    ``The`` set aside (``The Vale of Glamorgan`` and ``Vale of Glamorgan`` are one district;
    so are ``Newcastle-under-Lyme`` and ``Newcastle under Lyme``)."""
    s = re.sub(r"[^a-z0-9]+", " ", str(name).lower().replace("&", " and ")).strip()
    return re.sub(r"^the\s+", "", s)


def one_form(names: pd.Series, preferred: tuple[str, ...] | list[str] = ()) -> dict[str, str]:
    """Each district name -> the one form used for it: a ``preferred`` name (the profile's
    area) with the same :func:`district_key`, else the form with the most rows."""
    counts = names.value_counts()
    by_key: dict[str, str] = {district_key(p): p for p in preferred}
    best: dict[str, str] = {}
    for name in counts.index:  # most rows first
        best.setdefault(district_key(name), str(name))
    return {str(name): by_key.get(district_key(name), best[district_key(name)]) for name in counts.index}


def derive_areas(rows: pd.Series, lsoas: pd.Series, *, min_share: float = AREA_MIN_SHARE, min_density: float = AREA_MIN_DENSITY) -> list[str]:
    """The force's areas from its own rows, when no profile lists them: the districts that hold
    a real share of the rows, largest first.

    ``rows`` holds rows per district (located rows only) and ``lsoas`` the distinct LSOAs with
    a row in each. A district is an area when it holds at least ``min_share`` of the rows of
    the largest district (which is always the force's own) *and* its rows per LSOA are at least
    ``min_density`` of the largest district's. A neighbouring district's rows are LSOAs just
    over the border, a few rows in each; a district of the force has the force's rows in all its
    LSOAs. A flat share of all rows fails on a small force: 2.6% of the City of London's rows
    fall in Tower Hamlets, but 19 rows per LSOA against the City's 3,600.
    """
    rows = rows[rows > 0].sort_values(ascending=False, kind="stable")
    if rows.empty:
        return []
    density = rows / lsoas.reindex(rows.index).fillna(1).clip(lower=1)
    largest = rows.index[0]
    keep = (rows >= min_share * rows.iloc[0]) & (density >= min_density * density[largest])
    return [str(d) for d in rows.index[keep.to_numpy()]]
