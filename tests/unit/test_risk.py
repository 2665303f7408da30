"""The strategic risk register: validation, scoring, RAG thresholds, direction and layout."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from perfpack.measures.risk import (
    ARROWS,
    MIN_CONTRAST,
    RiskConfigError,
    RiskRegisterError,
    contrast_ratio,
    load_config,
    load_register,
    score,
)
from perfpack.present.risk_tables import risk_legend, risk_table, risk_table_html

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "profiles" / "demo" / "risk.yaml"
REGISTER = ROOT / "profiles" / "demo" / "risk_register.csv"


@pytest.fixture(scope="module")
def cfg():
    return load_config(CONFIG)


@pytest.fixture
def raw() -> pd.DataFrame:
    """The shipped register as text, to be broken one cell at a time."""
    return pd.read_csv(REGISTER, dtype=str, keep_default_na=False)


def _write(df: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "risk_register.csv"
    df.to_csv(path, index=False)
    return path


def _line_of(raw: pd.DataFrame, ref: str) -> int:
    """The file line of a register row (line 1 is the header)."""
    hit = raw.index[(raw["sub_area_id"] == ref) | ((raw["sub_area_id"] == "") & (raw["area_id"] == ref))]
    return int(hit[0]) + 2


def _load_broken(raw: pd.DataFrame, tmp_path: Path, cfg) -> RiskRegisterError:
    with pytest.raises(RiskRegisterError) as info:
        load_register(_write(raw, tmp_path), cfg)
    return info.value


# ------------------------------------------------------------------ shipped files


def test_shipped_register_loads_and_covers_every_area_and_sub_area(cfg):
    reg = load_register(REGISTER, CONFIG)
    units = cfg.units()
    assert len(cfg.areas) == 12
    assert [a.id for a in cfg.areas] == list(range(1, 13))
    assert sum(len(a.sub_areas) for a in cfg.areas) == 33
    assert list(zip(reg["area_id"], reg["sub_area_id"])) == list(zip(units["area_id"], units["sub_area_id"]))
    assert reg["assessor_note"].str.len().min() > 40
    assert (reg["baseline_on"] < reg["assessed_on"]).all()


def test_shipped_register_has_plausible_spread(cfg):
    scored = score(load_register(REGISTER, cfg), cfg)
    assert set(scored["rag"]) == {"Red", "Amber", "Green"}
    assert set(scored["direction"]) == {"increased", "same", "reduced"}
    assert scored.set_index("ref").loc["6a", "rag"] == "Red"


def test_config_colours_have_readable_contrast(cfg):
    for level, c in cfg.colours.items():
        assert contrast_ratio(c["text"], c["background"]) >= MIN_CONTRAST, level
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)


# ------------------------------------------------------------------ validation


def test_unknown_area_names_the_line_and_column(raw, tmp_path, cfg):
    line = _line_of(raw, "2")
    raw.loc[raw["area_id"] == "2", ["area_id", "area"]] = ["13", "Cyber"]
    err = _load_broken(raw, tmp_path, cfg)
    msg = str(err)
    assert "risk_register.csv" in msg
    assert f"line {line} (area 13 Cyber)" in msg
    assert "'area_id': unknown area '13'" in msg
    assert "risk.yaml" in msg  # where the areas are listed: what to do


def test_unknown_sub_area(raw, tmp_path, cfg):
    raw.loc[raw["sub_area_id"] == "5g", "sub_area_id"] = "5h"
    err = _load_broken(raw, tmp_path, cfg)
    assert "unknown sub-area '5h' of area 5" in str(err)


def test_area_name_must_match_config(raw, tmp_path, cfg):
    raw.loc[raw["area_id"] == "1", "area"] = "Finances"
    err = _load_broken(raw, tmp_path, cfg)
    assert "'Finances' is not the name of area 1 ('Finance')" in str(err)


@pytest.mark.parametrize(
    "value, words", [("6", "outside the scale 1 to 5"), ("0", "outside the scale 1 to 5"), ("3.5", "not a whole number"), ("high", "not a whole number")]
)
def test_score_out_of_range_names_row_and_column(raw, tmp_path, cfg, value, words):
    line = _line_of(raw, "5c")
    raw.loc[raw["sub_area_id"] == "5c", "likelihood"] = value
    err = _load_broken(raw, tmp_path, cfg)
    assert len(err.problems) == 1
    assert f"line {line} (sub-area 5c Investigations - Intelligence), column 'likelihood'" in err.problems[0]
    assert words in err.problems[0]
    assert "whole number from 1 to 5" in err.problems[0]


def test_missing_baseline_names_row_and_column(raw, tmp_path, cfg):
    line = _line_of(raw, "6e")
    raw.loc[raw["sub_area_id"] == "6e", "baseline_capability"] = ""
    err = _load_broken(raw, tmp_path, cfg)
    assert len(err.problems) == 1
    p = err.problems[0]
    assert f"line {line} (sub-area 6e PVP - RASSO), column 'baseline_capability': missing baseline score" in p
    assert "pre-Covid-19" in p


def test_every_problem_is_reported_at_once(raw, tmp_path, cfg):
    raw.loc[raw["area_id"] == "7", "harm"] = "9"
    raw.loc[raw["area_id"] == "8", "baseline_harm"] = ""
    err = _load_broken(raw, tmp_path, cfg)
    assert len(err.problems) == 2
    assert str(err).startswith(f"{tmp_path / 'risk_register.csv'}: 2 problems in the risk register.")


def test_missing_and_duplicate_rows(raw, tmp_path, cfg):
    missing = raw[raw["sub_area_id"] != "9c"]
    err = _load_broken(missing, tmp_path, cfg)
    assert "no row for 1 area or sub-area" in str(err) and "9c Responding to Major Events - Terrorism" in str(err)
    # An incomplete register can still be loaded on purpose.
    assert len(load_register(_write(missing, tmp_path), cfg, require_complete=False)) == len(raw) - 1

    doubled = pd.concat([raw, raw[raw["area_id"] == "12"]], ignore_index=True)
    err = _load_broken(doubled, tmp_path, cfg)
    assert f"duplicate of line {_line_of(raw, '12')}" in str(err)


def test_area_with_sub_areas_needs_a_sub_area(raw, tmp_path, cfg):
    raw.loc[raw["sub_area_id"] == "3a", ["sub_area_id", "sub_area"]] = ["", ""]
    err = _load_broken(raw, tmp_path, cfg)
    assert "rated through its sub-areas (3a, 3b)" in str(err)


def test_dates_and_notes(raw, tmp_path, cfg):
    raw.loc[raw["area_id"] == "1", "baseline_on"] = "2021-01-01"
    raw.loc[raw["area_id"] == "2", "assessed_on"] = "30/10/2020"
    raw.loc[raw["area_id"] == "4", "assessor_note"] = ""
    msg = str(_load_broken(raw, tmp_path, cfg))
    assert "baseline (2021-01-01) is after the current assessment" in msg
    assert "'30/10/2020' is not a date. Write the date of the assessment as YYYY-MM-DD" in msg
    assert "'assessor_note': empty" in msg


def test_missing_file_and_columns(raw, tmp_path, cfg):
    with pytest.raises(RiskRegisterError, match="file not found"):
        load_register(tmp_path / "nope.csv", cfg)
    err = _load_broken(raw.drop(columns=["baseline_likelihood"]), tmp_path, cfg)
    assert "'baseline_likelihood' missing from the header" in str(err)


def test_config_rejects_low_contrast_and_bad_thresholds(tmp_path):
    text = CONFIG.read_text(encoding="utf-8")
    bad = tmp_path / "risk.yaml"
    bad.write_text(text.replace('Amber: {background: "#ffbf47", text: "#0b0c0c"}', 'Amber: {background: "#ffbf47", text: "#ffffff"}'), encoding="utf-8")
    with pytest.raises(RiskConfigError, match="rag.colours.Amber.*contrast"):
        load_config(bad)
    bad.write_text(text.replace("amber_from: 24", "amber_from: 60"), encoding="utf-8")
    with pytest.raises(RiskConfigError, match="amber_from"):
        load_config(bad)


# ------------------------------------------------------------------ scoring


def _rows(*specs) -> pd.DataFrame:
    """Hand-made rows: (harm, likelihood, capacity, capability, baseline h, l, cap, capab)."""
    cols = ["harm", "likelihood", "capacity", "capability", "baseline_harm", "baseline_likelihood", "baseline_capacity", "baseline_capability"]
    return pd.DataFrame(list(specs), columns=cols)


def test_score_formula_and_rag_boundaries(cfg):
    assert (cfg.red_from, cfg.amber_from) == (48, 24)
    rows = _rows(
        (4, 4, 3, 3, 1, 1, 1, 1),  # 48: Red at the boundary
        (5, 3, 3, 3, 1, 1, 1, 1),  # 45: Amber
        (4, 3, 2, 2, 1, 1, 1, 1),  # 24: Amber at the boundary
        (3, 3, 3, 2, 1, 1, 1, 1),  # 22.5: Green, just below
        (1, 1, 1, 1, 1, 1, 1, 1),  # 1: the minimum
        (5, 5, 5, 5, 1, 1, 1, 1),  # 125: the maximum
    )
    out = score(rows, cfg)
    assert out["position"].tolist() == [3.0, 3.0, 2.0, 2.5, 1.0, 5.0]
    assert out["risk_score"].tolist() == [48.0, 45.0, 24.0, 22.5, 1.0, 125.0]
    assert out["rag"].tolist() == ["Red", "Amber", "Amber", "Green", "Green", "Red"]
    assert out["baseline_score"].tolist() == [1.0] * 6
    assert out["baseline_rag"].tolist() == ["Green"] * 6


def test_thresholds_and_weights_come_from_config(cfg):
    rows = _rows((5, 3, 3, 3, 3, 3, 3, 2), (4, 4, 4, 1, 4, 4, 1, 4))
    moved = dataclasses.replace(cfg, red_from=45, amber_from=22.5)
    out = score(rows, moved)
    assert out["rag"].tolist() == ["Red", "Amber"]  # 45 and 40
    assert out["baseline_rag"].tolist() == ["Amber", "Amber"]  # 22.5 and 40
    capacity_only = dataclasses.replace(cfg, capacity_weight=1.0, capability_weight=0.0)
    assert score(rows, capacity_only)["risk_score"].tolist() == [45.0, 64.0]


@pytest.mark.parametrize(
    "current, baseline, direction",
    [
        ((3, 1, 3, 3), (3, 1, 3, 3), "same"),  # 9 vs 9
        ((3, 1, 3, 3), (3, 1, 2, 2), "same"),  # +3: at the tolerance, inclusive
        ((3, 1, 2, 2), (3, 1, 3, 3), "same"),  # -3
        ((3, 1, 3, 4), (3, 1, 2, 2), "increased"),  # +4.5
        ((3, 1, 2, 2), (3, 1, 3, 4), "reduced"),  # -4.5
        ((5, 5, 5, 5), (1, 1, 1, 1), "increased"),
    ],
)
def test_direction_against_baseline(cfg, current, baseline, direction):
    assert cfg.same_within == 3
    out = score(_rows((*current, *baseline)), cfg).iloc[0]
    assert out["direction"] == direction
    assert out["arrow"] == ARROWS[direction]


def test_direction_tolerance_comes_from_config(cfg):
    rows = _rows((3, 1, 3, 3, 3, 1, 2, 2))  # +3
    assert score(rows, dataclasses.replace(cfg, same_within=0))["direction"].iloc[0] == "increased"
    assert score(rows, dataclasses.replace(cfg, same_within=3))["direction"].iloc[0] == "same"
    assert ARROWS == {"increased": "\u25b2", "same": "\u25c6", "reduced": "\u25bc"}


def test_score_refuses_missing_columns(cfg):
    with pytest.raises(ValueError, match="baseline_harm"):
        score(pd.DataFrame({"harm": [1], "likelihood": [1], "capacity": [1], "capability": [1]}), cfg)


# ------------------------------------------------------------------ layout and HTML


def test_table_is_laid_out_like_the_fms(cfg):
    table = risk_table(score(load_register(REGISTER, cfg), cfg), cfg)
    assert len(table) == 39 + 6  # rated rows plus a heading for each area with sub-areas
    assert table["ref"].tolist()[:8] == ["1", "2", "3", "3a", "3b", "4", "5", "5a"]
    head = table[table["ref"] == "3"].iloc[0]
    assert head["level"] == "area" and pd.isna(head["rag"]) and head["name"] == "Responding to the public"
    sub = table[table["ref"] == "3a"].iloc[0]
    assert sub["level"] == "sub-area" and sub["name"] == "\u2003\u2003Responding to the Public - Requests for Service"
    assert table[table["ref"] == "1"].iloc[0]["rag"] in {"Red", "Amber", "Green"}
    assert table["ref"].iloc[-1] == "12"


def test_html_uses_words_arrows_colours_and_a_legend(cfg):
    table = risk_table(score(load_register(REGISTER, cfg), cfg), cfg)
    html = risk_table_html(table, cfg, caption="Strategic risk assessment")
    for word in ("Red", "Amber", "Green", "\u25b2 increased", "\u25c6 the same", "\u25bc reduced"):
        assert word in html
    for c in cfg.colours.values():
        assert c["background"] in html and c["text"] in html
    assert risk_legend(cfg) in html
    assert "Red = 48 or more; Amber = 24 to under 48; Green = under 24" in risk_legend(cfg)
    assert "L &amp; D" in html  # text is escaped
    assert html == risk_table_html(table, cfg, caption="Strategic risk assessment")  # reproducible
