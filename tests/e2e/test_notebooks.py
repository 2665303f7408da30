"""Each section notebook on its own, as an analyst or papermill runs it: executed with papermill on
the demo data (no runner, no kernel server, no other section), then its own figures checked
against known answers with ``pytest.approx``.

The answers are the seed paper's figures (the calibration table of REPORT_SPEC.md, with its
tolerances), published ONS figures (section 09), or a recount made here with pandas from the
input files. ``tests/e2e/test_calibration.py`` checks the same seed figures, and more, in the
pack the runner assembles; this test shows that every notebook stands on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import papermill as pm
import pytest
import yaml

from calibration_targets import FOREWORD_TARGETS, SAC_TARGETS
from conftest import ROOT, SHARED_DATA
from perfpack.stats.figures import read_figures

pytestmark = pytest.mark.e2e

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
YEAR, PREV = "2020-01-01..2020-12-31", "2019-01-01..2019-12-31"
COVID = "2020-03-16..2020-12-31"
FIRST_LOCKDOWN = "2020-03-16..2020-07-03"
FRAUD_13M = "2020-01-01..2021-01-31"
ONS = SHARED_DATA / "ons"


def run_notebook(path: Path, tmp: Path, data: Path, period: str = "2020-Q4", config_path: str = "") -> pd.DataFrame:
    """Execute one notebook with papermill from the repository root; its figures as a table."""
    out = tmp / "out"
    out.mkdir()
    pm.execute_notebook(
        str(path),
        str(out / path.name),
        kernel_name="perfpack",
        cwd=str(ROOT),
        progress_bar=False,
        parameters={"period": period, "data_dir": str(data), "figures_dir": str(out), "config_path": config_path},
    )
    nb = json.loads((out / path.name).read_text(encoding="utf-8"))
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    return read_figures(out / f"{path.stem}.csv")


def one(f: pd.DataFrame, key: str, window: str, area: str = "Force") -> dict:
    sel = f[(f["key"] == key) & (f["window"] == window) & (f["area"] == area)]
    assert len(sel) == 1, f"expected one {key} row for {window} ({area}), found {len(sel)}"
    return sel.iloc[0].to_dict()


def recount_non_domestic_violence(data: Path, window: str) -> int:
    """Crimes in the window whose offence code the shipped classification puts in a violence
    type, not flagged domestic: counted here from the files, without the library."""
    lookup = pd.read_csv(ROOT / "lib" / "perfpack" / "data" / "offence_classification.csv", dtype=str, keep_default_na=False)
    codes = lookup.loc[lookup["violence_type"].str.strip() != "", "offence_code"].str.upper()
    violent = {c.strip() for joined in codes for c in joined.split("/")}  # a row may list several codes
    c = pd.read_csv(data / "crimes.csv", usecols=["recorded_date", "offence_code", "domestic"], dtype=str, keep_default_na=False)
    a, b = window.split("..")
    inside = c["recorded_date"].between(a, b) & c["offence_code"].str.strip().str.upper().isin(violent) & (c["domestic"].str.lower() != "true")
    return int(inside.sum())


def check_01(f, data):
    assert one(f, "all_crime", YEAR)["pct_change"] == pytest.approx(-18, abs=2)
    assert one(f, "all_crime", COVID)["pct_change"] == pytest.approx(-20, abs=2)
    for key, seed, tol in FOREWORD_TARGETS:
        assert one(f, key, COVID)["pct_change"] == pytest.approx(seed, abs=tol), key
    assert one(f, "asb_incidents", COVID)["pct_change"] == pytest.approx(39, abs=4)
    assert one(f, "asb_incidents", FIRST_LOCKDOWN)["pct_change"] == pytest.approx(66, abs=6)
    assert one(f, "calls_total", COVID)["pct_change"] == pytest.approx(-4, abs=2)


def check_02(f, data):
    assert one(f, "domestic_abuse", YEAR)["pct_change"] == pytest.approx(-5, abs=2)
    repeat = one(f, "domestic_abuse_repeat_victims", YEAR)
    assert (repeat["previous"], repeat["current"]) == (pytest.approx(5004, rel=0.03), pytest.approx(4991, rel=0.03))
    share = one(f, "domestic_abuse_repeat_share", YEAR)
    assert (share["previous"], share["current"]) == (pytest.approx(31, abs=2), pytest.approx(33, abs=2))


def check_03(f, data):
    r = one(f, "violence_non_domestic", YEAR)
    assert r["current"] == recount_non_domestic_violence(data, YEAR)
    assert r["previous"] == recount_non_domestic_violence(data, PREV)


def check_04(f, data):
    for key, seed, tol in SAC_TARGETS:
        assert one(f, key, YEAR)["pct_change"] == pytest.approx(seed, abs=tol), key


def check_05(f, data):
    assert one(f, "fraud_reports", FRAUD_13M)["current"] == pytest.approx(6599, rel=0.03)
    assert one(f, "fraud_losses_gbp", FRAUD_13M)["current"] == pytest.approx(15.8e6, rel=0.05)
    assert one(f, "fraud_share_individuals", FRAUD_13M)["current"] == pytest.approx(89, abs=1)


def check_06(f, data):
    """The seed's FPNs: low in April-June 2020, none July-September, rising from November,
    January 2021 the highest month."""
    fpn = f[(f["key"] == "covid_fpns") & (f["area"] == "Force")]
    monthly = {w[:7]: n for w, n in zip(fpn["window"], fpn["current"]) if w[:7] == w[12:19]}
    jan = monthly["2021-01"]
    assert all(0 < monthly[m] < jan / 3 for m in ("2020-04", "2020-05", "2020-06")), monthly
    assert all(monthly[m] == 0 for m in ("2020-07", "2020-08", "2020-09")), monthly
    assert monthly["2020-10"] < monthly["2020-11"] < monthly["2020-12"] < jan == max(monthly.values()), monthly


def check_07(f, data):
    """Every call in 2020 and 2019, by channel and in all, recounted from calls.csv."""
    calls = pd.read_csv(data / "calls.csv", dtype={"channel": str})
    for key, channels in (("calls_total", ("999", "101", "digital")), ("calls_999", ("999",)), ("calls_101", ("101",)), ("calls_digital", ("digital",))):
        r = one(f, key, YEAR)
        sel = calls[calls["channel"].isin(channels)]
        assert r["current"] == sel.loc[sel["date"].between("2020-01-01", "2020-12-31"), "calls"].sum(), key
        assert r["previous"] == sel.loc[sel["date"].between("2019-01-01", "2019-12-31"), "calls"].sum(), key


def check_08(f, data):
    rows = f[f["key"].str.startswith("forecast_")]
    assert {"forecast_incidents_attended", "forecast_calls_999", "forecast_recorded_crime"} <= set(rows["key"])
    scored = rows.dropna(subset=["backtest_mape", "baseline_mape"])
    assert len(scored), "forecast rows carry their back-test"
    # the method used for a series is the one that won its back-test: never worse than seasonal naive
    assert (scored["backtest_mape"].astype(float) <= scored["baseline_mape"].astype(float) + 1e-9).all()


CHECKS = {p.stem: globals()[f"check_{p.stem[:2]}"] for p in NOTEBOOKS if f"check_{p.stem[:2]}" in globals()}


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.stem in CHECKS], ids=lambda p: p.stem)
def test_notebook_runs_on_its_own_and_gives_the_seed_figures(path, tmp_path, demo_dir):
    CHECKS[path.stem](run_notebook(path, tmp_path, demo_dir), demo_dir)


@pytest.mark.skipif(not ONS.is_dir(), reason=f"{ONS} is not here: the ONS workbooks live in ../shared/data beside the repository")
def test_peer_comparison_notebook_places_the_demo_force_at_the_ons_rate(tmp_path, demo_dir):
    """Section 09 for 2018-Q4 with the ONS workbooks: the demo force is the ONS's Staffordshire,
    whose total recorded crime (excluding fraud) in the year to December 2018 was 84,765,
    75.3 per 1,000 (Table P1 and P3 of the published workbook)."""
    path = next(p for p in NOTEBOOKS if p.stem.startswith("09-"))
    config = yaml.safe_load((ROOT / "profiles" / "demo" / "pack.yaml").read_text(encoding="utf-8"))
    config["peers"] = {"dir": str(ONS), "group": []}
    custom = tmp_path / "config"
    custom.mkdir()
    for name in ("risk.yaml", "risk_register.csv"):
        (custom / name).write_bytes((ROOT / "profiles" / "demo" / name).read_bytes())
    (custom / "pack.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    f = run_notebook(path, tmp_path, demo_dir, period="2018-Q4", config_path=str(custom / "pack.yaml"))
    total = f[f["key"].str.startswith("peer_rate_total_recorded_crime")]
    assert len(total) == 1, sorted(f["key"])
    assert float(total.iloc[0]["current"]) == pytest.approx(75.3, abs=0.05)
