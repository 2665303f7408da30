"""Headless Chromium driven over the DevTools protocol, with no extra dependencies.

Chromium is started with ``--remote-debugging-pipe``: it reads protocol commands from file
descriptor 3 and writes replies and events to descriptor 4, each message a JSON text ended by
a NUL byte. No port, no websocket, nothing listening on the network. Every wait is bounded.

Used by ``tests/test_browser.py``::

    with Chromium(find_chromium()) as browser:
        visit = browser.visit(Path("index.html").resolve().as_uri(), "shots/index.png")
        assert not visit.problems
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
DEFAULT_TIMEOUT = 30.0


def find_chromium() -> str | None:
    """The Chromium binary: ``$PERFPACK_CHROMIUM``, else Debian's ``chromium``, else other names."""
    env = os.environ.get("PERFPACK_CHROMIUM")
    if env and Path(env).is_file():
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(RuntimeError):
    """Chromium did not start, answer or finish in time."""


@dataclass
class Visit:
    """What happened while one page loaded."""

    url: str
    screenshot: Path | None = None
    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # requests the page's policy refused before they left
    failed_loads: list[str] = field(default_factory=list)
    requests: dict = field(default_factory=dict)  # request id -> address, for the events that follow
    page_facts: dict = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"uncaught exception: {m}" for m in self.exceptions]
            + [f"request off the file system: {u}" for u in self.network]
            + [f"request refused by the page's policy: {u}" for u in self.blocked]
            + [f"failed to load: {u}" for u in self.failed_loads]
        )


# What the page itself reports once loaded: broken images, images without alt text, links to
# anchors or local files that are not there (local file links are checked by the test).
PAGE_FACTS_JS = """
(() => {
  const imgs = Array.from(document.images);
  const anchors = Array.from(document.querySelectorAll('a[href]'));
  return {
    title: document.title,
    images: imgs.length,
    broken_images: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => (i.alt || i.src).slice(0, 80)),
    images_without_alt: imgs.filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.src.slice(0, 60)),
    missing_anchors: anchors.map(a => a.getAttribute('href')).filter(h => h.startsWith('#') && h.length > 1 && !document.getElementById(decodeURIComponent(h.slice(1)))),
    links: anchors.map(a => a.href),
    height: Math.ceil(document.documentElement.scrollHeight),
    width: Math.ceil(document.documentElement.scrollWidth),
  };
})()
"""


