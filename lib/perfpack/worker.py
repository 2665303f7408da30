"""Run one section notebook in its own process: papermill, then the HTML export.

Called by the runner as ``python -m perfpack.worker JOB.json``; writes ``JOB.result.json``.
A separate process per section means a section that hangs can be stopped without touching
the others, and a crash in one never takes the run down.
"""

from __future__ import annotations

import json
import signal
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def run_job(job: dict) -> dict:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .export import notebook_to_html

    started = time.perf_counter()
    result = {"section": job["section"], "status": "ok", "error": None, "started_at": _now()}
    try:
        pm.execute_notebook(
            job["input"],
            job["output"],
            parameters=job["parameters"],
            kernel_name=job["kernel"],
            cwd=job["cwd"],
            execution_timeout=job["timeout"],
            log_output=False,
            progress_bar=False,
            report_mode=False,
        )
    except PapermillExecutionError as exc:
        result.update(status="failed", error=f"{exc.ename}: {exc.evalue}".strip())
    except Exception as exc:  # kernel died, timeout inside a cell, missing kernel...
        result.update(status="failed", error=f"{type(exc).__name__}: {exc}".splitlines()[0][:500])
    result["execute_seconds"] = round(time.perf_counter() - started, 2)
    result["finished_at"] = _now()
    if Path(job["output"]).is_file():
        try:
            info = dict(job["run_info"], started_at=result["started_at"], finished_at=result["finished_at"])
            notebook_to_html(job["output"], job["html"], marking=job["marking"], transparency=job["transparency"], period=job["period"], run_info=info)
        except Exception as exc:
            result.update(status="failed", error=(result["error"] or "") + f" (export failed: {type(exc).__name__}: {exc})")
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    job_path = Path(argv[0])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    # The runner stops a hung section with SIGTERM: turn it into KeyboardInterrupt so papermill
    # and nbclient shut the kernel down rather than leave it behind.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        result = run_job(job)
    except KeyboardInterrupt:
        result = {"section": job["section"], "status": "timeout", "error": "stopped by the runner"}
    except Exception:
        result = {"section": job["section"], "status": "failed", "error": traceback.format_exc().strip().splitlines()[-1]}
    Path(job["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
