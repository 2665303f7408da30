"""Coverage on real files: the City of London's 36 months of data.police.uk street files, and
copies of them with one month removed in the middle, at the start and at the end of the
windows a pack compares; the Home Office table for a partial financial year; a force's own
extract with a month missing.

Every count is checked against an independent recount of the files with the csv module; every
window the data do not cover in full must read "incomplete coverage", never a fall or a rise
computed from a month that is not there."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from capture import Capture
from conftest import SHARED_DATA, needs_shared
from perfpack.pages import all_crime, asb_and_covid, blocks
from perfpack.periods import Window
from perfpack.profiles import derived_config
from perfpack.sources import load_dataset
from perfpack.sources.homeoffice import load_homeoffice
from perfpack.sources.policeuk import load_policeuk

CITY = SHARED_DATA / "policeuk" / "city-of-london"
HO = SHARED_DATA / "homeoffice" / "prc-pfa-mar2013-onwards-tables201718.csv"
city = needs_shared(CITY)
ho = needs_shared(HO)
ASB = "Anti-social behaviour"
CURRENT = ("2019-10", "2020-09")  # 2020-Q3: October 2019 to September 2020
PREVIOUS = ("2018-10", "2019-09")


def recount(folder: Path) -> dict:
    """Rows per month of the street files in ``folder`` (csv module, the file's own Month):
    crimes and ASB apart, and per district as the LSOA name gives it."""
    out = {"crime": Counter(), "asb": Counter(), "district": Counter(), "no_location": 0, "rows": 0}
    for path in sorted(folder.glob("*/*-street.csv")):
        with open(path, newline="", encoding="utf-8-sig") as f:
            for r in csv.DictReader(f):
                out["rows"] += 1
                out["asb" if r["Crime type"] == ASB else "crime"][r["Month"]] += 1
                name = r["LSOA name"].strip()
                if name:
                    out["district"][re.sub(r"\s+\d{3}[A-Z]$", "", name)] += 1
                else:
                    out["no_location"] += 1
    return out


def between(counter: Counter, first: str, last: str) -> int:
    return sum(n for m, n in counter.items() if first <= m <= last)


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """The real folder and three copies, each without one month's file: March 2020 (in the
    middle of the latest 12 months of 2020-Q3), October 2018 (the first month of the 12 before)
    and September 2020 (the last month of the latest 12)."""
    if not CITY.exists():
        pytest.skip(f"{CITY} is not here: the real public data live in ../shared/data")
    root = tmp_path_factory.mktemp("city")
    out = {"full": CITY}
    for name, month in (("middle", "2020-03"), ("start", "2018-10"), ("end", "2020-09")):
        shutil.copytree(CITY, root / name)
        shutil.rmtree(root / name / month)
        out[name] = root / name
    return out


def section(ds, period="2020-Q3", sid="01-all-crime") -> Capture:
    return Capture(sid, period=period, data_dir="", source="policeuk", force="city-of-london", data=ds)


def load(folder):
    return load_policeuk(folder, "city-of-london", derived_config("city-of-london"))


@city
def test_the_city_is_one_area_and_its_neighbours_one_row_outside_it(copies):
    hand = recount(CITY)
    assert hand["rows"] == 24750 and len(list(CITY.glob("*/*-street.csv"))) == 36
    ds = load(CITY)
    assert ds.npas == ["City of London"]
    npa = Counter(ds.tables["crimes"]["npa"]) + Counter(ds.tables["incidents"]["npa"])
    outside = sum(n for d, n in hand["district"].items() if d != "City of London")
    assert npa == Counter({"City of London": hand["district"]["City of London"], "Outside the force area": outside, "No location": hand["no_location"]})
    assert outside == 1346 and hand["no_location"] == 1807
    # a flat 1% of the rows would have made Tower Hamlets (2.6%) and Islington (1.6%) areas of the force
    assert hand["district"]["Tower Hamlets"] / hand["rows"] > 0.01 and hand["district"]["Islington"] / hand["rows"] > 0.01
    s = section(ds)
    rows = all_crime.by_area(s).to_dict("records")
    assert [r["area"] for r in rows] == ["Force", "City of London", "Outside the force area", "No location"]
    assert [r["significance"] for r in rows[2:]] == ["not tested (not an area)"] * 2
    assert ds.gaps() == {}


@city
def test_the_full_files_compare_and_every_count_matches_the_recount(copies):
    hand = recount(CITY)
    s = section(load(CITY))
    force = all_crime.by_area(s).to_dict("records")[0]
    assert force["current"] == between(hand["crime"], *CURRENT) and force["previous"] == between(hand["crime"], *PREVIOUS)
    assert force["significance"] in ("significant increase", "significant decrease", "no significant change") and force["pct_change"] is not None
    assert not force["coverage"]


@city
@pytest.mark.parametrize(
    "copy, missing, which",
    [("middle", "March 2020", "Oct 2019 – Sep 2020"), ("start", "October 2018", "Oct 2018 – Sep 2019"), ("end", "September 2020", "Oct 2019 – Sep 2020")],
)
def test_a_month_removed_is_incomplete_coverage_never_a_fall_or_a_rise(copies, copy, missing, which):
    folder = copies[copy]
    hand = recount(folder)
    ds = load(folder)
    s = section(ds)
    rows = all_crime.by_area(s).to_dict("records")
    for r in rows:
        assert r["significance"] == "incomplete coverage", r
        assert r["change"] is None and r["pct_change"] is None and r["p_value"] is None
        assert r["coverage"] == f"{which}: data cover 11 of 12 months (no data for {missing})"
    force = rows[0]
    # the counts are what the files hold (an independent recount), not padded or zeroed
    assert force["current"] == between(hand["crime"], *CURRENT) and force["previous"] == between(hand["crime"], *PREVIOUS)
    sentence = s.sentence(force)
    assert "not compared" in sentence and missing in sentence
    assert not re.search(r"\b(rose|fell)\b|significant", sentence)
    # crime types and ASB: the same
    assert {r["significance"] for r in all_crime.policeuk_type_rows(s)} == {"incomplete coverage"}
    asb = section(ds, sid="06-asb-and-covid")
    asb_rows = asb_and_covid.counts(asb).to_dict("records")
    assert asb_rows[0]["key"] == "asb_incidents" and asb_rows[0]["significance"] == "incomplete coverage"
    assert asb_rows[0]["current"] == between(hand["asb"], *CURRENT)
    # the month table: the missing month is a dash, never a zero, and there is no total for its column
    all_crime.month_by_month(s)
    month = re.sub(r"\s\d{4}$", "", missing)[:3]
    cells = re.findall(rf"<tr><td[^>]*>{month}</td>(.*?)</tr>", s.page)
    assert cells, f"no {month} row in the month table"
    values = re.findall(r">([^<]*)</td>", cells[-1])
    assert "–" in values and "0" not in values
    total = re.findall(r"<tr><td[^>]*><b>Total</b></td>(.*?)</tr>", s.page)[-1]
    assert "<b>–</b>" in total
    # the data-quality notes name the month
    assert any("No file for 1 month" in n for n in ds.notes) or copy != "middle"


@city
def test_data_ending_before_the_period_end_is_incomplete(copies):
    """The files end in November 2020: 2020-Q4's latest 12 months lack December."""
    hand = recount(CITY)
    s = section(load(CITY), period="2020-Q4")
    force = all_crime.by_area(s).to_dict("records")[0]
    assert force["significance"] == "incomplete coverage" and force["coverage"] == "2020: data cover 11 of 12 months (no data for December 2020)"
    assert force["current"] == between(hand["crime"], "2020-01", "2020-12") and force["previous"] == between(hand["crime"], "2019-01", "2019-12")