class Chromium:
    """One headless Chromium process; :meth:`visit` opens a page in a fresh tab."""

    def __init__(self, binary: str, timeout: float = DEFAULT_TIMEOUT, width: int = 1280, height: int = 900):
        self.binary = binary
        self.timeout = timeout
        self.width, self.height = width, height
        self.proc: subprocess.Popen | None = None
        self.profile = Path(tempfile.mkdtemp(prefix="pp-chromium-"))
        self._events: queue.Queue = queue.Queue()
        self._replies: dict[int, dict] = {}
        self._cond = threading.Condition()
        self._next_id = 0
        self._closed = False
        self.stderr_path = self.profile / "chromium-stderr.log"

    # ---- process ------------------------------------------------------------------------------

    def flags(self) -> list[str]:
        return [
            "--headless",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--disable-dev-shm-usage",
            "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--metrics-recording-only",
            "--mute-audio",
            # Belt and braces: even if a page asked for the network, no name would resolve.
            # The test still sees the attempt (Network.requestWillBeSent) and fails on it.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--window-size={self.width},{self.height}",
            f"--user-data-dir={self.profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]

    def start(self) -> Chromium:
        to_browser_r, to_browser_w = os.pipe()  # we write commands; Chromium reads fd 3
        from_browser_r, from_browser_w = os.pipe()  # Chromium writes fd 4; we read

        def child_fds():  # in the child between fork and exec: the pipe ends become fds 3 and 4
            import fcntl

            a = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3, inheritable=True)
            os.dup2(b, 4, inheritable=True)

        env = dict(os.environ, CHROMIUM_FLAGS="")
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, *self.flags()],
            stdin=subprocess.DEVNULL,
            stdout=self._stderr,
            stderr=self._stderr,
            close_fds=False,  # only inheritable fds pass (PEP 446): 3 and 4, made so above
            preexec_fn=child_fds,
            start_new_session=True,
            env=env,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._out = os.fdopen(to_browser_w, "wb", buffering=0)
        self._in_fd = from_browser_r
        self._reader = threading.Thread(target=self._read_loop, name="cdp-reader", daemon=True)
        self._reader.start()
        try:
            self.call("Browser.getVersion", timeout=self.timeout)
        except BrowserError:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.proc is not None and self.proc.poll() is None:
            try:
                self._send("Browser.close", {})
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.proc is not None and self.proc.poll() is None:
            import signal

            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=5)
                    break
                except subprocess.TimeoutExpired:
                    continue
        for closer in (getattr(self, "_out", None), getattr(self, "_stderr", None)):
            try:
                if closer is not None:
                    closer.close()
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- protocol -----------------------------------------------------------------------------

    def _read_loop(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._in_fd, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                if "id" in msg:
                    with self._cond:
                        self._replies[msg["id"]] = msg
                        self._cond.notify_all()
                else:
                    self._events.put(msg)
        with self._cond:
            self._closed_pipe = True
            self._cond.notify_all()
        try:
            os.close(self._in_fd)
        except OSError:
            pass

    def _send(self, method: str, params: dict, session: str | None = None) -> int:
        with self._cond:
            self._next_id += 1
            mid = self._next_id
        msg = {"id": mid, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        self._out.write(json.dumps(msg).encode("utf-8") + b"\0")
        return mid

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float | None = None) -> dict:
        """Send a command and wait (bounded) for its reply; raise on a protocol error."""
        mid = self._send(method, params or {}, session)
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            while mid not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or getattr(self, "_closed_pipe", False):
                    raise BrowserError(f"no reply to {method} within {timeout or self.timeout:.0f} s" + self._stderr_tail())
                self._cond.wait(min(left, 0.5))
            reply = self._replies.pop(mid)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def _stderr_tail(self) -> str:
        try:
            tail = self.stderr_path.read_text(errors="replace").strip().splitlines()[-5:]
        except OSError:
            return ""
        return ("; Chromium said: " + " | ".join(tail)) if tail else ""

    def _drain(self, until: float, session: str, visit: Visit, stop_on: str | None = None) -> bool:
        """Take events until ``until`` (monotonic); record problems; True when ``stop_on`` came."""
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return False
            try:
                ev = self._events.get(timeout=min(left, 0.25))
            except queue.Empty:
                continue
            if ev.get("sessionId") not in (None, session):
                continue
            self._record(ev, visit)
            if stop_on and ev.get("method") == stop_on:
                return True

    @staticmethod
    def _record(ev: dict, visit: Visit) -> None:
        method, p = ev.get("method"), ev.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            visit.console_errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))[:300])
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            visit.console_errors.append(f"{e.get('source')}: {e.get('text', '')[:300]} {e.get('url', '')}".strip())
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            visit.exceptions.append((d.get("exception", {}).get("description") or d.get("text", ""))[:300])
        elif method == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            visit.requests[p.get("requestId")] = url[:200]
            if not url.startswith(LOCAL_SCHEMES):
                visit.network.append(url[:200])
        elif method == "Network.loadingFailed" and p.get("blockedReason"):
            # refused by the browser itself (the Content-Security-Policy): it never left
            url = visit.requests.get(p.get("requestId"), "")
            if url in visit.network:
                visit.network.remove(url)
            visit.blocked.append(f"{url} ({p['blockedReason']})")
        elif method == "Network.loadingFailed" and not p.get("canceled"):
            visit.failed_loads.append(f"{p.get('errorText', '')} (request {p.get('requestId')}, {p.get('type', '')})")

    def visit(self, url: str, screenshot: str | Path | None = None, settle: float = 0.5, evaluate: dict[str, str] | None = None) -> Visit:
        """Open ``url`` in a new tab, wait for its load event (bounded), let it settle, record
        console errors, uncaught exceptions and every request, and save a full-page PNG.
        ``evaluate`` maps names to JavaScript expressions whose values go into ``page_facts``."""
        visit = Visit(url)
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.call(f"{domain}.enable", {}, session)
            self.call("Emulation.setDeviceMetricsOverride", {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False}, session)
            nav = self.call("Page.navigate", {"url": url}, session)
            if nav.get("errorText"):
                visit.failed_loads.append(f"{url}: {nav['errorText']}")
            if not self._drain(time.monotonic() + self.timeout, session, visit, stop_on="Page.loadEventFired"):
                raise BrowserError(f"{url} did not finish loading within {self.timeout:.0f} s")
            self._drain(time.monotonic() + settle, session, visit)
            facts = self.call("Runtime.evaluate", {"expression": PAGE_FACTS_JS, "returnByValue": True}, session)
            visit.page_facts = facts.get("result", {}).get("value", {}) or {}
            for name, expression in (evaluate or {}).items():
                value = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
                visit.page_facts[name] = value.get("result", {}).get("value")
            if screenshot is not None:
                screenshot = Path(screenshot)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                height = max(self.height, int(visit.page_facts.get("height") or self.height))
                width = max(self.width, int(visit.page_facts.get("width") or self.width))
                shot = self.call(
                    "Page.captureScreenshot",
                    {"format": "png", "captureBeyondViewport": True, "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}},
                    session,
                    timeout=max(self.timeout, 60),
                )
                screenshot.write_bytes(base64.b64decode(shot["data"]))
                visit.screenshot = screenshot
            self._drain(time.monotonic() + 0.1, session, visit)
        finally:
            try:
                self.call("Target.closeTarget", {"targetId": target}, timeout=10)
            except BrowserError:
                pass
        return visit
