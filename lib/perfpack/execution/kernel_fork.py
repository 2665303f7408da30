"""Fresh kernels without the import bill: each forked from a process that has imported the
notebooks' libraries once.

Every section runs in a fresh kernel. Started the usual way (``python -m ipykernel_launcher``)
a kernel costs about 2.5 s of CPU before its first cell does anything: the interpreter, the
kernel machinery, then pandas, matplotlib, seaborn, scipy and statsmodels. Eight sections on
two cores pay that eight times: half the CPU of a scale-1 pack.

The runner therefore starts one *kernel server* per run (``python -m perfpack.execution.kernel_fork
--serve SOCKET``). It imports the libraries every notebook imports (:data:`PRELOAD`), runs no
notebook code, and waits. When papermill starts a kernel, the command it runs is this
module's *client* (``python -m perfpack.execution.kernel_fork -f CONNECTION_FILE``), which asks the
server to fork: the child takes the client's standard streams, working folder and
environment and becomes an ordinary ipykernel on the connection file. Each kernel is a copy
of a process that has only imported modules, so it is as fresh as a new one, and it shares
the server's memory pages until it writes to them.

The client stands in for the kernel towards jupyter_client: it forwards signals (interrupt,
terminate) to the kernel, exits with the kernel's exit status, and if it is killed the
server kills the kernel. The server kills its kernels and exits when the runner goes. With no
server (a notebook opened in JupyterLab, or a server that did not start) the client simply
becomes ``python -m ipykernel_launcher``.

Only the standard library is imported at module level: the client must start in
milliseconds.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import socket
import sys
import time

# The environment variable that gives kernel clients the server's socket.
ENV = "PERFPACK_KERNEL_SERVER"
# The runner's process id and private folders: the server and the workers watch the runner from
# their first instruction, and remove its folders (the copy of the data, the sockets) if it dies.
RUNNER_PID_ENV = "PERFPACK_RUNNER_PID"
SCRATCH_ENV = "PERFPACK_SCRATCH"
# Where kernels' connection files and IPC sockets go (the run's private folder).
KERNEL_DIR_ENV = "PERFPACK_KERNEL_DIR"
PR_SET_PDEATHSIG = 1
SOCKET_PATH_MAX = 100  # AF_UNIX paths are at most 107 bytes on Linux, 103 on macOS
# What the section notebooks import (and what those import): loaded once, in the server.
PRELOAD = (
    "ipykernel.kernelapp",
    "perfpack.pages.all_crime",
    "perfpack.pages.domestic_abuse",
    "perfpack.pages.violent_crime",
    "perfpack.pages.serious_acquisitive_crime",
    "perfpack.pages.fraud_and_cyber_crime",
    "perfpack.pages.asb_and_covid",
    "perfpack.pages.calls_for_service",
    "perfpack.pages.strategic_risk",
)
CONNECT_SECONDS = 10.0  # the runner starts the server well before the first kernel
POLL_SECONDS = 0.2
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


# ---- the client: what jupyter_client starts as "the kernel" ------------------------------------


def _plain_kernel(argv: list[str]) -> None:
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])


def _connect(path: str) -> socket.socket | None:
    """Connect to the server, waiting a little for its socket to appear; None if there is no
    server (the socket never appears, or nothing listens on it any more)."""
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except FileNotFoundError:
            s.close()
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)
        except OSError:
            s.close()
            return None


def client(argv: list[str]) -> int:
    path = os.environ.get(ENV)
    conn = _connect(path) if path else None
    if conn is None:
        _plain_kernel(argv)  # does not return
    request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode() + b"\n"
    lines = _Lines(conn)
    try:
        socket.send_fds(conn, [request], [0, 1, 2])
        first = lines.next(timeout=None).split()
    except OSError:
        first = []
    if first[:1] != [b"pid"]:
        conn.close()
        _plain_kernel(argv)  # the server could not fork: start a kernel the usual way
    pid = int(first[1])

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for sig in FORWARDED:
        signal.signal(sig, forward)
    parent = os.getppid()
    while True:
        try:
            words = lines.next(timeout=POLL_SECONDS).split()
        except TimeoutError:
            if os.getppid() != parent:  # our papermill is gone: so is the kernel
                forward(signal.SIGKILL, None)
                return 1
            continue
        except OSError:
            words = []
        if words[:1] == [b"exit"]:
            return _exit_as(int(words[1]))
        forward(signal.SIGKILL, None)  # the server went away without a word: so does the kernel
        return 1


def _exit_as(code: int) -> int:
    """End as the kernel ended: with its exit status, or killed by the signal that killed it."""
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        time.sleep(1)
    return code & 0xFF


class _Lines:
    """Lines from a socket, each read with a time limit (``TimeoutError``); ``b""`` at the end."""

    def __init__(self, conn: socket.socket):
        self.conn, self.buf = conn, b""

    def next(self, timeout: float | None) -> bytes:
        self.conn.settimeout(timeout)
        while b"\n" not in self.buf:
            chunk = self.conn.recv(4096)
            if not chunk:
                return b""
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line


# ---- the server ----------------------------------------------------------------------------------


def die_with_parent(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent ends (``PR_SET_PDEATHSIG``),
    at any moment, even while it imports; False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes  # stdlib, kept local: the client path imports as little as it can

        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError, TypeError):
        return False


def runner_pid() -> int:
    """The runner this process serves: from the environment the runner set, else the parent
    as it is now."""
    try:
        return int(os.environ.get(RUNNER_PID_ENV) or os.getppid())
    except ValueError:
        return os.getppid()


def remove_scratch_of_a_dead_runner(expected_parent: int) -> None:
    """The runner has died without cleaning up: remove its private folder (the validated copy
    of the data), if it is one (it carries the run's mark naming that runner)."""
    import json as _json  # stdlib
    import shutil  # stdlib, kept local: the client path imports as little as it can

    try:
        os.kill(expected_parent, 0)
        return  # still alive (a parent that is not the runner went): leave it to the runner
    except ProcessLookupError:
        pass
    except PermissionError:
        return
    for folder in (os.environ.get(SCRATCH_ENV) or "").split(os.pathsep):
        if not folder:
            continue
        try:
            with open(os.path.join(folder, ".perfpack-run.json"), encoding="utf-8") as f:
                mark = _json.load(f)
        except (OSError, ValueError):
            continue
        if isinstance(mark, dict) and mark.get("pid") == expected_parent:
            shutil.rmtree(folder, ignore_errors=True)


def serve(path: str) -> int:
    """Listen on ``path``, import :data:`PRELOAD`, then fork a kernel for each client.

    The server watches its runner from its first instruction: Linux sends it SIGUSR2 when the
    runner ends (``PR_SET_PDEATHSIG``, set before the slow imports), and it checks the runner's
    pid as well; either way it kills its kernels, removes the runner's private folder and ends."""
    expected_parent = runner_pid()
    stopping: list[str] = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append("asked"))
    signal.signal(signal.SIGUSR2, lambda *_: stopping.append("orphaned"))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(signal.SIGUSR2)
    if os.getppid() != expected_parent:  # the runner ended before the line above
        stopping.append("orphaned")
    import gc  # stdlib, kept local: the client path imports as little as it can
    import importlib  # stdlib, kept local: the client path imports as little as it can
    import selectors  # stdlib, kept local: the client path imports as little as it can

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)  # clients that come while the imports run wait in the backlog
    for name in PRELOAD:
        if stopping:
            break
        importlib.import_module(name)
    gc.collect()
    gc.freeze()  # the imported objects stay out of the children's garbage collections (no copies)
    parent = expected_parent
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    kernels: dict[int, socket.socket] = {}  # pid -> its client's connection
    try:
        while not stopping and os.getppid() == parent:
            for key, _ in sel.select(POLL_SECONDS):
                if key.fileobj is listener:
                    conn, _ = listener.accept()
                    pid = _fork_kernel(conn, listener, kernels)
                    if pid:
                        kernels[pid] = conn
                        sel.register(conn, selectors.EVENT_READ, pid)
                else:  # a client closed its end (killed): stop its kernel
                    _kill(key.data)
                    sel.unregister(key.fileobj)
            _reap(kernels, sel)
    finally:
        for pid in list(kernels):
            _kill(pid)
        listener.close()
        try:
            os.unlink(path)
        except OSError:
            pass
        if "orphaned" in stopping or os.getppid() != parent:
            remove_scratch_of_a_dead_runner(parent)
    return 0


