"""Revisions against earlier packs (issue 18): hand-made packs with known differences; section
pages on synthetic data marking what the run lists; then real runs of section 01 through the
command line for two quarters with crimes withdrawn and added in between, and a re-run."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfpack.periods import Window
from perfpack.publish import revisions as R
from perfpack.stats.figures import (
    count_row,
    merge_figures,
    monthly_rows,
    read_figures,
    to_frame,
    value_row,
)
from perfpack.stats.published import EARLIER_FIGURES, PUBLISHED_COLUMNS, Published, mark_words, read_published, stated_figures

W = Window.from_id
FY20, FY19 = W("2020-01-01..2020-12-31"), W("2019-01-01..2019-12-31")
JAN_SEP, JAN_SEP19 = W("2020-01-01..2020-09-30"), W("2019-01-01..2019-09-30")
L1, L1P = W("2020-03-16..2020-07-03"), W("2019-03-16..2019-07-03")
Q3_12M, Q3_12M_P = W("2019-10-01..2020-09-30"), W("2018-10-01..2019-09-30")

Q3_AT = "2020-10-20T09:00:00+01:00"
Q4_OLD_AT = "2021-01-20T09:00:00+00:00"


def months(values: dict[str, float]) -> pd.Series:
    return pd.Series(list(values.values()), index=pd.DatetimeIndex([f"{m}-01" for m in values]))


def npa(area, cur, *, hidden=False, window=L1):
    return count_row("01", "all_crime", "All crime", window, None, cur, None, area=area, suppressed=hidden)


def inputs(crimes_sha="c" * 64, crimes_rows=1000, extra=()):
    recs = [
        {"table": "crimes", "path": "/data/x/crimes.csv", "sha256": crimes_sha, "bytes": 10, "rows": crimes_rows},
        {"table": "calls", "path": "/data/x/calls.csv", "sha256": "a" * 64, "bytes": 10, "rows": 50},
    ]
    return recs + list(extra)


def manifest(period, finished_at, ins=None, source="canonical", force="Staffordshire Police"):
    return {
        "period": period,
        "force": force,
        "parameters": {"source": source},
        "started_at": finished_at,
        "finished_at": finished_at,
        "inputs": ins if ins is not None else inputs(),
        "sections": [],
    }


def write_pack(folder: Path, man: dict, rows: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(man, indent=2), encoding="utf-8")
    to_frame(rows).to_csv(folder / "figures.csv", index=False)  # as the runner writes it
    return folder


def q3_rows():
    return [
        count_row("01", "all_crime", "All crime", Q3_12M, Q3_12M_P, 72468, 85706),
        count_row("01", "all_crime", "All crime", JAN_SEP, JAN_SEP19, 63214, 70000),
        count_row("01", "all_crime", "All crime", L1, L1P, 18110, 25910),
        npa("Stafford", 12),
        npa("Tamworth", 4, hidden=True),  # to_frame empties it, as in a real figures.csv
        npa("Lichfield", 3, hidden=True),
        npa("Cannock Chase", 11),
        count_row("01", "robbery", "Robbery", L1, None, 0, None),
        value_row("05", "fraud_loss", "Fraud losses", JAN_SEP, 1234567.5),
        value_row("02", "dv_share", "Domestic share", L1, 30.0, kind="share"),
        value_row("07", "forecast_calls", "Forecast calls", "2020/21", 150000.0, kind="forecast"),
        *monthly_rows("01", "all_crime", "All crime", months({"2020-01": 7000, "2020-02": 6400, "2020-03": 6000})),
    ]


def q4_old_rows():
    return [
        count_row("01", "all_crime", "All crime", FY20, FY19, 84000, 90000),
        *monthly_rows("01", "all_crime", "All crime", months({"2020-02": 6500, "2020-03": 6100})),
    ]


def q4_new_rows():
    return [
        count_row("01", "all_crime", "All crime", FY20, FY19, 84000, 90010),
        count_row("01", "all_crime", "All crime", JAN_SEP, JAN_SEP19, 63114, 70000),
        count_row("01", "all_crime", "All crime", L1, L1P, 18110, 25910),
        npa("Stafford", 15),
        npa("Tamworth", 14),
        npa("Lichfield", 2, hidden=True),
        npa("Cannock Chase", 9, hidden=True),
        count_row("01", "robbery", "Robbery", L1, None, 2, None),
        value_row("05", "fraud_loss", "Fraud losses", JAN_SEP, 1240000.0),
        value_row("02", "dv_share", "Domestic share", L1, 32.0, kind="share"),
        value_row("07", "forecast_calls", "Forecast calls", "2020/21", 160000.0, kind="forecast"),
        *monthly_rows("01", "all_crime", "All crime", months({"2020-01": 7010, "2020-02": 6500, "2020-03": 6150, "2020-10": 5900})),
        count_row("01", "burglary", "Burglary", W("2020-10-01..2020-10-31"), None, 400, None),
    ]


@pytest.fixture
def outputs(tmp_path):
    """An outputs folder with the 2020-Q3 pack and an earlier run of 2020-Q4, and the new
    2020-Q4 run's figures (as the runner holds them: merge_figures, all text) and manifest."""
    root = tmp_path / "outputs"
    write_pack(root / "2020-Q3", manifest("2020-Q3", Q3_AT), q3_rows())
    write_pack(root / "2020-Q4", manifest("2020-Q4", Q4_OLD_AT), q4_old_rows())
    new = write_pack(tmp_path / "build", manifest("2020-Q4", "2021-02-01T10:00:00+00:00", inputs("d" * 64, 1010)), q4_new_rows())
    figures = merge_figures([new / "figures.csv"])
    return {"root": root, "figures": figures, "manifest": json.loads((new / "manifest.json").read_text()), "tmp": tmp_path}


