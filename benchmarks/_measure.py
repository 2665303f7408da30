"""Run one command and sample the memory of its whole process tree while it runs.

Shared by ``bench.py`` and ``national_policeuk.py`` so both report memory the same way.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Sampled:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_pss_mb: float  # sum over the tree at the worst moment (PSS: shared pages counted once)
    peak_rss_mb: float  # the same with RSS (shared pages counted in every process)


def run_sampled(cmd: list[str], cwd: Path, interval: float = 0.2) -> Sampled:
    """Run ``cmd`` to the end, polling its process tree's memory every ``interval`` seconds."""
    import psutil

    peak = {"pss": 0.0, "rss": 0.0}
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    done = threading.Event()

    def sample():
        root = psutil.Process(proc.pid)
        while not done.is_set():
            pss = rss = 0
            try:
                for p in [root] + root.children(recursive=True):
                    try:
                        m = p.memory_full_info()
                        pss += getattr(m, "pss", m.rss)
                        rss += m.rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            peak["pss"] = max(peak["pss"], pss / 2**20)
            peak["rss"] = max(peak["rss"], rss / 2**20)
            done.wait(interval)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - t
    done.set()
    th.join()
    return Sampled(proc.returncode, stdout, stderr, seconds, peak["pss"], peak["rss"])
