"""End to end: the pack for 2020-Q4 on demo data, and how the runner behaves when things go
wrong (bad data, unknown section, a failing or hanging notebook, a second run at once)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from perfpack.stats.figures import FIGURE_COLUMNS, read_figures

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e
full_run = pytest.mark.xdist_group("pack")  # tests reading the one shared pack run stay on one worker


def perfpack(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "perfpack.cli", *args], capture_output=True, text=True, timeout=timeout)


# ---- the real run --------------------------------------------------------------------------


@full_run
def test_run_succeeds_and_leaves_what_the_spec_lists(pack_run):
    proc, out = pack_run["proc"], pack_run["out"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in ("index.html", "figures.csv", "manifest.json"):
        assert (out / name).is_file(), name
    sections = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    for s in sections:
        assert (out / f"{s}.html").is_file(), s
        assert (out / "notebooks" / f"{s}.ipynb").is_file(), s
    assert not list(out.parent.glob(".build-*")) and not list(out.parent.glob(".old-*"))
    assert not list(out.parent.glob(".*.lock"))


@full_run
def test_figures_csv_has_the_spec_columns(pack_run):
    f = read_figures(pack_run["out"] / "figures.csv")
    assert list(f.columns[: len(FIGURE_COLUMNS)]) == FIGURE_COLUMNS
    assert not f.duplicated(["key", "window", "area"]).any(), "one row per key, window and area"
    counts = f[(f["kind"] == "count") & ~f["suppressed"]]
    readings = [
        "significant increase",
        "significant decrease",
        "no significant change",
        "too few to test",
        "no data for the comparison period",
        "none in the comparison period",
        "new since 16 March 2020",
    ]
    assert counts["significance"].isin(readings).all(), set(counts["significance"]) - set(readings)
    hidden = f[f["suppressed"]]
    assert hidden["significance"].isna().all() and hidden["p_value"].isna().all()  # a hidden row says nothing about its counts


@full_run
def test_manifest_records_inputs_code_and_sections(pack_run):
    m = json.loads((pack_run["out"] / "manifest.json").read_text())
    assert m["period"] == "2020-Q4" and m["status"] == "ok"
    assert m["parameters"]["source"] == "canonical"
    assert m["started_at"] < m["finished_at"]
    assert m["code_version"]["perfpack"] and m["code_version"]["classification"].startswith("sha256:")
    files = {Path(f["path"]).name: f for f in m["inputs"]}
    assert set(files) == {"crimes.csv", "incidents.csv", "calls.csv", "fraud_reports.csv", "fpns.csv"}
    crimes = pack_run["demo"] / "crimes.csv"
    assert files["crimes.csv"]["sha256"] == hashlib.sha256(crimes.read_bytes()).hexdigest()
    for s in m["sections"]:
        assert s["status"] == "ok" and s["error"] is None and s["seconds"] > 0


def _row(f, key, window, area="Force"):
    r = f[(f["key"] == key) & (f["window"] == window) & (f["area"] == area)]
    assert len(r) == 1, f"{key} {window} {area}: {len(r)} rows"
    return r.iloc[0]


@full_run
def test_all_crime_2020_against_2019(pack_run):
    f = read_figures(pack_run["out"] / "figures.csv")
    force = _row(f, "all_crime", "2020-01-01..2020-12-31")
    assert force["pct_change"] == pytest.approx(-18, abs=2)
    assert force["significance"] == "significant decrease"
    npas = f[(f["key"] == "all_crime") & (f["window"] == "2020-01-01..2020-12-31") & (f["area"] != "Force")]
    assert len(npas) == 9
    assert (npas["change"] < 0).all(), "every NPA down"


@full_run
def test_all_crime_covid_period(pack_run):
    f = read_figures(pack_run["out"] / "figures.csv")
    assert _row(f, "all_crime", "2020-03-16..2020-12-31")["pct_change"] == pytest.approx(-20, abs=2)


@full_run
def test_section_pages_are_for_reviewers(pack_run):
    for page in sorted(pack_run["out"].glob("*.html")):
        text = page.read_text()
        assert text.count("OFFICIAL") >= 2, f"{page.name}: marking top and bottom"
        assert "Transparency: Full - proactively published" in text
        assert not re.search(r"<script[^>]+src=|<link[^>]+href=\"https?:|@import|url\(https?:", text), f"{page.name} loads from the network"
        assert "<script" not in text, f"{page.name} carries a script"
        assert "highlight hl-ipython3" not in text and 'jp-CodeMirrorEditor"' not in text and "from perfpack" not in text and "Section(" not in text, (
            f"{page.name} shows code"
        )
        assert "Traceback" not in text
        policy = re.search(r'<meta[^>]*http-equiv="Content-Security-Policy"[^>]*>', text)
        assert policy and "default-src 'none'" in policy.group(0) and policy.start() < text.find("<style"), (
            f"{page.name} carries no policy forbidding network loads"
        )


@full_run
def test_published_notebooks_and_pages_show_no_local_folder(pack_run):
    import os
    import tempfile

    local = [str(pack_run["root"]), str(pack_run["demo"]), str(ROOT), tempfile.gettempdir() + "/", os.path.expanduser("~") + "/", sys.prefix]
    for f in [*pack_run["out"].glob("*.html"), *pack_run["out"].glob("notebooks/*.ipynb")]:
        text = f.read_text(encoding="utf-8")
        for folder in local:
            assert folder not in text, f"{f.name} shows the local folder {folder}"


@full_run
def test_every_chart_has_real_alt_text(pack_run):
    for page in sorted(pack_run["out"].glob("[0-9][0-9]-*.html")):
        for alt in re.findall(r'<img[^>]*alt="([^"]*)"', page.read_text()):
            assert len(alt) > 40 and "No description" not in alt, f"{page.name}: {alt[:80]}"


@full_run
def test_index_links_every_section_and_shows_headlines(pack_run):
    text = (pack_run["out"] / "index.html").read_text()
    for page in pack_run["out"].glob("[0-9][0-9]-*.html"):
        assert f'href="{page.name}"' in text
    assert "Headline figures" in text and "All crime" in text and "significant decrease" in text
    assert "Data quality" in text and "crimes.csv" in text


@full_run
def test_covid_related_asb_against_a_year_before_covid_is_explained(pack_run):
    page = (pack_run["out"] / "06-asb-and-covid.html").read_text(encoding="utf-8")
    # the figure stays, with no percentage and no "increase": the measure is new
    # the row reads "new since 16 March 2020" (no percentage, no test) where it would have read a rise from nothing
    assert "new since 16 March 2020" in page
    assert "so 2019 had none by definition" in page and "Other ASB is the like-for-like comparison." in page


@full_run
def test_kernels_started_the_usual_way_give_the_same_figures(pack_run, tmp_path):
    """runner.fork_kernels only changes how a section's fresh kernel is started."""
    import shutil

    cfg = tmp_path / "demo"
    shutil.copytree(ROOT / "profiles" / "demo", cfg)
    text = (cfg / "pack.yaml").read_text(encoding="utf-8")
    assert "fork_kernels: true" in text
    (cfg / "pack.yaml").write_text(text.replace("fork_kernels: true", "fork_kernels: false"), encoding="utf-8")
    proc = perfpack(
        "--config",
        str(cfg / "pack.yaml"),
        "run",
        "--period",
        "2020-Q4",
        "--data",
        str(pack_run["demo"]),
        "--out",
        str(tmp_path / "out"),
        "--sections",
        "05,07",
        "--no-progress",
    )
    assert proc.returncode == 0, proc.stderr
    plain = read_figures(tmp_path / "out" / "2020-Q4" / "figures.csv")
    forked = read_figures(pack_run["out"] / "figures.csv")
    forked = forked[forked["section"].isin(["05-fraud-and-cyber-crime", "07-calls-for-service"])]
    assert len(plain) > 20 and set(plain["section"]) == {"05-fraud-and-cyber-crime", "07-calls-for-service"}
    tidy = lambda df: df.dropna(axis=1, how="all").reset_index(drop=True)  # noqa: E731  (columns no row of these sections fills)
    pd.testing.assert_frame_equal(tidy(plain), tidy(forked))
    assert json.loads((tmp_path / "out" / "2020-Q4" / "manifest.json").read_text())["parameters"]["fork_kernels"] is False
    assert json.loads((pack_run["out"] / "manifest.json").read_text())["parameters"]["fork_kernels"] is True