def _fork_kernel(conn: socket.socket, listener: socket.socket, kernels: dict) -> int | None:
    try:
        conn.settimeout(10)
        msg, fds, _flags, _addr = socket.recv_fds(conn, 1 << 20, 3)
        while not msg.endswith(b"\n"):
            more = conn.recv(1 << 20)
            if not more:
                raise OSError("incomplete request")
            msg += more
        request = json.loads(msg)
    except (OSError, ValueError):
        conn.close()
        return None
    pid = os.fork()
    if pid == 0:  # the kernel
        code = 1
        try:
            listener.close()
            for other in kernels.values():
                other.close()
            conn.close()
            _become_kernel(request, fds)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            import traceback  # stdlib, kept local: the client path imports as little as it can

            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    for fd in fds:
        os.close(fd)
    conn.settimeout(None)
    conn.sendall(f"pid {pid}\n".encode())
    return pid


def _become_kernel(request: dict, fds: list[int]) -> None:
    import random  # stdlib, kept local: the client path imports as little as it can

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the server's handler (stop serving) is not the kernel's
    signal.signal(signal.SIGUSR2, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the server ignored it
    die_with_parent(signal.SIGKILL)  # a kernel never outlives the server that forked it
    os.setsid()
    for target, fd in zip((0, 1, 2), fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[0] = request["cwd"]  # as for `python -m ipykernel_launcher` started there
    random.seed()
    argv = list(request["argv"])
    if os.environ.get("JPY_PARENT_PID"):
        # ipykernel read this when the server imported it; a kernel started by a client
        # has a parent (no console banner; it exits if the server that forked it goes)
        argv.append(f"--IPKernelApp.parent_handle={os.environ['JPY_PARENT_PID']}")
    sys.argv = ["ipykernel_launcher", *argv]
    from ipykernel import kernelapp  # heavy: the client stays stdlib-only; the server imports what kernels need before forking

    kernelapp.launch_new_instance()


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _reap(kernels: dict, sel) -> None:
    while kernels:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = kernels.pop(pid, None)
        if conn is None:
            continue
        try:
            sel.unregister(conn)
        except (KeyError, ValueError):
            pass
        try:
            conn.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
        except OSError:
            pass
        conn.close()


# ---- the worker's side ----------------------------------------------------------------------


def _kernel_dir() -> str | None:
    """A private folder for kernels' connection files and sockets: the run's (set by the
    runner), else one for this process, removed when it ends."""
    folder = os.environ.get(KERNEL_DIR_ENV)
    if folder:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        return folder
    global _OWN_KERNEL_DIR
    if _OWN_KERNEL_DIR is None:
        import atexit  # stdlib, kept local: the client path imports as little as it can
        import shutil  # stdlib, kept local: the client path imports as little as it can
        import tempfile  # stdlib, kept local: the client path imports as little as it can

        _OWN_KERNEL_DIR = tempfile.mkdtemp(prefix="pp-k-")
        atexit.register(shutil.rmtree, _OWN_KERNEL_DIR, True)
    return _OWN_KERNEL_DIR


_OWN_KERNEL_DIR: str | None = None


@functools.lru_cache(maxsize=2)
def kernel_manager_class(fork: bool = True):
    """The jupyter_client kernel manager papermill should use.

    Kernels talk to the worker over IPC (Unix sockets in a private folder), never over TCP
    without encryption (which any local user could listen to, and which makes ipykernel warn
    at every start). With ``fork``, the kernel spec's own command has ``-m ipykernel_launcher``
    replaced by this module's client (any other command as it is), so the kernel is forked
    from the server. Imported only where kernels are started."""
    import uuid  # stdlib, kept local: the client path imports as little as it can

    from jupyter_client import AsyncKernelManager  # heavy: the client stays stdlib-only; the server imports what kernels need before forking

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            folder = _kernel_dir()
            name = f"k{uuid.uuid4().hex[:8]}"
            if folder and len(os.path.join(folder, name)) + 8 <= SOCKET_PATH_MAX:
                self.transport = "ipc"
                self.connection_file = os.path.join(folder, name + ".json")
                self.ip = os.path.join(folder, name + "-ipc")

    if not fork:
        return IPCKernelManager

    class ForkingKernelManager(IPCKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            for i in range(1, len(cmd) - 1):
                if cmd[i : i + 2] == ["-m", "ipykernel_launcher"]:
                    return [*cmd[:i], "-m", "perfpack.execution.kernel_fork", *cmd[i + 2 :]]
            return cmd

    return ForkingKernelManager


class Server:
    """The runner's kernel server, started at once (its imports overlap the validation) in a
    session of its own: ``proc`` is stopped like any of the runner's processes (SIGTERM: it
    kills its kernels and removes its socket)."""

    def __init__(self, folder, env: dict | None = None, log=None):
        import subprocess  # stdlib, kept local: the client path imports as little as it can

        self.path = os.path.join(str(folder), "kernels.sock")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "perfpack.execution.kernel_fork", "--serve", self.path],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=env,
            start_new_session=True,
        )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"]:
        return serve(argv[1])
    return client(argv)


if __name__ == "__main__":
    raise SystemExit(main())