EXPECTED = [
    # key, area, window, published, revised, change, pct_change, published_in, material
    ("all_crime", "Force", "2020-03-01..2020-03-31", 6100, 6150, 50, 0.8, "2020-Q4", False),
    ("all_crime", "Force", "2019-01-01..2019-12-31", 90000, 90010, 10, 0.0, "2020-Q4", False),
    ("all_crime", "Force", "2020-01-01..2020-09-30", 63214, 63114, -100, -0.2, "2020-Q3", False),
    ("all_crime", "Stafford", "2020-03-16..2020-07-03", 12, 15, 3, 25.0, "2020-Q3", True),
    ("all_crime", "Tamworth", "2020-03-16..2020-07-03", "suppressed", 14, None, None, "2020-Q3", False),
    ("all_crime", "Cannock Chase", "2020-03-16..2020-07-03", 11, "suppressed", None, None, "2020-Q3", False),
    ("robbery", "Force", "2020-03-16..2020-07-03", 0, 2, 2, None, "2020-Q3", True),
    ("fraud_loss", "Force", "2020-01-01..2020-09-30", 1234567.5, 1240000.0, 5432.5, 0.4, "2020-Q3", False),
    ("all_crime", "Force", "2020-01-01..2020-01-31", 7000, 7010, 10, 0.1, "2020-Q3", False),
]


def test_every_revision_row(outputs):
    earlier = R.find_earlier_packs(outputs["root"], "2020-Q4", R.figure_windows(outputs["figures"]))
    assert [p.period for p in earlier] == ["2020-Q4", "2020-Q3"], "the most recent first"
    revs = R.compare(outputs["figures"], earlier, threshold_pct=1.0)
    assert list(revs.columns) == R.REVISION_COLUMNS
    got = [
        tuple(r) for r in revs[["key", "area", "window", "published", "revised", "change", "pct_change", "published_in", "material"]].itertuples(index=False)
    ]
    assert got == EXPECTED
    assert set(revs.loc[revs["published_in"] == "2020-Q3", "published_at"]) == {Q3_AT}
    assert set(revs.loc[revs["published_in"] == "2020-Q4", "published_at"]) == {Q4_OLD_AT}
    assert revs.loc[2, "label"] == "All crime" and revs.loc[7, "kind"] == "amount"


def test_each_figure_once_against_the_most_recent_pack_that_published_it(outputs):
    revs = R.compare(outputs["figures"], R.find_earlier_packs(outputs["root"], "2020-Q4", R.figure_windows(outputs["figures"])), 1.0)
    assert not revs.duplicated(["key", "area", "window"]).any()
    feb = "2020-02-01..2020-02-29"  # 6,400 in 2020-Q3, 6,500 in the earlier 2020-Q4 run and now
    assert feb not in set(revs["window"])
    mar = revs[revs["window"] == "2020-03-01..2020-03-31"].iloc[0]
    assert (mar["published"], mar["published_in"]) == (6100, "2020-Q4")  # not 2020-Q3's 6,000
    jan = revs[revs["window"] == "2020-01-01..2020-01-31"].iloc[0]
    assert jan["published_in"] == "2020-Q3"  # the earlier 2020-Q4 run had no January row


def test_shares_forecasts_and_unpublished_figures_are_not_compared(outputs):
    revs = R.compare(outputs["figures"], R.find_earlier_packs(outputs["root"], "2020-Q4", R.figure_windows(outputs["figures"])), 1.0)
    assert not {"dv_share", "forecast_calls", "burglary"} & set(revs["key"])
    assert "2020-10-01..2020-10-31" not in set(revs["window"])
    # a previous value restated by the current column of an earlier pack is compared
    assert ("all_crime", "Force", "2019-01-01..2019-12-31") in R.revised_keys(revs)


def test_suppressed_cells_are_compared_without_disclosure(outputs):
    earlier = R.find_earlier_packs(outputs["root"], "2020-Q4", R.figure_windows(outputs["figures"]))
    revs = R.compare(outputs["figures"], earlier, 1.0)
    by_area = revs.set_index("area")
    assert "Lichfield" not in by_area.index, "hidden in both packs: nothing said"
    for area in ("Tamworth", "Cannock Chase"):
        r = by_area.loc[area]
        assert R.SUPPRESSED in (r["published"], r["revised"])
        assert r["change"] is None and r["pct_change"] is None and r["material"] is False
    # nothing hidden leaks: the figures file never held Tamworth's 4, and the table has no 4
    assert 4 not in set(revs["published"]) | set(revs["revised"])
    note = R.revisions_note(revs, [], 1.0, earlier, period="2020-Q4")
    assert "2 figures moved into or out of suppression" in note
    assert "Tamworth" not in note and "Cannock" not in note


def test_a_suppressed_previous_window_is_suppressed_too(tmp_path):
    old = write_pack(tmp_path / "out" / "2020-Q3", manifest("2020-Q3", Q3_AT), [count_row("01", "k", "K", L1, L1P, 30, 40, area="Stafford", suppressed=True)])
    cur = to_frame([count_row("01", "k", "K", L1, L1P, 30, 41, area="Stafford", suppressed=False)])
    revs = R.compare(cur, [R.read_pack(old)], 1.0)
    assert [(r.window, r.published, r.revised) for r in revs.itertuples()] == [(L1.id, "suppressed", 30), (L1P.id, "suppressed", 41)]


