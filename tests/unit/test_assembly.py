"""What a partial run publishes (:func:`perfpack.execution.assembly.assemble`), without running
a pack: the sections it ran, the earlier pack's others with their pages, notebooks, figures
and the files they wrote for the pack (``peers.csv``), and a section that failed again keeping
its earlier page."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace

from perfpack.csv_cells import write_csv
from perfpack.execution.assembly import assemble
from perfpack.execution.runner import gather_pack_files
from perfpack.execution.workers import SectionSpec
from perfpack.periods import Period
from perfpack.stats.figures import PACK_FILES_DIR, to_frame, value_row

PERIOD = Period.parse("2020-Q4")
DS = SimpleNamespace(files=[], force="Demo", facts={}, notes=[], unavailable={})


def _figures(section: str, value: float):
    return to_frame([value_row(section, "k", "K", "Jan - Dec 2020", value, value - 1)])


def _earlier_pack(final: Path) -> dict:
    """A published pack of two sections; 09 wrote peers.csv for the pack."""
    (final / "notebooks").mkdir(parents=True)
    for sid in ("01-a", "09-peers"):
        (final / f"{sid}.html").write_text(f"<p>{sid} earlier</p>")
        (final / "notebooks" / f"{sid}.ipynb").write_text("{}")
    (final / "peers.csv").write_text("force,count\nGwent,3\n")
    import pandas as pd

    write_csv(pd.concat([_figures("01-a", 10), _figures("09-peers", 20)]), final / "figures.csv")
    sections = [
        {"id": sid, "title": sid, "status": "ok", "html": f"{sid}.html", "notebook": f"notebooks/{sid}.ipynb", "run_id": "r-old"}
        for sid in ("01-a", "09-peers")
    ]
    sections[1]["pack_files"] = ["peers.csv"]
    manifest = {
        "period": PERIOD.id,
        "run_id": "r-old",
        "started_at": "2021-02-01T09:00:00+00:00",
        "sections": sections,
        "runs": {"r-old": {"started_at": "2021-02-01T09:00:00+00:00"}},
    }
    (final / "manifest.json").write_text(json.dumps(manifest))
    return manifest


def _this_run(tmp: Path, status: str = "ok"):
    build, figures_dir = tmp / "build", tmp / "figures"
    (build / "notebooks").mkdir(parents=True)
    if status == "ok":
        (build / "01-a.html").write_text("<p>01-a now</p>")
        (build / "notebooks" / "01-a.ipynb").write_text("{}")
        write_csv(_figures("01-a", 11), figures_dir / "01-a.csv")
    specs = [SectionSpec("01-a", Path("01-a.ipynb"), "A")]
    results = {"01-a": {"status": status, "seconds": 1.0, "error": None if status == "ok" else "boom"}}
    return build, figures_dir, specs, results


def test_a_partial_run_keeps_the_other_sections_and_their_pack_files(tmp_path):
    final = tmp_path / "2020-Q4"
    earlier = _earlier_pack(final)
    build, figures_dir, specs, results = _this_run(tmp_path)
    manifest, figures, failed = assemble(PERIOD, specs, results, build, final, figures_dir, earlier, True, "r-new", "now", DS, {}, 0.1, time.perf_counter(), {})
    assert not failed
    assert (build / "01-a.html").read_text() == "<p>01-a now</p>", "the section run again is this run's"
    assert (build / "09-peers.html").read_text() == "<p>09-peers earlier</p>", "the other section is kept as it was"
    assert (build / "peers.csv").read_text() == "force,count\nGwent,3\n", "with the file it wrote for the pack"
    by_id = {s["id"]: s for s in manifest["sections"]}
    assert by_id["01-a"]["run_id"] == "r-new" and by_id["09-peers"]["run_id"] == "r-old" and by_id["09-peers"]["kept"] is True
    assert set(manifest["runs"]) == {"r-new", "r-old"}
    assert sorted(zip(figures["section"], figures["current"])) == [("01-a", "11"), ("09-peers", "20")], "this run's 01, the earlier 09"


def test_a_section_that_fails_again_keeps_its_earlier_page(tmp_path):
    final = tmp_path / "2020-Q4"
    earlier = _earlier_pack(final)
    build, figures_dir, specs, results = _this_run(tmp_path, status="failed")
    manifest, figures, failed = assemble(PERIOD, specs, results, build, final, figures_dir, earlier, True, "r-new", "now", DS, {}, 0.1, time.perf_counter(), {})
    a = next(s for s in manifest["sections"] if s["id"] == "01-a")
    assert a["run_id"] == "r-old" and a["update_failed"] == {"run_id": "r-new", "status": "failed", "error": "boom"}
    assert (build / "01-a.html").read_text() == "<p>01-a earlier</p>"
    assert failed == [a], "the run still says a section failed (exit 1)"
    assert sorted(figures["current"]) == ["10", "20"]


def test_pack_files_are_gathered_by_the_section_that_wrote_them(tmp_path):
    figures_dir, build = tmp_path / "figures", tmp_path / "build"
    build.mkdir()
    (figures_dir / PACK_FILES_DIR / "09-peers").mkdir(parents=True)
    (figures_dir / PACK_FILES_DIR / "09-peers" / "peers.csv").write_text("x\n")
    (figures_dir / PACK_FILES_DIR / "09-peers" / "peers.csv.tmp").write_text("half")
    assert gather_pack_files(figures_dir, build) == {"09-peers": ["peers.csv"]}
    assert sorted(p.name for p in build.iterdir()) == ["peers.csv"]
