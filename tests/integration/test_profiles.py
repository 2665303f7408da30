"""Force profiles: how a run finds its profile, what a force without one gets, commentary and
ratings that never leave their own force, commentary names checked, the manifest's record of
the profile, `perfpack init-force`, demo data that follow a profile, and a code version that
is dirty when untracked files of the notebooks or the profile were used."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from capture import Capture
from conftest import ROOT, SHARED_DATA, write_tiny
from perfpack.cli import build_parser
from perfpack.config import DEFAULT_CONFIG, ConfigError, load_config
from perfpack.execution import provenance
from perfpack.pages import asb_and_covid, fraud_and_cyber_crime, strategic_risk
from perfpack.profiles import check_commentary, data_force, derived_config, describe_profile, find_profile, init_profile, resolve, write_derived
from perfpack.sources import load_dataset
from perfpack.sources.demo import generate

CITY = SHARED_DATA / "policeuk" / "city-of-london"


@pytest.fixture
def profile_copy(tmp_path) -> Path:
    """The demo profile copied to a profiles folder of its own, as another force would keep it."""
    dest = tmp_path / "profiles" / "other-force"
    shutil.copytree(DEFAULT_CONFIG.parent, dest)
    return dest


def test_the_demo_profile_is_the_default_and_force_names_a_folder(tmp_path):
    assert resolve().profile == "demo" and resolve().profile_dir == ROOT / "profiles" / "demo"
    assert resolve("demo").path == DEFAULT_CONFIG
    assert find_profile("nowhere") is None
    # --config: an explicit pack.yaml inside a profile folder (or the folder itself)
    assert resolve(config_path=DEFAULT_CONFIG).profile_dir == DEFAULT_CONFIG.parent
    assert resolve(config_path=DEFAULT_CONFIG.parent).path == DEFAULT_CONFIG
    # a folder path given as --force
    assert resolve(str(DEFAULT_CONFIG.parent)).profile == "demo"


def test_a_force_without_a_profile_gets_one_derived_on_public_data_only():
    cfg = resolve("west-mercia", source="policeuk")
    assert cfg.derived and cfg.npas == () and cfg.profile == "derived: west-mercia"
    assert data_force(cfg, "west-mercia", "policeuk") == "west-mercia"
    assert len(cfg.covid_periods) == 4  # the template's national periods, third lockdown included
    with pytest.raises(ConfigError, match="init-force west-mercia"):
        resolve("west-mercia", source="canonical")
    # the demo profile names itself in each public source
    assert data_force(resolve(), "", "policeuk") == "staffordshire" and data_force(resolve(), "", "homeoffice") == "Staffordshire"


@pytest.mark.parametrize(
    "argv",
    [
        ["--force", "west-mercia", "run", "--period", "2025-Q2", "--source", "policeuk"],
        ["run", "--period", "2025-Q2", "--source", "policeuk", "--force", "west-mercia"],
    ],
)
def test_force_is_accepted_before_or_after_the_command(argv):
    args = build_parser().parse_args(argv)
    assert args.force == "west-mercia" and args.command == "run"


@pytest.mark.parametrize("before", [True, False])
def test_config_is_accepted_before_or_after_the_command(before):
    opt = ["--config", str(DEFAULT_CONFIG)]
    argv = opt + ["validate"] if before else ["validate"] + opt
    assert build_parser().parse_args(argv).config == str(DEFAULT_CONFIG)


def test_commentary_and_ratings_never_appear_outside_their_own_force(tiny_dir):
    ds = load_dataset(tiny_dir, "canonical", "", load_config())
    own = Capture("01-all-crime", period="2020-Q4", data_dir="", data=ds)
    own.commentary()
    assert "pp-commentary" in own.page  # the demo force's own words, for its own pack
    other = Capture("01-all-crime", period="2020-Q4", data_dir="", source="policeuk", force="west-mercia", data=ds)
    assert other.config.derived
    other.commentary()
    assert other.page == ""
    risk = Capture("08-strategic-risk", period="2020-Q4", data_dir="", source="policeuk", force="west-mercia", data=ds)
    assert strategic_risk.assessment(risk).empty and strategic_risk.evidence(risk).empty
    assert "this force has no profile, so there is no risk register" in risk.page and "Finance" not in risk.page


def test_a_profile_without_commentary_shows_none_and_one_without_a_register_says_so(tiny_dir, profile_copy):
    shutil.rmtree(profile_copy / "commentary")
    (profile_copy / "risk_register.csv").unlink()
    ds = load_dataset(tiny_dir, "canonical", "", load_config())
    s = Capture("01-all-crime", period="2020-Q4", data_dir="", config_path=str(profile_copy / "pack.yaml"), data=ds)
    s.commentary()
    assert s.page == ""
    r = Capture("08-strategic-risk", period="2020-Q4", data_dir="", config_path=str(profile_copy / "pack.yaml"), data=ds)
    assert strategic_risk.assessment(r).empty and "has no risk_register.csv" in r.page


def test_a_commentary_file_that_matches_no_section_is_an_error(profile_copy, tmp_path):
    cfg = load_config(profile_copy / "pack.yaml")
    sections = ["01-all-crime", "02-domestic-abuse"]
    (profile_copy / "commentary" / "README.md").write_text("notes for analysts\n", encoding="utf-8")
    for p in (profile_copy / "commentary" / "2020-Q4").glob("*.md"):
        if p.stem not in sections:
            p.unlink()
    check_commentary(cfg, sections)  # the section files and a README are fine
    typo = profile_copy / "commentary" / "2020-Q4" / "01-all-crim.md"
    typo.write_text("Words that would never be shown.\n", encoding="utf-8")
    loose = profile_copy / "commentary" / "01-all-crime.md"  # not in a period folder
    loose.write_text("Nor these.\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        check_commentary(cfg, sections)
    assert str(typo) in str(e.value) and str(loose) in str(e.value) and "01-all-crime, 02-domestic-abuse" in str(e.value)


def test_a_run_with_a_misnamed_commentary_file_stops_with_exit_2_and_writes_nothing(profile_copy, tmp_path):
    (profile_copy / "commentary" / "2020-Q4" / "09-peers.md").write_text("x\n", encoding="utf-8")
    tiny = write_tiny(tmp_path / "tiny")
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "perfpack.cli",
            "run",
            "--period",
            "2020-Q4",
            "--config",
            str(profile_copy / "pack.yaml"),
            "--data",
            str(tiny),
            "--out",
            str(out),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    assert "09-peers.md" in proc.stderr and "match no section" in proc.stderr and "Traceback" not in proc.stderr
    assert not (out / "2020-Q4").exists()


def test_the_manifest_records_every_profile_file_with_its_hash():
    rec = describe_profile(load_config())
    files = {f["path"]: f for f in rec["files"]}
    assert rec["name"] == "demo" and not rec["derived"] and rec["folder"] == str(DEFAULT_CONFIG.parent)
    for rel in ("pack.yaml", "risk.yaml", "risk_register.csv", "commentary/2020-Q4/01-all-crime.md"):
        assert files[rel]["sha256"] == hashlib.sha256((DEFAULT_CONFIG.parent / rel).read_bytes()).hexdigest()
    assert len([f for f in files if f.startswith("commentary/")]) == 7


def test_init_force_writes_a_profile_from_the_template(tmp_path):
    dest = init_profile("West Mercia", tmp_path)
    assert dest.name == "west-mercia" and {p.name for p in dest.iterdir()} == {"pack.yaml", "risk.yaml", "commentary"}
    cfg = load_config(dest / "pack.yaml")
    assert cfg.force_name == "West Mercia" and cfg.npas == () and not cfg.derived
    assert yaml.safe_load((dest / "pack.yaml").read_text())["force"]["npas"] == []
    with pytest.raises(ConfigError, match="exists already"):
        init_profile("west-mercia", tmp_path)
    # a profile with no areas cannot check a force's own extracts
    with pytest.raises(Exception, match="lists no areas"):
        load_dataset(write_tiny(tmp_path / "tiny"), "canonical", "", cfg)


@pytest.mark.skipif(not CITY.exists(), reason=f"{CITY} is not here: the real public data live in ../shared/data")
def test_init_force_from_police_uk_files_takes_the_name_and_areas(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "perfpack.cli", "init-force", "city-of-london", "--from", str(CITY), "--profiles", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    cfg = load_config(tmp_path / "city-of-london" / "pack.yaml")
    assert cfg.force_name == "City of London Police" and cfg.npas == ("City of London",)
    assert cfg.raw["force"]["sources"]["policeuk"] == "city-of-london"


def test_demo_data_follow_the_profiles_areas_and_any_number_of_covid_periods(profile_copy):
    raw = yaml.safe_load((profile_copy / "pack.yaml").read_text())
    raw["force"]["npas"] = ["North", "South", "East"]
    raw["covid"]["periods"].append({"id": "fifth", "label": "Period five", "start": "2021-03-29", "end": "2021-03-31"})
    (profile_copy / "pack.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    cfg = load_config(profile_copy / "pack.yaml")
    assert len(cfg.covid_periods) == 5
    frames = generate(scale=0.05, config=cfg)
    for table in ("crimes", "incidents", "fpns"):
        assert set(frames[table]["npa"]) == {"North", "South", "East"}, table


def test_an_own_extract_without_fpns_or_action_fraud_runs_and_says_so(tmp_path):
    folder = write_tiny(tmp_path / "tiny")
    (folder / "fpns.csv").unlink()
    (folder / "fraud_reports.csv").unlink()
    ds = load_dataset(folder, "canonical", "", load_config())
    s = Capture("05-fraud-and-cyber-crime", period="2020-Q4", data_dir="", data=ds)
    assert fraud_and_cyber_crime.reports(s).empty and fraud_and_cyber_crime.disseminations(s).empty
    assert "not available from this source: the force&#x27;s extracts hold no fraud_reports table (an Action Fraud report from the force area per row" in s.page
    f = Capture("06-asb-and-covid", period="2020-Q4", data_dir="", data=ds)
    assert asb_and_covid.fpns(f).empty and "hold no fpns table (a Covid-19 fixed penalty notice per row" in f.page


def _git(repo: Path, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True)


def test_the_code_version_is_dirty_when_untracked_notebook_or_profile_files_were_used(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    for rel in ("lib/x.py", "notebooks/01-a.ipynb", "profiles/f/pack.yaml"):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text("x\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "add", "-A")
    _git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "x")
    monkeypatch.setattr(provenance, "PROJECT_ROOT", repo)
    clean = provenance.code_version(profile_dir=repo / "profiles" / "f", notebooks_dir=repo / "notebooks")
    assert clean["git_dirty"] is False
    (repo / "profiles" / "f" / "commentary").mkdir()
    (repo / "profiles" / "f" / "commentary" / "note.md").write_text("new\n", encoding="utf-8")
    dirty = provenance.code_version(profile_dir=repo / "profiles" / "f", notebooks_dir=repo / "notebooks")
    assert dirty["git_dirty"] is True and dirty["untracked_files_used"] == ["profiles/f/commentary/note.md"]
    (repo / "profiles" / "f" / "commentary" / "note.md").unlink()
    (repo / "notebooks" / "02-extra.ipynb").write_text("{}\n", encoding="utf-8")
    assert provenance.code_version(profile_dir=repo / "profiles" / "f", notebooks_dir=repo / "notebooks")["git_dirty"] is True
    # an untracked file elsewhere in the repository was not used
    (repo / "notebooks" / "02-extra.ipynb").unlink()
    (repo / "scratch.txt").write_text("x\n", encoding="utf-8")
    assert provenance.code_version(profile_dir=repo / "profiles" / "f", notebooks_dir=repo / "notebooks")["git_dirty"] is False
    # notebooks outside the repository are not the commit's
    outside = tmp_path / "nbs"
    outside.mkdir()
    assert provenance.code_version(notebooks_dir=outside)["git_dirty"] is True


def test_a_derived_profile_reads_like_any_other(tmp_path):
    cfg = derived_config("west-mercia")
    again = load_config(write_derived(cfg, tmp_path / "p"))
    assert again.derived and again.force_name == "west-mercia" and again.npas == () and again.covid_periods == cfg.covid_periods
    assert pd.Series(list(again.raw["force"])).isin(["name", "short_name", "area_name", "area_short", "sources", "npas"]).all()
