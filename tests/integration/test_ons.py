"""The ONS police force area tables reader (perfpack.sources.ons) on the real workbooks.

Known answers from outside the code: the ONS's published totals (total recorded crime
excluding fraud, year ending March 2018: Gwent 48,823, City of London 5,392, Staffordshire
83,987) and the ONS's own rates in Table P3. The workbooks live in shared/data/ons beside
the repository and are never copied into it; tests that change a workbook change a copy in
pytest's temporary folder.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from perfpack.sources import ons

ONS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ons"
YEAR_ENDS = {
    date(2018, 3, 31): "policeforceareatablesyearendingmarch2018v2.xlsx",
    date(2018, 6, 30): "policeforceareadatatablesyearendingjune2018corrected.xlsx",
    date(2018, 9, 30): "policeforceareatablesyearendingsep18corrected.xlsx",
    date(2018, 12, 31): "policeforceareatablesyearendingdecember2018.xlsx",
}
TOTAL = "total_recorded_crime_excluding_fraud"
REGIONS_AND_COUNTRIES = {
    "England and Wales", "England", "Wales", "North East", "North West", "Yorkshire and The Humber",
    "East Midlands", "East", "London", "South East", "South West",
}  # fmt: skip
OFFENCE_GROUPS = [
    TOTAL, "violence_against_the_person", "homicide", "violence_with_injury", "violence_without_injury",
    "stalking_and_harassment", "death_or_serious_injury_unlawful_driving", "sexual_offences", "robbery",
    "theft_offences", "burglary", "residential_burglary", "non_residential_burglary", "vehicle_offences",
    "theft_from_the_person", "bicycle_theft", "shoplifting", "other_theft_offences",
    "criminal_damage_and_arson", "drug_offences", "possession_of_weapons_offences",
    "public_order_offences", "miscellaneous_crimes_against_society",
]  # fmt: skip


@pytest.fixture(scope="module")
def folder() -> Path:
    if not all((ONS / name).is_file() for name in YEAR_ENDS.values()):
        pytest.skip(f"ONS police force area workbooks not found in {ONS} (shared data beside the repository)")
    return ONS


@pytest.fixture(scope="module")
def tables(folder) -> dict:
    return {year_end: ons.read_peer_table(folder / name) for year_end, name in YEAR_ENDS.items()}


def _total(frame, force: str) -> float:
    return frame.loc[(frame["force"] == force) & (frame["offence_group"] == TOTAL), "count"].item()


# --- finding the workbook ---------------------------------------------------------------------


@pytest.mark.parametrize("year_end", list(YEAR_ENDS), ids=str)
def test_find_workbook_picks_each_by_its_title(folder, year_end):
    assert ons.find_workbook(folder, year_end).name == YEAR_ENDS[year_end]
    # any day of the month names the same year end
    assert ons.find_workbook(folder, year_end.replace(day=1)).name == YEAR_ENDS[year_end]


def test_workbook_title_is_read_from_the_workbook(folder):
    title = ons.workbook_title(folder / YEAR_ENDS[date(2018, 6, 30)])
    assert title == "Crime in England & Wales, year ending June 2018 - PFA tables"


def test_find_workbook_names_what_it_found_when_none_matches(folder):
    with pytest.raises(ons.PeerDataError) as err:
        ons.find_workbook(folder, date(2019, 3, 31))
    text = str(err.value)
    assert str(folder) in text and "year ending March 2019" in text
    assert "year ending December 2018" in text and YEAR_ENDS[date(2018, 12, 31)] in text


def test_find_workbook_refuses_two_that_match(folder, tmp_path):
    for name in ("first.xlsx", "second.xlsx"):
        shutil.copy(folder / YEAR_ENDS[date(2018, 3, 31)], tmp_path / name)
    with pytest.raises(ons.PeerDataError, match=r"2 workbooks say year ending March 2018: first.xlsx, second.xlsx"):
        ons.find_workbook(tmp_path, date(2018, 3, 31))


def test_find_workbook_goes_by_title_not_file_name(folder, tmp_path):
    shutil.copy(folder / YEAR_ENDS[date(2018, 9, 30)], tmp_path / "policeforceareatablesyearendingmarch2018.xlsx")
    with pytest.raises(ons.PeerDataError, match="year ending September 2018"):
        ons.find_workbook(tmp_path, date(2018, 3, 31))


# --- the published figures --------------------------------------------------------------------


def test_published_totals_year_ending_march_2018(tables):
    march = tables[date(2018, 3, 31)]
    assert _total(march, "Gwent") == 48_823
    assert _total(march, "City of London") == 5_392  # printed "London, City of" in P1 that year
    assert _total(march, "Staffordshire") == 83_987


@pytest.mark.parametrize("year_end", list(YEAR_ENDS), ids=str)
def test_rate_per_1000_is_the_onss_own_p3_figure(tables, year_end):
    """count / population * 1000 agrees with P3's printed rate to the population's rounding:
    P3 rounds populations to 100 but worked its rates on the unrounded figure, so they can
    differ by up to rate * 50 / population."""
    frame = tables[year_end]
    shown = frame[frame["rate_per_1000"].notna()]
    assert len(shown) == 42 * 23  # every force and group but the City of London's, below
    recomputed = shown["count"] / shown["population"] * 1000
    allowed = shown["rate_per_1000"] * 50 / shown["population"] * (1 + 1e-9)
    off = shown[(recomputed - shown["rate_per_1000"]).abs() > allowed]
    assert off.empty, off[["force", "offence_group", "count", "population", "rate_per_1000"]].to_string()


@pytest.mark.parametrize("year_end", list(YEAR_ENDS), ids=str)
def test_city_of_london_rates_not_shown_are_missing_not_zero(tables, year_end):
    city = tables[year_end][tables[year_end]["force"] == "City of London"]
    assert city["rate_per_1000"].isna().all()  # P3 prints "+": "Rates for London include City of London"
    assert (city["population"] > 0).all() and city["count"].notna().all()
    assert "Rates for London include" in city["force_note"].iloc[0]


# --- forces only, names clean -------------------------------------------------------------------


@pytest.mark.parametrize("year_end", list(YEAR_ENDS), ids=str)
def test_only_the_43_force_areas_no_regions_or_countries(tables, year_end):
    frame = tables[year_end]
    assert set(frame["area_code"]) == set(ons.FORCES)
    assert set(frame["force"]) == set(ons.FORCES.values())
    assert not set(frame["force"].str.lower()) & {r.lower() for r in REGIONS_AND_COUNTRIES}
    assert frame["area_code"].str.match(r"^(E23|W15)\d{6}$").all()
    assert frame.attrs["not_force_areas"] == ["British Transport Police"]
    assert len(frame) == 43 * 23 and list(dict.fromkeys(frame["offence_group"])) == OFFENCE_GROUPS


@pytest.mark.parametrize("year_end", list(YEAR_ENDS), ids=str)
def test_names_and_labels_are_clean(tables, year_end):
    frame = tables[year_end]
    for column in ("force", "offence_label"):
        values = set(frame[column])
        assert not [v for v in values if v != v.strip() or "  " in v or any(ch.isdigit() for ch in v)], column
    labels = dict(zip(frame["offence_group"], frame["offence_label"]))
    assert labels[TOTAL] == "Total recorded crime (excluding fraud)"
    assert labels["non_residential_burglary"] == "Non-residential burglary"


def test_module_force_list_matches_the_workbooks(folder):
    """Every code and name in FORCES is as the ONS prints it in Table P1 (June 2018)."""
    wb = openpyxl.load_workbook(folder / YEAR_ENDS[date(2018, 6, 30)], read_only=True)
    printed = {r[0]: ons.clean_label(r[1]) for r in wb["Table P1"].iter_rows(values_only=True) if r[0] and str(r[0])[:3] in ("E23", "W15")}
    wb.close()
    assert printed == ons.FORCES


@pytest.mark.parametrize("year_end", list(YEAR_ENDS), ids=str)
def test_no_force_is_left_out_of_these_four_tables(tables, year_end):
    assert tables[year_end].attrs["absent_forces"] == []
    assert ons.absent_forces(tables[year_end]) == []


def test_force_footnotes_come_with_the_force(tables):
    december = tables[date(2018, 12, 31)]
    note = december.loc[december["force"] == "Lancashire", "force_note"].iloc[0]
    assert "unable to provide police recorded crime for November and December 2018" in note
    assert december.loc[december["force"] == "Staffordshire", "force_note"].iloc[0] == ""


# --- a force left out, figures not shown, broken workbooks (on copies in tmp_path) -----------


def _edited_copy(folder: Path, tmp_path: Path, edit) -> Path:
    wb = openpyxl.load_workbook(folder / YEAR_ENDS[date(2018, 12, 31)])
    edit(wb)
    out = tmp_path / "edited.xlsx"
    wb.save(out)
    return out


def _row_of(ws, name: str) -> int:
    return next(c.row for c in ws["B"] if isinstance(c.value, str) and c.value.startswith(name))


def test_a_force_left_out_is_reported_and_not_shown_is_missing(folder, tmp_path):
    def edit(wb):
        for sheet in ("Table P1", "Table P3"):
            wb[sheet].delete_rows(_row_of(wb[sheet], "Lancashire"))
        p1 = wb["Table P1"]
        p1.cell(_row_of(p1, "Gwent"), 6).value = ".."  # homicide
        p1.cell(_row_of(p1, "Dorset"), 6).value = "-"

    frame = ons.read_peer_table(_edited_copy(folder, tmp_path, edit))
    assert frame.attrs["absent_forces"] == ["Lancashire"] == ons.absent_forces(frame)
    homicide = frame[frame["offence_group"] == "homicide"].set_index("force")["count"]
    assert np.isnan(homicide["Gwent"]) and np.isnan(homicide["Dorset"])
    assert homicide.notna().sum() == 40


def test_a_force_with_no_figures_at_all_counts_as_left_out(tables):
    frame = tables[date(2018, 6, 30)].copy()
    frame.loc[frame["force"] == "Surrey", "count"] = np.nan
    assert ons.absent_forces(frame) == ["Surrey"]


def test_a_cell_that_is_not_a_number_is_an_error_naming_file_sheet_row_and_column(folder, tmp_path):
    def edit(wb):
        p1 = wb["Table P1"]
        p1.cell(_row_of(p1, "Staffordshire"), 6).value = "about ten"

    path = _edited_copy(folder, tmp_path, edit)
    with pytest.raises(ons.PeerDataError) as err:
        ons.read_peer_table(path)
    text = str(err.value)
    assert str(path) in text and "'Table P1'" in text and "row 31 (Staffordshire)" in text and "'Homicide'" in text


def test_a_missing_sheet_is_an_error_listing_the_sheets(folder, tmp_path):
    path = _edited_copy(folder, tmp_path, lambda wb: wb.remove(wb["Table P3"]))
    with pytest.raises(ons.PeerDataError, match=r"no sheet 'Table P3' \(sheets: Notes, Table P1, Table P2"):
        ons.read_peer_table(path)


def test_a_missing_header_is_an_error(folder, tmp_path):
    def edit(wb):
        wb["Table P1"]["A5"] = "Code"

    with pytest.raises(ons.PeerDataError, match=r"sheet 'Table P1': no header row with 'Area Code' and 'Area Name'"):
        ons.read_peer_table(_edited_copy(folder, tmp_path, edit))


def test_a_file_that_is_not_a_workbook_is_an_error(tmp_path):
    path = tmp_path / "tables.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(ons.PeerDataError, match="cannot be opened as an Excel workbook"):
        ons.read_peer_table(path)
    with pytest.raises(ons.PeerDataError, match=r"no workbook's title says year ending March 2018\. Found: tables.xlsx: unreadable"):
        ons.find_workbook(tmp_path, date(2018, 3, 31))


# --- small pure helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("ENGLAND AND WALES7,8", "ENGLAND AND WALES"),
        ("Lancashire8", "Lancashire"),
        ("West Midlands ", "West Midlands"),
        ("Total recorded crime (excluding fraud3)", "Total recorded crime (excluding fraud)"),
        ("Residential burglary (households) 6,7,9", "Residential burglary (households)"),
        ("Non-residential  burglary5,6", "Non-residential burglary"),
        ("Stalking\nand harassment", "Stalking and harassment"),
    ],
)
def test_clean_label(raw, clean):
    assert ons.clean_label(raw) == clean


def test_offence_keys_agree_between_the_two_sheets_spellings():
    assert ons.offence_key("Other theft offences") == ons.offence_key("All other theft offences") == "other_theft_offences"
    assert ons.offence_key("Miscellaneous crimes") == ons.offence_key("Miscellaneous crimes against society")
    assert ons.offence_key("Death or serious injury - unlawful driving4") == "death_or_serious_injury_unlawful_driving"
