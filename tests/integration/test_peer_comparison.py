"""The peer comparison section (pages/peer_comparison.py, present/funnel_chart.py, sources/peers.py):
the force matched to the ONS's force areas, its rates and readings on the shared ONS workbooks, a
force the table leaves out named and never drawn, the page without peer data, the paper's pick of
paragraph and chart, and the command line end to end."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import openpyxl
import pandas as pd
import pytest

from capture import Capture
from conftest import ROOT, SHARED_DATA, needs_shared
from perfpack.config import ConfigError, load_config, peer_settings
from perfpack.pages import peer_comparison as pc
from perfpack.pages.section import NOT_IN_PAPER, PAPER_TEXT
from perfpack.present.funnel_chart import funnel_chart, off_scale
from perfpack.publish.paper_content import NOT_IN_PAPER_CLASS, PAPER_TEXT_CLASS, notebook_charts, notebook_paragraphs
from perfpack.sources.dataset import Dataset
from perfpack.sources.ons import FORCES, force_code
from perfpack.sources.peers import check_group
from perfpack.stats.funnel import funnel

ONS = SHARED_DATA / "ons"
DECEMBER = ONS / "policeforceareatablesyearendingdecember2018.xlsx"
GROUP = ["Derbyshire", "Nottinghamshire", "Leicestershire", "Kent"]  # a test group, not the Home Office's


def project(tmp_path: Path, peers_dir: str = "", group: list[str] | None = None) -> Path:
    """A copy of the configuration with its own peers block; returns the pack.yaml."""
    (tmp_path / "config").mkdir(parents=True, exist_ok=True)
    text = (ROOT / "profiles" / "demo" / "pack.yaml").read_text(encoding="utf-8")
    assert '  dir: ""' in text and "  group: []" in text
    text = text.replace('  dir: ""', f"  dir: {json.dumps(peers_dir)}").replace("  group: []", f"  group: {json.dumps(group or [])}")
    path = tmp_path / "config" / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def dataset(force: str = "Staffordshire Police", source: str = "canonical") -> Dataset:
    return Dataset(source=source, force=force, tables={})


def run_page(
    config_path: Path, period: str = "2018-Q4", figures_dir: str = "", data: Dataset | None = None, force: str = "", groups: tuple[str, ...] | None = None
) -> Capture:
    """The notebook's calls in order; ``groups``: only these offence groups after the total
    (each plot takes a few tenths of a second), else all of them."""
    s = Capture("09-peer-comparison", period=period, data_dir="", config_path=str(config_path), figures_dir=figures_dir, data=data or dataset(), force=force)
    pc.data(s)
    pc.overview(s)
    pc.offence_group(s)
    if groups is None:
        pc.offence_groups(s)
    for g in groups or ():
        pc.offence_group(s, g)
    pc.peer_table(s)
    s.save()
    return s


# ---- without the shared data ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, ons",
    [
        ("Staffordshire Police", "Staffordshire"),
        ("Staffordshire", "Staffordshire"),
        ("city-of-london", "City of London"),
        ("City of London Police", "City of London"),
        ("London, City of", "City of London"),
        ("Metropolitan Police Service", "Metropolitan Police"),
        ("Devon & Cornwall Police", "Devon and Cornwall"),
        ("dyfed-powys", "Dyfed-Powys"),
        ("avon-and-somerset", "Avon and Somerset"),
        ("Durham Constabulary", "Durham"),
        ("north-wales", "North Wales"),
    ],
)
def test_a_force_is_matched_to_its_ons_area_by_name_or_police_uk_slug(name, ons):
    assert FORCES[force_code(name)] == ons


def test_every_ons_name_matches_itself_and_others_match_nothing():
    assert all(force_code(name) == code for code, name in FORCES.items())
    for name in ("British Transport Police", "Test force", "", None, "Police Scotland"):
        assert force_code(name) is None


def test_most_similar_group_names_are_checked():
    known, unknown = check_group(["Derbyshire Constabulary", "kent", "Staffs", "Derbyshire"])
    assert known == ["Derbyshire", "Kent"] and unknown == ["Staffs"]


def test_peer_settings_read_from_the_configuration(tmp_path):
    cfg = load_config(project(tmp_path, "../ons", ["Kent"]))
    settings = peer_settings(cfg)
    assert settings.dir == (tmp_path / "ons").resolve()  # relative to the configuration's folder
    assert settings.group == ("Kent",)
    assert peer_settings(load_config(project(tmp_path / "b"))).dir is None
    bad = project(tmp_path / "c")
    bad.write_text(bad.read_text().replace("  group: []", "  group: Kent"))
    with pytest.raises(ConfigError, match="peers.group"):
        peer_settings(load_config(bad))


def test_without_peer_data_the_section_says_so_and_writes_nothing(tmp_path):
    s = run_page(project(tmp_path), figures_dir=str(tmp_path / "figures"))
    assert s.page.count("no peer data were given to this run") >= 5
    assert not s.rows
    assert not (tmp_path / "figures" / "pack").exists()
    assert f'class="{PAPER_TEXT}"' in s.page and "<img" not in s.page


def test_the_paper_and_the_section_agree_on_their_markers():
    assert (PAPER_TEXT, NOT_IN_PAPER) == (PAPER_TEXT_CLASS, NOT_IN_PAPER_CLASS)


def small_result():
    frame = pd.DataFrame(
        {"force": ["A", "B", "C", "D", "E", "F"], "count": [100, 220, 330, 400, 5000, np.nan], "population": [10_000, 20_000, 30_000, 40_000, 5_000, 8_000]}
    )
    return funnel(frame, "count", "population", unit_col="force")


def test_off_scale_marks_only_the_few_far_above_the_rest():
    assert off_scale([10, 11, 12, 900]) == {3}
    assert off_scale([10, 11, 12, 13]) == set()
    assert off_scale(list(range(10, 50)) + [900]) == {40}
    assert off_scale([0.001, 0.004, 0.009, 0.01]) == set()  # gaps low down are not off the scale
    assert off_scale(list(range(1, 19)) + [60, 61]) == {18, 19}


def test_funnel_chart_names_the_force_the_group_and_who_is_not_drawn():
    fig, alt = funnel_chart(
        small_result(), "test offences", force="B", group=["C", "D"], period_words="year ending December 2018", not_drawn=["G (not in the ONS table)"]
    )
    assert fig.axes and "B (highlighted): 11.0 per 1,000" in alt
    assert "most similar group" in alt and "C, D" in alt
    assert "Off the top of the scale, marked at the edge: E (1,000.0)" in alt
    assert "Not drawn, having no figure: G (not in the ONS table), F (no count shown)" in alt
    # E is drawn at the top edge, F nowhere: four ordinary points, one marker at the edge, the force
    ys = np.concatenate([c.get_offsets()[:, 1] for c in fig.axes[0].collections])
    assert len(ys) == 5 and not (ys == 0).any()


def test_the_paper_takes_the_sections_paragraph_and_skips_charts_marked_not_for_it(tmp_path):
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
    fig = lambda alt, cls: f'<figure class="{cls}"><img src="data:image/png;base64,{png}" alt="{alt}"><figcaption>{alt}</figcaption></figure>'
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": f'<p class="{PAPER_TEXT}">Words for the\n paper &amp; more.</p>'
                + fig("first", "pp-chart")
                + fig("second", f"pp-chart {NOT_IN_PAPER}")
                + fig("third", "pp-chart")
            },
        )
    ]
    nb.cells = [cell]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, str(path))
    assert notebook_paragraphs(path) == ["Words for the paper & more."]
    assert [c.alt for c in notebook_charts(path, 2)] == ["first", "third"]


# ---- on the shared ONS workbooks -----------------------------------------------------------------


def p3_rate(path: Path, force: str) -> float:
    """Table P3's total recorded crime rate for a force, read straight from the sheet."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for row in wb["Table P3"].iter_rows(values_only=True):
            if row[1] == force:
                return float(row[5])
    finally:
        wb.close()
    raise AssertionError(f"{force} not in Table P3")