@city
def test_covid_periods_count_whole_months_and_say_which(copies):
    hand = recount(CITY)
    s = section(load(CITY), period="2020-Q4")
    rows = [r for r in all_crime.covid_periods(s).to_dict("records") if r["key"] == "all_crime"]
    first = next(r for r in rows if r["covid_period"] == "first_lockdown")
    assert (first["window"], first["previous_window"]) == ("2020-03-01..2020-06-30", "2019-03-01..2019-06-30")
    assert first["current"] == between(hand["crime"], "2020-03", "2020-06") and first["previous"] == between(hand["crime"], "2019-03", "2019-06")
    assert "Period one: first national lockdown (16 Mar 2020 – 3 Jul 2020): March–June 2020 against March–June 2019" in s.page
    # the overall Covid-19 period runs to December 2020, which the files do not hold
    overall = next(r for r in rows if r["covid_period"] == "overall")
    assert overall["significance"] == "incomplete coverage" and "no data for December 2020" in overall["coverage"]
    # a period the data never reach is left out, not shown as zero
    later = section(load(CITY), period="2021-Q1")
    rows = all_crime.covid_periods(later).to_dict("records")
    assert "third_lockdown" not in {r.get("covid_period") for r in rows}
    assert "Left out, because the data do not reach them: Period four: third national lockdown" in later.page
    assert not re.search(r"(?<![\d,])0 against", later.page) and "-100.0%" not in later.page