def test_material_threshold(outputs):
    earlier = R.find_earlier_packs(outputs["root"], "2020-Q4", R.figure_windows(outputs["figures"]))
    at_half = R.compare(outputs["figures"], earlier, 0.5).set_index("window")
    assert bool(at_half.loc["2020-03-01..2020-03-31", "material"])  # +0.8%
    at_thirty = R.compare(outputs["figures"], earlier, 30.0)
    assert list(at_thirty.loc[at_thirty["material"], "key"]) == ["robbery"]  # any change from zero


def test_note_words(outputs):
    rep = R.review(outputs["root"], outputs["figures"], outputs["manifest"], 1.0)
    assert rep.note == (
        "Compared with what the earlier run of the 2020-Q4 pack (finished 20 January 2021 at 09:00) and the 2020-Q3 pack (finished 20 October 2020 at 09:00) published, "
        "9 figures have changed; 2 of them by 1% or more of the published figure (material). "
        "2 figures moved into or out of suppression (a count too small to publish), so their values and the size of the change are not shown. "
        "The largest revision: all crime for January\u2013September 2020, published in the 2020-Q3 pack as 63,214, is now 63,114: 100 fewer (\u22120.2%). "
        "The largest in proportion: all crime in Stafford for 16 March\u20133 July 2020, published in the 2020-Q3 pack as 12, is now 15: 3 more (+25.0%). "
        "Input files that differ from those of the earlier run of the 2020-Q4 pack: crimes.csv (changed, 1,000 rows then, 1,010 now)."
    )
    assert html.escape(rep.note) == rep.note, "no markup, entities or quotes of its own"
    assert rep.note.count("\u2212") == 1 and "-0.2" not in rep.note
    assert rep.keys == R.revised_keys(rep.revisions) and len(rep.keys) == 9
    assert rep.warnings == []


def test_note_for_one_revision_and_for_amounts(tmp_path):
    old = write_pack(tmp_path / "out" / "2020-Q3", manifest("2020-Q3", Q3_AT), [value_row("05", "fraud_loss", "Fraud losses", JAN_SEP, 1000.0)])
    cur = to_frame([value_row("05", "fraud_loss", "Fraud losses", JAN_SEP, 980.0)])
    earlier = [R.read_pack(old)]
    revs = R.compare(cur, earlier, 1.0)
    note = R.revisions_note(revs, [], 1.0, earlier)
    assert note == (
        "Compared with what the 2020-Q3 pack (finished 20 October 2020 at 09:00) published, 1 figure has changed, by 1% or more of the published figure (material). "
        "The largest revision: fraud losses for January\u2013September 2020, published in the 2020-Q3 pack as £1,000, is now £980: £20 less (\u22122.0%). "
        "The input files are the same as those the 2020-Q3 pack read, so these changes come from the code or the configuration, not the data."
    )


def test_no_earlier_pack_is_one_line(tmp_path):
    (tmp_path / "outputs").mkdir()
    figures = to_frame(q4_new_rows())
    earlier = R.find_earlier_packs(tmp_path / "outputs", "2020-Q4", R.figure_windows(figures))
    assert earlier == []
    revs = R.compare(figures, earlier, 1.0)
    assert revs.empty and list(revs.columns) == R.REVISION_COLUMNS
    note = R.revisions_note(revs, [], 1.0, earlier)
    assert note == "There is no earlier pack with figures for the same periods, so no revisions can be shown."
    assert R.find_earlier_packs(tmp_path / "nowhere", "2020-Q4", {L1.id}) == []


def test_a_rerun_on_unchanged_data_lists_none(tmp_path):
    root = tmp_path / "outputs"
    old = write_pack(root / "2020-Q3", manifest("2020-Q3", Q3_AT), q3_rows())
    for figures in (merge_figures([old / "figures.csv"]), read_figures(old / "figures.csv"), to_frame(q3_rows())):
        rep = R.review(root, figures, manifest("2020-Q3", "2020-10-21T09:00:00+01:00"), 1.0)
        assert [p.period for p in rep.earlier] == ["2020-Q3"]
        assert rep.revisions.empty and rep.changed_inputs == []
        assert rep.note == "No figure published in the earlier run of the 2020-Q3 pack (finished 20 October 2020 at 09:00) has changed."


