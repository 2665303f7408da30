"""Revisions against earlier packs (issue 18): hand-made packs with known differences, then
one real run of section 01 for two quarters with crimes withdrawn and added in between."""

from __future__ import annotations

import html
import json
import shutil
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
    return {"period": period, "force": force, "parameters": {"source": source}, "started_at": finished_at, "finished_at": finished_at, "inputs": ins if ins is not None else inputs(), "sections": []}


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
    got = [tuple(r) for r in revs[["key", "area", "window", "published", "revised", "change", "pct_change", "published_in", "material"]].itertuples(index=False)]
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
    write_pack(root / "2019-Q1", manifest("2019-Q1", "2019-04-20T09:00:00+01:00"), [count_row("01", "all_crime", "All crime", W("2018-04-01..2019-03-31"), None, 1, None)])  # shares no window
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
    new = manifest("2020-Q4", Q4_OLD_AT, [dict(r, path=r["path"].replace("/data/x", "/elsewhere")) for r in inputs("d" * 64, 1010)] + [{"table": "incidents", "path": "/e/incidents.parquet", "sha256": "e" * 64, "rows": 5}])
    got = R.inputs_changed(new, old)
    assert got == [
        {"name": "crimes", "file": "crimes.csv", "status": "changed", "old_sha256": "c" * 64, "new_sha256": "d" * 64, "old_rows": 1000, "new_rows": 1010, "since": "2020-Q3"},
        {"name": "incidents", "file": "incidents.parquet", "status": "added", "old_sha256": None, "new_sha256": "e" * 64, "old_rows": None, "new_rows": 5, "since": "2020-Q3"},
        {"name": "fpns", "file": "fpns.csv", "status": "removed", "old_sha256": "f" * 64, "new_sha256": None, "old_rows": 9, "new_rows": None, "since": "2020-Q3"},
    ]  # calls.csv moved folder, same sha256: not listed
    assert R.inputs_changed(old, old) == []
    earlier = [R.EarlierPack(Path("/x"), "2020-Q3", Q3_AT, old, to_frame(q3_rows()))]
    note = R.revisions_note(pd.DataFrame(columns=R.REVISION_COLUMNS), got, 1.0, earlier, period="2020-Q4")
    assert note.endswith("Input files that differ from those of the 2020-Q3 pack: crimes.csv (changed, 1,000 rows then, 1,010 now), incidents.parquet (new) and fpns.csv (no longer read).")


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
    assert list(back.loc[back["area"] == "Tamworth", ["published", "revised", "change", "pct_change", "material"]].iloc[0]) == ["suppressed", "14", "", "", "False"]
    assert back.loc[0, "published"] == "6100" and back.loc[7, "revised"] == "1240000.0"
    empty = R.write_revisions(R.compare(outputs["figures"], [], 1.0), tmp_path / "empty.csv")
    assert empty.read_text().strip() == ",".join(R.REVISION_COLUMNS)


def test_monthly_rows():
    s = pd.Series([7000, np.nan, 6150], index=pd.DatetimeIndex(["2020-01-01", "2020-02-01", "2020-03-01"]))
    rows = monthly_rows("01-all-crime", "all_crime", "All crime", s)
    assert [(r["window"], r["current"], r["kind"], r["previous"], r["area"]) for r in rows] == [("2020-01-01..2020-01-31", 7000, "count", None, "Force"), ("2020-03-01..2020-03-31", 6150, "count", None, "Force")]
    assert monthly_rows("01", "k", "K", pd.Series([3], index=pd.PeriodIndex(["2020-02"], freq="M")))[0]["window"] == "2020-02-01..2020-02-29"
    small = monthly_rows("01", "k", "K", pd.Series([3, 30], index=pd.DatetimeIndex(["2020-01-01", "2020-02-01"])), area="Stafford")
    assert [r["suppressed"] for r in small] == [True, False]
    f = to_frame(small)
    assert f["current"].isna().iloc[0] and f["current"].iloc[1] == 30


# ---- one real run ---------------------------------------------------------------------------