# ---- when things go wrong ---------------------------------------------------------------------


def _notebook(path: Path, body: str, params: dict | None = None):
    from perfpack.parameters import NOTEBOOK_PARAMETERS

    params = NOTEBOOK_PARAMETERS if params is None else params
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "perfpack", "display_name": "Python (perfpack)", "language": "python"}
    p = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in params.items()))
    p.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"), p, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, str(path))


OK_BODY = 'from perfpack.pages.section import Section\ns = Section("{id}", period=period, data_dir=data_dir, source=source, force=force, config_path=config_path, figures_dir=figures_dir)\ns.say("fine")\ns.add_value("demo_value", "A value", s.current, 1)\ns.save()'


@pytest.fixture
def small_pack(tmp_path, tiny_dir):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs / "01-fine.ipynb", OK_BODY.format(id="01-fine"))
    return {"nbs": nbs, "data": tiny_dir, "out": tmp_path / "out"}


def run_small(sp, *extra, period="2020-Q1"):
    return perfpack("run", "--period", period, "--data", str(sp["data"]), "--out", str(sp["out"]), "--notebooks", str(sp["nbs"]), "--no-progress", *extra)


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failing_section_is_exported_others_finish_exit_nonzero(small_pack):
    _notebook(small_pack["nbs"] / "02-broken.ipynb", 'raise ValueError("deliberate failure for the test")')
    proc = run_small(small_pack)
    assert proc.returncode == 1, proc.stderr
    out = small_pack["out"] / "2020-Q1"
    assert (out / "01-fine.html").is_file() and (out / "02-broken.html").is_file()
    assert "deliberate failure for the test" in (out / "02-broken.html").read_text()
    assert "Traceback" not in (out / "02-broken.html").read_text()
    m = json.loads((out / "manifest.json").read_text())
    status = {s["id"]: s for s in m["sections"]}
    assert status["01-fine"]["status"] == "ok" and status["02-broken"]["status"] == "failed"
    assert "deliberate failure" in status["02-broken"]["error"]
    assert "failed" in (out / "index.html").read_text()
    assert "demo_value" in (out / "figures.csv").read_text()