def test_folders_that_are_not_packs_are_ignored_and_broken_packs_reported(tmp_path):
    root = tmp_path / "outputs"
    windows = {L1.id, JAN_SEP.id}
    write_pack(root / "2020-Q3", manifest("2020-Q3", Q3_AT), q3_rows())
    (root / "notes").mkdir(parents=True)
    (root / "notes" / "readme.txt").write_text("not a pack")
    (root / "other").mkdir()
    (root / "other" / "manifest.json").write_text(json.dumps({"name": "some other tool"}))
    (root / "figures.csv").write_text("a file, not a folder")
    (root / ".2020-Q4.lock").write_text("{}")
    write_pack(root / ".build-2020-Q4-123-abcdef", manifest("2020-Q4", Q4_OLD_AT), q4_old_rows())  # the runner's own
    write_pack(
        root / "2019-Q1",
        manifest("2019-Q1", "2019-04-20T09:00:00+01:00"),
        [count_row("01", "all_crime", "All crime", W("2018-04-01..2019-03-31"), None, 1, None)],
    )  # shares no window
    write_pack(root / "policeuk", manifest("2020-Q3", Q3_AT, source="policeuk"), q3_rows())  # another source
    bad_json = root / "2020-Q2"
    bad_json.mkdir()
    (bad_json / "manifest.json").write_text('{"period": "2020-Q2", ')
    no_figures = root / "2020-Q1"
    no_figures.mkdir()
    (no_figures / "manifest.json").write_text(json.dumps(manifest("2020-Q1", "2020-04-20T09:00:00+01:00")))
    bad_columns = write_pack(root / "2019-Q4", manifest("2019-Q4", "2020-01-20T09:00:00+00:00"), [])
    (bad_columns / "figures.csv").write_text("x,y\n1,2\n")
    no_sha = write_pack(root / "2019-Q3", manifest("2019-Q3", "2019-10-20T09:00:00+01:00", ins=[{"table": "crimes", "path": "c.csv"}]), q3_rows())

    earlier = R.find_earlier_packs(root, "2020-Q4", windows, source="canonical")
    assert [p.period for p in earlier if p.ok] == ["2020-Q3"]
    broken = {p.path.name: p.problem for p in earlier if not p.ok}
    assert set(broken) == {"2020-Q2", "2020-Q1", "2019-Q4", "2019-Q3"}
    assert "manifest.json is not readable JSON" in broken["2020-Q2"]
    assert "no figures.csv" in broken["2020-Q1"]
    assert "no key, area, window, current, suppressed columns" in broken["2019-Q4"]
    assert "no inputs with their sha256" in broken["2019-Q3"]
    assert all(p.startswith("The earlier pack in ") and p.endswith("so its figures were not compared.") for p in broken.values())
    # not fatal: compared with what could be read, and the note says what could not
    figures = to_frame(q4_new_rows())
    revs = R.compare(figures, earlier, 1.0)
    assert set(revs["published_in"]) == {"2020-Q3"}
    note = R.revisions_note(revs, [], 1.0, earlier)
    assert broken["2020-Q2"] in note and broken["2019-Q3"] in note
    assert no_sha.name in note
    # without a source filter the police.uk pack is a candidate too
    assert len([p for p in R.find_earlier_packs(root, "2020-Q4", windows) if p.ok]) == 2


def test_only_broken_packs(tmp_path):
    root = tmp_path / "outputs"
    (root / "2020-Q3").mkdir(parents=True)
    (root / "2020-Q3" / "manifest.json").write_text("not json")
    earlier = R.find_earlier_packs(root, "2020-Q4", {L1.id})
    note = R.revisions_note(R.compare(to_frame(q4_new_rows()), earlier, 1.0), [], 1.0, earlier)
    assert note.startswith("There is no earlier pack with figures for the same periods, so no revisions can be shown. The earlier pack in ")


def test_explicit_paths_and_exclusions(outputs):
    root, tmp = outputs["root"], outputs["tmp"]
    moved = tmp / "old-2020-Q4"
    shutil.move(root / "2020-Q4", moved)  # the runner has moved the old pack aside
    windows = R.figure_windows(outputs["figures"])
    assert [p.period for p in R.find_earlier_packs(root, "2020-Q4", windows)] == ["2020-Q3"]
    found = R.find_earlier_packs(root, "2020-Q4", windows, paths=[moved, root / "2020-Q3"])
    assert [(p.period, p.path) for p in found] == [("2020-Q4", moved), ("2020-Q3", root / "2020-Q3")], "each once"
    assert [p.period for p in R.find_earlier_packs(None, "2020-Q4", windows, paths=[moved])] == ["2020-Q4"]
    assert R.find_earlier_packs(root, "2020-Q4", windows, exclude=[root / "2020-Q3"]) == []
    rep = R.review(root, outputs["figures"], outputs["manifest"], 1.0, paths=[moved])
    assert len(rep.revisions) == 9


def test_same_finish_time_puts_this_periods_run_first(tmp_path):
    root = tmp_path / "outputs"
    write_pack(root / "2020-Q3", manifest("2020-Q3", Q4_OLD_AT), [count_row("01", "k", "K", L1, None, 10, None)])
    write_pack(root / "2020-Q4", manifest("2020-Q4", Q4_OLD_AT), [count_row("01", "k", "K", L1, None, 11, None)])
    earlier = R.find_earlier_packs(root, "2020-Q4", {L1.id})
    assert [p.period for p in earlier] == ["2020-Q4", "2020-Q3"]
    revs = R.compare(to_frame([count_row("01", "k", "K", L1, None, 12, None)]), earlier, 1.0)
    assert list(revs["published"]) == [11]


def test_inputs_changed():
    old = manifest("2020-Q3", Q3_AT, inputs("c" * 64, 1000, extra=[{"table": "fpns", "path": "/d/fpns.csv", "sha256": "f" * 64, "rows": 9}]))
    new = manifest(
        "2020-Q4",
        Q4_OLD_AT,
        [dict(r, path=r["path"].replace("/data/x", "/elsewhere")) for r in inputs("d" * 64, 1010)]
        + [{"table": "incidents", "path": "/e/incidents.parquet", "sha256": "e" * 64, "rows": 5}],
    )
    got = R.inputs_changed(new, old)
    assert got == [
        {
            "name": "crimes",
            "file": "crimes.csv",
            "status": "changed",
            "old_sha256": "c" * 64,
            "new_sha256": "d" * 64,
            "old_rows": 1000,
            "new_rows": 1010,
            "since": "2020-Q3",
        },
        {
            "name": "incidents",
            "file": "incidents.parquet",
            "status": "added",
            "old_sha256": None,
            "new_sha256": "e" * 64,
            "old_rows": None,
            "new_rows": 5,
            "since": "2020-Q3",
        },
        {
            "name": "fpns",
            "file": "fpns.csv",
            "status": "removed",
            "old_sha256": "f" * 64,
            "new_sha256": None,
            "old_rows": 9,
            "new_rows": None,
            "since": "2020-Q3",
        },
    ]  # calls.csv moved folder, same sha256: not listed
    assert R.inputs_changed(old, old) == []
    earlier = [R.EarlierPack(Path("/x"), "2020-Q3", Q3_AT, old, to_frame(q3_rows()))]
    note = R.revisions_note(pd.DataFrame(columns=R.REVISION_COLUMNS), got, 1.0, earlier, period="2020-Q4")
    assert note.endswith(
        "Input files that differ from those of the 2020-Q3 pack: crimes.csv (changed, 1,000 rows then, 1,010 now), incidents.parquet (new) and fpns.csv (no longer read)."
    )