CHANGED_WINDOWS = {
    # window id: (crimes withdrawn, crimes added) in the copy of the demo data
    "2020-03-16..2020-07-03": (37, 0),
    "2020-07-04..2020-09-30": (0, 23),
    "2019-03-16..2019-07-03": (5, 12),
    "2019-07-04..2019-09-30": (8, 8),  # as many added as withdrawn: the count is unchanged
}


def _all_crime_in(crimes: pd.DataFrame, window: str) -> int:
    """The recount: police recorded crime (codes the shipped classification counts in all
    crime) recorded in the window, straight from the file with pandas."""
    from importlib import resources

    lookup = pd.read_csv(resources.files("perfpack").joinpath("data", "offence_classification.csv"), dtype=str, keep_default_na=False)
    in_all = set(lookup.loc[lookup["in_all_crime"] == "true", "offence_code"])
    w = W(window)
    d = pd.to_datetime(crimes["recorded_date"]).dt.date
    return int((crimes["offence_code"].isin(in_all) & (d >= w.start) & (d <= w.end)).sum())


@pytest.mark.e2e
def test_revisions_of_a_real_run_match_a_recount(tmp_path):
    from importlib import resources

    from perfpack.execution.runner import run
    from perfpack.sources.demo import write_demo

    demo, changed, out = tmp_path / "demo", tmp_path / "revised", tmp_path / "outputs"
    write_demo(demo, scale=0.5)
    q3 = run("2020-Q3", data_dir=demo, sections=["01"], out_dir=out, workers=1, progress=False)
    assert q3.exit_code == 0, q3.manifest.get("sections")

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

    q4 = run("2020-Q4", data_dir=changed, sections=["01"], out_dir=out, workers=1, progress=False)
    assert q4.exit_code == 0, q4.manifest.get("sections")
    figures = merge_figures([q4.out_dir / "figures.csv"])
    earlier = R.find_earlier_packs(out, "2020-Q4", R.figure_windows(figures), exclude=[q4.out_dir])
    assert [p.period for p in earlier] == ["2020-Q3"]
    revs = R.compare(figures, earlier, threshold_pct=0.1)

    # the recount, on the original and on the revised extract
    published_q3 = read_figures(out / "2020-Q3" / "figures.csv")
    expected = []
    for window in CHANGED_WINDOWS:
        before, after = _all_crime_in(crimes, window), _all_crime_in(revised, window)
        in_q3 = published_q3[(published_q3["key"] == "all_crime") & (published_q3["area"] == "Force") & ((published_q3["window"] == window) | (published_q3["previous_window"] == window))]
        assert not in_q3.empty, window
        r = in_q3.iloc[0]
        assert int(r["current"] if r["window"] == window else r["previous"]) == before, f"the 2020-Q3 pack counts {window} as the recount does"
        if after != before:
            expected.append((window, before, after, after - before, round(100 * (after - before) / before, 1), abs(100 * (after - before) / before) >= 0.1))
    got = sorted((r.window, r.published, r.revised, r.change, r.pct_change, r.material) for r in revs.itertuples() if r.key == "all_crime")
    assert got == sorted(expected) and len(expected) == 3
    # nothing else changed: ASB incidents and calls, in the same windows, read the same files
    assert set(revs["key"]) == {"all_crime"} and set(revs["published_in"]) == {"2020-Q3"}

    changed_inputs = R.inputs_changed(q4.manifest, earlier[0].manifest)
    assert [(c["name"], c["status"]) for c in changed_inputs] == [("crimes", "changed")]
    assert changed_inputs[0]["new_rows"] - changed_inputs[0]["old_rows"] == sum(b - a for a, b in CHANGED_WINDOWS.values())
    note = R.revisions_note(revs, changed_inputs, 0.1, earlier, period="2020-Q4")
    assert note.startswith("Compared with what the 2020-Q3 pack (finished ") and "3 figures have changed" in note
    assert "The largest revision: all crime, Period one: first national lockdown for 16 March\u20133 July 2020, published in the 2020-Q3 pack as " in note
    assert ": 37 fewer (\u2212" in note and "Input files that differ from those of the 2020-Q3 pack: crimes.csv (changed, " in note
