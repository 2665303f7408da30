"""The pack holds under bad input, collisions and kills, through the command line.

Every bad-input class ends with exit code 2, a plain message (no traceback) naming the file,
the column and example rows, and the outputs of an earlier good run byte-for-byte as they
were. Messy but valid input (a byte-order mark, Windows line endings, extra columns) loads and
runs, with the extra columns in the data-quality report. Two runs of one period at once never
mix their files; a run killed part-way leaves the earlier outputs intact, no processes behind,
and nothing that breaks the next run.

The classes already covered in ``test_pack.py`` (unknown offence code, unknown section, period
outside the data, bad period id, a failing or hanging notebook, a held lock, debris) are not
repeated here. One good run of a one-section pack on the tiny folder is shared by the module;
each test works on a copy of its outputs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from conftest import write_tiny
from test_pack import OK_BODY, _notebook, snapshot

pytestmark = pytest.mark.e2e
PERIOD = "2020-Q1"


def perfpack_run(data: Path, out: Path, nbs: Path, *extra) -> list[str]:
    return [sys.executable, "-m", "perfpack.cli", "run", "--period", PERIOD, "--data", str(data), "--out", str(out), "--notebooks", str(nbs), "--no-progress", *extra]


def run(data: Path, out: Path, nbs: Path) -> subprocess.CompletedProcess:
    return subprocess.run(perfpack_run(data, out, nbs), capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """One good run of a one-section pack on the tiny folder: its data, notebooks and outputs."""
    root = tmp_path_factory.mktemp("baseline")
    data = write_tiny(root / "data")
    nbs = root / "nbs"
    nbs.mkdir()
    _notebook(nbs / "01-fine.ipynb", OK_BODY.format(id="01-fine"))
    out = root / "out"
    proc = run(data, out, nbs)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"data": data, "nbs": nbs, "out": out, "files": snapshot(out)}


@pytest.fixture
def work(baseline, tmp_path):
    """A copy of the baseline's data and outputs for one test to change."""
    data = shutil.copytree(baseline["data"], tmp_path / "data")
    out = shutil.copytree(baseline["out"], tmp_path / "out")
    return {"data": data, "out": out, "nbs": baseline["nbs"], "before": baseline["files"], "tmp": tmp_path}


def edit(folder: Path, table: str, old: str, new: str) -> None:
    p = folder / f"{table}.csv"
    text = p.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {table}.csv"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


def no_debris(out: Path) -> None:
    left = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert not left, f"left behind in {out}: {left}"


# ---- bad input: one case per class ------------------------------------------------------------
# (id, how to break the tiny folder, what the message must say: file, column, example rows)

BAD_INPUT = [
    ("missing-file", lambda d: (d / "fpns.csv").unlink(), ["fpns.csv", "file not found", "What to do"]),
    ("empty-file", lambda d: (d / "calls.csv").write_text(""), ["calls.csv", "empty (0 bytes)"]),
    ("missing-column", lambda d: edit(d, "crimes", "crime_id,recorded_date,offence_code,", "crime_id,recorded_date,offence,"), ["crimes.csv, column 'offence_code': column is missing", "found: crime_id, recorded_date, offence,"]),
    ("wrong-type-number", lambda d: edit(d, "calls", "2020-01-01,101,300", "2020-01-01,101,three hundred"), ["calls.csv, column 'calls'", "1 value that is not a whole number", "line 3: 'three hundred'"]),
    ("wrong-type-boolean", lambda d: edit(d, "crimes", "Tamworth,true", "Tamworth,maybe"), ["crimes.csv, column 'domestic'", "not true/false", "line 3: 'maybe'"]),
    ("unparseable-date", lambda d: edit(d, "crimes", "2020-01-05", "05/01/2020"), ["crimes.csv, column 'recorded_date'", "1 value that is not a real date", "line 2: '05/01/2020'"]),
    ("impossible-date", lambda d: edit(d, "incidents", "2020-05-02 23:10:00", "2020-02-30 23:10:00"), ["incidents.csv, column 'opened_at'", "1 value that is not a real date", "line 3: '2020-02-30 23:10:00'"]),
    ("future-date", lambda d: edit(d, "fpns", "2020-04-11", "2099-04-11"), ["fpns.csv, column 'issued_date'", "in the future", "line 2: '2099-04-11'"]),
    ("date-before-2000", lambda d: edit(d, "fraud_reports", "2020-06-01", "1996-06-01"), ["fraud_reports.csv, column 'reported_date'", "before 2000", "line 2: '1996-06-01'"]),
    ("date-apart-from-the-rest", lambda d: edit(d, "crimes", "2019-03-01", "2011-03-01"), ["crimes.csv, column 'recorded_date'", "apart from the rest", "line 4: '2011-03-01'", "2019-12-31 to 2020-02-10"]),
    ("duplicate-identifier", lambda d: edit(d, "incidents", "INA2", "INA1"), ["incidents.csv, column 'incident_id'", "duplicate identifier", "line 2: 'INA1'", "line 3: 'INA1'"]),
    ("negative-loss", lambda d: edit(d, "fraud_reports", "120.50", "-120.50"), ["fraud_reports.csv, column 'loss_gbp'", "1 negative value", "line 2: '-120.50'"]),
    ("unknown-npa", lambda d: edit(d, "crimes", "2020-02-10,8N,Tamworth", "2020-02-10,8N,Atlantis"), ["crimes.csv, column 'npa'", "1 unknown NPA name", "line 3: 'Atlantis'", "force.npas"]),
]