@pytest.mark.parametrize(
    "window, words",
    [
        ("2020-01-01..2020-09-30", "January\u2013September 2020"),
        ("2019-10-01..2020-09-30", "October 2019\u2013September 2020"),
        ("2020-02-01..2020-02-29", "February 2020"),
        ("2020-03-16..2020-07-03", "16 March\u20133 July 2020"),
        ("2019-12-25..2020-01-02", "25 December 2019\u20132 January 2020"),
        ("2020-05-05..2020-05-05", "5 May 2020"),
        ("2020/21", "2020/21"),
    ],
)
def test_window_words(window, words):
    assert R.window_words(window) == words


def test_write_revisions(tmp_path, outputs):
    rep = R.review(outputs["root"], outputs["figures"], outputs["manifest"], 1.0)
    path = R.write_revisions(rep.revisions, tmp_path / "revisions.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(back.columns) == R.REVISION_COLUMNS and len(back) == 9
    assert list(back.loc[back["area"] == "Tamworth", ["published", "revised", "change", "pct_change", "material"]].iloc[0]) == [
        "suppressed",
        "14",
        "",
        "",
        "False",
    ]
    assert back.loc[0, "published"] == "6100" and back.loc[7, "revised"] == "1240000.0"
    empty = R.write_revisions(R.compare(outputs["figures"], [], 1.0), tmp_path / "empty.csv")
    assert empty.read_text().strip() == ",".join(R.REVISION_COLUMNS)


def test_monthly_rows():
    s = pd.Series([7000, np.nan, 6150], index=pd.DatetimeIndex(["2020-01-01", "2020-02-01", "2020-03-01"]))
    rows = monthly_rows("01-all-crime", "all_crime", "All crime", s)
    assert [(r["window"], r["current"], r["kind"], r["previous"], r["area"]) for r in rows] == [
        ("2020-01-01..2020-01-31", 7000, "count", None, "Force"),
        ("2020-03-01..2020-03-31", 6150, "count", None, "Force"),
    ]
    assert monthly_rows("01", "k", "K", pd.Series([3], index=pd.PeriodIndex(["2020-02"], freq="M")))[0]["window"] == "2020-02-01..2020-02-29"
    small = monthly_rows("01", "k", "K", pd.Series([3, 30], index=pd.DatetimeIndex(["2020-01-01", "2020-02-01"])), area="Stafford")
    assert [r["suppressed"] for r in small] == [True, False]
    f = to_frame(small)
    assert f["current"].isna().iloc[0] and f["current"].iloc[1] == 30


# ---- pages, index and paper -----------------------------------------------------------------


def _by_figure(revs: list[dict]) -> list[dict]:
    return sorted(revs, key=lambda r: (r["key"], r["area"], r["window"]))


def test_pages_look_up_what_compare_lists(outputs):
    """The table the runner writes for the pages, looked up figure by figure, gives exactly
    the rows of revisions.csv."""
    earlier = R.find_earlier_packs(outputs["root"], "2020-Q4", None)
    published = Published(R.published_table(earlier))
    revs = R.compare(outputs["figures"], earlier, 1.0).to_dict("records")
    assert _by_figure(published.revisions(outputs["figures"], 1.0)) == _by_figure(revs), "the same rows (in the page's order, not pack by pack)"
    cells = [r for row in outputs["figures"].to_dict("records") for m in ("current", "previous") if (r := published.revision(row, m, 1.0))]
    assert {(r["key"], r["area"], r["window"]) for r in cells} == R.revised_keys(pd.DataFrame(revs))
    assert len(published) == len({(k, a, w, f.kind) for p in earlier for (k, a, w), f in stated_figures(p.figures).items()})


def test_the_table_for_the_pages_is_written_before_the_sections_and_read_back(outputs, tmp_path):
    rr = R.RunRevisions(outputs["root"], "2020-Q4", tmp_path / "figures")
    assert rr.error is None and [p.period for p in rr.earlier] == ["2020-Q4", "2020-Q3"]
    table = pd.read_csv(tmp_path / "figures" / EARLIER_FIGURES, dtype=str, keep_default_na=False)
    assert list(table.columns) == PUBLISHED_COLUMNS
    hidden = table[table["suppressed"] == "True"]
    assert set(hidden["value"]) == {""}, "no hidden value is written"
    assert _by_figure(read_published(tmp_path / "figures" / EARLIER_FIGURES).revisions(outputs["figures"])) == _by_figure(
        R.compare(outputs["figures"], rr.earlier, 1.0).to_dict("records")
    )
    assert read_published(tmp_path / "nowhere.csv") is None


PAGE_BLOCKS = [
    ("all_crime", "by_area"),
    ("all_crime", "month_by_month"),
    ("all_crime", "covid_periods"),
    ("violent_crime", "serious_violence"),
    ("asb_and_covid", "fpns"),
    ("fraud_and_cyber_crime", "reports"),
]


def _page(ds, period: str, figures_dir: Path):
    """Some section blocks on synthetic data, as a notebook would run them, ending the page."""
    import importlib

    from capture import Capture

    s = Capture("01-test", period=period, data_dir="", data=ds, figures_dir=str(figures_dir))
    for module, block in PAGE_BLOCKS:
        getattr(importlib.import_module(f"perfpack.pages.{module}"), block)(s)
    s.end()
    return s


def test_section_pages_mark_every_revised_figure_beside_it(tmp_path):
    from test_sections import synthetic

    root = tmp_path / "outputs"
    first = _page(synthetic(), "2020-Q3", tmp_path / "f3")
    assert first.published is None and not any("pp-revis" in h for h in first.shown), "no runner, no earlier figures: nothing marked"
    write_pack(root / "2020-Q3", manifest("2020-Q3", Q3_AT), first.rows)

    ds = synthetic()
    crimes = ds.tables["crimes"]
    d = pd.to_datetime(crimes["recorded_date"])
    ds.tables["crimes"] = crimes[~(((d >= "2020-04-01") & (d < "2020-04-15")) | ((d >= "2019-05-01") & (d < "2019-05-08")))].reset_index(drop=True)
    rr = R.RunRevisions(root, "2020-Q4", tmp_path / "f4")
    page = _page(ds, "2020-Q4", tmp_path / "f4")
    revs = R.compare(merge_figures([tmp_path / "f4" / "01-test.csv"]), rr.earlier, 1.0)
    assert _by_figure(page.revisions()) == _by_figure(revs.to_dict("records")), "the page lists what revisions.csv will"
    assert {"2020-04-01..2020-04-30", "2020-03-16..2020-07-03", "2019-03-16..2019-07-03"} <= set(revs["window"])
    assert set(revs["key"]) == {"all_crime", "serious_violence"}
    shown = "".join(page.shown)
    for r in revs.to_dict("records"):
        assert html.escape(mark_words(r, "2020-Q4")) in shown, r
    april = revs[(revs["key"] == "all_crime") & (revs["window"] == "2020-04-01..2020-04-30")].iloc[0]
    assert f'{int(april["revised"]):,}<br><small class="pp-revised">revised since the 2020-Q3 pack (was {int(april["published"]):,})</small>' in shown, (
        "beside the month in the monthly table"
    )
    lockdown_2019 = revs[revs["window"] == "2019-03-16..2019-07-03"].iloc[0]
    assert (
        f'<small class="pp-revised">{int(lockdown_2019["revised"]):,}: revised since the 2020-Q3 pack (was {int(lockdown_2019["published"]):,})</small>'
        in shown
    ), "a Covid-19 cell says which of its numbers"
    assert f"Revised since an earlier pack: {len(revs)} figures on this page" in page.shown[-1]
    assert all(not k.startswith("_") for k in pd.read_csv(tmp_path / "f4" / "01-test.csv").columns), "marks are not figures"

    # the same data again (an earlier run of 2020-Q4 is now the most recent pack): nothing marked
    write_pack(root / "2020-Q4", manifest("2020-Q4", Q4_OLD_AT), page.rows)
    R.RunRevisions(root, "2020-Q4", tmp_path / "f4b")
    again = _page(ds, "2020-Q4", tmp_path / "f4b")
    assert again.revisions() == [] and not any("pp-revised" in h for h in again.shown)
    assert again.shown[-1] == '<p class="pp-revisions">No figure on this page differs from what an earlier pack published.</p>'


def test_index_and_paper_open_with_the_note_and_mark_revised_headlines(tmp_path):
    import docx
    from test_paper import PERIOD, executed_notebook, figures_frame

    from perfpack.config import load_config
    from perfpack.publish.index import write_index
    from perfpack.publish.paper import write_paper

    cur, prev = PERIOD.rolling_12m, PERIOD.previous_12m
    root, b = tmp_path / "outputs", tmp_path / "outputs" / ".build-x"
    write_pack(
        root / "2020-Q4",
        manifest("2020-Q4", Q4_OLD_AT),
        [
            count_row("01-alpha", "alpha", "Alpha events", cur, prev, 12300, 10000),
            value_row(
                "01-alpha",
                "alpha_losses",
                "Alpha losses (£)",
                W("2020-01-01..2021-01-31"),
                15_800_000.0,
                17_200_000.0,
                kind="amount",
                previous_window=W("2018-12-01..2019-12-31"),
            ),
        ],
    )
    rr = R.RunRevisions(root, PERIOD.id, tmp_path / "figures")
    executed_notebook(b / "notebooks" / "01-alpha.ipynb", [])
    man = manifest(PERIOD.id, "2021-02-01T09:02:30+00:00") | {
        "code_version": {"perfpack": "0.1.0"},
        "data_notes": [],
        "unavailable": {},
        "sections": [
            {"id": "01-alpha", "title": "Alpha things", "status": "ok", "error": None, "html": "01-alpha.html", "notebook": "notebooks/01-alpha.ipynb"}
        ],
    }
    figures, config = figures_frame(), load_config()
    man["revisions"] = rr.record(b, figures, man, config.revisions_material_pct)
    assert man["revisions"]["count"] == 1 and man["revisions"]["material"] == 0 and (b / "revisions.csv").is_file()
    note = man["revisions"]["note"]
    assert note.startswith(
        "Compared with what the earlier run of the 2020-Q4 pack (finished 20 January 2021 at 09:00) published, 1 figure has changed, by less than 1% of the published figure (not material)."
    )
    write_index(b, man, figures, config, PERIOD)
    write_paper(b, man, figures, config, PERIOD)
    mark = "revised since the earlier run of the 2020-Q4 pack (was 12,300)"
    index = (b / "index.html").read_text(encoding="utf-8")
    assert index.index(f"<p>{html.escape(note)}</p>") < index.index('id="headline"') and 'href="revisions.csv"' in index
    assert f'12,345<br><small class="pp-revised">{mark}</small>' in index, "the headline table marks the revised figure"
    assert index.count('class="pp-revised"') == 1, "and only that one"
    paper = (b / "meeting-paper.html").read_text(encoding="utf-8")
    assert paper.index(f"<p>{html.escape(note)}</p>") < paper.index('id="foreword"') and f'12,345<br><small class="pp-revised">{mark}</small>' in paper
    doc = docx.Document(str(b / "meeting-paper.docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["Revisions since earlier packs", "Foreword"]
    at = next(i for i, p in enumerate(doc.paragraphs) if p.style.name == "Heading 1" and p.text == "Revisions since earlier packs")
    assert doc.paragraphs[at + 1].text == note
    alpha = {r.cells[0].text: r.cells[3].text for r in doc.tables[0].rows}
    assert alpha["Alpha events"] == f"12,345\n{mark}"


def test_a_failure_in_revisions_is_recorded_and_the_pack_still_made(tmp_path, monkeypatch, outputs):
    rr = R.RunRevisions(outputs["root"], "2020-Q4", tmp_path / "figures")

    def broken(*a, **k):
        raise ValueError("a bug")

    monkeypatch.setattr(R, "review", broken)
    (tmp_path / "new").mkdir()
    rec = rr.record(tmp_path / "new", outputs["figures"], outputs["manifest"])
    assert rec == {
        "status": "failed",
        "error": "ValueError: a bug",
        "note": "The revisions against earlier packs could not be worked out in this run (ValueError: a bug), so none are shown.",
    }
    assert not (tmp_path / "new" / "revisions.csv").exists()
    bad = R.RunRevisions(outputs["root"] / "2020-Q3" / "figures.csv", "2020-Q4", tmp_path / "f2")  # not a folder: nothing found, no error
    assert bad.error is None and bad.earlier == []


# ---- one real run ---------------------------------------------------------------------------


CHANGED_WINDOWS = {
    # window id: (crimes withdrawn, crimes added) in the copy of the demo data
    "2020-03-16..2020-07-03": (37, 0),
    "2020-07-04..2020-09-30": (0, 23),
    "2019-03-16..2019-07-03": (5, 12),
    "2019-07-04..2019-09-30": (8, 8),  # as many added as withdrawn: the count is unchanged
}


def _all_crime_in(crimes: pd.DataFrame, window: str, area: str = "Force") -> int:
    """The recount: police recorded crime (codes the shipped classification counts in all
    crime) recorded in the window (in the NPA ``area``), straight from the file with pandas."""
    from importlib import resources

    lookup = pd.read_csv(resources.files("perfpack").joinpath("data", "offence_classification.csv"), dtype=str, keep_default_na=False)
    in_all = set(lookup.loc[lookup["in_all_crime"] == "true", "offence_code"])
    w = W(window)
    d = pd.to_datetime(crimes["recorded_date"]).dt.date
    where = crimes["npa"] == area if area != "Force" else True
    return int((crimes["offence_code"].isin(in_all) & (d >= w.start) & (d <= w.end) & where).sum())


def _run(period: str, data: Path, out: Path) -> Path:
    """One run of section 01 through the command line; the published folder."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "perfpack.cli",
            "run",
            "--period",
            period,
            "--data",
            str(data),
            "--out",
            str(out),
            "--sections",
            "01",
            "--workers",
            "1",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out / period


def _texts(pack: Path) -> dict:
    return {
        "manifest": json.loads((pack / "manifest.json").read_text(encoding="utf-8")),
        "index": (pack / "index.html").read_text(encoding="utf-8"),
        "paper": (pack / "meeting-paper.html").read_text(encoding="utf-8"),
        "page": (pack / "01-all-crime.html").read_text(encoding="utf-8"),
        "revisions": pd.read_csv(pack / "revisions.csv", dtype=str, keep_default_na=False),
    }


@pytest.mark.e2e
def test_revisions_through_the_command_line_match_a_recount(tmp_path):
    """2020-Q3 published; crimes withdrawn and added in a copy of the data; 2020-Q4 run on the
    copy: every revision in its revisions.csv matches a recount of both extracts, every figure
    the two packs share whose recount differs is listed, and the note, the headline table, the
    paper and the section page say so. Then 2020-Q4 again on the same data: none."""
    from importlib import resources

    from perfpack.sources.demo import write_demo

    demo, changed, out = tmp_path / "demo", tmp_path / "revised", tmp_path / "outputs"
    write_demo(demo, scale=0.5)

    q3 = _texts(_run("2020-Q3", demo, out))
    first = "There is no earlier pack with figures for the same periods, so no revisions can be shown."
    assert q3["manifest"]["revisions"]["note"] == first and q3["manifest"]["revisions"]["count"] == 0
    assert q3["revisions"].empty and list(q3["revisions"].columns) == R.REVISION_COLUMNS
    for name in ("index", "paper"):
        assert f"<p>{first}</p>" in q3[name], name
    assert 'class="pp-revised"' not in q3["page"] and 'class="pp-revisions"' not in q3["page"], "nothing to mark on a first pack"

    # the revised extract: crimes withdrawn and added in the Covid-19 windows, the rest copied
    changed.mkdir()
    for f in demo.iterdir():
        if f.name != "crimes.csv":
            shutil.copy(f, changed / f.name)
    crimes = pd.read_csv(demo / "crimes.csv", dtype=str, keep_default_na=False)
    lookup = pd.read_csv(resources.files("perfpack").joinpath("data", "offence_classification.csv"), dtype=str, keep_default_na=False)
    in_all = crimes["offence_code"].isin(set(lookup.loc[lookup["in_all_crime"] == "true", "offence_code"]))
    d = pd.to_datetime(crimes["recorded_date"]).dt.date
    rng = np.random.default_rng(18)
    drop, add = [], []
    for window, (n_out, n_in) in CHANGED_WINDOWS.items():
        w = W(window)
        inside = crimes.index[in_all & (d >= w.start) & (d <= w.end)]
        drop += list(rng.choice(inside, n_out, replace=False))
        new = crimes.loc[rng.choice(inside, n_in, replace=False)].copy()
        new["crime_id"] = [f"REV18-{window[:10]}-{i}" for i in range(n_in)]
        new["recorded_date"] = [(w.start + pd.Timedelta(days=int(x))).isoformat() for x in rng.integers(0, w.days, n_in)]
        add.append(new)
    revised = pd.concat([crimes.drop(index=drop)] + add, ignore_index=True)
    revised.to_csv(changed / "crimes.csv", index=False)

    q4_dir = _run("2020-Q4", changed, out)
    q4 = _texts(q4_dir)
    revs = q4["revisions"]
    assert list(revs.columns) == R.REVISION_COLUMNS
    assert set(revs["key"]) == {"all_crime"} and set(revs["published_in"]) == {"2020-Q3"}, "ASB incidents and calls read the same files"
    assert set(revs["published_at"]) == {q3["manifest"]["finished_at"]}

    # every revision against the recount, on the original and on the revised extract
    for r in revs.to_dict("records"):
        before, after = _all_crime_in(crimes, r["window"], r["area"]), _all_crime_in(revised, r["window"], r["area"])
        assert (int(r["published"]), int(r["revised"]), int(r["change"])) == (before, after, after - before), r
        assert float(r["pct_change"]) == round(100 * (after - before) / before, 1) and r["material"] == str(abs(100 * (after - before) / before) >= 1.0), r
    # and every figure both packs published whose recount differs is listed
    shared = set(stated_figures(pd.read_csv(out / "2020-Q3" / "figures.csv", dtype=str, keep_default_na=False))) & set(
        stated_figures(pd.read_csv(q4_dir / "figures.csv", dtype=str, keep_default_na=False))
    )
    differ = {fid for fid in shared if fid[0] == "all_crime" and _all_crime_in(crimes, fid[2], fid[1]) != _all_crime_in(revised, fid[2], fid[1])}
    assert set(R.revised_keys(revs)) == differ
    windows = set(revs["window"])
    assert set(CHANGED_WINDOWS) - {"2019-07-04..2019-09-30"} <= windows, "the Covid-19 periods, and the previous year's first lockdown"
    assert {f"2020-0{m}" for m in range(3, 10)} <= {w[:7] for w in windows}, "the months of 2020 the changes fall in"

    rec = q4["manifest"]["revisions"]
    assert rec["status"] == "ok" and rec["count"] == len(revs) and rec["material"] == int((revs["material"] == "True").sum())
    assert [c["period"] for c in rec["compared_with"]] == ["2020-Q3"]
    assert [(c["name"], c["status"]) for c in rec["changed_inputs"]] == [("crimes", "changed")]
    assert rec["changed_inputs"][0]["new_rows"] - rec["changed_inputs"][0]["old_rows"] == sum(b - a for a, b in CHANGED_WINDOWS.values())
    note = rec["note"]
    assert note.startswith("Compared with what the 2020-Q3 pack (finished ") and f"{len(revs)} figures have changed" in note
    assert "The largest revision: all crime, Period one: first national lockdown for 16 March\u20133 July 2020, published in the 2020-Q3 pack as " in note
    assert ": 37 fewer (\u2212" in note and "Input files that differ from those of the 2020-Q3 pack: crimes.csv (changed, " in note
    for name in ("index", "paper"):
        assert f"<p>{html.escape(note)}</p>" in q4[name], name
        assert 'href="revisions.csv"' in q4[name], name
    assert q4["index"].index("Revisions since earlier packs") < q4["index"].index('id="headline"'), "the index opens with the note"
    assert q4["paper"].index('id="revisions"') < q4["paper"].index('id="foreword"'), "so does the paper"
    # the headline table: the 2020 figure is not one the 2020-Q3 pack published, so it is not marked
    head = q4["index"][q4["index"].index('id="headline"') :]
    assert 'class="pp-revised"' not in head[: head.index("</table>")]
    # the section page marks each revised figure beside it, and lists them all
    for r in revs.to_dict("records"):
        assert html.escape(mark_words(r, "2020-Q4")) in q4["page"], r
    assert f"Revised since an earlier pack: {len(revs)} figures on this page" in q4["page"]
    march = revs[revs["window"] == "2020-03-01..2020-03-31"].iloc[0]
    assert f"revised since the 2020-Q3 pack (was {int(march['published']):,})</small>" in q4["page"]

    # the same quarter again, on the same data: nothing has changed, in one line
    again = _texts(_run("2020-Q4", changed, out))
    assert again["revisions"].empty
    note = again["manifest"]["revisions"]["note"]
    assert note.startswith("No figure published in the earlier run of the 2020-Q4 pack (finished ") and note.endswith(" has changed.") and note.count(".") == 1
    assert [c["period"] for c in again["manifest"]["revisions"]["compared_with"]] == ["2020-Q4", "2020-Q3"]
    assert f"<p>{html.escape(note)}</p>" in again["index"] and f"<p>{html.escape(note)}</p>" in again["paper"]
    assert 'class="pp-revised"' not in again["page"] and "No figure on this page differs from what an earlier pack published." in again["page"]
