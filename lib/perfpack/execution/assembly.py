"""What a run publishes, put together: this run's sections, and in a partial run the earlier
pack's others, with the figures of all of them and the manifest that says which run produced
each (``sections[].run_id``, ``runs``). Knows nothing about crime: sections are records and
files, figures are rows."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from perfpack.periods import Period


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def _kept_sections(earlier: dict | None, specs: list, partial: bool) -> list[dict]:
    """The earlier pack's sections a partial run keeps: every one it does not run again."""
    if not partial or not earlier:
        return []
    running = {s.id for s in specs}
    return [dict(r) for r in earlier.get("sections") or [] if isinstance(r, dict) and r.get("id") and r["id"] not in running]


def _earlier_runs(earlier: dict | None) -> dict:
    """The runs that produced an earlier pack's sections, by run id (a pack from before runs
    had ids counts as one run, named by its start time)."""
    if not earlier:
        return {}
    runs = dict(earlier.get("runs") or {})
    if not runs:
        rid = earlier.get("run_id") or f"run-{earlier.get('started_at', 'earlier')}"
        runs[rid] = {k: earlier.get(k) for k in ("started_at", "finished_at", "code_version", "inputs", "parameters")}
    return runs


def assemble(
    p: Period,
    specs,
    results,
    build: Path,
    final: Path,
    figures_dir: Path,
    earlier: dict | None,
    partial: bool,
    run_id: str,
    started_at: str,
    ds,
    version,
    validate_seconds,
    t0,
    parameters: dict,
):
    """The manifest, figures and failed sections of the pack to publish: this run's sections,
    and in a partial run the earlier pack's others (their files copied into the build; a
    section that failed in this run keeps its earlier good version, and says so)."""
    import pandas as pd  # heavy: only at the step that needs it, so a refused run exits at once

    from perfpack.stats.figures import FIGURE_COLUMNS, read_figures_text  # heavy: only at the step that needs it, so a refused run exits at once

    records: dict[str, dict] = {}
    frames: dict[str, pd.DataFrame] = {}
    for s in specs:
        r = results[s.id]
        records[s.id] = {
            "id": s.id,
            "title": s.title,
            "status": r.get("status"),
            "seconds": r.get("seconds"),
            "execute_seconds": r.get("execute_seconds"),
            "error": r.get("error"),
            "html": f"{s.id}.html" if (build / f"{s.id}.html").is_file() else None,
            "notebook": f"notebooks/{s.path.name}" if (build / "notebooks" / s.path.name).is_file() else None,
            "run_id": run_id,
            **({"notes": r["notes"]} if r.get("notes") else {}),
            **({"pack_files": r["pack_files"]} if r.get("pack_files") else {}),
        }
        f = figures_dir / f"{s.id}.csv"
        if f.is_file() and f.stat().st_size > 0:
            frames[s.id] = read_figures_text(f)
    kept = _kept_sections(earlier, specs, partial)
    if partial and earlier:  # a section that failed now keeps its earlier good version
        earlier_ok = {r["id"]: r for r in earlier.get("sections") or [] if isinstance(r, dict) and r.get("status") == "ok"}
        for sid, rec in list(records.items()):
            if rec["status"] != "ok" and sid in earlier_ok:
                old = dict(earlier_ok[sid], update_failed={"run_id": run_id, "status": rec["status"], "error": rec["error"]})
                for name in (f"{sid}.html", rec.get("notebook") or "", *rec.get("pack_files", [])):
                    if name:
                        (build / name).unlink(missing_ok=True)
                kept.append(old)
                frames.pop(sid, None)
                del records[sid]
    runs = _earlier_runs(earlier) if kept else {}
    earlier_figures = None
    for old in kept:
        for name in (old.get("html"), old.get("notebook"), *(old.get("pack_files") or [])):
            if name and (final / name).is_file():
                shutil.copy2(final / name, build / name)
        old.setdefault("run_id", next(iter(runs), None))
        old["kept"] = True
        old["produced_at"] = (runs.get(old["run_id"]) or {}).get("started_at")
        records[old["id"]] = old
        if earlier_figures is None and (final / "figures.csv").is_file():
            earlier_figures = read_figures_text(final / "figures.csv")
        if earlier_figures is not None and "section" in earlier_figures:
            frames[old["id"]] = earlier_figures[earlier_figures["section"] == old["id"]]
    order = sorted(records)
    section_records = [records[k] for k in order]
    present = [frames[k] for k in order if k in frames and not frames[k].empty]
    figures = pd.concat(present, ignore_index=True) if present else pd.DataFrame(columns=FIGURE_COLUMNS)
    failed = [r for r in section_records if r["status"] != "ok" or r.get("update_failed")]
    used = {r.get("run_id") for r in section_records}
    this_run = {"started_at": started_at, "code_version": version, "inputs": ds.files, "parameters": parameters, "sections": [s.id for s in specs]}
    manifest = {
        "period": p.id,
        "force": ds.force,
        "run_id": run_id,
        "parameters": parameters,
        "started_at": started_at,
        "finished_at": _now(),
        "duration_seconds": round(time.perf_counter() - t0, 2),
        "validate_seconds": validate_seconds,
        "code_version": version,
        "inputs": ds.files,
        "data_quality": ds.facts,
        "data_notes": ds.notes,
        "unavailable": ds.unavailable,
        "sections": section_records,
        "runs": {rid: info for rid, info in {**runs, run_id: this_run}.items() if rid in used},
        "status": "ok" if not failed else "failed",
    }
    return manifest, figures, failed
