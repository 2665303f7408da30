"""Strategic risk assessment (FMS): the risk register, its scores, RAG ratings and arrows.

Analysts keep the assessment as a file in the repository, ``config/risk_register.csv``: one
row per rated area or sub-area, with current and baseline scores on a MoRiLE-style scale
(harm, likelihood, and the force's organisational position: capacity and capability gaps),
the dates of the two assessments and a sentence of evidence. The scoring model, the RAG
thresholds, the tolerance for "the same" and the list of areas live in ``config/risk.yaml``.

The steps are small and separately testable:

``load_config``      read and check ``config/risk.yaml``
``load_register``    read and check the register against the configuration
``score``            risk score, RAG rating, baseline score and rating, direction and arrow
``risk_table``       the scored register laid out like the FMS: areas, then their sub-areas
``style_risk_table`` the table as a pandas Styler: colours, words and arrows, with a legend
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from perfpack import config_checks
from perfpack.sources.text_files import SAVE_AS_UTF8, encoding_problem, line_numbers

RAG_LEVELS = ("Red", "Amber", "Green")
#: Direction of the current score against the baseline, and its arrow.
ARROWS = {"increased": "\u25b2", "same": "\u25c6", "reduced": "\u25bc"}
SCORE_COLUMNS = ("harm", "likelihood", "capacity", "capability")
BASELINE_COLUMNS = tuple(f"baseline_{c}" for c in SCORE_COLUMNS)
REGISTER_COLUMNS = (
    "area_id",
    "area",
    "sub_area_id",
    "sub_area",
    *SCORE_COLUMNS,
    *BASELINE_COLUMNS,
    "assessed_on",
    "baseline_on",
    "assessor_note",
)
#: WCAG 2.1 AA minimum contrast for normal-size text.
MIN_CONTRAST = 4.5
# Floating-point noise must not move a score across a threshold (e.g. 4 x 4 x 3.0000001).
_EPS = 1e-9


class RiskConfigError(ValueError):
    """``config/risk.yaml`` is missing, unreadable or inconsistent."""


class RiskRegisterError(ValueError):
    """The risk register fails validation.

    Attributes
    ----------
    path : str
        The register file.
    problems : list of str
        One plain-English line per problem, each naming the line of the file, the area,
        the column and what to do.
    """

    def __init__(self, path: str | Path, problems: list[str]):
        self.path = str(path)
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{self.path}: {n} problem{'s' if n != 1 else ''} in the risk register."
        super().__init__("\n  - ".join([head, *self.problems]))


@dataclass(frozen=True)
class SubArea:
    """A sub-area of a strategic risk area (e.g. ``5c`` Investigations - Intelligence)."""

    id: str
    name: str


@dataclass(frozen=True)
class Area:
    """A strategic risk area; rated itself when it has no sub-areas, else through them."""

    id: int
    name: str
    sub_areas: tuple[SubArea, ...] = ()


@dataclass(frozen=True)
class RiskConfig:
    """The scoring model, thresholds and areas read from ``config/risk.yaml``."""

    scale_min: int
    scale_max: int
    capacity_weight: float
    capability_weight: float
    red_from: float
    amber_from: float
    colours: Mapping[str, Mapping[str, str]]
    same_within: float
    baseline_label: str
    areas: tuple[Area, ...]
    path: str = "config/risk.yaml"

    def units(self) -> pd.DataFrame:
        """Every row the register must have, in FMS order.

        Returns
        -------
        pandas.DataFrame
            Columns ``area_id``, ``area``, ``sub_area_id`` (empty for an area rated
            itself), ``sub_area``, ``ref`` and ``name``.
        """
        rows = []
        for a in self.areas:
            if a.sub_areas:
                for s in a.sub_areas:
                    rows.append((a.id, a.name, s.id, s.name, s.id, s.name))
            else:
                rows.append((a.id, a.name, "", "", str(a.id), a.name))
        return pd.DataFrame(rows, columns=["area_id", "area", "sub_area_id", "sub_area", "ref", "name"])


# --------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------


def _relative_luminance(colour: str) -> float:
    h = colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio between two ``#rrggbb`` colours.

    Parameters
    ----------
    foreground, background : str
        Colours as ``#rrggbb``.

    Returns
    -------
    float
        From 1 (no contrast) to 21 (black on white).
    """
    la, lb = sorted((_relative_luminance(foreground), _relative_luminance(background)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _need(mapping: Any, key: str, where: str, path: Path) -> Any:
    if not isinstance(mapping, Mapping) or key not in mapping:
        raise RiskConfigError(f"{path}: '{where}{key}' is missing. Add it (see the comments at the top of the file).")
    return mapping[key]


def _number(value: Any, where: str, path: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RiskConfigError(f"{path}: '{where}' must be a number, not {value!r}.")
    return float(value)


def load_config(path: str | Path = "config/risk.yaml") -> RiskConfig:
    """Read and check the risk scoring model.

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file (``config/risk.yaml``).

    Returns
    -------
    RiskConfig

    Raises
    ------
    RiskConfigError
        When the file is missing or any setting is absent or inconsistent; the message
        names the file, the setting and what to change.
    """
    path = Path(path)
    if not path.is_file():
        raise RiskConfigError(f"{path}: risk configuration not found. Pass the path of config/risk.yaml.")
    try:
        raw = yaml.safe_load(config_checks.read_text(path))
    except ValueError as exc:  # not UTF-8: the line to fix, "save as UTF-8"
        raise RiskConfigError(str(exc)) from None
    except yaml.YAMLError as exc:
        raise RiskConfigError(f"{path}: not valid YAML ({exc}). Fix the syntax at the position shown.") from exc

    scale = _need(raw, "scale", "", path)
    lo, hi = _need(scale, "min", "scale.", path), _need(scale, "max", "scale.", path)
    if not (isinstance(lo, int) and isinstance(hi, int)) or isinstance(lo, bool) or lo >= hi:
        raise RiskConfigError(f"{path}: 'scale.min' and 'scale.max' must be whole numbers with min < max (found {lo!r}, {hi!r}).")

    pos = _need(raw, "organisational_position", "", path)
    wc = _number(_need(pos, "capacity_weight", "organisational_position.", path), "organisational_position.capacity_weight", path)
    wk = _number(_need(pos, "capability_weight", "organisational_position.", path), "organisational_position.capability_weight", path)
    if wc < 0 or wk < 0 or abs(wc + wk - 1) > 1e-9:
        raise RiskConfigError(f"{path}: 'organisational_position' weights must be non-negative and add up to 1 (found {wc} + {wk}).")

    rag = _need(raw, "rag", "", path)
    red = _number(_need(rag, "red_from", "rag.", path), "rag.red_from", path)
    amber = _number(_need(rag, "amber_from", "rag.", path), "rag.amber_from", path)
    if not amber < red:
        raise RiskConfigError(f"{path}: 'rag.amber_from' ({amber:g}) must be below 'rag.red_from' ({red:g}).")
    colours = _need(rag, "colours", "rag.", path)
    for level in RAG_LEVELS:
        c = _need(colours, level, "rag.colours.", path)
        bg, fg = _need(c, "background", f"rag.colours.{level}.", path), _need(c, "text", f"rag.colours.{level}.", path)
        for name, value in (("background", bg), ("text", fg)):
            if not isinstance(value, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
                raise RiskConfigError(f"{path}: 'rag.colours.{level}.{name}' must be a colour like \"#1d70b8\", not {value!r}.")
        ratio = contrast_ratio(fg, bg)
        if ratio < MIN_CONTRAST:
            raise RiskConfigError(
                f"{path}: 'rag.colours.{level}': text {fg} on {bg} has contrast {ratio:.1f}:1, below "
                f"{MIN_CONTRAST}:1. Choose a darker background or a text colour with more contrast."
            )

    direction = _need(raw, "direction", "", path)
    tol = _number(_need(direction, "same_within", "direction.", path), "direction.same_within", path)
    if tol < 0:
        raise RiskConfigError(f"{path}: 'direction.same_within' must be zero or more (found {tol:g}).")
    baseline_label = str(direction.get("baseline_label", "the baseline assessment"))

    areas_raw = _need(raw, "areas", "", path)
    if not isinstance(areas_raw, list) or not areas_raw:
        raise RiskConfigError(f"{path}: 'areas' must be a list of areas, each with an id and a name.")
    areas: list[Area] = []
    seen_ids: set[int] = set()
    seen_subs: set[str] = set()
    for i, a in enumerate(areas_raw, start=1):
        aid, aname = _need(a, "id", f"areas[{i}].", path), _need(a, "name", f"areas[{i}].", path)
        if not isinstance(aid, int) or isinstance(aid, bool) or aid in seen_ids:
            raise RiskConfigError(f"{path}: area {i} has id {aid!r}; ids must be unique whole numbers.")
        seen_ids.add(aid)
        subs = []
        for s in a.get("sub_areas") or []:
            sid, sname = str(_need(s, "id", f"areas[{i}].sub_areas.", path)), _need(s, "name", f"areas[{i}].sub_areas.", path)
            if not re.fullmatch(rf"{aid}[a-z]", sid) or sid in seen_subs:
                raise RiskConfigError(
                    f"{path}: sub-area {sid!r} of area {aid}: ids must be the area id and one letter "
                    f"(e.g. {aid}a) and unique."
                )
            seen_subs.add(sid)
            subs.append(SubArea(sid, str(sname).strip()))
        areas.append(Area(aid, str(aname).strip(), tuple(subs)))

    return RiskConfig(
        scale_min=lo,
        scale_max=hi,
        capacity_weight=wc,
        capability_weight=wk,
        red_from=red,
        amber_from=amber,
        colours={k: dict(v) for k, v in colours.items()},
        same_within=tol,
        baseline_label=baseline_label,
        areas=tuple(areas),
        path=str(path),
    )


def _as_config(config: RiskConfig | str | Path) -> RiskConfig:
    return config if isinstance(config, RiskConfig) else load_config(config)


# --------------------------------------------------------------------------------------
# Register
# --------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def _parse_date(value: str) -> pd.Timestamp | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return None
    try:
        return pd.Timestamp(value.strip())
    except ValueError:
        return None


def load_register(
    path: str | Path = "config/risk_register.csv",
    config_path: str | Path | RiskConfig = "config/risk.yaml",
    *,
    require_complete: bool = True,
) -> pd.DataFrame:
    """Read and validate the risk register.

    Parameters
    ----------
    path : str or pathlib.Path
        The register, a CSV with the columns in ``REGISTER_COLUMNS`` (others are kept).
    config_path : str, pathlib.Path or RiskConfig
        ``config/risk.yaml``, or a configuration already loaded.
    require_complete : bool, default True
        Also require one row for every area and sub-area in the configuration.

    Returns
    -------
    pandas.DataFrame
        One row per area or sub-area in the configuration's order, scores as integers,
        ``assessed_on`` and ``baseline_on`` as timestamps, plus ``ref`` (``"5c"`` or
        ``"1"``), ``name`` (the sub-area name, or the area's) and ``line`` (the line of
        the file the row came from).

    Raises
    ------
    RiskRegisterError
        Listing every problem found: an unknown area or sub-area, a name that does not
        match the configuration, a score missing or outside the scale, a missing baseline,
        a missing or impossible date, an empty note, a duplicate or a missing row. Each
        names the line of the file, the area, the column and what to do.
    """
    config = _as_config(config_path)
    path = Path(path)
    if not path.is_file():
        raise RiskRegisterError(path, [f"file not found. Create it with the columns {', '.join(REGISTER_COLUMNS)}, or pass its path."])
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        enc = encoding_problem(path)
        if enc is not None:
            raise RiskRegisterError(path, [f"{enc[0]} ({'; '.join(enc[1])}). What to do: {SAVE_AS_UTF8}"]) from None
        raise RiskRegisterError(path, [f"cannot be read as a UTF-8 CSV ({exc}). Save it as CSV (UTF-8) and try again."]) from exc
    raw.columns = [c.strip() for c in raw.columns]
    missing_cols = [c for c in REGISTER_COLUMNS if c not in raw.columns]
    if missing_cols:
        raise RiskRegisterError(path, [f"column{'s' if len(missing_cols) > 1 else ''} {', '.join(repr(c) for c in missing_cols)} missing from the header. Add {'them' if len(missing_cols) > 1 else 'it'} (see REGISTER_COLUMNS in perfpack.measures.risk)."])

    by_id = {a.id: a for a in config.areas}
    lines = line_numbers(path)
    lo, hi = config.scale_min, config.scale_max
    problems: list[str] = []
    records: list[dict] = []
    seen: dict[tuple[int, str], int] = {}

    for i, row in raw.iterrows():
        line = lines.line(int(i))  # line 1 is the header; a note with a line break spans lines
        cells = {k: str(v).strip() for k, v in row.items()}
        area_txt, sub_txt = cells["area_id"], cells["sub_area_id"]
        if sub_txt:
            where = f"line {line} (sub-area {sub_txt} {cells['sub_area'] or cells['area']})".rstrip()
        else:
            where = f"line {line} (area {area_txt or '?'} {cells['area']})".rstrip()
        row_ok = True

        area = by_id.get(int(area_txt)) if re.fullmatch(r"\d+", area_txt) else None
        if area is None:
            known = ", ".join(str(a.id) for a in config.areas)
            problems.append(
                f"{where}, column 'area_id': unknown area {area_txt!r}. Use one of the area ids in "
                f"{config.path} ({known}), or add the area there first."
            )
            row_ok = False
        else:
            if _norm(cells["area"]) != _norm(area.name):
                problems.append(
                    f"{where}, column 'area': {cells['area']!r} is not the name of area {area.id} "
                    f"({area.name!r}). Correct the name or the area_id."
                )
                row_ok = False
            if area.sub_areas:
                subs = {s.id: s for s in area.sub_areas}
                sub = subs.get(sub_txt.lower())
                if not sub_txt:
                    problems.append(
                        f"{where}, column 'sub_area_id': area {area.id} {area.name} is rated through its "
                        f"sub-areas ({', '.join(subs)}); give the sub-area id, with one row per sub-area."
                    )
                    row_ok = False
                elif sub is None:
                    problems.append(
                        f"{where}, column 'sub_area_id': unknown sub-area {sub_txt!r} of area {area.id}. "
                        f"Use one of {', '.join(subs)}, or add it to {config.path} first."
                    )
                    row_ok = False
                elif _norm(cells["sub_area"]) != _norm(sub.name):
                    problems.append(
                        f"{where}, column 'sub_area': {cells['sub_area']!r} is not the name of sub-area "
                        f"{sub.id} ({sub.name!r}). Correct the name or the sub_area_id."
                    )
                    row_ok = False
            elif sub_txt or cells["sub_area"]:
                problems.append(
                    f"{where}, column 'sub_area_id': area {area.id} {area.name} has no sub-areas in "
                    f"{config.path}; leave sub_area_id and sub_area empty."
                )
                row_ok = False

        values: dict[str, int] = {}
        for col in (*SCORE_COLUMNS, *BASELINE_COLUMNS):
            v = cells[col]
            if v == "":
                if col.startswith("baseline_"):
                    problems.append(
                        f"{where}, column {col!r}: missing baseline score. Every row needs the baseline "
                        f"assessment ({config.baseline_label}); copy the {col.removeprefix('baseline_')} "
                        f"score from it, scored {lo} to {hi}."
                    )
                else:
                    problems.append(f"{where}, column {col!r}: missing score. Score it as a whole number from {lo} to {hi}.")
                row_ok = False
                continue
            try:
                f = float(v)
            except ValueError:
                f = math.nan
            if not math.isfinite(f) or f != int(f):
                problems.append(f"{where}, column {col!r}: {v!r} is not a whole number. Score it as a whole number from {lo} to {hi}.")
                row_ok = False
            elif not lo <= f <= hi:
                problems.append(f"{where}, column {col!r}: {v} is outside the scale {lo} to {hi}. Score it as a whole number from {lo} to {hi}.")
                row_ok = False
            else:
                values[col] = int(f)

        dates: dict[str, pd.Timestamp] = {}
        for col in ("assessed_on", "baseline_on"):
            d = _parse_date(cells[col])
            if d is None:
                what = "missing" if cells[col] == "" else f"{cells[col]!r} is not a date"
                problems.append(f"{where}, column {col!r}: {what}. Write the date of the assessment as YYYY-MM-DD.")
                row_ok = False
            else:
                dates[col] = d
        if len(dates) == 2 and dates["baseline_on"] > dates["assessed_on"]:
            problems.append(
                f"{where}, column 'baseline_on': the baseline ({dates['baseline_on']:%Y-%m-%d}) is after the "
                f"current assessment ({dates['assessed_on']:%Y-%m-%d}). Check the two dates."
            )
            row_ok = False

        if cells["assessor_note"] == "":
            problems.append(f"{where}, column 'assessor_note': empty. Write a sentence of the evidence behind the scores.")
            row_ok = False

        if area is not None:
            key = (area.id, sub_txt.lower())
            if key in seen:
                problems.append(f"{where}: duplicate of line {seen[key]}. Keep one row per area or sub-area.")
                row_ok = False
            else:
                seen[key] = line

        if row_ok:
            rec = {c: cells[c] for c in raw.columns}
            rec.update(values)
            rec.update(dates)
            rec["area_id"] = area.id
            rec["area"] = area.name
            if area.sub_areas:
                sub = next(s for s in area.sub_areas if s.id == sub_txt.lower())
                rec["sub_area_id"], rec["sub_area"], rec["ref"], rec["name"] = sub.id, sub.name, sub.id, sub.name
            else:
                rec["sub_area_id"], rec["sub_area"], rec["ref"], rec["name"] = "", "", str(area.id), area.name
            rec["line"] = line
            records.append(rec)

    units = config.units()
    if require_complete:
        have = set(seen)
        absent = [f"{r.ref} {r.name}" for r in units.itertuples() if (r.area_id, r.sub_area_id) not in have]
        if absent:
            problems.append(
                f"no row for {len(absent)} area{'s' if len(absent) > 1 else ''} or sub-area{'s' if len(absent) > 1 else ''} "
                f"listed in {config.path}: {'; '.join(absent)}. Add a row for each."
            )
    if problems:
        raise RiskRegisterError(path, problems)

    df = pd.DataFrame.from_records(records)
    order = {(r.area_id, r.sub_area_id): k for k, r in enumerate(units.itertuples())}
    df["_order"] = [order[(a, s)] for a, s in zip(df["area_id"], df["sub_area_id"])]
    df = df.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
    for c in (*SCORE_COLUMNS, *BASELINE_COLUMNS, "area_id", "line"):
        df[c] = df[c].astype("int64")
    for c in ("assessed_on", "baseline_on"):
        df[c] = pd.to_datetime(df[c])
    first = ["area_id", "area", "sub_area_id", "sub_area", "ref", "name"]
    return df[first + [c for c in df.columns if c not in first]]


# --------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------


def _rag(scores: pd.Series, config: RiskConfig) -> pd.Series:
    s = scores.to_numpy(dtype=float)
    out = np.select([s >= config.red_from - _EPS, s >= config.amber_from - _EPS], ["Red", "Amber"], "Green")
    return pd.Series(out, index=scores.index, dtype=object)


def score(df: pd.DataFrame, config: RiskConfig | str | Path) -> pd.DataFrame:
    """Risk scores, RAG ratings and the direction against the baseline.

    ``organisational_position = capacity_weight * capacity + capability_weight * capability``
    and ``risk_score = harm * likelihood * organisational_position``; the baseline is scored
    the same way from the ``baseline_*`` columns. The rating is Red at ``rag.red_from`` or
    more, Amber from ``rag.amber_from`` up to ``red_from``, Green below (bounds inclusive).
    The direction is ``same`` when the current score is within ``direction.same_within``
    points of the baseline either way (inclusive), else ``increased`` or ``reduced``.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows with the columns in ``SCORE_COLUMNS`` and ``BASELINE_COLUMNS`` (the register
        from :func:`load_register`, or hand-made rows).
    config : RiskConfig, str or pathlib.Path
        The loaded configuration or the path of ``config/risk.yaml``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with ``position``, ``risk_score``, ``rag``, ``baseline_position``,
        ``baseline_score``, ``baseline_rag``, ``score_change``, ``direction`` and ``arrow``.

    Raises
    ------
    ValueError
        When a score column is missing or holds a non-number.
    """
    config = _as_config(config)
    need = [*SCORE_COLUMNS, *BASELINE_COLUMNS]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"score(): column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing. Pass the register from load_register().")
    out = df.copy()
    num = out[need].apply(pd.to_numeric, errors="coerce")
    bad = num.isna().any(axis=1)
    if bad.any():
        first = bad[bad].index[0]
        raise ValueError(f"score(): row {first} has a missing or non-numeric score ({num.loc[first].to_dict()}). Validate the register with load_register() first.")

    def _one(prefix: str) -> tuple[pd.Series, pd.Series]:
        pos = config.capacity_weight * num[f"{prefix}capacity"] + config.capability_weight * num[f"{prefix}capability"]
        return pos, (num[f"{prefix}harm"] * num[f"{prefix}likelihood"] * pos).round(6)

    out["position"], out["risk_score"] = _one("")
    out["rag"] = _rag(out["risk_score"], config)
    out["baseline_position"], out["baseline_score"] = _one("baseline_")
    out["baseline_rag"] = _rag(out["baseline_score"], config)
    change = (out["risk_score"] - out["baseline_score"]).round(6)
    out["score_change"] = change
    tol = config.same_within + _EPS
    out["direction"] = pd.Series(np.select([change > tol, change < -tol], ["increased", "reduced"], "same"), index=out.index, dtype=object)
    out["arrow"] = out["direction"].map(ARROWS)
    return out


# --------------------------------------------------------------------------------------
# Presentation
# --------------------------------------------------------------------------------------

TABLE_COLUMNS = ["ref", "name", "level", "rag", "arrow", "direction", "risk_score", "baseline_score", "baseline_rag"]


def risk_table(scored: pd.DataFrame, config: RiskConfig | str | Path, *, indent: str = "\u2003\u2003", include_notes: bool = False) -> pd.DataFrame:
    """The scored register laid out like the FMS summary: each area, then its sub-areas.

    An area without sub-areas is one row with its own rating. An area rated through its
    sub-areas is a heading row (``level == "area"``, no rating) followed by one row per
    sub-area (``level == "sub-area"``), whose names are indented with ``indent``.

    Parameters
    ----------
    scored : pandas.DataFrame
        The output of :func:`score` on the register from :func:`load_register`.
    config : RiskConfig, str or pathlib.Path
        The configuration, for the order of areas and the area headings.
    indent : str, default two em spaces
        Put before sub-area names. Em spaces survive HTML whitespace collapsing.
    include_notes : bool, default False
        Add the ``assessor_note`` column (free text: leave it out of public exports
        unless the notes have been reviewed for publication).

    Returns
    -------
    pandas.DataFrame
        Columns ``TABLE_COLUMNS`` (plus ``assessor_note``); rating columns are empty on
        heading rows.
    """
    config = _as_config(config)
    need = ["area_id", "sub_area_id", "ref", "name", "rag", "arrow", "direction", "risk_score", "baseline_score", "baseline_rag"]
    missing = [c for c in need if c not in scored.columns]
    if missing:
        raise ValueError(f"risk_table(): column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing. Pass score(load_register(...), config).")
    keyed = {(int(r["area_id"]), str(r["sub_area_id"])): r for _, r in scored.iterrows()}
    cols = TABLE_COLUMNS + (["assessor_note"] if include_notes else [])
    rows: list[dict] = []

    def _row(r: pd.Series, level: str, name: str) -> dict:
        d = {c: r[c] for c in TABLE_COLUMNS if c in r.index}
        d.update(level=level, name=name)
        if include_notes:
            d["assessor_note"] = r.get("assessor_note", "")
        return d

    for a in config.areas:
        if not a.sub_areas:
            if (a.id, "") in keyed:
                rows.append(_row(keyed[(a.id, "")], "area", a.name))
            continue
        present = [s for s in a.sub_areas if (a.id, s.id) in keyed]
        if not present:
            continue
        head = {c: None for c in cols}
        head.update(ref=str(a.id), name=a.name, level="area")
        rows.append(head)
        for s in present:
            rows.append(_row(keyed[(a.id, s.id)], "sub-area", indent + s.name))
    return pd.DataFrame(rows, columns=cols)


def risk_legend(config: RiskConfig | str | Path) -> str:
    """The legend for the RAG table: what the ratings and the arrows mean.

    Parameters
    ----------
    config : RiskConfig, str or pathlib.Path

    Returns
    -------
    str
        One paragraph of plain text.
    """
    config = _as_config(config)
    return (
        f"Rating (score = harm \u00d7 likelihood \u00d7 organisational position, each scored "
        f"{config.scale_min} to {config.scale_max}): Red = {config.red_from:g} or more; "
        f"Amber = {config.amber_from:g} to under {config.red_from:g}; Green = under {config.amber_from:g}. "
        f"Against {config.baseline_label}: {ARROWS['increased']} risk increased; "
        f"{ARROWS['same']} risk the same (score within {config.same_within:g} points); "
        f"{ARROWS['reduced']} risk reduced."
    )


def style_risk_table(table: pd.DataFrame, config: RiskConfig | str | Path, *, caption: str | None = None):
    """The RAG table as a pandas Styler: colour, the rating as a word, the arrow and its meaning.

    Colour is never the only signal: each rating cell says Red, Amber or Green, each
    direction cell carries the arrow and the word (increased, the same, reduced), and the
    caption is the legend. Text colours come from ``rag.colours`` in the configuration,
    which :func:`load_config` checks for a contrast of at least 4.5:1.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`risk_table`.
    config : RiskConfig, str or pathlib.Path
    caption : str, optional
        Put before the legend (e.g. the title of the assessment).

    Returns
    -------
    pandas.io.formats.style.Styler
        Render with ``.to_html()`` or display it in a notebook.
    """
    config = _as_config(config)
    words = {"increased": "increased", "same": "the same", "reduced": "reduced"}
    heading = table["level"].eq("area") & table["rag"].isna()
    display = pd.DataFrame(
        {
            "Ref": table["ref"].astype(str),
            "Area or sub-area": table["name"],
            "Rating": table["rag"].fillna(""),
            "Against baseline": [f"{a} {words[d]}" if isinstance(d, str) else "" for a, d in zip(table["arrow"], table["direction"])],
            "Score": [f"{s:g}" if pd.notna(s) else "" for s in table["risk_score"]],
            "Baseline score": [f"{s:g}" if pd.notna(s) else "" for s in table["baseline_score"]],
            "Baseline rating": table["baseline_rag"].fillna(""),
        }
    )
    if "assessor_note" in table.columns:
        display["Evidence"] = table["assessor_note"].fillna("")
    heading = heading.to_numpy()

    def _cell(value: str) -> str:
        c = config.colours.get(value)
        return f"background-color: {c['background']}; color: {c['text']}; font-weight: bold; text-align: center" if c else ""

    def _rows(frame: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for pos, is_head in enumerate(heading):
            if is_head:
                css.iloc[pos, :] = "font-weight: bold; background-color: #f3f2f1; color: #0b0c0c"
        return css

    legend = risk_legend(config)
    styler = (
        display.style.format(escape="html")
        .set_uuid("risk")  # stable ids, so the same register gives the same HTML
        .apply(_rows, axis=None)
        .map(_cell, subset=["Rating", "Baseline rating"])
        .hide(axis="index")
        .set_caption(f"{caption}. {legend}" if caption else legend)
        .set_table_styles(
            [
                {"selector": "", "props": "border-collapse: collapse; font-family: Arial, sans-serif; font-size: 0.9em"},
                {"selector": "caption", "props": "caption-side: bottom; text-align: left; padding-top: 0.5em; color: #0b0c0c"},
                {"selector": "th", "props": "text-align: left; border-bottom: 2px solid #0b0c0c; padding: 4px 8px"},
                {"selector": "td", "props": "padding: 4px 8px; border-bottom: 1px solid #b1b4b6"},
            ]
        )
    )
    return styler


def risk_table_html(table: pd.DataFrame, config: RiskConfig | str | Path, *, caption: str | None = None) -> str:
    """The styled RAG table as an HTML fragment (see :func:`style_risk_table`).

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`risk_table`.
    config : RiskConfig, str or pathlib.Path
    caption : str, optional

    Returns
    -------
    str
    """
    return style_risk_table(table, config, caption=caption).to_html()
