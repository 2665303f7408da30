"""A force with no profile, end to end: ``perfpack run --period 2025-Q2 --source policeuk
--force west-mercia --data DIR`` on a synthetic police.uk folder made here (three years of
street files in the site's archive layout: the force's nine districts, rows over the border in
Birmingham and Powys, rows without a location, one district written two ways).

The pack runs on a profile derived from the data: the districts holding the force's rows are
its areas, the rest one row outside the force area; no commentary and no risk register appear;
every count equals a recount of the files."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from perfpack.sources.policeuk import STREET_COLUMNS

pytestmark = [pytest.mark.e2e]

DISTRICTS = {  # district -> (rows a month, LSOAs)
    "Herefordshire, County of": (160, 40),
    "Shropshire": (260, 60),
    "Telford and Wrekin": (190, 40),
    "Worcester": (140, 30),
    "Wychavon": (100, 35),
    "Wyre Forest": (110, 30),
    "Malvern Hills": (60, 20),
    "Bromsgrove": (70, 25),
    "Redditch": (90, 25),
}
NEIGHBOURS = {"Birmingham": 2, "Powys": 1}
TYPES = [
    "Anti-social behaviour",
    "Violence and sexual offences",
    "Shoplifting",
    "Criminal damage and arson",
    "Vehicle crime",
    "Burglary",
    "Other theft",
    "Public order",
]
MONTHS = [f"{y}-{m:02d}" for y in range(2022, 2026) for m in range(1, 13) if "2022-07" <= f"{y}-{m:02d}" <= "2025-06"]


@pytest.fixture(scope="module")
def west_mercia(tmp_path_factory):
    root = tmp_path_factory.mktemp("west-mercia")
    data = root / "policeuk"
    rng = np.random.default_rng(13)
    n = 0
    for month in MONTHS:
        rows = []
        season = 1.0 + 0.15 * np.cos(2 * np.pi * (int(month[5:]) - 7) / 12)
        for district, (per_month, lsoas) in {**DISTRICTS, **{d: (k, 3) for d, k in NEIGHBOURS.items()}}.items():
            for _ in range(rng.poisson(per_month * season)):
                n += 1
                ctype = TYPES[rng.integers(len(TYPES))]
                name = district if district != "Telford and Wrekin" or rng.random() < 0.8 else "Telford & Wrekin"
                lsoa = f"{name} {rng.integers(1, lsoas + 1):03d}{'ABCD'[rng.integers(4)]}"
                cid = "" if ctype == "Anti-social behaviour" else f"{n:064x}"
                rows.append(
                    [
                        cid,
                        month,
                        "West Mercia Police",
                        "West Mercia Police",
                        "-2.7",
                        "52.2",
                        "On or near High Street",
                        f"E0{n % 99999:05d}",
                        lsoa,
                        ctype,
                        "" if not cid else "Under investigation",
                        "",
                    ]
                )
        for _ in range(rng.poisson(80)):
            n += 1
            rows.append(
                [f"{n:064x}", month, "West Mercia Police", "West Mercia Police", "", "", "No Location", "", "", "Other crime", "Under investigation", ""]
            )
        path = data / month / f"{month}-west-mercia-street.csv"
        path.parent.mkdir(parents=True)
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(STREET_COLUMNS)
            w.writerows(rows)
    out = root / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "perfpack.cli",
            "run",
            "--period",
            "2025-Q2",
            "--source",
            "policeuk",
            "--force",
            "west-mercia",
            "--data",
            str(data),
            "--out",
            str(out),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    return {"data": data, "proc": proc, "out": out / "2025-Q2"}


def recount(data, first: str, last: str) -> Counter:
    """Crime rows (ASB apart) per area, by hand: the nine districts (Telford in either form),
    the rest outside the force area, rows without an LSOA no location."""
    out = Counter()
    for path in sorted(data.glob("*/*-street.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if not first <= r["Month"] <= last or r["Crime type"] == "Anti-social behaviour":
                    continue
                name = r["LSOA name"].rsplit(" ", 1)[0].replace("Telford & Wrekin", "Telford and Wrekin") if r["LSOA name"] else ""
                area = "No location" if not name else name if name in DISTRICTS else "Outside the force area"
                out[area] += 1
                out["Force"] += 1
    return out


def test_the_pack_runs_for_a_force_with_no_profile(west_mercia):
    proc = west_mercia["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    m = json.loads((west_mercia["out"] / "manifest.json").read_text(encoding="utf-8"))
    assert all(s["status"] == "ok" for s in m["sections"]), [(s["id"], s["error"]) for s in m["sections"] if s["status"] != "ok"]
    assert m["profile"]["derived"] is True and m["profile"]["name"] == "derived: west-mercia" and m["profile"]["files"][0]["path"] == "pack.yaml"
    assert m["force"] == "West Mercia Police"


def test_its_areas_are_its_districts_and_counts_match_a_recount(west_mercia):
    f = pd.read_csv(west_mercia["out"] / "figures.csv", dtype=str, keep_default_na=False)
    rows = f[(f["key"] == "all_crime") & (f["window"] == "2024-07-01..2025-06-30")]
    cur, prev = recount(west_mercia["data"], "2024-07", "2025-06"), recount(west_mercia["data"], "2023-07", "2024-06")
    by_area = {r["area"]: r for r in rows.to_dict("records")}
    assert list(by_area)[-2:] == ["Outside the force area", "No location"]
    assert set(by_area) == {"Force", "Outside the force area", "No location", *DISTRICTS}
    for area, r in by_area.items():
        if r["suppressed"] == "True":
            continue
        assert (int(r["current"]), int(r["previous"])) == (cur[area], prev[area]), area
    assert by_area["Force"]["significance"] in ("significant increase", "significant decrease", "no significant change")
    assert by_area["Outside the force area"]["significance"] == by_area["No location"]["significance"] == "not tested (not an area)"


def test_no_commentary_and_no_risk_register_but_the_forecasts(west_mercia):
    pages = {p.name: p.read_text(encoding="utf-8") for p in west_mercia["out"].glob("*.html")}
    assert not any('<aside class="pp-commentary"' in text for text in pages.values())
    risk = pages["08-strategic-risk.html"]
    assert "this force has no profile, so there is no risk register to show" in risk
    assert "Finance" not in risk and "Wellbeing" not in risk  # the demo force's ratings
    assert "Recorded crime" in risk and "forecast" in risk.lower()
    assert "Staffordshire" not in "".join(pages.values())
