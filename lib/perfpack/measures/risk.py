"""Strategic risk assessment (FMS): the risk register, its scores, RAG ratings and arrows.

Analysts keep the assessment as a file in the repository, the profile's ``risk_register.csv`` (``profiles/<force>/``): one
row per rated area or sub-area, with current and baseline scores on a MoRiLE-style scale
(harm, likelihood, and the force's organisational position: capacity and capability gaps),
the dates of the two assessments and a sentence of evidence. The scoring model, the RAG
thresholds, the tolerance for "the same" and the list of areas live in the profile's ``risk.yaml``.

The steps are small and separately testable:

``load_config``      read and check the profile's ``risk.yaml``
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
    """the profile's ``risk.yaml`` is missing, unreadable or inconsistent."""


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
    """The scoring model, thresholds and areas read from the profile's ``risk.yaml``."""

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
    path: str = "profiles/demo/risk.yaml"

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


def load_config(path: str | Path = "profiles/demo/risk.yaml") -> RiskConfig:
    """Read and check the risk scoring model.

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file (the profile's ``risk.yaml``).

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
        raise RiskConfigError(f"{path}: risk configuration not found. Pass the path of the profile's risk.yaml (profiles/<force>/risk.yaml).")
    try:
        raw = config_checks.load_yaml(path, config_checks.read_text(path))
    except ValueError as exc:  # not UTF-8, not YAML, a setting twice: the line to fix
        raise RiskConfigError(str(exc)) from None

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
                raise RiskConfigError(f"{path}: sub-area {sid!r} of area {aid}: ids must be the area id and one letter (e.g. {aid}a) and unique.")
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


def as_config(config: RiskConfig | str | Path) -> RiskConfig:
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
    path: str | Path = "profiles/demo/risk_register.csv",
    config_path: str | Path | RiskConfig = "profiles/demo/risk.yaml",
    *,
    require_complete: bool = True,
) -> pd.DataFrame:
    """Read and validate the risk register.

    Parameters
    ----------
    path : str or pathlib.Path
        The register, a CSV with the columns in ``REGISTER_COLUMNS`` (others are kept).
    config_path : str, pathlib.Path or RiskConfig
        the profile's ``risk.yaml``, or a configuration already loaded.
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
    config = as_config(config_path)
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
        raise RiskRegisterError(
            path,
            [
                f"column{'s' if len(missing_cols) > 1 else ''} {', '.join(repr(c) for c in missing_cols)} missing from the header. Add {'them' if len(missing_cols) > 1 else 'it'} (see REGISTER_COLUMNS in perfpack.measures.risk)."
            ],
        )

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
                f"{where}, column 'area_id': unknown area {area_txt!r}. Use one of the area ids in {config.path} ({known}), or add the area there first."
            )
            row_ok = False
        else:
            if _norm(cells["area"]) != _norm(area.name):
                problems.append(
                    f"{where}, column 'area': {cells['area']!r} is not the name of area {area.id} ({area.name!r}). Correct the name or the area_id."
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
                    f"{where}, column 'sub_area_id': area {area.id} {area.name} has no sub-areas in {config.path}; leave sub_area_id and sub_area empty."
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
        The loaded configuration or the path of the profile's ``risk.yaml``.

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
    config = as_config(config)
    need = [*SCORE_COLUMNS, *BASELINE_COLUMNS]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"score(): column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing. Pass the register from load_register().")
    out = df.copy()
    num = out[need].apply(pd.to_numeric, errors="coerce")
    bad = num.isna().any(axis=1)
    if bad.any():
        first = bad[bad].index[0]
        raise ValueError(
            f"score(): row {first} has a missing or non-numeric score ({num.loc[first].to_dict()}). Validate the register with load_register() first."
        )

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


def load_assessment(config_dir: str | Path) -> tuple[RiskConfig, pd.DataFrame]:
    """The scoring model and the scored register from the configuration folder.

    Parameters
    ----------
    config_dir : str or pathlib.Path
        The folder holding ``pack.yaml``, ``risk.yaml`` and ``risk_register.csv``
        (``Path(config_path).parent``).

    Returns
    -------
    tuple of (RiskConfig, pandas.DataFrame)
        The configuration and ``score(load_register(...))``: one row per rated area
        or sub-area in FMS order, with ``rag``, ``direction``, ``arrow`` and the scores.

    Raises
    ------
    RiskConfigError, RiskRegisterError
        When either file is missing or fails its checks (the message names file, line and column).
    """
    config_dir = Path(config_dir)
    config = load_config(config_dir / "risk.yaml")
    register = load_register(config_dir / "risk_register.csv", config)
    return config, score(register, config)
