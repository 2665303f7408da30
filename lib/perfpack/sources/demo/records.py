"""The demo's record-level tables built from the drawn counts: crimes, incidents (with domestic
abuse victims as chains of occurrences), calls, Action Fraud reports, FPNs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from perfpack.sources.classification import classification
from perfpack.sources.demo.parameters import (
    AGE_SHARE,
    ATTEND_P,
    BASE_YEAR,
    BREACH_TYPES,
    CALL_SERIES,
    CRIME_SERIES,
    DA_BURN_IN_YEARS,
    DA_EXTRA,
    DA_EXTRA_SHAPE,
    DA_GAP_DAYS,
    DA_REPEAT_P,
    DA_REPEAT_VICTIMS,
    DEMO_END,
    DEMO_START,
    DISSEMINATION_KNOTS,
    FPN_BREACH_MIX,
    FPN_FIRST_DAY,
    FPN_MONTHLY,
    FRAUD_INDIVIDUAL_SHARE,
    FRAUD_LOG_LOSS,
    FRAUD_LOSS_CAP,
    FRAUD_LOSSES_13M,
    FRAUD_REPORTS_13M,
    FRAUD_SERIES,
    FRAUD_TYPE_PARAMS,
    FRAUD_WINDOW,
    GRADE_DRIFT,
    GRADE_MIX,
    HOURS,
    INCIDENT_CATEGORIES,
    INCIDENT_SERIES,
    NPA_SHARE,
    NPA_TILT,
    SUPPORT_P,
    WEEKLY,
    Series,
)
from perfpack.sources.demo.volumes import Calendar, allocate, draw_counts, expected

# Small helpers
# --------------------------------------------------------------------------------------


def _npa_probs(npas: Sequence[str], tilt: str) -> np.ndarray:
    mean = float(np.mean(list(NPA_SHARE.values())))
    w = np.array([NPA_SHARE.get(n, mean) * NPA_TILT[tilt].get(n, 1.0) for n in npas])
    return w / w.sum()


def _choice(rng: np.random.Generator, probs: Sequence[float], size: int) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum()).astype(np.int32)


def unique_ints(rng: np.random.Generator, n: int, bits: int) -> np.ndarray:
    """``n`` distinct random integers below ``2**bits`` (redrawing any collisions)."""
    v = rng.integers(0, 1 << bits, size=n, dtype=np.int64)
    while True:
        _, first = np.unique(v, return_index=True)
        if len(first) == n:
            return v
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        v[dup] = rng.integers(0, 1 << bits, size=int(dup.sum()), dtype=np.int64)


_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)


def hex_strings(values: np.ndarray, prefix: str, digits: int, valid: np.ndarray | None = None) -> pd.Series:
    """``prefix`` + ``digits`` upper-case hex digits of each value, as a pandas str Series.

    Built directly as an Arrow string array (fast at millions of rows); rows where
    ``valid`` is False are missing.
    """
    n = len(values)
    width = len(prefix) + digits
    if valid is None:
        valid = np.ones(n, dtype=bool)
    v = values[valid]
    shifts = np.arange(4 * (digits - 1), -1, -4, dtype=np.int64)
    buf = np.empty((len(v), width), dtype=np.uint8)
    buf[:, : len(prefix)] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    buf[:, len(prefix) :] = _HEX[(v[:, None] >> shifts) & 0xF]
    offsets = np.zeros(n + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.where(valid, width, 0))
    validity = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little").tobytes())
    arr = pa.LargeStringArray.from_buffers(
        n,
        pa.py_buffer(offsets.tobytes()),
        pa.py_buffer(buf.tobytes()),
        validity,
        null_count=int(n - valid.sum()),
    )
    return pd.Series(arr, dtype="str")


def labels(index: np.ndarray, values: Sequence[str]) -> pd.Series:
    """Strings from small-integer codes, via an Arrow dictionary (fast, no Python objects)."""
    dict_arr = pa.DictionaryArray.from_arrays(pa.array(np.asarray(index, dtype=np.int32)), pa.array(list(values), pa.large_string()))
    return pd.Series(dict_arr.cast(pa.large_string()), dtype="str")


def dates(day_no: np.ndarray, cal: Calendar) -> pd.Series:
    return pd.Series(cal.days[day_no].astype("datetime64[us]"))


def rng_streams(seed: int) -> dict[str, np.random.Generator]:
    names = ("crimes", "incidents", "victims", "calls", "fraud", "fpns", "ids")
    children = np.random.SeedSequence(seed).spawn(len(names))
    return {n: np.random.default_rng(c) for n, c in zip(names, children)}


# --------------------------------------------------------------------------------------
# Table builders
# --------------------------------------------------------------------------------------


@dataclass
class _Records:
    """Record-level arrays for one table before they become a DataFrame."""

    day: np.ndarray
    cols: dict[str, np.ndarray]


def _draw_series(series: Sequence[Series], cal: Calendar, scale: float, rng: np.random.Generator, mix_values: Sequence[str], npas: Sequence[str]) -> _Records:
    drawn = draw_counts(series, cal, scale, rng)
    mix_pos = {v: i for i, v in enumerate(mix_values)}
    parts: list[dict[str, np.ndarray]] = []
    for i, s in enumerate(series):
        counts = drawn[s.name]
        day = np.repeat(cal.day_no, counts).astype(np.int32)
        m = len(day)
        keys = list(s.mix)
        codes = np.array([mix_pos[k] for k in keys], dtype=np.int32)[_choice(rng, list(s.mix.values()), m)]
        npa = _choice(rng, _npa_probs(npas, s.npa), m)
        victim = np.zeros(m, dtype=bool) if s.domestic else rng.random(m) < s.victim_share
        parts.append(
            {
                "day": day,
                "mix": codes,
                "npa": npa,
                "domestic": np.full(m, s.domestic),
                "victim": victim,
                "series": np.full(m, i, dtype=np.int16),
            }
        )
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return _Records(cols.pop("day"), cols)


def _order(day_key: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Chronological order with random ties (so ids are not in day order within a day)."""
    perm = rng.permutation(len(day_key))
    return perm[np.argsort(day_key[perm], kind="stable")]


