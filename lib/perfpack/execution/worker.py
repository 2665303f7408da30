"""Run section notebooks in a worker process: papermill, then the HTML export.

Called by the runner as ``python -m perfpack.execution.worker --serve`` (job files' paths on stdin, one
section after another; see :func:`serve`), or as ``python -m perfpack.execution.worker JOB.json`` for one
job; writes each job's result file. Sections run in workers, not in the runner, so that a
section that hangs can be stopped (its worker and kernel killed, a new worker started for the
next section) without touching the others, and a crash in one never takes the run down.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from perfpack.execution import kernel_fork

# See runner.py: without this, importing papermill costs 0.9 s more CPU in every worker.
sys.modules.setdefault("rfc3987_syntax", None)


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def _kernel_did_not_start(exc: Exception) -> bool:
    text = str(exc)
    return isinstance(exc, RuntimeError) and ("Kernel died before replying to kernel_info" in text or "Kernel didn't respond" in text)


def run_job(job: dict) -> dict:
    import papermill as pm  # heavy: the worker process imports papermill/nbconvert once, on its first job
    from papermill.exceptions import PapermillExecutionError  # heavy: the worker process imports papermill/nbconvert once, on its first job

    from perfpack.publish.export import (  # heavy: the worker process imports papermill/nbconvert once, on its first job
        notebook_to_html,
        publish_notebook,
        without_local_paths,
    )

    started = time.perf_counter()
    result = {"section": job["section"], "status": "ok", "error": None, "started_at": _now()}
    # over IPC, never unencrypted TCP; forked from the runner's kernel server when there is one
    forking = {"kernel_manager_class": kernel_fork.kernel_manager_class(fork=bool(os.environ.get(kernel_fork.ENV)))}
    for attempt in (1, 2):
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
                # the notebook is complete when the last cell has run: stop the kernel at once
                # rather than wait up to a second for a graceful exit
                shutdown_kernel="immediate",
                **forking,
            )
        except PapermillExecutionError as exc:
            result.update(status="failed", error=f"{exc.ename}: {exc.evalue}".strip())
        except Exception as exc:  # kernel died, timeout inside a cell, missing kernel...
            if attempt == 1 and _kernel_did_not_start(exc):
                # Nothing has run yet: a kernel that dies while starting (two kernels on a busy
                # machine taking the same free port, say) gets one more try.
                result["notes"] = f"the kernel failed to start ({exc}); started again"
                continue
            result.update(status="failed", error=f"{type(exc).__name__}: {exc}".splitlines()[0][:500])
        break
    result["execute_seconds"] = round(time.perf_counter() - started, 2)
    result["finished_at"] = _now()
    pairs = [tuple(pair) for pair in job.get("local_paths") or []]
    if result["error"]:
        result["error"] = without_local_paths(result["error"], pairs)
    if Path(job["output"]).is_file():
        try:
            publish_notebook(job["output"], pairs, job.get("published_parameters"))  # no local folder in what is published
        except Exception as exc:
            result.update(status="failed", error=(result["error"] or "") + f" (the notebook could not be prepared for publication: {type(exc).__name__})")
        try:
            info = dict(job["run_info"], started_at=result["started_at"], finished_at=result["finished_at"])
            notebook_to_html(job["output"], job["html"], marking=job["marking"], transparency=job["transparency"], period=job["period"], run_info=info)
        except Exception as exc:
            result.update(status="failed", error=(result["error"] or "") + f" (export failed: {type(exc).__name__}: {exc})")
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def _stop_with_the_runner(poll_seconds: float = 0.5) -> None:
    """If the runner dies (killed, out of memory), stop this section too (SIGTERM to itself,
    which stops the kernel) instead of running on for up to the section's time limit into a
    build folder nobody will publish. The kernel watches this process the same way."""
    parent = kernel_fork.runner_pid()  # as the runner said, in case it ended before this line

    def watch():
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        kernel_fork.remove_scratch_of_a_dead_runner(parent)  # no copy of the data outlives the run
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)
        os._exit(1)  # the interrupt did not end the process: leave anyway

    threading.Thread(target=watch, name="runner-watch", daemon=True).start()


def _run_file(job_path: Path) -> None:
    """Run the job in ``job_path`` and write its result file, whatever happens."""
    job = json.loads(job_path.read_text(encoding="utf-8"))
    try:
        result = run_job(job)
    except KeyboardInterrupt:
        result = {"section": job["section"], "status": "timeout", "error": "stopped by the runner"}
        Path(job["result"]).write_text(json.dumps(result), encoding="utf-8")
        raise
    except Exception:
        result = {"section": job["section"], "status": "failed", "error": traceback.format_exc().strip().splitlines()[-1]}
    Path(job["result"]).write_text(json.dumps(result), encoding="utf-8")


def serve() -> None:
    """Run jobs one after another: a job file's path on each line of stdin; ``done`` on the
    protocol channel (the original stdout) after each. The runner keeps one such worker per
    parallel slot, so the process start and the imports of papermill and nbconvert are paid
    once per slot rather than once per section; every section still gets a fresh kernel."""
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything else written to stdout, kernels' included, goes to the log
    sys.stdout = sys.stderr
    # Import now: the runner starts its workers before it validates the data, so this
    # overlaps the validation instead of delaying the first section.
    import papermill  # noqa: F401

    from perfpack.publish.export import _exporter  # heavy: the worker process imports papermill/nbconvert once, on its first job

    _exporter()
    for line in sys.stdin:
        if line.strip():
            _run_file(Path(line.strip()))
            channel.write("done\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # The runner stops a hung section with SIGTERM: turn it into KeyboardInterrupt so papermill
    # and nbclient shut the kernel down rather than leave it behind.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    _stop_with_the_runner()
    try:
        if argv[:1] == ["--serve"]:
            serve()
        else:
            _run_file(Path(argv[0]))
    except KeyboardInterrupt:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
