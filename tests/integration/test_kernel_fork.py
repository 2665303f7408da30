"""Kernels forked from the kernel server (perfpack.execution.kernel_fork): fresh, with the libraries
already imported, where papermill asked for them, and stopped by whatever stops a kernel."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from perfpack.execution import kernel_fork

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the kernel server forks (POSIX only)")

REPORT = "import json, os, sys\nprint(json.dumps({'pid': os.getpid(), 'ppid': os.getppid(), 'preloaded': 'perfpack.pages.section' in sys.modules, 'cwd': os.getcwd(), 'mark': os.environ.get('PERFPACK_TEST_MARK'), 'leftover': globals().get('leftover')}))\nleftover = 1"


@pytest.fixture
def server(tmp_path):
    with open(tmp_path / "server.log", "ab") as log:
        srv = kernel_fork.Server(tmp_path, env=dict(os.environ, MPLBACKEND="Agg"), log=log)
        try:
            yield srv
        finally:
            srv.proc.terminate()
            srv.proc.wait(timeout=10)


def _execute(tmp_path: Path, code: str, **kwargs) -> dict:
    import papermill

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "perfpack", "display_name": "Python (perfpack)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(code)]
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, str(src))
    papermill.execute_notebook(
        str(src), str(out), kernel_name="perfpack", cwd=str(tmp_path), progress_bar=False, kernel_manager_class=kernel_fork.kernel_manager_class(), **kwargs
    )
    text = "".join(o.get("text", "") for o in nbformat.read(str(out), 4).cells[0].outputs)
    return json.loads(text)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().split(")")[-1].split()[1]) == pid:
                    out.append(int(d.name))
            except (OSError, ValueError, IndexError):
                pass
    return out


def test_a_forked_kernel_is_fresh_preloaded_and_where_papermill_put_it(server, tmp_path, monkeypatch):
    monkeypatch.setenv(kernel_fork.ENV, server.path)
    monkeypatch.setenv("PERFPACK_TEST_MARK", "seen")
    first, second = _execute(tmp_path, REPORT), _execute(tmp_path, REPORT)
    for k in (first, second):
        assert k["ppid"] == server.proc.pid  # forked by the server
        assert k["preloaded"] is True  # the notebook library was imported before the kernel began
        assert k["cwd"] == str(tmp_path) and k["mark"] == "seen"  # the client's folder and environment
        assert k["leftover"] is None  # nothing from an earlier kernel
    assert first["pid"] != second["pid"]
    assert _gone(first["pid"]) and _gone(second["pid"])


def test_without_a_server_the_kernel_starts_the_usual_way(tmp_path, monkeypatch):
    monkeypatch.delenv(kernel_fork.ENV, raising=False)
    k = _execute(tmp_path, REPORT)
    assert k["ppid"] == os.getpid() and k["preloaded"] is False
    monkeypatch.setenv(kernel_fork.ENV, str(tmp_path / "nobody-listens.sock"))
    (tmp_path / "nobody-listens.sock").touch()  # a server that died and left its socket file
    k = _execute(tmp_path, REPORT)
    assert k["ppid"] == os.getpid() and k["preloaded"] is False


def test_a_cell_over_its_time_limit_is_stopped_and_its_kernel_goes(server, tmp_path, monkeypatch):
    monkeypatch.setenv(kernel_fork.ENV, server.path)
    pid_file = tmp_path / "kernel.pid"
    code = f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(600)"
    started = time.monotonic()
    with pytest.raises(Exception):  # noqa: B017  (papermill or nbclient's timeout error: either will do)
        _execute(tmp_path, code, execution_timeout=3)
    assert time.monotonic() - started < 60
    assert _gone(int(pid_file.read_text()))
    assert _children(server.proc.pid) == []


def _client(server, tmp_path):
    from jupyter_client.connect import write_connection_file

    conn, _ = write_connection_file(str(tmp_path / "kernel.json"))
    env = dict(os.environ, **{kernel_fork.ENV: server.path})
    client = subprocess.Popen(
        [sys.executable, "-m", "perfpack.execution.kernel_fork", "-f", conn], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while not (kernels := _children(server.proc.pid)):
        assert time.monotonic() < deadline, "no kernel was forked"
        time.sleep(0.1)
    return client, kernels[0]


def test_killing_the_client_stops_its_kernel(server, tmp_path):
    client, kernel = _client(server, tmp_path)
    client.kill()
    client.wait()
    assert _gone(kernel)


def test_a_signal_to_the_client_reaches_the_kernel_and_its_exit_status_comes_back(server, tmp_path):
    client, kernel = _client(server, tmp_path)
    time.sleep(1)  # let the kernel set its handlers up
    client.send_signal(signal.SIGTERM)
    assert client.wait(timeout=20) == -signal.SIGTERM  # ended as the kernel ended
    assert _gone(kernel)


def test_kernels_go_when_the_server_goes(server, tmp_path):
    client, kernel = _client(server, tmp_path)
    server.proc.kill()
    server.proc.wait()
    assert client.wait(timeout=20) == 1
    assert _gone(kernel)