def crimes_table(cal: Calendar, scale: float, rng: np.random.Generator, npas: Sequence[str]) -> tuple[_Records, list[str]]:
    codes = sorted({c for s in CRIME_SERIES for c in s.mix})
    lookup = classification()
    unknown = [c for c in codes if c not in lookup.index]
    fraud = [c for c in codes if c in lookup.index and not lookup.loc[c, "in_all_crime"]]
    if unknown or fraud:
        raise ValueError(f"demo offence codes not usable: unknown {unknown}, outside all crime {fraud}")
    rec = _draw_series(CRIME_SERIES, cal, scale, rng, codes, npas)
    order = _order(rec.day, rng)
    rec.day = rec.day[order]
    rec.cols = {k: v[order] for k, v in rec.cols.items()}
    return rec, codes


def incidents_table(cal: Calendar, scale: float, rng: np.random.Generator, npas: Sequence[str]) -> _Records:
    cats = list(INCIDENT_CATEGORIES)
    rec = _draw_series(INCIDENT_SERIES, cal, scale, rng, cats, npas)
    n = len(rec.day)
    c = rec.cols
    # time of day by series
    seconds = np.empty(n, dtype=np.int64)
    for i, s in enumerate(INCIDENT_SERIES):
        idx = np.flatnonzero(c["series"] == i)
        hour = _choice(rng, HOURS[s.hours], len(idx)).astype(np.int64)
        seconds[idx] = hour * 3600 + rng.integers(0, 3600, size=len(idx))
    c["covid_related"] = np.array([s.covid_related for s in INCIDENT_SERIES])[c["series"]]
    # grade: category mix drifting by year; attended by grade
    years = np.arange(DEMO_START.year, DEMO_END.year + 1)
    base = np.array([GRADE_MIX[k] for k in cats], dtype=float)  # (category, 4)
    growth = (1 + np.asarray(GRADE_DRIFT))[None, :] ** (years - BASE_YEAR)[:, None]  # (year, 4)
    probs = base[:, None, :] * growth[None, :, :]
    probs[..., 2] = 0
    probs[..., 2] = np.clip(1 - probs.sum(axis=-1), 0.02, None)
    probs /= probs.sum(axis=-1, keepdims=True)
    cum = probs.cumsum(axis=-1)
    year_idx = cal.year[rec.day] - DEMO_START.year
    u = rng.random(n)
    grade = np.ones(n, dtype=np.int64)
    for g in range(3):
        grade += u > cum[c["mix"], year_idx, g]
    c["grade"] = grade
    c["attended"] = rng.random(n) < np.asarray(ATTEND_P)[grade - 1]
    c["seconds"] = seconds
    ts = rec.day.astype(np.int64) * 86400 + seconds
    order = _order(ts, rng)
    rec.day = rec.day[order]
    rec.cols = {k: v[order] for k, v in c.items()}
    return rec