@city
def test_a_chart_leaves_a_gap_for_a_missing_month(copies):
    s = section(load(copies["middle"]))
    blocks.monthly_comparison(s, "all crime", s.data.tables["crimes"], "recorded_date")
    alt = re.search(r'alt="([^"]*)"', s.page).group(1)
    assert "The data cover 11 of the 12 months of Oct 2019 – Sep 2020" in alt and "left blank" in alt


# ---- the Home Office table: a partial financial year ----------------------------------------------


def ho_recount(quarters: tuple[str, ...], force: str = "Staffordshire") -> int:
    """All crime for the force in the financial-year quarters given, from the CSV and the
    classification lookup's in_all_crime (read as plain files)."""
    lookup = pd.read_csv(Path(__file__).resolve().parents[2] / "lib" / "perfpack" / "data" / "offence_classification.csv", dtype=str, keep_default_na=False)
    in_all = {c.strip().upper() for c, flag in zip(lookup["offence_code"], lookup["in_all_crime"]) if flag.strip().lower() == "true"}
    total = 0
    with open(HO, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            r = {k.strip(): (v or "").strip() for k, v in r.items()}
            if r["Force Name"] == force and r["Financial Quarter"] in quarters and r["Offence Code"].upper() in in_all:
                total += int(r["Number of Offences"].replace(",", ""))
    return total


@ho
def test_a_partial_financial_year_is_not_a_calendar_year(config):
    ds = load_homeoffice(HO, "Staffordshire", config)
    s = Capture("01-all-crime", period="2017-Q4", data_dir="", source="homeoffice", force="Staffordshire", data=ds)
    force = all_crime.by_area(s).to_dict("records")[0]
    assert force["significance"] == "incomplete coverage"
    assert force["coverage"] == "2017: data cover 9 of 12 months (no data for January–March 2017); 2016: no data for this period"
    assert force["current"] == ho_recount(("1", "2", "3")) and force["previous"] is None  # April-December 2017 only
    assert "not compared" in s.sentence(force) and "in 2017" in s.sentence(force)
    # the whole financial year is covered: counted, and no comparison for want of 2016/17
    whole = Capture("01-all-crime", period="2018-Q1", data_dir="", source="homeoffice", force="Staffordshire", data=ds)
    row = all_crime.by_area(whole).to_dict("records")[0]
    assert row["significance"] == "no data for the comparison period" and row["current"] == ho_recount(("1", "2", "3", "4"))


# ---- a force's own extract with a month missing --------------------------------------------------


def test_a_month_missing_from_an_extract_is_a_gap_reported_with_month_and_table(tmp_path, config):
    from conftest import write_tiny

    folder = write_tiny(tmp_path / "extract")
    lines = ["crime_id,recorded_date,offence_code,npa,domestic,victim_id"]
    n = 0
    for day in pd.date_range("2019-01-01", "2020-12-31", freq="D"):
        if (day.year, day.month) == (2020, 10):
            continue  # the month the extract lost
        for k in range(12):
            n += 1
            lines.append(f"C{n},{day:%Y-%m-%d},{'28E' if k % 3 else '8N'},{config.npas[k % len(config.npas)]},false,")
    (folder / "crimes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = load_dataset(folder, "canonical", "", config, today=date(2021, 6, 1))
    assert ds.gaps() == {"crimes": ["2020-10"]}
    assert any(note.startswith("crimes: no records in October 2020") for note in ds.notes)
    assert ds.facts["crimes"]["gaps"] == ["2020-10"]
    # the tiny FPN table's single record is not a gap, nor are its quiet months
    assert "fpns" not in ds.gaps()
    s = Capture("01-all-crime", period="2020-Q4", data_dir="", data=ds)
    force = all_crime.by_area(s).to_dict("records")[0]
    assert force["significance"] == "incomplete coverage" and force["coverage"] == "2020: data cover 11 of 12 months (no data for October 2020)"
    assert force["current"] == 12 * (366 - 31) and force["previous"] == 12 * 365
    assert Window(date(2020, 1, 1), date(2020, 12, 31)).id == force["window"]
