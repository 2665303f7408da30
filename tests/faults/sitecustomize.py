"""Fault injection for the command-line tests (tests/test_reliability.py): put this folder on
PYTHONPATH and set

- ``PP_FAULT_ERRNO`` (``ENOSPC``, ``EROFS``...) and ``PP_FAULT_PATH`` (a path, or a path's
  ending): creating a folder or opening a file for writing there raises that OSError, as a
  full or read-only disk would (``PP_FAULT_OPS`` limits it to some of ``mkdir``, ``open``,
  ``os_open``, ``zip``: Python's ``tempfile`` skips a folder it cannot create a file in);
- ``PP_FAULT_HOLD`` (a path's ending) and ``PP_FAULT_HOLD_MARK`` (a file to create): the main
  thread of the run (not the section workers) waits 600 s when it opens that file for
  reading, after creating the mark, so that a test can signal a run during validation.

Nothing happens without these variables. Never on the path outside the tests.
"""

import errno
import io
import os
import threading
import time
import zipfile

_ERRNO = os.environ.get("PP_FAULT_ERRNO")
_PATH = os.environ.get("PP_FAULT_PATH", "")
_HOLD = os.environ.get("PP_FAULT_HOLD")
_MARK = os.environ.get("PP_FAULT_HOLD_MARK", "")
_OPS = set(os.environ.get("PP_FAULT_OPS", "mkdir,open,os_open,zip").split(","))


def _hit(path) -> bool:
    p = os.fspath(path) if isinstance(path, (str, bytes, os.PathLike)) else ""
    p = p.decode() if isinstance(p, bytes) else p
    return bool(_PATH) and (p.startswith(_PATH) or p.endswith(_PATH))


def _fail(path):
    code = getattr(errno, _ERRNO)
    raise OSError(code, os.strerror(code), os.fspath(path))


if _ERRNO:
    _open, _os_open, _mkdir, _zip_init = io.open, os.open, os.mkdir, zipfile.ZipFile.__init__

    def open_(file, mode="r", *a, **k):
        if any(c in mode for c in "wax+") and _hit(file):
            _fail(file)
        return _open(file, mode, *a, **k)

    def os_open(path, flags, *a, **k):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and _hit(path):
            _fail(path)
        return _os_open(path, flags, *a, **k)

    def mkdir(path, *a, **k):
        if _hit(path):
            _fail(path)
        return _mkdir(path, *a, **k)

    def zip_init(self, file, mode="r", *a, **k):
        if mode != "r" and _hit(file):
            _fail(file)
        return _zip_init(self, file, mode, *a, **k)

    import builtins

    if "open" in _OPS:
        io.open = builtins.open = open_
    if "os_open" in _OPS:
        os.open = os_open
    if "mkdir" in _OPS:
        os.mkdir = mkdir
    if "zip" in _OPS:
        zipfile.ZipFile.__init__ = zip_init

if _HOLD:
    _open_h = io.open

    def held_open(file, mode="r", *a, **k):
        if "r" in mode and isinstance(file, (str, os.PathLike)) and os.fspath(file).endswith(_HOLD) and threading.current_thread() is threading.main_thread():
            if _MARK:
                _open_h(_MARK, "w").close()
            time.sleep(600)
        return _open_h(file, mode, *a, **k)

    io.open = held_open
    import builtins

    builtins.open = held_open
