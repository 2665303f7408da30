"""Disclosure: no record or victim identifier from the inputs appears in any HTML export."""

import re

import pandas as pd
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("pack")]

ID_COLUMNS = {"crimes": ["crime_id", "victim_id"], "incidents": ["incident_id", "victim_id"], "fraud_reports": ["report_id"], "fpns": ["fpn_id"]}


def input_identifiers(demo) -> set[str]:
    ids: set[str] = set()
    for table, cols in ID_COLUMNS.items():
        df = pd.read_csv(demo / f"{table}.csv", usecols=cols, dtype=str, keep_default_na=False)
        for c in cols:
            ids.update(v for v in df[c].unique() if v)
    return ids


def page_tokens(html: str) -> set[str]:
    html = re.sub(r"data:[a-z/+]+;base64,[A-Za-z0-9+/=]+", " ", html)  # embedded images
    return set(re.findall(r"[A-Za-z0-9]+", html))


def test_identifiers_are_known(pack_run):
    ids = input_identifiers(pack_run["demo"])
    assert len(ids) > 1_000_000  # every crime, incident, report, FPN and victim


def test_no_input_identifier_in_any_export(pack_run):
    ids = input_identifiers(pack_run["demo"])
    pages = sorted(pack_run["out"].glob("*.html"))
    assert len(pages) >= 2
    for page in pages:
        leaked = page_tokens(page.read_text(encoding="utf-8")) & ids
        assert not leaked, f"{page.name} shows identifiers from the inputs: {sorted(leaked)[:5]}"


def test_scan_would_catch_a_leak(pack_run, tmp_path):
    """The scan itself works: a page quoting one crime reference is caught."""
    ids = input_identifiers(pack_run["demo"])
    one = sorted(i for i in ids if i.startswith("CR"))[0]
    assert one in page_tokens(f"<td>{one}</td>") & ids
