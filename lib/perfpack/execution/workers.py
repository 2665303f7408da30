"""The section workers: long-lived processes that run one section after another (papermill, then
the HTML export), each section with its own timeout; a worker whose section hangs is stopped
and replaced, so a stuck section never holds up the others."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# ---- the run -----------------------------------------------------------------------------------


KILL_GRACE_SECONDS = 10


@dataclass(frozen=True)
class SectionSpec:
    id: str
    path: Path
    title: str


class _Worker:
    """A section worker process (``python -m perfpack.execution.worker --serve``) that runs one section
    after another: its start and imports (papermill, nbconvert: about a second of CPU) are
    paid once per parallel slot rather than once per section. Each section still runs in a
    fresh kernel; a worker whose section hangs or dies is stopped and replaced."""

    def __init__(self, workdir: Path, n: int, env: dict):
        self.log_path = workdir / f"worker-{n}.log"
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "perfpack.execution.worker", "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
            env=env,
        )
        self.replies: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.replies.put(line)
        self.replies.put(None)  # the process has ended

    def run(self, job_path: Path, timeout: float) -> str:
        """Run one job: ``done``, ``timeout`` or ``ended`` (the process died)."""
        try:
            self.proc.stdin.write(f"{job_path}\n".encode())
            self.proc.stdin.flush()
        except OSError:
            return "ended"
        try:
            return "done" if self.replies.get(timeout=timeout) is not None else "ended"
        except queue.Empty:
            return "timeout"

    def log_tail(self, offset: int) -> str:
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            lines = f.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no message"

    def end_of_jobs(self) -> None:
        """Tell the worker no more jobs are coming: it leaves its loop and ends."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def close(self, now: bool = False) -> None:
        """Let the worker finish (end of its jobs), or with ``now`` stop it and its section."""
        try:
            if now:
                raise OSError
            self.end_of_jobs()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            stop(self.proc)
        self.log.close()


class Workers:
    """One :class:`_Worker` per thread of the runner's pool. ``start`` workers are started at
    once, so that their imports overlap the validation of the data; more on first use.

    With ``fork_kernels``, a kernel server (:mod:`perfpack.execution.kernel_fork`) is started first and
    the workers' kernels are forked from it: each section still gets a fresh kernel, without
    paying 2.5 s of CPU to start it and import the libraries."""

    def __init__(self, workdir: Path, start: int = 0, fork_kernels: bool = True, sockets: Path | None = None):
        self.workdir, self.local, self.all, self.lock = workdir, threading.local(), [], threading.Lock()
        self.finished = False
        from perfpack.execution import kernel_fork  # stdlib only: the kernel client's module

        # the workers and the kernel server watch this process from their first instruction and
        # remove its private folders if it dies; kernels' sockets (IPC, not TCP) go in ``sockets``
        sockets = Path(sockets or workdir)
        folders = os.pathsep.join(dict.fromkeys([str(workdir), str(sockets)]))
        self.env = dict(
            os.environ,
            PYTHONWARNINGS="ignore",
            MPLBACKEND="Agg",
            **{kernel_fork.RUNNER_PID_ENV: str(os.getpid()), kernel_fork.SCRATCH_ENV: folders, kernel_fork.KERNEL_DIR_ENV: str(sockets / "k")},
        )
        self.server = None
        if fork_kernels:
            from perfpack.execution.kernel_fork import ENV, Server  # stdlib only: the kernel client's module

            self.server_log = open(workdir / "kernel-server.log", "ab")
            self.server = Server(sockets, env=self.env, log=self.server_log)
            self.env[ENV] = self.server.path
        self.idle = [self._new() for _ in range(start)]

    def _new(self) -> _Worker:
        with self.lock:
            w = _Worker(self.workdir, len(self.all), self.env)
            self.all.append(w)
        return w

    def get(self) -> _Worker:
        w = getattr(self.local, "worker", None)
        if w is None or w.proc.poll() is not None:
            with self.lock:
                w = self.idle.pop() if self.idle else None
            self.local.worker = w = w if w is not None and w.proc.poll() is None else self._new()
        return w

    def discard(self, w: _Worker) -> None:
        stop(w.proc)
        self.local.worker = None

    def finish(self) -> None:
        """No more sections: the workers and the kernel server end on their own while the
        runner writes the index and the paper (:meth:`close` then finds them gone)."""
        self.finished = True
        for w in self.all:
            w.end_of_jobs()
        if self.server is not None:
            self.server.proc.terminate()

    def close(self, now: bool = False) -> None:
        """Wait for the workers to end (after :meth:`finish`), or with ``now`` stop them."""
        while self.all:
            self.all.pop().close(now)
        if self.server is not None:
            stop(self.server.proc)
            self.server_log.close()
            self.server = None


def run_section(spec: SectionSpec, job: dict, timeout: int, workdir: Path, workers: Workers) -> dict:
    job_path = workdir / f"{spec.id}.job.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    started = time.perf_counter()
    worker = workers.get()
    log_offset = worker.log_path.stat().st_size
    outcome = worker.run(job_path, timeout + 30)
    if outcome == "timeout":
        workers.discard(worker)
        res = {
            "section": spec.id,
            "status": "timeout",
            "error": f"stopped after {timeout} s (the section's time limit, runner.timeout_seconds in the configuration)",
        }
        if Path(job["output"]).is_file():
            from perfpack.publish.export import notebook_to_html, publish_notebook  # heavy: only at the step that needs it, so a refused run exits at once

            try:
                publish_notebook(job["output"], [tuple(pair) for pair in job["local_paths"]], job["published_parameters"])
                notebook_to_html(
                    job["output"], job["html"], marking=job["marking"], transparency=job["transparency"], period=job["period"], run_info=job["run_info"]
                )
            except Exception:  # a partial notebook that cannot be prepared or exported: not published, the index says so
                Path(job["output"]).unlink(missing_ok=True)
        res["seconds"] = round(time.perf_counter() - started, 2)
        return res
    if outcome == "ended":
        workers.discard(worker)
    result_path = Path(job["result"])
    if not result_path.is_file():
        if Path(job["output"]).is_file():  # the worker died before preparing its notebook for publication
            from perfpack.publish.export import publish_notebook  # heavy: only at the step that needs it, so a refused run exits at once

            try:
                publish_notebook(job["output"], [tuple(pair) for pair in job["local_paths"]], job["published_parameters"])
            except Exception:  # unreadable: not published
                Path(job["output"]).unlink(missing_ok=True)
        return {
            "section": spec.id,
            "status": "failed",
            "error": f"the section's process ended without a result (exit {worker.proc.poll()}): {worker.log_tail(log_offset)[:300]}",
            "seconds": round(time.perf_counter() - started, 2),
        }
    res = json.loads(result_path.read_text(encoding="utf-8"))
    res["seconds"] = round(time.perf_counter() - started, 2)
    return res


def stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, KILL_GRACE_SECONDS), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