def test_hanging_section_is_stopped_by_its_timeout(small_pack):
    _notebook(small_pack["nbs"] / "02-hangs.ipynb", "import time\ntime.sleep(600)")
    proc = run_small(small_pack, "--timeout", "4")
    assert proc.returncode == 1
    m = json.loads((small_pack["out"] / "2020-Q1" / "manifest.json").read_text())
    hung = {s["id"]: s for s in m["sections"]}["02-hangs"]
    assert hung["status"] in ("failed", "timeout") and "4" in hung["error"] and ("time" in hung["error"].lower())


def test_bad_data_leaves_earlier_outputs_exactly_as_they_were(small_pack):
    assert run_small(small_pack).returncode == 0
    before = snapshot(small_pack["out"])
    crimes = small_pack["data"] / "crimes.csv"
    crimes.write_text(crimes.read_text().replace(",45,", ",45X,"))
    proc = run_small(small_pack)
    assert proc.returncode == 2
    assert "crimes.csv, column 'offence_code'" in proc.stderr and "45X" in proc.stderr and "line 4" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(small_pack["out"]) == before


def test_unknown_section_is_a_clear_error(small_pack):
    proc = run_small(small_pack, "--sections", "01,99-nope")
    assert proc.returncode == 2 and "Unknown section: 99-nope" in proc.stderr and "01-fine" in proc.stderr
    assert not (small_pack["out"] / "2020-Q1").exists()


def test_notebook_parameters_must_match_the_runner(small_pack):
    _notebook(small_pack["nbs"] / "02-odd.ipynb", "pass", params={"period": "2020-Q4", "data_dir": "x", "colour": "red"})
    proc = run_small(small_pack)
    assert proc.returncode == 2
    assert "02-odd.ipynb" in proc.stderr and "not passed by the runner: colour" in proc.stderr and "missing" in proc.stderr


def test_period_outside_the_data(small_pack):
    proc = run_small(small_pack, period="2024-Q1")
    assert proc.returncode == 2 and "outside the data" in proc.stderr and "2019-03-01" in proc.stderr


def test_bad_period_id(small_pack):
    proc = run_small(small_pack, period="2020Q1")
    assert proc.returncode == 2 and "YYYY-QN" in proc.stderr


def test_second_run_of_the_same_period_is_refused(small_pack):
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        out = small_pack["out"]
        out.mkdir(parents=True)
        (out / ".2020-Q1.lock").write_text(json.dumps({"pid": holder.pid, "started_at": "earlier"}))
        proc = run_small(small_pack)
        assert proc.returncode == 2 and "Another run of 2020-Q1 is in progress" in proc.stderr
    finally:
        holder.kill()
    # once the holder has gone the lock is stale and the next run takes it over
    holder.wait()
    assert run_small(small_pack).returncode == 0


def test_debris_of_a_killed_run_does_not_break_the_next(small_pack):
    """A killed run's build and temporary folders (marked with its run id) are removed by the
    next run; folders that merely look like them are not the pack's and stay."""
    import tempfile

    out = small_pack["out"]
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    debris = out / ".build-2020-Q1-abcdef12"
    (debris / "notebooks").mkdir(parents=True)
    (debris / "index.html").write_text("half written")
    mark = {"run_id": "20210101T000000-abcdef12", "kind": "build", "pid": dead.pid}
    (debris / ".perfpack-run.json").write_text(json.dumps(mark))
    scratch = Path(tempfile.mkdtemp(prefix="perfpack-run_abcdef12_"))
    (scratch / ".perfpack-run.json").write_text(json.dumps(dict(mark, kind="scratch")))
    (scratch / "data").mkdir()
    lookalikes = [
        out / f".old-stuff-{4_000_000}-x",
        out / f".build-2020-Q1-{dead.pid}-abcdef",
        Path(tempfile.gettempdir()) / f"perfpack-export-2021-01-{os.getpid()}",
    ]
    for folder in lookalikes:
        (folder / "keep").mkdir(parents=True, exist_ok=True)
    try:
        assert run_small(small_pack).returncode == 0
        assert not debris.exists() and not scratch.exists()
        assert "half written" not in (out / "2020-Q1" / "index.html").read_text()
        for folder in lookalikes:
            assert (folder / "keep").is_dir(), f"{folder} is not the pack's and must stay"
    finally:
        for folder in [*lookalikes, scratch]:
            shutil.rmtree(folder, ignore_errors=True)
