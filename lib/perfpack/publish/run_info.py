"""How a page was produced, in words: the code version a manifest records and the run block
every page carries (period, data, input hashes, code, times). Light on purpose (no pandas, no
nbconvert): the runner uses it too."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path


def describe_version(v: dict) -> str:
    """The code version a manifest records, in words: "perfpack 0.1.0, commit 0123456789ab, classification sha256:…"."""
    s = f"perfpack {v.get('perfpack')}"
    if v.get("git_commit"):
        s += f", commit {v['git_commit']}{' with local changes' if v.get('git_dirty') else ''}"
    return s + f", classification {v.get('classification')}"


def run_block(info: dict) -> str:
    """The 'how this page was produced' block: period, data, code, time, link to the code."""
    files = "".join(
        f"<li>{html.escape(Path(f['path']).name)} <code>sha256:{html.escape(str(f.get('sha256', ''))[:16])}</code>{(' (' + format(int(f['rows']), ',') + ' rows)') if f.get('rows') is not None else ''}</li>"
        for f in info.get("files", [])
    )
    rows = [
        ("Period", html.escape(str(info.get("period", "")))),
        ("Data source", html.escape(f"{info.get('source', '')}: {info.get('force', '')}")),
        ("Input files", f"<ul>{files}</ul>" if files else "none recorded"),
        ("Code version", html.escape(str(info.get("code_version", "")))),
        ("Run", html.escape(run_times(info.get("started_at", ""), info.get("finished_at", "")))),
    ]
    if info.get("notebook"):
        rows.append(("The code", f'<a href="{html.escape(info["notebook"])}">executed notebook (code visible)</a>'))
    return "<table>" + "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in rows) + "</table>"


def run_times(started: str, finished: str) -> str:
    """``22 November 2020, 02:17:18 to 02:17:31 (UTC+00:00)`` from two ISO times."""
    try:
        a, b = datetime.fromisoformat(str(started)), datetime.fromisoformat(str(finished))
    except ValueError:
        return f"{started} to {finished}" if started or finished else "not recorded"
    zone = a.strftime("%z")
    zone = f" (UTC{zone[:3]}:{zone[3:]})" if zone else ""
    end = f"{b:%H:%M:%S}" if a.date() == b.date() else f"{b.day} {b:%B %Y}, {b:%H:%M:%S}"
    return f"{a.day} {a:%B %Y}, {a:%H:%M:%S} to {end}{zone}"
