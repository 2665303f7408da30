"""The published pack's folder: what the pack may replace, how it swaps a build into place, and
what it may clean up. Nothing here deletes anything the pack did not make.

- **Ownership.** ``outputs/<period>/`` is replaced only when it is a pack: a folder whose
  ``manifest.json`` names that period and lists its sections, holding only the files a pack
  holds (the manifest's ``files``). A file, a link, a folder without such a manifest or with
  other files in it (the input data, say) is refused with words (:func:`check_replaceable`).
- **Marks.** Every folder a run makes (its build folder beside the outputs, its private
  temporary folder) holds :data:`RUN_MARK` naming the run (id, process, host). The clean-up
  (:func:`clean_debris`) removes a folder only if it carries a mark whose run is over, and
  whose id is the one in the folder's name: never ``$TMPDIR/perfpack-export-2021-01/`` or
  ``<out>/.old-stuff-4000000-x/``.
- **The swap.** :func:`publish` writes what it is about to do (an *intent* file), moves the old
  pack aside, moves the build in, then removes the old pack and the intent. A run killed
  between the two moves leaves the intent: the next run puts the old pack back.

Standard library only; knows nothing about crime.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

RUN_MARK = ".perfpack-run.json"
INTENT_PREFIX = ".perfpack-swap-"
# "perfpack-run_<tag>_<random>": no dash after the prefix, so that the clean-up of an older
# version of the pack (which removed any "perfpack-*-*-*" folder whose next-to-last part read
# as the number of an ended process) can never take a folder of a run in progress for its own.
SCRATCH_PREFIX = "perfpack-run_"
BUILD_PREFIX = ".build-"
OLD_PREFIX = ".old-"
#: Files an operating system or a file browser drops into any folder: replaced with the pack.
SYSTEM_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
#: A pack written before manifests listed their files holds these and its sections' pages.
PACK_FILES = {"index.html", "figures.csv", "manifest.json", "meeting-paper.docx", "meeting-paper.html", "revisions.csv", "peers.csv"}


class PackFolderError(Exception):
    """The outputs folder cannot be used as asked; ``str()`` is the plain message."""


def new_run_id() -> str:
    """A run's id: when it started (UTC) and eight random hex digits, e.g. ``20210201T090000-1a2b3c4d``."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def _tag(run_id: str) -> str:
    return run_id.rsplit("-", 1)[-1]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, ValueError):
        return False
    return True


def mark(folder: Path, run_id: str, kind: str) -> Path:
    """Mark ``folder`` as made by run ``run_id`` (a ``build``, ``scratch``...)."""
    p = Path(folder) / RUN_MARK
    p.write_text(
        json.dumps(
            {"run_id": run_id, "kind": kind, "pid": os.getpid(), "host": socket.gethostname(), "made_at": datetime.now(UTC).isoformat(timespec="seconds")}
        ),
        encoding="utf-8",
    )
    return p