def _knots(table: Mapping[int, float], cal: Calendar, day: np.ndarray) -> np.ndarray:
    """A yearly parameter at ``day`` (day numbers): linear between mid-year knots."""
    years = sorted(table)
    x = [(np.datetime64(date(y, 7, 1), "D") - cal.days[0]).astype(np.int64) for y in years]
    return np.interp(day, x, [table[y] for y in years])


def assign_da_victims(cal: Calendar, scale: float, rng: np.random.Generator, da_day: np.ndarray, da_npa: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Victim numbers for domestic abuse occurrences (crimes and non-crime together).

    Victims are chains of occurrences in time (:data:`DA_REPEAT_P`, :data:`DA_EXTRA`,
    :data:`DA_GAP_DAYS`), laid out on the occurrences in date order: the k-th earliest event of
    all chains is the k-th earliest occurrence. Chains run on past the end of the data (those
    occurrences are not there yet) and start before its beginning. Then the calendar years of
    :data:`DA_REPEAT_VICTIMS` are made exact (:func:`_exact_year`). Returns victim numbers, the
    NPA of each occurrence (a victim's occurrences are all in the NPA of their first) and the
    number of victims.
    """
    n = len(da_day)
    order = _order(da_day, rng)  # occurrences by day, ties at random
    per_day = n / cal.n
    burn_in = int(DA_BURN_IN_YEARS * 365.25 * per_day)
    # chains start evenly on the occurrence scale (position k = the k-th occurrence), a few
    # more than needed so that every occurrence gets a victim
    p_mean, x_mean = np.mean(list(DA_REPEAT_P.values())), np.mean(list(DA_EXTRA.values()))
    per_chain = 1 + p_mean * (1 + x_mean)
    m = int((n + burn_in) * 1.04 / per_chain) + 10
    start = rng.uniform(-burn_in, 1.04 * n, size=m)
    start_day = da_day[order][np.clip(start, 0, n - 1).astype(np.int64)]
    repeat = rng.random(m) < _knots(DA_REPEAT_P, cal, start_day)
    size = np.ones(m, dtype=np.int64)
    extra_mean = _knots(DA_EXTRA, cal, start_day[repeat])
    size[repeat] = 2 + rng.poisson(extra_mean * rng.gamma(DA_EXTRA_SHAPE, 1 / DA_EXTRA_SHAPE, size=int(repeat.sum())))
    chain = np.repeat(np.arange(m), size)
    first = np.r_[0, np.cumsum(size)[:-1]]
    median, sigma = DA_GAP_DAYS
    gap = np.exp(rng.normal(np.log(median), sigma, size=len(chain))) * per_day
    gap[first] = 0.0
    run = np.cumsum(gap)
    pos = start[chain] + run - np.repeat(run[first], size)
    keep = pos >= 0
    pos, chain = pos[keep], chain[keep]
    if len(pos) < n:  # never at the margins above; a few single victims if it were
        chain = np.r_[chain, m + np.arange(n - len(pos))]
        pos = np.r_[pos, rng.uniform(0, n, size=n - len(pos))]
    taken = np.argsort(pos, kind="stable")[:n]
    victim = np.empty(n, dtype=np.int64)
    victim[order] = _dense(chain[taken])
    year = cal.year[da_day]
    for y, (r0, share) in DA_REPEAT_VICTIMS.items():
        victim = _exact_year(victim, year == y, da_day, round(scale * r0), round(scale * r0 / share), rng)
    victim = _dense(victim)
    n_victims = int(victim.max()) + 1 if n else 0
    # a victim's occurrences are in one NPA: that of their first occurrence
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    first = np.full(n_victims, n, dtype=np.int64)
    np.minimum.at(first, victim, rank)
    home = da_npa[order[first]]
    return victim, home[victim], n_victims


def _dense(ids: np.ndarray) -> np.ndarray:
    """Non-negative integer ids renumbered 0, 1, ... in the order of their values."""
    used = np.zeros(int(ids.max()) + 1 if len(ids) else 0, dtype=bool)
    used[ids] = True
    return (np.cumsum(used) - 1)[ids]


def _exact_year(victim: np.ndarray, in_year: np.ndarray, day: np.ndarray, n_repeat: int, n_victims: int, rng: np.random.Generator) -> np.ndarray:
    """Relabel a few occurrences so that the year (``in_year``) has exactly ``n_repeat`` repeat
    victims among ``n_victims`` distinct victims.

    Only victims with every occurrence inside the year are touched, so other years keep their
    figures. First the repeat victims: pairs of single victims close in time become one repeat
    victim each (or victims with two occurrences lose the later one to a new victim). Then the
    distinct victims: single victims' occurrences go to the repeat victim closest in time (or
    victims with three or more occurrences lose their last one to a new victim). At a small
    scale there may be too few such victims; the year then comes as close as they allow.
    """
    victim = victim.copy()
    year_occ = np.flatnonzero(in_year)
    year_occ = year_occ[np.argsort(day[year_occ], kind="stable")]  # the year's occurrences by date

    def counts():
        total = np.bincount(victim)
        in_y = np.bincount(victim[in_year], minlength=len(total))
        return in_y, in_y == total  # occurrences in the year; all of the victim's are in it

    def choose(mask: np.ndarray, k: int) -> np.ndarray:
        """``k`` victims of ``mask`` at random (as many as there are, if fewer: only at a small
        scale), in the date order of their first occurrence."""
        occ = year_occ[mask[victim[year_occ]]]
        ids, first = np.unique(victim[occ], return_index=True)
        pick = np.sort(rng.choice(len(ids), size=min(k, len(ids)), replace=False))
        return ids[np.argsort(first)][pick]

    def last_occurrence(ids: np.ndarray) -> np.ndarray:
        """The latest occurrence in the year of each victim of ``ids``."""
        occ = year_occ[np.isin(victim[year_occ], ids)]
        by = np.argsort(victim[occ], kind="stable")
        v = victim[occ][by]
        return occ[by][np.r_[v[1:] != v[:-1], True]]

    n_in, inside = counts()
    d_rep = n_repeat - int((n_in >= 2).sum())
    if d_rep > 0:
        singles = choose(inside & (n_in == 1), 2 * d_rep)
        pairs = singles[: len(singles) // 2 * 2].reshape(-1, 2)
        pairs = pairs[np.argsort(pairs[:, 1])]
        occ = year_occ[np.isin(victim[year_occ], pairs[:, 1])]
        victim[occ] = pairs[np.searchsorted(pairs[:, 1], victim[occ]), 0]
    elif d_rep < 0:
        twos = choose(inside & (n_in == 2), -d_rep)
        victim[last_occurrence(twos)] = len(np.bincount(victim)) + np.arange(len(twos))
    n_in, inside = counts()
    d_vic = n_victims - int((n_in >= 1).sum())
    if d_vic < 0:
        singles = choose(inside & (n_in == 1), -d_vic)
        occ = year_occ[np.isin(victim[year_occ], singles)]
        reps = year_occ[(inside & (n_in >= 2))[victim[year_occ]]]
        if len(reps):
            near = np.clip(np.searchsorted(day[reps], day[occ]), 0, len(reps) - 1)
            victim[occ] = victim[reps[near]]
    elif d_vic > 0:
        many = choose(inside & (n_in >= 3), d_vic)
        victim[last_occurrence(many)] = len(np.bincount(victim)) + np.arange(len(many))
    return victim


def calls_table(cal: Calendar, scale: float, rng: np.random.Generator) -> pd.DataFrame:
    drawn = draw_counts(CALL_SERIES, cal, scale, rng)
    counts = np.stack([drawn[s.name] for s in CALL_SERIES], axis=1)
    k = len(CALL_SERIES)
    return pd.DataFrame(
        {
            "date": dates(np.repeat(cal.day_no, k), cal),
            "channel": labels(np.tile(np.arange(k), cal.n), [s.name for s in CALL_SERIES]),
            "calls": counts.ravel().astype(np.int64),
        }
    )


def fraud_table(cal: Calendar, scale: float, rng: np.random.Generator) -> pd.DataFrame:
    unit = expected(FRAUD_SERIES, cal, {})
    win = cal.mask(*FRAUD_WINDOW)
    lam = unit * (FRAUD_REPORTS_13M / unit[win].sum())
    counts = allocate(lam, cal.month, cal, scale, rng, dispersion=0.0)
    day = np.repeat(cal.day_no, counts)
    n = len(day)
    pandemic = cal.days[day] >= np.datetime64(cal.periods[1][0], "D")
    types = list(FRAUD_TYPE_PARAMS)
    params = np.array([FRAUD_TYPE_PARAMS[t] for t in types])
    ftype = np.where(pandemic, _choice(rng, params[:, 1], n), _choice(rng, params[:, 0], n))
    individual = rng.random(n) < FRAUD_INDIVIDUAL_SHARE
    ages = list(AGE_SHARE)
    age = np.where(individual, _choice(rng, list(AGE_SHARE.values()), n), len(ages))
    support = rng.random(n) < np.where(individual, SUPPORT_P["individual"], SUPPORT_P["organisation"])
    # losses: many zero, the rest lognormal (heavy tail, capped); the tail's scale is then
    # calibrated so the 13-month window's total is the seed's figure at every seed.
    mu, sigma = FRAUD_LOG_LOSS
    nonzero = rng.random(n) >= params[ftype, 2]
    raw = np.where(nonzero, np.minimum(np.exp(rng.normal(mu + params[ftype, 3], sigma)), FRAUD_LOSS_CAP), 0.0)
    in_win = win[day]
    raw *= scale * FRAUD_LOSSES_13M / raw[in_win].sum()
    loss = np.round(raw, 2)
    # disseminations: a set number a month, chosen at random among that month's reports
    months = cal.month[day]
    knots = {cal.month_of[m]: v for m, v in DISSEMINATION_KNOTS.items()}
    per_month = np.interp(np.arange(len(cal.month_labels)), list(knots), list(knots.values()))
    target = np.rint(scale * per_month).astype(np.int64)
    key = rng.random(n)
    order = np.lexsort((key, months))
    rank = np.empty(n, dtype=np.int64)
    starts = np.searchsorted(months[order], np.arange(len(cal.month_labels)))
    rank[order] = np.arange(n) - starts[months[order]]
    disseminated = rank < target[months]
    ids = unique_ints(rng, n, 40)
    return pd.DataFrame(
        {
            "report_id": hex_strings(ids, "AF", 10),
            "reported_date": dates(day, cal),
            "fraud_type": labels(ftype, types),
            "loss_gbp": loss.astype(np.float64),
            "victim_type": labels(np.where(individual, 0, 1), ["individual", "organisation"]),
            "victim_age_band": labels(age, [*ages, "Not applicable"]),
            "support_requested": support,
            "disseminated_to_force": disseminated,
        }
    )


def fpns_table(cal: Calendar, scale: float, rng: np.random.Generator, npas: Sequence[str]) -> pd.DataFrame:
    lam = np.zeros(cal.n)
    week = np.asarray(WEEKLY["nightlife"])[cal.dow]
    for m, v in FPN_MONTHLY.items():
        sel = (cal.month == cal.month_of[m]) & (cal.days >= np.datetime64(FPN_FIRST_DAY, "D"))
        lam[sel] = v * week[sel] / week[sel].sum()
    counts = allocate(lam, cal.month, cal, scale, rng, dispersion=0.0)
    day = np.repeat(cal.day_no, counts)
    n = len(day)
    phase_starts = sorted(FPN_BREACH_MIX)
    phase = np.searchsorted([cal.month_of[m] for m in phase_starts], cal.month[day], side="right") - 1
    breach = np.zeros(n, dtype=np.int32)
    for i, m in enumerate(phase_starts):
        sel = np.flatnonzero(phase == i)
        mix = FPN_BREACH_MIX[m]
        pos = np.array([BREACH_TYPES.index(b) for b in mix], dtype=np.int32)
        breach[sel] = pos[_choice(rng, list(mix.values()), len(sel))]
    npa = _choice(rng, _npa_probs(npas, "urban"), n)
    ids = unique_ints(rng, n, 32)
    return pd.DataFrame(
        {
            "fpn_id": hex_strings(ids, "FPN", 8),
            "issued_date": dates(day, cal),
            "breach_type": labels(breach, BREACH_TYPES),
            "npa": labels(npa, npas),
        }
    )


# --------------------------------------------------------------------------------------