@pytest.mark.parametrize("case,breaks,says", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_plainly_and_changes_nothing(work, case, breaks, says):
    breaks(work["data"])
    proc = run(work["data"], work["out"], work["nbs"])
    assert proc.returncode == 2, f"exit {proc.returncode}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert proc.stderr.startswith("perfpack run: The data in"), proc.stderr[:300]
    assert "nothing was run and no outputs were changed" in proc.stderr
    for words in says:
        assert words in proc.stderr, f"{words!r} not in:\n{proc.stderr}"
    assert snapshot(work["out"]) == work["before"], "the earlier outputs changed"


def test_messy_but_valid_input_loads_and_reports_extra_columns(work):
    """A byte-order mark and Windows line endings load; extra columns are allowed and shown in
    the data-quality report (index page and manifest)."""
    crimes = work["data"] / "crimes.csv"
    crimes.write_bytes(b"\xef\xbb\xbf" + crimes.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))
    (work["data"] / "fpns.csv").write_text("fpn_id,issued_date,breach_type,npa,officer_note\r\nFPA1,2020-04-11,gathering,Stafford,seen twice\r\n", encoding="utf-8")
    edit(work["data"], "incidents", "grade,attended\n", "grade,attended,shift\n")
    edit(work["data"], "incidents", ",3,false\n", ",3,false,late\n")
    edit(work["data"], "incidents", ",2,true\n", ",2,true,early\n")
    proc = run(work["data"], work["out"], work["nbs"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = work["out"] / PERIOD
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    quality = m["data_quality"]
    assert quality["fpns"]["extra_columns"] == ["officer_note"]
    assert quality["incidents"]["extra_columns"] == ["shift"]
    assert quality["crimes"]["extra_columns"] == [], "the byte-order mark must not make a column of its own"
    assert quality["crimes"]["rows"] == 4 and quality["crimes"]["first"] == "2019-03-01" and quality["crimes"]["last"] == "2020-02-10"
    index = (out / "index.html").read_text(encoding="utf-8")
    quality_html = index[index.find("Data quality") :]
    assert "officer_note" in quality_html and "shift" in quality_html
    no_debris(work["out"])


# ---- runs that collide ------------------------------------------------------------------------


def _published_is_one_run(out: Path) -> dict:
    """The published folder holds the files of exactly one run: its manifest's sections are
    the pages, notebooks and figures present, and every page names the manifest's input files."""
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    ids = {s["id"] for s in m["sections"]}
    assert {p.stem for p in out.glob("[0-9][0-9]-*.html")} == ids
    assert {p.stem for p in (out / "notebooks").glob("*.ipynb")} == ids
    figures = (out / "figures.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert {row.split(",", 1)[0] for row in figures} <= ids
    hashes = {f["sha256"][:16] for f in m["inputs"]}
    index = (out / "index.html").read_text(encoding="utf-8")
    for s in ids:
        assert f'href="{s}.html"' in index
    for page in [out / "index.html", *(out / f"{s}.html" for s in ids)]:
        shown = set(re.findall(r"sha256:([0-9a-f]{16})", page.read_text(encoding="utf-8")))
        assert shown == hashes, f"{page.name} names other input files than the manifest"
    return m


def test_two_runs_of_one_period_at_once_never_mix(work):
    """Two runs started at the same moment, with different notebooks and data: one is refused
    with the lock message (or they run one after the other); the folder is one run's, whole."""
    data_b = shutil.copytree(work["data"], work["tmp"] / "data_b")
    edit(data_b, "crimes", "CRA4,2019-12-31,105A,Lichfield,true,VX1\n", "CRA4,2019-12-31,105A,Lichfield,true,VX1\nCRA5,2020-03-02,28E,Stafford,false,\n")
    nbs_b = work["tmp"] / "nbs_b"
    shutil.copytree(work["nbs"], nbs_b)
    _notebook(nbs_b / "02-second.ipynb", OK_BODY.format(id="02-second"))
    a = subprocess.Popen(perfpack_run(work["data"], work["out"], work["nbs"]), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    b = subprocess.Popen(perfpack_run(data_b, work["out"], nbs_b), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    (_, err_a), (_, err_b) = a.communicate(timeout=300), b.communicate(timeout=300)
    codes = {"a": a.returncode, "b": b.returncode}
    assert set(codes.values()) <= {0, 2} and 0 in codes.values(), f"{codes}\n{err_a[-1500:]}\n{err_b[-1500:]}"
    for rc, err in ((a.returncode, err_a), (b.returncode, err_b)):
        if rc == 2:
            assert f"Another run of {PERIOD} is in progress" in err and "Traceback" not in err, err
    m = _published_is_one_run(work["out"] / PERIOD)
    published = {s["id"] for s in m["sections"]}
    if codes["a"] == 2:
        assert published == {"01-fine", "02-second"}, "the refused run's files were published"
    if codes["b"] == 2:
        assert published == {"01-fine"}, "the refused run's files were published"
    no_debris(work["out"])


# ---- a run killed part-way --------------------------------------------------------------------


def test_killed_run_leaves_outputs_intact_and_the_next_run_succeeds(work):
    out = work["out"]
    nbs = work["tmp"] / "nbs_slow"
    shutil.copytree(work["nbs"], nbs)
    hold, started = work["tmp"] / "HOLD", work["tmp"] / "STARTED"
    hold.write_text("hold the section until the run is killed")
    _notebook(nbs / "02-slow.ipynb", f"import os, time\nif os.path.exists({str(hold)!r}):\n    open({str(started)!r}, 'w').close()\n    time.sleep(120)")
    runner = subprocess.Popen(perfpack_run(work["data"], out, nbs), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not started.exists():
            assert runner.poll() is None, f"the run ended (exit {runner.returncode}) before the section started"
            assert time.monotonic() < deadline, "the slow section never started"
            time.sleep(0.2)
        family = psutil.Process(runner.pid).children(recursive=True)  # section workers and their kernels
        assert family, "no section processes under the runner"
        os.killpg(runner.pid, signal.SIGKILL)  # the runner's process group, as a terminal's Ctrl-\ or an OOM kill would
        runner.wait(timeout=30)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
    # the workers notice their runner has gone and stop their kernels
    gone, alive = psutil.wait_procs(family, timeout=30)
    assert not alive, f"left running after the kill: {[(p.pid, ' '.join(p.cmdline()[-2:])) for p in alive]}"
    assert snapshot(out / PERIOD) == {k.relative_to(PERIOD): v for k, v in work["before"].items() if k.parts[0] == PERIOD}, "the published outputs changed"

    hold.unlink()
    proc = run(work["data"], out, nbs)
    assert proc.returncode == 0, proc.stderr[-3000:]
    m = _published_is_one_run(out / PERIOD)
    assert [s["id"] for s in m["sections"]] == ["01-fine", "02-slow"]
    no_debris(out)