def _mark_of(folder: Path) -> dict | None:
    try:
        info = json.loads((Path(folder) / RUN_MARK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and isinstance(info.get("run_id"), str) and isinstance(info.get("pid"), int) else None


def made_by_a_finished_run(folder: Path) -> bool:
    """Whether ``folder`` carries the mark of a run of the pack that has ended, matching its
    name (the run id's random part is in the name): only such a folder may be removed."""
    info = _mark_of(folder)
    if info is None or _tag(info["run_id"]) not in Path(folder).name:
        return False
    if info.get("host") not in (None, socket.gethostname()):
        return False  # another machine's run on a shared drive: its process cannot be seen from here
    return not pid_alive(info["pid"])


def make_scratch(run_id: str) -> Path:
    """The run's private temporary folder (the data snapshot, job files, kernels' sockets),
    marked; short, so that the kernels' socket paths fit."""
    folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{_tag(run_id)}_"))
    mark(folder, run_id, "scratch")
    return folder


SOCKET_PATH_MAX = 100  # AF_UNIX paths are at most 107 bytes on Linux, 103 on macOS


def socket_folder(scratch: Path, run_id: str) -> Path:
    """Where the run's sockets go (the kernel server's, the kernels' IPC sockets): the private
    folder itself, unless its path is too long for a socket (a deep TMPDIR); then a short
    private folder of its own in /tmp, marked like the others."""
    longest = Path(scratch) / "k" / "k0123abcd-ipc-99"
    if len(str(longest)) <= SOCKET_PATH_MAX:
        return Path(scratch)
    for base in ("/tmp", "/var/tmp"):
        if os.path.isdir(base) and os.access(base, os.W_OK):
            folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{_tag(run_id)}_s", dir=base))
            mark(folder, run_id, "sockets")
            return folder
    return Path(scratch)  # nowhere shorter: kernels fall back to TCP, the server to plain kernels


def make_build(out_root: Path, period: str, run_id: str) -> Path:
    build = Path(out_root) / f"{BUILD_PREFIX}{period}-{_tag(run_id)}"
    (build / "notebooks").mkdir(parents=True)
    mark(build, run_id, "build")
    return build


def clean_debris(out_root: Path) -> list[Path]:
    """Put back a pack a killed run had moved aside, and remove the build and temporary
    folders of runs that have ended: only folders carrying such a run's mark."""
    removed: list[Path] = []
    out_root = Path(out_root)
    if out_root.is_dir():
        for intent in sorted(out_root.glob(f"{INTENT_PREFIX}*.json")):
            removed += _finish_swap(intent)
        for p in out_root.glob(f"{BUILD_PREFIX}*"):
            if p.is_dir() and not p.is_symlink() and made_by_a_finished_run(p):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    for base in dict.fromkeys([tempfile.gettempdir(), "/tmp"]):
        for p in Path(base).glob(f"{SCRATCH_PREFIX}*"):
            if p.is_dir() and not p.is_symlink() and made_by_a_finished_run(p):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def _finish_swap(intent: Path) -> list[Path]:
    try:
        info = json.loads(intent.read_text(encoding="utf-8"))
        pid, final, old = int(info["pid"]), intent.parent / info["final"], intent.parent / info["old"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    if pid_alive(pid) or "/" in info["final"] or "/" in info["old"] or not info["old"].startswith(OLD_PREFIX):
        return []
    done = []
    if old.is_dir() and not final.exists():
        os.replace(old, final)  # killed between the two moves: the earlier pack goes back
    elif old.is_dir():
        shutil.rmtree(old, ignore_errors=True)  # the new pack was in place: the old one was leaving
        done.append(old)
    intent.unlink(missing_ok=True)
    return done


# ---- what may be replaced ------------------------------------------------------------------


def pack_manifest(folder: Path, period: str | None = None) -> dict | None:
    """The folder's manifest if the folder is a pack (of ``period``, when given), else None."""
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        return None
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(m, dict)
        or not isinstance(m.get("period"), str)
        or (period is not None and m["period"] != period)
        or not isinstance(m.get("sections"), list)
    ):
        return None
    return m


def expected_files(manifest: dict) -> set[str]:
    """The files (paths relative to the pack, ``/``-separated) a pack's manifest says it holds."""
    listed = manifest.get("files")
    if isinstance(listed, list) and all(isinstance(f, str) for f in listed):
        return set(listed)
    files = set(PACK_FILES)
    for s in manifest.get("sections") or []:
        if isinstance(s, dict):
            files |= {str(s[k]) for k in ("html", "notebook") if s.get(k)}
    return files


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in Path(folder).rglob("*") if p.is_file() or p.is_symlink())


def check_out_root(out_root: Path) -> None:
    """``--out`` must be the folder the packs go in: not a file, and not a pack itself or a
    folder inside one (``--out outputs/2020-Q4`` would write a pack inside the published one)."""
    if out_root.exists() and not out_root.is_dir():
        raise PackFolderError(
            f"--out {out_root} is a file, not a folder. Give the folder the packs go in (each period in a folder of its own inside it), such as outputs/."
        )
    for folder in (out_root, *out_root.parents):
        m = pack_manifest(folder)
        if m is not None:
            inside = "is" if folder == out_root else f"is inside {folder}, which is"
            raise PackFolderError(
                f"--out {out_root} {inside} a published {m['period']} pack (it holds the pack's manifest.json). Give the folder that holds the packs, "
                f"{folder.parent} here: each period is written in a folder of its own inside it."
            )


def check_replaceable(final: Path, period: str) -> dict | None:
    """None if ``final`` does not exist; the earlier pack's manifest if it is a pack the pack
    made, holding only a pack's files; otherwise :class:`PackFolderError` saying why."""
    final = Path(final)
    if final.is_symlink():
        raise PackFolderError(
            f"{final} is a link, not a folder the pack made; the pack replaces only its own folders. Remove the link or choose another --out."
        )
    if not final.exists():
        return None
    if not final.is_dir():
        raise PackFolderError(
            f"{final} is a file, not a pack folder; the pack would replace it with the {period} pack. Move or rename it, or choose another --out."
        )
    m = pack_manifest(final, period)
    if m is None:
        held = files_in(final)
        what = f"it holds {len(held)} file{'s' if len(held) != 1 else ''} ({', '.join(held[:5])}{', ...' if len(held) > 5 else ''})" if held else "it is empty"
        raise PackFolderError(
            f"{final} exists and was not made by the pack (it has no manifest.json naming the period {period}); {what}. The pack replaces only folders it made. Move the folder, or choose another --out."
        )
    extra = [f for f in files_in(final) if f not in expected_files(m) and Path(f).name not in SYSTEM_FILES and f != RUN_MARK]
    if extra:
        raise PackFolderError(
            f"{final} is a {period} pack, but it also holds {len(extra)} file{'s' if len(extra) != 1 else ''} the pack did not make ({', '.join(extra[:5])}{', ...' if len(extra) > 5 else ''}); "
            "publishing would delete them. Move them out of the folder (the input data belong outside the outputs), or choose another --out."
        )
    return m


# ---- the swap ------------------------------------------------------------------------------


def publish(build: Path, final: Path, run_id: str) -> None:
    """Swap a finished build into place with renames; the old outputs go only once the new are
    in. An intent file beside them lets the next run finish or undo a swap cut short."""
    build, final = Path(build), Path(final)
    old = final.parent / f"{OLD_PREFIX}{final.name}-{_tag(run_id)}"
    intent = final.parent / f"{INTENT_PREFIX}{_tag(run_id)}.json"
    intent.write_text(json.dumps({"run_id": run_id, "pid": os.getpid(), "final": final.name, "old": old.name, "build": build.name}), encoding="utf-8")
    moved = False
    try:
        if final.exists():
            os.replace(final, old)
            moved = True
        os.replace(build, final)
    except OSError:
        if moved and not final.exists():
            os.replace(old, final)
        intent.unlink(missing_ok=True)
        raise
    if moved:
        shutil.rmtree(old, ignore_errors=True)
    if not old.exists():  # else the intent stays, and the next run's clean-up removes the rest
        intent.unlink(missing_ok=True)
    (final / RUN_MARK).unlink(missing_ok=True)  # the build's mark: the pack is the manifest's now
