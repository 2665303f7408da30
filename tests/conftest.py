"""Shared fixtures: tiny hand-made canonical tables, the demo data, a pack run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"

#: The demo force's Neighbourhood Policing Areas, as profiles/demo/pack.yaml lists them.
DEMO_NPAS = (
    "Cannock Chase",
    "East Staffordshire",
    "Lichfield",
    "Newcastle-under-Lyme",
    "South Staffordshire",
    "Stafford",
    "Staffordshire Moorlands",
    "Tamworth",
    "Stoke-on-Trent",
)
TINY = {
    "crimes": "crime_id,recorded_date,offence_code,npa,domestic,victim_id\n"
    "CRA1,2020-01-05,28E,Stafford,false,\n"
    "CRA2,2020-02-10,8N,Tamworth,true,VX1\n"
    "CRA3,2019-03-01,45,Stoke-on-Trent,false,\n"
    "CRA4,2019-12-31,105A,Lichfield,true,VX1\n",
    "incidents": "incident_id,opened_at,category,covid_related,npa,victim_id,grade,attended\n"
    "INA1,2020-04-01 10:00:00,asb_nuisance,true,Stafford,,3,false\n"
    "INA2,2020-05-02 23:10:00,domestic_non_crime,false,Tamworth,VX1,2,true\n",
    "calls": "date,channel,calls\n2020-01-01,999,120\n2020-01-01,101,300\n2020-01-01,digital,45\n",
    "fraud_reports": "report_id,reported_date,fraud_type,loss_gbp,victim_type,victim_age_band,support_requested,disseminated_to_force\n"
    "FRA1,2020-06-01,Consumer fraud,120.50,individual,30-39,true,false\n"
    "FRA2,2020-07-01,Romance fraud,0,organisation,Not applicable,false,true\n",
    "fpns": "fpn_id,issued_date,breach_type,npa\nFPA1,2020-04-11,gathering,Stafford\n",
}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under ``pytest -n 2 --dist loadgroup`` (``make test``) the tests marked
    ``xdist_group("pack")`` share one worker and so one run of the pack (the session fixture
    ``pack_run``). pytest-xdist marks them by appending ``@pack`` to their node ids; pytest 9.2
    ignores that (its node ids no longer come from ``_nodeid``), and every grouped fixture was
    then built on both workers, silently: stop here instead."""
    if not getattr(config.option, "loadgroup", False):
        return
    grouped = [item for item in items if item.get_closest_marker("xdist_group")]
    if grouped and "@" not in grouped[0].nodeid:
        raise pytest.UsageError(
            f"pytest-xdist's --dist loadgroup is not applied with pytest {pytest.__version__}: "
            f"{grouped[0].nodeid} has no @group suffix. Use the pinned versions (requirements.txt)."
        )


def write_tiny(folder: Path) -> Path:
    """Write the tiny canonical tables (:data:`TINY`) into ``folder``; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in TINY.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_dir(tmp_path) -> Path:
    """A valid canonical folder with a handful of rows per table."""
    return write_tiny(tmp_path / "tiny")


@pytest.fixture(scope="session")
def config():
    from perfpack.config import load_config

    return load_config()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """The default demo set, generated once per test session."""
    from perfpack.sources.demo import write_demo

    d = tmp_path_factory.mktemp("demo") / "demo"
    write_demo(d)
    return d


@pytest.fixture(scope="session")
def pack_run(demo_dir, tmp_path_factory):
    """One full run of the pack for 2020-Q4 on demo data, through the command line."""
    out = tmp_path_factory.mktemp("outputs")
    cmd = [sys.executable, "-m", "perfpack.cli", "run", "--period", "2020-Q4", "--data", str(demo_dir), "--out", str(out), "--no-progress"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    return {"proc": proc, "out": out / "2020-Q4", "root": out, "demo": demo_dir}


def needs_shared(path: Path):
    return pytest.mark.skipif(
        not path.exists(), reason=f"{path} is not here: the real public data live in ../shared/data beside the repository (see README, 'Tests')"
    )