@pytest.fixture(scope="module")
def staffordshire(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("peers")
    s = run_page(project(tmp, str(ONS), GROUP + ["Staffs"]), figures_dir=str(tmp / "figures"))
    return {
        "s": s,
        "peers": pd.read_csv(tmp / "figures" / "pack" / "09-peer-comparison" / "peers.csv"),
        "figures": pd.read_csv(tmp / "figures" / "09-peer-comparison.csv"),
    }


@needs_shared(ONS)
def test_demo_force_is_staffordshire_at_the_ons_p3_rate(staffordshire):
    f = staffordshire["figures"]
    row = f[f["key"] == "peer_rate_total_recorded_crime_excluding_fraud"].iloc[0]
    assert row["current"] == pytest.approx(p3_rate(DECEMBER, "Staffordshire"), rel=1e-12)  # 75.266...
    assert row["kind"] == "rate" and row["area"] == "Force" and row["window"] == "2018-01-01..2018-12-31"
    assert row["significance"] == "within the limits"
    assert set(f["key"]) == {f"peer_rate_{g}" for g in staffordshire["peers"]["offence_group"].unique()}


@needs_shared(ONS)
def test_the_reading_in_words(staffordshire):
    page = staffordshire["s"].page
    assert "Staffordshire Police is the ONS&#x27;s Staffordshire (E23000015)" in page
    assert (
        "Total recorded crime (excluding fraud), year ending December 2018: Staffordshire, 75.3 per 1,000 population (84,765 offences), "
        "against 86.6 for all forces together: within the limits (95% limits 56.8 to 122.7, 99.8% limits 42.4 to 146.4 at its population)"
    ) in page
    assert "widened for over-dispersion by an additive random effect" in page and "φ = 4,266" in page
    assert "&#x27;Staffs&#x27;" in page  # a group name that is not a force is said, not silently dropped
    alt = [a for a in page.split('alt="')[1:2]][0]
    assert "Staffordshire (highlighted): 75.3 per 1,000" in alt and "Derbyshire, Nottinghamshire, Leicestershire, Kent" in alt
    assert "City of London (898.8)" in alt  # off the scale, marked at the edge


@needs_shared(ONS)
def test_peers_csv_has_every_force_and_group_with_its_ons_rate(staffordshire):
    p = staffordshire["peers"]
    assert list(p.columns) == pc.PEER_COLUMNS
    assert p["force"].nunique() == 43 and len(p) == 43 * p["offence_group"].nunique()
    total = p[p["offence_group"] == "total_recorded_crime_excluding_fraud"].set_index("force")
    for force in ("Staffordshire", "Gwent", "Metropolitan Police"):
        assert total.at[force, "rate_per_1000"] == pytest.approx(p3_rate(DECEMBER, force), rel=1e-12)
    assert total.at["Staffordshire", "count"] == 84765 and total.at["Staffordshire", "population"] == 1126200
    assert pd.isna(total.at["City of London", "rate_per_1000"])  # P3 shows "+": not published, not 0
    assert total.at["City of London", "funnel"] == "above the 99.8% limit"
    group = set(total.index[total["in_peer_group"]])
    assert group == set(GROUP) | {"Staffordshire"}


@needs_shared(ONS)
def test_only_the_total_chart_goes_to_the_paper(staffordshire):
    page = staffordshire["s"].page
    assert page.count('<figure class="pp-chart">') == 1
    assert page.count(f'<figure class="pp-chart {NOT_IN_PAPER}">') == staffordshire["peers"]["offence_group"].nunique() - 1


def edited_workbook(folder: Path) -> Path:
    """The December workbook with Gwent's row taken out of Table P1 and Wiltshire's homicide
    count replaced by '..' (not shown)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "edited.xlsx"
    shutil.copy(DECEMBER, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Table P1"]
    header = next(i for i, row in enumerate(ws.iter_rows(values_only=True), 1) if row[0] == "Area Code")
    labels = [c.value for c in ws[header]]
    homicide = next(j for j, v in enumerate(labels) if isinstance(v, str) and v.startswith("Homicide"))
    for i, row in enumerate(ws.iter_rows(values_only=True), 1):
        if row[1] == "Wiltshire":
            ws.cell(i, homicide + 1).value = ".."
    gwent = next(i for i, row in enumerate(ws.iter_rows(values_only=True), 1) if row[1] == "Gwent")
    ws.delete_rows(gwent)
    wb.save(path)
    return path


@needs_shared(ONS)
def test_a_force_left_out_is_named_and_never_drawn(tmp_path):
    edited_workbook(tmp_path / "ons")
    s = run_page(project(tmp_path, str(tmp_path / "ons")), figures_dir=str(tmp_path / "figures"), groups=("homicide",))
    page = s.page
    assert "<b>Left out of the ONS table:</b> Gwent: the table shows no figures for it" in page
    peers = pc.peers_of(s)
    for group, res in peers.results.items():
        assert "Gwent" not in set(res.units["unit"]), group
    assert "Wiltshire" not in set(peers.results["homicide"].units["unit"])
    assert "Not drawn, having no figure: Gwent (not in the ONS table)" in page
    assert "Gwent (not in the ONS table), Wiltshire (no count shown)" in page
    csv = pd.read_csv(tmp_path / "figures" / "pack" / "09-peer-comparison" / "peers.csv")
    gwent = csv[csv["force"] == "Gwent"]
    assert len(gwent) == csv["offence_group"].nunique() and gwent["count"].isna().all() and gwent["rate_per_1000"].isna().all()
    assert (gwent["funnel"] == "left out: not in the ONS table").all()
    wilts = csv[(csv["force"] == "Wiltshire") & (csv["offence_group"] == "homicide")].iloc[0]
    assert pd.isna(wilts["count"]) and wilts["funnel"] == "left out: no count shown"


@needs_shared(ONS)
def test_a_period_with_no_workbook_is_said_in_words_on_a_hand_run(tmp_path):
    s = run_page(project(tmp_path, str(ONS)), period="2019-Q4")
    assert "no workbook&#x27;s title says year ending December 2019" in s.page
    assert not s.rows


@needs_shared(ONS)
def test_a_police_uk_run_matches_its_slug(tmp_path):
    s = run_page(project(tmp_path, str(ONS)), data=dataset("City Of London", "policeuk"), force="city-of-london", groups=())
    assert pc.peers_of(s).force == "City of London"
    row = next(r for r in s.rows if r["key"] == "peer_rate_total_recorded_crime_excluding_fraud")
    assert row["current"] == pytest.approx(6921 / 7700 * 1000) and "worked out from count and population" in row["label"]


@needs_shared(ONS)
def test_the_runner_finds_the_workbook_by_period_or_says_why_not(tmp_path):
    from perfpack.execution.runner import RunError, find_peer_workbook
    from perfpack.periods import Period

    cfg = load_config(project(tmp_path))
    assert find_peer_workbook(str(ONS), cfg, Period.parse("2018-Q2")).name == "policeforceareadatatablesyearendingjune2018corrected.xlsx"
    assert find_peer_workbook(None, cfg, Period.parse("2018-Q2")) is None
    with pytest.raises(RunError, match="no workbook's title says year ending December 2019"):
        find_peer_workbook(str(ONS), cfg, Period.parse("2019-Q4"))
    with pytest.raises(RunError, match="'Staffs'"):
        find_peer_workbook(str(ONS), load_config(project(tmp_path / "g", group=["Staffs"])), Period.parse("2018-Q2"))


# ---- end to end ----------------------------------------------------------------------------------


def perfpack(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "perfpack.cli", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.mark.e2e
@needs_shared(ONS)
def test_cli_peer_section_on_demo_data(demo_dir, tmp_path):
    out = tmp_path / "out"
    proc = perfpack(
        "run", "--period", "2018-Q4", "--sections", "09", "--peers", "../shared/data/ons", "--data", str(demo_dir), "--out", str(out), "--no-progress"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    pack = out / "2018-Q4"
    peers = pd.read_csv(pack / "peers.csv")
    assert list(peers.columns) == pc.PEER_COLUMNS and peers["force"].nunique() == 43
    mine = peers[(peers["force"] == "Staffordshire") & (peers["offence_group"] == "total_recorded_crime_excluding_fraud")].iloc[0]
    assert mine["rate_per_1000"] == pytest.approx(p3_rate(DECEMBER, "Staffordshire")) and mine["funnel"] == "within the limits"
    figures = pd.read_csv(pack / "figures.csv")
    rows = figures[figures["key"].str.startswith("peer_rate_")]
    assert len(rows) == peers["offence_group"].nunique() and (rows["kind"] == "rate").all() and (rows["area"] == "Force").all()
    total = rows[rows["key"] == "peer_rate_total_recorded_crime_excluding_fraud"].iloc[0]
    assert total["current"] == pytest.approx(mine["rate_per_1000"]) and total["section"] == "09-peer-comparison"
    m = json.loads((pack / "manifest.json").read_text())
    assert m["status"] == "ok" and m["parameters"]["peers"] == str(ONS.resolve())
    assert any(f["table"] == "peers" and Path(f["path"]).name == DECEMBER.name and len(f["sha256"]) == 64 for f in m["inputs"])
    page = (pack / "09-peer-comparison.html").read_text(encoding="utf-8")
    assert "Staffordshire (highlighted)" in page and "Traceback" not in page
    paper = (pack / "meeting-paper.html").read_text(encoding="utf-8")
    assert "Staffordshire&#39;s rate of total recorded crime (excluding fraud) was 75.3 per 1,000 population" in paper
    assert paper.count("Funnel plot of total recorded crime") == 1 and "Funnel plot of violence" not in paper


@pytest.mark.e2e
@needs_shared(ONS)
def test_cli_refuses_a_peers_folder_without_the_periods_workbook(demo_dir, tmp_path):
    out = tmp_path / "out"
    proc = perfpack("run", "--period", "2019-Q4", "--sections", "09", "--peers", str(ONS), "--data", str(demo_dir), "--out", str(out), "--no-progress")
    assert proc.returncode == 2
    assert (
        "no workbook's title says year ending December 2019" in proc.stderr
        and "policeforceareatablesyearendingdecember2018.xlsx: year ending December 2018" in proc.stderr
    )
    assert not (out / "2019-Q4").exists()


def test_the_projects_configuration_gives_no_peer_data(config):
    """The shipped pack.yaml names no folder (the shared workbooks may not be there): a run
    without --peers, and the notebook run by hand, say there are no peer data."""
    assert peer_settings(config).dir is None and peer_settings(config).group == ()
